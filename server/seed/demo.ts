import { hashPassword } from '../auth/passwords.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';

/** The password of every demo account (printed at start and listed in the README). */
export const DEMO_PASSWORD = 'demo2026';

/** Demo accounts: username → what it is. */
export const DEMO_ACCOUNTS = [
  { username: 'admin', realName: '系统管理员', role: 'admin', note: 'system admin' },
  {
    username: 'coordinator',
    realName: '刘芳（联校群管理员）',
    role: 'coordinator',
    note: 'cluster coordinator',
  },
  {
    username: 'teacher',
    realName: '王丽（英语）',
    role: 'teacher',
    note: 'hub teacher, recording classroom',
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
  { school: '茶庵铺镇中心小学', kind: 'rural', down: 10, up: 4, classroom: '四年级(1)班' },
  { school: '热市镇杨溪桥村小学', kind: 'rural', down: 6, up: 2, classroom: '四年级' },
  { school: '牛车河乡教学点', kind: 'teaching_point', down: 4, up: 1, classroom: '四年级' },
  { school: '西安镇中心小学', kind: 'rural', down: 6, up: 2, classroom: '四年级(2)班' },
] as const;

/** Taoyuan county (桃源县), Changde, Hunan. */
const REGION = '430725';

/**
 * Seeds the demo 1+4 cluster on first start, and on every start makes sure the demo
 * teacher has a lesson happening now (the demo is always ready to teach).
 */
export async function seedDemo(models: Models, logger: Logger, now = new Date()): Promise<void> {
  const { School, Cluster, Classroom, User, Lesson } = models;
  let teacher = await User.findOne({ username: 'teacher' }).lean();
  if (!teacher) {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const hub = await School.create({
      name: '桃源县漳江小学',
      regionCode: REGION,
      kind: 'hub',
      downlinkMbps: 100,
      uplinkMbps: 50,
    });
    await Classroom.create({ schoolId: hub._id, name: '录播教室', kind: 'recording', hasWhiteboard: true });
    const rural = [];
    for (const r of RURAL) {
      const school = await School.create({
        name: r.school,
        regionCode: REGION,
        kind: r.kind,
        downlinkMbps: r.down,
        uplinkMbps: r.up,
      });
      const classroom = await Classroom.create({
        schoolId: school._id,
        name: r.classroom,
        kind: 'receiving',
        hasWhiteboard: true,
      });
      rural.push({ school, classroom });
    }
    const cluster = await Cluster.create({
      name: '桃源县漳江小学英语联校群',
      level: 'county',
      mode: '1+N',
      regionCode: REGION,
      hubSchoolIds: [hub._id],
      memberSchoolIds: rural.map((r) => r.school._id),
    });
    for (const account of DEMO_ACCOUNTS) {
      const index = account.username.startsWith('classroom') ? Number(account.username.slice(-1)) - 1 : -1;
      const room = rural[index];
      await User.create({
        username: account.username,
        passwordHash,
        realName: account.realName,
        role: account.role,
        schoolId: room ? room.school._id : account.role === 'teacher' ? hub._id : null,
        classroomId: room ? room.classroom._id : null,
        clusterIds: account.role === 'coordinator' ? [cluster._id] : [],
      });
    }
    teacher = await User.findOne({ username: 'teacher' }).lean();
    logger.info('demo cluster seeded');
  }
  if (!teacher) throw new Error('demo teacher missing after seeding');

  const covering = await Lesson.findOne({
    teacherId: teacher._id,
    $or: [{ state: 'live' }, { state: 'scheduled', scheduledEnd: { $gt: now } }],
  }).lean();
  if (covering) return;
  const cluster = await Cluster.findOne({ name: '桃源县漳江小学英语联校群' }).lean();
  const hubRoom = await Classroom.findOne({ kind: 'recording', schoolId: teacher.schoolId }).lean();
  const classrooms = await Classroom.find({
    kind: 'receiving',
    schoolId: { $in: cluster?.memberSchoolIds ?? [] },
  })
    .sort({ _id: 1 })
    .lean();
  if (!cluster || !hubRoom) throw new Error('demo cluster incomplete');
  const start = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  await Lesson.create({
    clusterId: cluster._id,
    title: '英语 Unit 3 · My Friends',
    subject: '英语',
    grade: 4,
    teacherId: teacher._id,
    hubClassroomId: hubRoom._id,
    classroomIds: classrooms.map((c) => c._id),
    scheduledStart: start,
    scheduledEnd: new Date(start.getTime() + 40 * 60_000),
  });
  logger.info({ start }, 'demo lesson scheduled now');
}
