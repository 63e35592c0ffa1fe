import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import type { DeliveryRules } from '../../scheduler/delivery/index.ts';
import { seedSecondCounty } from './anxiang.ts';
import { demoCluster, demoSchool } from './cluster.ts';
import { seedHistory, weeklyLesson } from './history.ts';
import { seedResearch } from './research.ts';
import { demoTerm } from './term.ts';
import { ART, ENGLISH_4, MUSIC } from './topics.ts';
import { SYSTEM_ADMIN_NAME } from '../contract/names.ts';

/** The password of every demo account (printed at start and listed in the README). */
export const DEMO_PASSWORD = 'demo2026';

/** Demo accounts: username → what it is. */
export const DEMO_ACCOUNTS = [
  { username: 'admin', realName: SYSTEM_ADMIN_NAME, role: 'admin', note: 'system admin' },
  {
    username: 'bureau',
    realName: '赵强（桃源县教育局）',
    role: 'bureau',
    note: 'county education bureau, 桃源县',
  },
  {
    username: 'inspector',
    realName: '陈军（桃源县教育局巡课员）',
    role: 'inspector',
    note: 'inspector of 桃源县: the wall of live lessons (/inspection), watched silently',
  },
  {
    username: 'coordinator',
    realName: '刘芳（联校群管理员）',
    role: 'coordinator',
    note: 'cluster coordinator',
  },
  {
    username: 'school1',
    realName: '周敏（茶庵铺镇中心小学教务）',
    role: 'school',
    note: 'timetabler of 茶庵铺镇中心小学 (its own timetable, its part of co-plans)',
  },
  {
    username: 'teacher',
    realName: '王丽（英语）',
    role: 'teacher',
    note: 'hub teacher, recording classroom',
  },
  {
    username: 'teacher2',
    realName: '张敏（音乐、美术）',
    role: 'teacher',
    note: 'hub teacher of music and art',
  },
  {
    username: 'classroom1',
    realName: '茶庵铺镇中心小学 四年级(1)班',
    role: 'classroom',
    note: 'classroom device',
  },
  {
    username: 'classroom2',
    realName: '热市镇杨溪桥村小学 四年级',
    role: 'classroom',
    note: 'classroom device',
  },
  { username: 'classroom3', realName: '牛车河乡教学点 四年级', role: 'classroom', note: 'classroom device' },
  {
    username: 'classroom4',
    realName: '西安镇中心小学 四年级(2)班',
    role: 'classroom',
    note: 'classroom device',
  },
] as const;

const RURAL = [
  { school: '茶庵铺镇中心小学', kind: 'rural', down: 10, up: 4, classroom: '四年级(1)班', size: 38 },
  { school: '热市镇杨溪桥村小学', kind: 'rural', down: 6, up: 2, classroom: '四年级', size: 21 },
  { school: '牛车河乡教学点', kind: 'teaching_point', down: 4, up: 1, classroom: '四年级', size: 9 },
  { school: '西安镇中心小学', kind: 'rural', down: 6, up: 2, classroom: '四年级(2)班', size: 42 },
] as const;

/** Hunan → Changde → Taoyuan county (桃源县), and a neighbouring county outside the demo's scope. */
const REGIONS = [
  { code: '430000', name: '湖南省', level: 'province', parentCode: null },
  { code: '430700', name: '常德市', level: 'city', parentCode: '430000' },
  { code: '430725', name: '桃源县', level: 'county', parentCode: '430700' },
  { code: '430721', name: '安乡县', level: 'county', parentCode: '430700' },
] as const;
const COUNTY = '430725';
const CLUSTER_NAME = '桃源县漳江小学英语联校群';

/**
 * Marks the demo accounts of a database seeded before accounts carried the flag, as long as
 * they still have the published password (a changed one is no longer a demo password).
 */
async function markDemoAccounts(models: Models): Promise<void> {
  const unmarked = await models.User.find(
    { username: { $in: DEMO_ACCOUNTS.map((a) => a.username) }, demo: { $exists: false } },
    { passwordHash: 1 },
  ).lean();
  for (const user of unmarked) {
    const published = await verifyPassword(DEMO_PASSWORD, user.passwordHash);
    await models.User.updateOne({ _id: user._id }, { $set: { demo: published } });
  }
}

/**
 * A receiving class's own week (weekday × period → subject and local teacher): 升旗 on Monday
 * and 班会 on Friday locked, 语文 and 数学 in the morning, and in its third lesson of the day
 * (period `third`) the subjects the hub teaches: 英语 twice, 音乐 twice, 美术 once. These are
 * the periods the class is busy in; the co-plan replaces the hub's subjects with the
 * synchronized sessions, moving them where the hub's periods need.
 */
