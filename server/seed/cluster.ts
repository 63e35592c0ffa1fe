import type { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import { demoBells } from './bells.ts';
import { defaultBellsName } from '../contract/names.ts';

type Id = Types.ObjectId | string;

/** A demo school on its region's term calendar, with the demo day's bells shifted by `bellOffset` minutes. */
export async function demoSchool(
  models: Models,
  school: {
    name: string;
    regionCode: string;
    kind: 'hub' | 'rural' | 'teaching_point';
    downlinkMbps: number;
    uplinkMbps: number;
    termCalendarId: Id;
  },
  bellOffset: number,
  bellsName = defaultBellsName(school.name),
) {
  const created = await models.School.create(school);
  const bells = await models.BellSchedule.create({
    schoolId: created._id,
    name: bellsName,
    periods: demoBells(bellOffset),
  });
  await models.School.updateOne({ _id: created._id }, { bellScheduleId: bells._id });
  return created;
}

/**
 * A demo 1+N county cluster for one grade and term, and how to add its offerings (each taught
 * by a hub teacher from the hub's recording classroom to every receiving class).
 */
export async function demoCluster(
  models: Models,
  spec: {
    name: string;
    regionCode: string;
    term: string;
    grade: number;
    hubSchoolId: Id;
    hubClassroomId: Id;
    memberSchoolIds: Id[];
    receivingClassIds: Id[];
    coordinatorId: Id;
  },
) {
  const cluster = await models.Cluster.create({
    name: spec.name,
    level: 'county',
    mode: '1+N',
    regionCode: spec.regionCode,
    hubSchoolIds: [spec.hubSchoolId],
    memberSchoolIds: spec.memberSchoolIds,
    coordinatorIds: [spec.coordinatorId],
    activeTerms: [spec.term],
  });
  const offering = (subject: string, teacherId: Id, periodsPerWeek: number) =>
    models.Offering.create({
      clusterId: cluster._id,
      term: spec.term,
      subject,
      grade: spec.grade,
      teacherId,
      hubClassroomId: spec.hubClassroomId,
      receivingClassIds: spec.receivingClassIds,
      periodsPerWeek,
    });
  return { cluster, offering };
}
