import type { Models } from '../../server/models/index.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { DEMO_ALLIANCES, DEMO_RUBRIC } from '../../server/seed/research.ts';

let counter = 0;
/** A name unique within the test run. */
export const unique = (prefix: string): string =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Ids of one side of the matrix: records inside the demo cluster's scope, or outside it. */
export interface Side {
  regionCode: string;
  clusterId: string;
  hubSchoolId: string;
  schoolId: string;
  hubClassroomId: string;
  classroomId: string;
  classId: string;
  teacherId: string;
  offeringId: string;
  bellScheduleId: string;
  termCalendarId: string;
  /** The side's evaluation rubric, research alliance (led by `teacherId`) and a scheduled session of it. */
  rubricId: string;
  allianceId: string;
  researchSessionId: string;
}

/** The demo cluster (county 430725) as one side of the matrix. */
export async function demoSide(models: Models): Promise<Side> {
  const cluster = (await models.Cluster.findOne({ name: '桃源县漳江小学英语联校群' }).lean())!;
  const hubSchoolId = cluster.hubSchoolIds[0]!;
  const schoolId = cluster.memberSchoolIds[0]!;
  const hubClassroom = (await models.Classroom.findOne({ schoolId: hubSchoolId }).lean())!;
  const classroom = (await models.Classroom.findOne({ schoolId }).lean())!;
  const klass = (await models.TeachingClass.findOne({ schoolId }).lean())!;
  const teacher = (await models.User.findOne({ username: 'teacher' }).lean())!;
  const offering = (await models.Offering.findOne({ clusterId: cluster._id }).lean())!;
  const bells = (await models.BellSchedule.findOne({ schoolId }).lean())!;
  const calendar = (await models.TermCalendar.findOne({ regionCode: '430725' }).lean())!;
  const rubric = (await models.Rubric.findOne({ name: DEMO_RUBRIC }).lean())!;
  const alliance = (await models.Alliance.findOne({ name: DEMO_ALLIANCES[0] }).lean())!;
  const session = (await models.ResearchSession.findOne({ allianceId: alliance._id }).lean())!;
  return {
    regionCode: '430725',
    clusterId: cluster._id.toString(),
    hubSchoolId: hubSchoolId.toString(),
    schoolId: schoolId.toString(),
    hubClassroomId: hubClassroom._id.toString(),
    classroomId: classroom._id.toString(),
    classId: klass._id.toString(),
    teacherId: teacher._id.toString(),
    offeringId: offering._id.toString(),
    bellScheduleId: bells._id.toString(),
    termCalendarId: calendar._id.toString(),
    rubricId: rubric._id.toString(),
    allianceId: alliance._id.toString(),
    researchSessionId: session._id.toString(),
  };
}

/** A second cluster in the neighbouring county 430721, with its own coordinator: out of the demo scope. */
export async function foreignSide(models: Models): Promise<Side> {
  const regionCode = '430721';
  const hub = await models.School.create({
    name: unique('安乡中心校'),
    regionCode,
    kind: 'hub',
    downlinkMbps: 100,
    uplinkMbps: 50,
  });
  const school = await models.School.create({
    name: unique('安乡村小'),
    regionCode,
    kind: 'rural',
    downlinkMbps: 6,
    uplinkMbps: 2,
  });
  const hubRoom = await models.Classroom.create({ schoolId: hub._id, name: '录播教室', kind: 'recording' });
  const room = await models.Classroom.create({ schoolId: school._id, name: '三年级', kind: 'receiving' });
  const klass = await models.TeachingClass.create({
    schoolId: school._id,
    grade: 3,
    name: '三年级',
    size: 20,
    classroomId: room._id,
  });
  const passwordHash = await hashPassword('foreign-pass');
  const teacher = await models.User.create({
    username: unique('ax.t'),
    passwordHash,
    realName: '安乡老师',
    role: 'teacher',
    schoolId: hub._id,
    subjects: ['音乐'],
  });
  const coordinator = await models.User.create({
    username: unique('ax.c'),
    passwordHash,
    realName: '安乡协调员',
    role: 'coordinator',
  });
  const cluster = await models.Cluster.create({
    name: unique('安乡音乐联校群'),
    level: 'county',
    mode: '1+N',
    regionCode,
    hubSchoolIds: [hub._id],
    memberSchoolIds: [school._id],
    coordinatorIds: [coordinator._id],
  });
  const offering = await models.Offering.create({
    clusterId: cluster._id,
    term: '2026-2027-1',
    subject: '音乐',
    grade: 3,
    teacherId: teacher._id,
    hubClassroomId: hubRoom._id,
    receivingClassIds: [klass._id],
    periodsPerWeek: 1,
  });
  // Hub and village ring alike: periods 1 and 4 of the demo's day.
  await models.BellSchedule.create({
    schoolId: hub._id,
    name: '中心校作息',
    periods: [
      { period: 1, start: '08:00', end: '08:40', weekdays: [1, 2, 3, 4, 5] },
      { period: 4, start: '11:00', end: '11:40', weekdays: [1, 2, 3, 4, 5] },
    ],
  });
  const bells = await models.BellSchedule.create({
    schoolId: school._id,
    name: '作息',
    periods: [
      { period: 1, start: '08:00', end: '08:40', weekdays: [1, 2, 3, 4, 5] },
      { period: 4, start: '11:00', end: '11:40', weekdays: [1, 2, 3, 4, 5] },
    ],
  });
  const calendar = await models.TermCalendar.create({
    name: '安乡县学期',
    regionCode,
    term: '2026-2027-1',
    start: '2026-09-01',
    end: '2027-01-22',
  });
  const rubric = await models.Rubric.create({
    name: unique('安乡评价表'),
    regionCode,
    levels: 2,
    items: [{ key: 'design', name: '教学设计', weight: 100, descriptors: ['合格', '优秀'] }],
  });
  const alliance = await models.Alliance.create({
    name: unique('安乡音乐教研联盟'),
    level: 'county',
    regionCode,
    subject: '音乐',
    stage: 'primary',
    leadTeacherId: teacher._id,
  });
  const session = await models.ResearchSession.create({
    allianceId: alliance._id,
    regionCode,
    title: '安乡教研',
    scheduledStart: new Date(),
    scheduledEnd: new Date(Date.now() + 3600_000),
  });
  return {
    regionCode,
    clusterId: cluster._id.toString(),
    hubSchoolId: hub._id.toString(),
    schoolId: school._id.toString(),
    hubClassroomId: hubRoom._id.toString(),
    classroomId: room._id.toString(),
    classId: klass._id.toString(),
    teacherId: teacher._id.toString(),
    offeringId: offering._id.toString(),
    bellScheduleId: bells._id.toString(),
    termCalendarId: calendar._id.toString(),
    rubricId: rubric._id.toString(),
    allianceId: alliance._id.toString(),
    researchSessionId: session._id.toString(),
  };
}