function localWeek(
  classId: unknown,
  third: (weekday: number) => number,
  teachers: { chinese: string; maths: string; english: string; arts: string },
): {
  classId: unknown;
  weekday: number;
  period: number;
  subject: string;
  teacher: string;
  locked: boolean;
}[] {
  const thirdSubject = ['英语', '音乐', '英语', '音乐', '美术'];
  return [1, 2, 3, 4, 5].flatMap((weekday) => {
    const subject = thirdSubject[weekday - 1] ?? '英语';
    return [
      weekday === 1
        ? { classId, weekday, period: 1, subject: '升旗', teacher: '', locked: true }
        : { classId, weekday, period: 1, subject: '语文', teacher: teachers.chinese, locked: false },
      weekday === 5
        ? { classId, weekday, period: 2, subject: '班会', teacher: teachers.chinese, locked: true }
        : { classId, weekday, period: 2, subject: '数学', teacher: teachers.maths, locked: false },
      {
        classId,
        weekday,
        period: third(weekday),
        subject,
        teacher: subject === '英语' ? teachers.english : teachers.arts,
        locked: false,
      },
    ];
  });
}

const LOCAL_TEACHERS = [
  { chinese: '李春梅', maths: '陈建国', english: '周小燕', arts: '彭丽' },
  { chinese: '杨志强', maths: '黄海', english: '杨志强', arts: '黄海' },
  { chinese: '覃玉兰', maths: '覃玉兰', english: '覃玉兰', arts: '覃玉兰' },
  { chinese: '刘红', maths: '胡卫东', english: '邓静', arts: '邓静' },
] as const;

/**
 * Seeds the demo 1+4 cluster on first start (regions, schools with bells, classrooms,
 * classes, accounts, three offerings) with its term so far (past lessons with their records,
 * judged by `rules`: {@link seedHistory}; unless `history` is false), the research demo, and
 * a second county with its own cluster and term so far; and on every start makes sure the demo
 * teacher has a lesson happening now, so the demo is always ready to teach.
 */
export async function seedDemo(
  models: Models,
  logger: Logger,
  options: {
    now?: Date;
    /** Length of the demo lesson kept ready to teach, minutes. */
    lessonMinutes?: number;
    rules?: Partial<DeliveryRules>;
    /** Seed the term so far (default); without, the demo has no past lessons. */
    history?: boolean;
  } = {},
): Promise<void> {
  const { now = new Date(), lessonMinutes = 40, rules = {}, history: withHistory = true } = options;
  const { Region, Classroom, TeachingClass, User, TermCalendar } = models;
  await markDemoAccounts(models);
  if (!(await User.exists({ username: 'teacher' }))) {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    for (const r of REGIONS) await Region.updateOne({ code: r.code }, { $setOnInsert: r }, { upsert: true });
    const term = demoTerm(now);
    const calendar = await TermCalendar.create({ ...term, regionCode: COUNTY });
    const hub = await demoSchool(
      models,
      {
        name: '桃源县漳江小学',
        regionCode: COUNTY,
        kind: 'hub',
        downlinkMbps: 100,
        uplinkMbps: 50,
        termCalendarId: calendar._id,
      },
      0,
    );
    const hubRoom = await Classroom.create({ schoolId: hub._id, name: '录播教室', kind: 'recording' });
    const rural = [];
    for (const [i, r] of RURAL.entries()) {
      const school = await demoSchool(
        models,
        {
          name: r.school,
          regionCode: COUNTY,
          kind: r.kind,
          downlinkMbps: r.down,
          uplinkMbps: r.up,
          termCalendarId: calendar._id,
        },
        [0, 2, 3, 4][i] ?? 0,
      );
      const classroom = await Classroom.create({
        schoolId: school._id,
        name: r.classroom,
        kind: 'receiving',
      });
      const klass = await TeachingClass.create({
        schoolId: school._id,
        grade: 4,
        name: r.classroom,
        size: r.size,
        classroomId: classroom._id,
        // Their own lessons: 语文 and 数学 every morning, and one more period a day (3rd or 6th);
        // the school's own timetable below says which subjects (busy is the fallback for
        // schools that keep none).
        busy: [1, 2, 3, 4, 5].flatMap((weekday) => [
          { weekday, period: 1 },
          { weekday, period: 2 },
          { weekday, period: (weekday + i) % 2 ? 3 : 6 },
        ]),
      });
      await models.LocalTimetable.create({
        schoolId: school._id,
        term: term.term,
        lessons: localWeek(
          klass._id,
          (weekday) => ((weekday + i) % 2 ? 3 : 6),
          LOCAL_TEACHERS[i] ?? LOCAL_TEACHERS[0],
        ),
      });
      rural.push({ school, classroom, klass });
    }
    const users = new Map<string, string>();
    for (const account of DEMO_ACCOUNTS) {
      const index = account.username.startsWith('classroom') ? Number(account.username.slice(-1)) - 1 : -1;
      const room = rural[index];
      const user = await User.create({
        username: account.username,
        passwordHash,
        // Its password is published: it signs in from this machine only.
        demo: true,
        realName: account.realName,
        role: account.role,
        regionCode: account.role === 'bureau' || account.role === 'inspector' ? COUNTY : null,
        schoolId: room
          ? room.school._id
          : account.role === 'teacher'
            ? hub._id
            : account.role === 'school'
              ? (rural[0]?.school._id ?? null)
              : null,
        classroomId: room ? room.classroom._id : null,
        subjects:
          account.username === 'teacher' ? ['英语'] : account.username === 'teacher2' ? ['音乐', '美术'] : [],
        // Hub teachers also teach their own school's classes.
        busy:
          account.username === 'teacher'
            ? [1, 3, 5].map((weekday) => ({ weekday, period: 3 }))
            : account.username === 'teacher2'
              ? [2, 4].map((weekday) => ({ weekday, period: 4 }))
              : [],
      });
      users.set(account.username, user._id.toString());
      if (room) await Classroom.updateOne({ _id: room.classroom._id }, { deviceUserId: user._id });
    }
    const userId = (username: string): string => {
      const id = users.get(username);
      if (!id) throw new Error(`demo account ${username} missing`);
      return id;
    };
    const { cluster, offering } = await demoCluster(models, {
      name: CLUSTER_NAME,
      regionCode: COUNTY,
      term: term.term,
      grade: 4,
      hubSchoolId: hub._id,
      hubClassroomId: hubRoom._id,
      memberSchoolIds: rural.map((r) => r.school._id),
      receivingClassIds: rural.map((r) => r.klass._id),
      coordinatorId: userId('coordinator'),
    });
    const english = await offering('英语', userId('teacher'), 2);
    const music = await offering('音乐', userId('teacher2'), 2);
    const art = await offering('美术', userId('teacher2'), 1);
    logger.info('demo cluster seeded');
    // The lesson of now before the term's past ones (readers that take the first scheduled
    // lesson in natural order find it rather than a missed one).
    await ensureLessonNow(models, logger, now, lessonMinutes);
    // The term so far, taught in the hub's 4th and 5th periods (free in every class's week).
    const started = performance.now();
    const history =
      withHistory &&
      (await seedHistory(
        models,
        {
          clusterId: cluster._id,
          hubClassroomId: hubRoom._id,
          calendar: term,
          classrooms: rural.map((r, i) => ({
            id: r.classroom._id,
            downlinkMbps: RURAL[i]?.down ?? 0,
            uplinkMbps: RURAL[i]?.up ?? 0,
            classSize: r.klass.size,
          })),
          weekly: [
            weeklyLesson(english, 2, 4, ENGLISH_4),
            weeklyLesson(english, 4, 4, ENGLISH_4),
            weeklyLesson(music, 1, 4, MUSIC),
            weeklyLesson(music, 3, 4, MUSIC),
            weeklyLesson(art, 5, 5, ART),
          ],
        },
        { now: now.getTime(), rules, seed: 20261 },
      ));
    if (history)
      logger.info({ ...history, ms: Math.round(performance.now() - started) }, 'demo term so far seeded');
  }
  await seedResearch(models, logger, now, DEMO_PASSWORD);
  await seedSecondCounty(models, logger, now, { password: DEMO_PASSWORD, rules, history: withHistory });
  await ensureLessonNow(models, logger, now, lessonMinutes);
}

