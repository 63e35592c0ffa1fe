import { createHash } from 'node:crypto';
import type {
  ClusterProblem,
  LocalTimetableInput,
  Session,
  TermCalendarInput,
  Weekday,
} from '../../scheduler/index.ts';
import type { SessionView } from '../contract/timetable.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type {
  Classroom,
  Cluster,
  LocalTimetable,
  Models,
  Offering,
  School,
  TeachingClass,
  TermCalendar,
  Timetable,
  TimetableSession,
  User,
} from '../models/index.ts';
import { text } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';
import { toClock, toMinutes } from './clock.ts';

/** A cluster's records for one term, and the solver's view of them. */
export interface LoadedProblem {
  cluster: Cluster;
  term: string;
  problem: ClusterProblem;
  hubSchool: School;
  schools: School[];
  offerings: Offering[];
  classes: TeachingClass[];
  teachers: User[];
  rooms: Classroom[];
  /** The hub school's term calendar (its own, or its county's for the term). */
  calendar: TermCalendar | null;
  /** The saved draft or published timetable, if any. */
  timetable: Timetable | null;
  /** The cluster's schools' own timetables for the term (schools that keep one). */
  localTimetables: LocalTimetable[];
}

const str = (id: { toString(): string }): string => id.toString();
const refs = (busy: readonly { weekday: number; period: number }[] | undefined) =>
  (busy ?? []).map((b) => ({ weekday: b.weekday as Weekday, period: b.period }));

/**
 * An offering's name, its subject (as typed) and grade: "英语（3年级）" / "英语 (grade 3)". A
 * published lesson's stored title and the solver's messages use the Chinese.
 */
export const offeringName = (o: Pick<Offering, 'subject' | 'grade'>): Text =>
  text(`${o.subject}（${o.grade}年级）`, `${o.subject} (grade ${o.grade})`);

/**
 * Reads everything the joint timetable of `cluster` for `term` depends on and maps it to
 * the solver's model. Locked sessions of the saved timetable go in as fixed.
 *
 * @throws ValidationError when the cluster has no hub school
 */
export async function loadProblem(models: Models, cluster: Cluster, term: string): Promise<LoadedProblem> {
  const hubId = cluster.hubSchoolIds[0];
  if (!hubId) throw new ValidationError('the cluster has no hub school yet');
  const schoolIds = [...cluster.hubSchoolIds, ...cluster.memberSchoolIds];
  const [schools, bells, offerings, timetable, localTimetables] = await Promise.all([
    models.School.find({ _id: { $in: schoolIds } }).lean<School[]>(),
    models.BellSchedule.find({ schoolId: { $in: schoolIds } }).lean(),
    models.Offering.find({ clusterId: cluster._id, term }).sort({ _id: 1 }).lean<Offering[]>(),
    models.Timetable.findOne({ clusterId: cluster._id, term }).lean<Timetable>(),
    models.LocalTimetable.find({ schoolId: { $in: schoolIds }, term })
      .sort({ _id: 1 })
      .lean<LocalTimetable[]>(),
  ]);
  // A class of a school that keeps its own timetable is busy exactly in its lessons there.
  const withLocal = new Set(localTimetables.map((l) => str(l.schoolId)));
  const hubSchool = schools.find((s) => s._id.equals(hubId));
  if (!hubSchool) throw new NotFoundError('the hub school no longer exists');
  const [classes, teachers, rooms] = await Promise.all([
    models.TeachingClass.find({ _id: { $in: offerings.flatMap((o) => o.receivingClassIds) } }).lean<
      TeachingClass[]
    >(),
    models.User.find({ _id: { $in: offerings.map((o) => o.teacherId) } }).lean<User[]>(),
    models.Classroom.find({ _id: { $in: offerings.map((o) => o.hubClassroomId) } }).lean<Classroom[]>(),
  ]);
  const calendar =
    (hubSchool.termCalendarId
      ? await models.TermCalendar.findOne({ _id: hubSchool.termCalendarId, term }).lean<TermCalendar>()
      : null) ??
    (await models.TermCalendar.findOne({ regionCode: hubSchool.regionCode, term }).lean<TermCalendar>());

  const problem: ClusterProblem = {
    id: str(cluster._id),
    hubSchoolId: str(hubId),
    schools: schools.map((s) => ({
      id: str(s._id),
      name: s.name,
      downlinkMbps: s.downlinkMbps,
      uplinkMbps: s.uplinkMbps,
      periods: (bells.find((b) => b.schoolId.equals(s._id))?.periods ?? []).map((p) => ({
        period: p.period,
        start: toMinutes(p.start),
        end: toMinutes(p.end),
        weekdays: p.weekdays as Weekday[],
      })),
    })),
    classes: classes.map((c) => ({
      id: str(c._id),
      name: c.name,
      schoolId: str(c.schoolId),
      // A class without a classroom of its own sits remote lessons in a room of its own.
      classroomId: c.classroomId ? str(c.classroomId) : `class:${str(c._id)}`,
      busy: withLocal.has(str(c.schoolId)) ? [] : refs(c.busy),
    })),
    teachers: teachers.map((t) => ({
      id: str(t._id),
      name: t.realName,
      schoolId: t.schoolId ? str(t.schoolId) : str(hubId),
      busy: refs(t.busy),
    })),
    recordingRooms: rooms.map((r) => ({
      id: str(r._id),
      name: r.name,
      schoolId: str(r.schoolId),
      busy: refs(r.busy),
    })),
    offerings: offerings.map((o) => ({
      id: str(o._id),
      name: offeringName(o).zh,
      teacherId: str(o.teacherId),
      recordingRoomId: str(o.hubClassroomId),
      receivingClassIds: o.receivingClassIds.map(str),
      periodsPerWeek: o.periodsPerWeek,
      subject: o.subject,
    })),
    locked: (timetable?.sessions ?? []).filter((s) => s.locked).map(toSession),
    ...(localTimetables.length && { localTimetables: localTimetables.map(toLocalInput) }),
  };
  return {
    cluster,
    term,
    problem,
    hubSchool,
    schools,
    offerings,
    classes,
    teachers,
    rooms,
    calendar,
    timetable,
    localTimetables,
  };
}

