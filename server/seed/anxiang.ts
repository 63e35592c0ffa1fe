import type mongoose from 'mongoose';
import { hashPassword } from '../auth/passwords.ts';
import type { DeliveryRules } from '../../scheduler/delivery/index.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { demoCluster, demoSchool } from './cluster.ts';
import { seedHistory, weeklyLesson } from './history.ts';
import { demoTerm } from './term.ts';
import { ENGLISH_5, MUSIC } from './topics.ts';

/** The second county of the demo: 安乡县, next to 桃源县 in 常德市. */
const COUNTY = '430721';
const CITY = '430700';
export const SECOND_CLUSTER = '安乡县实验小学联校群';

/** Accounts of the second county (password: the demo's). */
export const SECOND_COUNTY_ACCOUNTS = [
  {
    username: 'ax.teacher1',
    realName: '李娟（英语）',
    role: 'teacher',
    note: 'hub teacher of 安乡县 (the second county), English',
  },
  {
    username: 'ax.teacher2',
    realName: '彭程（音乐）',
    role: 'teacher',
    note: 'hub teacher of 安乡县, music',
  },
  {
    username: 'ax.coordinator',
    realName: '黄静（安乡县联校群管理员）',
    role: 'coordinator',
    note: 'coordinator of the 安乡县 cluster',
  },
] as const;

const HUB = { name: '安乡县实验小学', down: 100, up: 50 };
const RURAL = [
  { school: '黄山头镇中心小学', kind: 'rural', down: 10, up: 4, size: 40 },
  { school: '安障乡中心小学', kind: 'rural', down: 6, up: 2, size: 26 },
  { school: '大鲸港镇白蚌村教学点', kind: 'teaching_point', down: 4, up: 1, size: 11 },
] as const;

/**
 * The second county, once (idempotent by the cluster's name): a 1+3 cluster of 安乡县 on the
 * city's term calendar (常德市), fifth-grade English twice a week and music once, its hub
 * teachers and coordinator, and its term so far (see {@link seedHistory}).
 */
export async function seedSecondCounty(
  models: Models,
  logger: Logger,
  now: Date,
  options: { password: string; rules: Partial<DeliveryRules>; history: boolean },
): Promise<void> {
  const { Classroom, TeachingClass, User, Cluster, TermCalendar } = models;
  if (await Cluster.exists({ name: SECOND_CLUSTER })) return;
  const term = demoTerm(now, '常德市');
  // The city's calendar: a county's own (430721) may be added beside it.
  const calendar =
    (await TermCalendar.findOne({ regionCode: CITY, term: term.term }).lean()) ??
    (await TermCalendar.create({ ...term, regionCode: CITY }));
  const school = (
    name: string,
    kind: 'hub' | 'rural' | 'teaching_point',
    down: number,
    up: number,
    offset: number,
  ) =>
    demoSchool(
      models,
      { name, regionCode: COUNTY, kind, downlinkMbps: down, uplinkMbps: up, termCalendarId: calendar._id },
      offset,
    );
  const hub = await school(HUB.name, 'hub', HUB.down, HUB.up, 0);
  const hubRoom = await Classroom.create({ schoolId: hub._id, name: '录播教室', kind: 'recording' });
  const rural = [];
  for (const [i, r] of RURAL.entries()) {
    const created = await school(r.school, r.kind, r.down, r.up, i + 1);
    const classroom = await Classroom.create({ schoolId: created._id, name: '五年级', kind: 'receiving' });
    const klass = await TeachingClass.create({
      schoolId: created._id,
      grade: 5,
      name: '五年级',
      size: r.size,
      classroomId: classroom._id,
      busy: [1, 2, 3, 4, 5].flatMap((weekday) => [
        { weekday, period: 1 },
        { weekday, period: 2 },
      ]),
    });
    rural.push({ link: r, classroom, klass });
  }
  const passwordHash = await hashPassword(options.password);
  const ids = new Map<string, mongoose.Types.ObjectId>();
  for (const a of SECOND_COUNTY_ACCOUNTS) {
    const user = await User.create({
      username: a.username,
      passwordHash,
      demo: true,
      realName: a.realName,
      role: a.role,
      schoolId: a.role === 'teacher' ? hub._id : null,
      subjects: a.username === 'ax.teacher1' ? ['英语'] : a.username === 'ax.teacher2' ? ['音乐'] : [],
    });
    ids.set(a.username, user._id);
  }
  const id = (username: string): mongoose.Types.ObjectId => {
    const found = ids.get(username);
    if (!found) throw new Error(`demo account ${username} missing`);
    return found;
  };
  const { cluster, offering } = await demoCluster(models, {
    name: SECOND_CLUSTER,
    regionCode: COUNTY,
    term: term.term,
    grade: 5,
    hubSchoolId: hub._id,
    hubClassroomId: hubRoom._id,
    memberSchoolIds: rural.map((r) => r.klass.schoolId),
    receivingClassIds: rural.map((r) => r.klass._id),
    coordinatorId: id('ax.coordinator'),
  });
  const english = await offering('英语', id('ax.teacher1'), 2);
  const music = await offering('音乐', id('ax.teacher2'), 1);
  if (!options.history) {
    logger.info('demo second county (安乡县) seeded, without its term so far');
    return;
  }
  const started = performance.now();
  const history = await seedHistory(
    models,
    {
      clusterId: cluster._id,
      hubClassroomId: hubRoom._id,
      calendar: term,
      classrooms: rural.map((r) => ({
        id: r.classroom._id,
        downlinkMbps: r.link.down,
        uplinkMbps: r.link.up,
        classSize: r.link.size,
      })),
      weekly: [
        weeklyLesson(english, 1, 5, ENGLISH_5),
        weeklyLesson(english, 4, 5, ENGLISH_5),
        weeklyLesson(music, 3, 4, MUSIC),
      ],
    },
    { now: now.getTime(), rules: options.rules, seed: 20262 },
  );
  logger.info(
    { ...history, ms: Math.round(performance.now() - started) },
    'demo second county (安乡县) and its term so far seeded',
  );
}