/**
 * Makes sure the demo teacher has a lesson pending: one starting now, `minutes` long, unless
 * one is live or still to come. Run at start and whenever a lesson ends, so that the demo is
 * always ready to teach.
 */
export async function ensureLessonNow(
  models: Models,
  logger: Logger,
  now: Date,
  minutes = 40,
): Promise<{ classroomIds: string[]; teacherIds: string[] } | null> {
  const { Cluster, Classroom, User, Lesson, Offering } = models;
  const teacher = await User.findOne({ username: 'teacher' }).lean();
  if (!teacher) return null;
  const pending = await Lesson.exists({
    teacherId: teacher._id,
    $or: [{ state: 'live' }, { state: 'scheduled', scheduledEnd: { $gt: now } }],
  });
  if (pending) return null;
  const cluster = await Cluster.findOne({ name: CLUSTER_NAME }).lean();
  const offering = cluster
    ? await Offering.findOne({ clusterId: cluster._id, teacherId: teacher._id }).lean()
    : null;
  const hubRoom = await Classroom.findOne({ kind: 'recording', schoolId: teacher.schoolId }).lean();
  const classrooms = await Classroom.find({
    kind: 'receiving',
    schoolId: { $in: cluster?.memberSchoolIds ?? [] },
  })
    .sort({ _id: 1 })
    .lean();
  if (!cluster || !hubRoom) {
    logger.warn('demo cluster incomplete: no lesson scheduled now');
    return null;
  }
  const start = new Date(Math.floor(now.getTime() / 1000) * 1000);
  await Lesson.create({
    clusterId: cluster._id,
    offeringId: offering?._id ?? null,
    title: '英语 Unit 3 · My Friends',
    subject: '英语',
    grade: 4,
    teacherId: teacher._id,
    hubClassroomId: hubRoom._id,
    classroomIds: classrooms.map((c) => c._id),
    scheduledStart: start,
    scheduledEnd: new Date(start.getTime() + minutes * 60_000),
  });
  logger.info({ start }, 'demo lesson scheduled now');
  return {
    classroomIds: [hubRoom._id, ...classrooms.map((c) => c._id)].map(String),
    teacherIds: [teacher._id.toString()],
  };
}