/**
 * A local teacher as the scheduler knows them: by school and name (local teachers need no
 * account), so that one teacher of two classes is one teacher.
 */
export const localTeacherId = (schoolId: string, name: string): string => `${schoolId}:${name}`;

/** A stored local timetable as the scheduler sees it. */
export function toLocalInput(l: LocalTimetable): LocalTimetableInput {
  const schoolId = str(l.schoolId);
  return {
    schoolId,
    lessons: l.lessons.map((x) => ({
      classId: str(x.classId),
      weekday: x.weekday as Weekday,
      period: x.period,
      subject: x.subject,
      ...(x.teacher ? { teacherId: localTeacherId(schoolId, x.teacher) } : {}),
      ...(x.locked ? { locked: true } : {}),
    })),
  };
}

/**
 * A digest of everything a plan depends on: the problem with its lists in a fixed order, so
 * that the same data always gives the same digest and any change another.
 */
export function problemFingerprint(problem: ClusterProblem): string {
  const byId = <T extends { id: string }>(xs: readonly T[]): T[] =>
    [...xs].sort((a, b) => a.id.localeCompare(b.id));
  const canonical = {
    ...problem,
    schools: byId(problem.schools),
    classes: byId(problem.classes),
    teachers: byId(problem.teachers),
    recordingRooms: byId(problem.recordingRooms),
    offerings: byId(problem.offerings),
    locked: [...(problem.locked ?? [])].sort((a, b) =>
      `${a.offeringId}/${a.weekday}/${a.period}`.localeCompare(`${b.offeringId}/${b.weekday}/${b.period}`),
    ),
    localTimetables: [...(problem.localTimetables ?? [])]
      .sort((a, b) => a.schoolId.localeCompare(b.schoolId))
      .map((l) => ({
        schoolId: l.schoolId,
        lessons: [...l.lessons].sort((a, b) =>
          `${a.classId}/${a.weekday}/${a.period}`.localeCompare(`${b.classId}/${b.weekday}/${b.period}`),
        ),
      })),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** A stored term calendar as the calendar expansion reads it. */
export function calendarInput(c: TermCalendar): TermCalendarInput {
  return {
    start: c.start,
    end: c.end,
    holidays: c.holidays.flatMap((h) =>
      h.from && h.to ? [{ from: h.from, to: h.to, name: h.name ?? null }] : [],
    ),
    makeupDays: c.makeupDays.flatMap((m) =>
      m.date && m.followsWeekday ? [{ date: m.date, followsWeekday: m.followsWeekday }] : [],
    ),
  };
}

/** A stored session as the solver sees it. */
export function toSession(s: TimetableSession): Session {
  return {
    offeringId: str(s.offeringId),
    weekday: s.weekday as Weekday,
    period: s.period,
    start: toMinutes(s.start),
    end: toMinutes(s.end),
    receiving: s.receiving.map((r) => ({ classId: str(r.classId), period: r.period ?? 0 })),
  };
}

/** A solver session as stored and as the API shows it. */
export function fromSession(s: Session, locked: boolean): SessionView {
  return {
    offeringId: s.offeringId,
    weekday: s.weekday,
    period: s.period,
    start: toClock(s.start),
    end: toClock(s.end),
    receiving: s.receiving.map((r) => ({ classId: r.classId, period: r.period })),
    locked,
  };
}
