/**
 * A cluster's problem indexed for fast look-ups (by id, by weekday), with the options'
 * defaults filled in. Built once per problem; read by the timetable, the solver and the
 * checker. Throws TypeError for a problem that refers to things it does not define.
 */
import type {
  BellPeriod,
  ClassInput,
  ClusterProblem,
  OfferingInput,
  RecordingRoomInput,
  SchoolInput,
  SoftConstraint,
  TeacherInput,
  TimetableOptions,
  Weekday,
} from './model.ts';
import { MIN_OVERLAP } from './slots.ts';
import { ArgumentError } from '../errors.ts';

/** Options with every default filled in (see {@link TimetableOptions}). */
export interface ResolvedOptions {
  minOverlap: number;
  lessonDownlinkMbps: number;
  maxPeriodsPerDay: number;
  weights: Readonly<Record<SoftConstraint, number>>;
  weekdays: readonly Weekday[];
}

/** Weights of the soft constraints when the options give none. */
export const DEFAULT_WEIGHTS: Readonly<Record<SoftConstraint, number>> = Object.freeze({
  spread: 3,
  'same-time': 1,
  'edge-period': 2,
  preference: 1,
});

/**
 * Fills in the defaults of the solver's and checker's options and checks their ranges.
 * @throws TypeError for an overlap outside (0, 1], a non-positive lesson downlink, a negative
 *   day limit or a weekday outside 1..7.
 */
export function resolveOptions({
  minOverlap = MIN_OVERLAP,
  lessonDownlinkMbps = 2,
  maxPeriodsPerDay = 4,
  weights = {},
  weekdays = [1, 2, 3, 4, 5],
}: TimetableOptions = {}): ResolvedOptions {
  if (!(minOverlap > 0 && minOverlap <= 1))
    throw new ArgumentError(`minOverlap must be in (0, 1]: ${minOverlap}`);
  if (!(lessonDownlinkMbps > 0))
    throw new ArgumentError(`lessonDownlinkMbps must be > 0: ${lessonDownlinkMbps}`);
  if (!(maxPeriodsPerDay >= 0)) throw new ArgumentError(`maxPeriodsPerDay must be >= 0: ${maxPeriodsPerDay}`);
  for (const day of weekdays) {
    if (!Number.isInteger(day) || day < 1 || day > 7) throw new ArgumentError(`not an ISO weekday: ${day}`);
  }
  return {
    minOverlap,
    lessonDownlinkMbps,
    maxPeriodsPerDay,
    weights: { ...DEFAULT_WEIGHTS, ...weights },
    weekdays: [...new Set(weekdays)].sort((a, b) => a - b),
  };
}

/** A hub slot: one of the hub school's periods on one weekday, with its wall-clock times. */
export interface Slot {
  weekday: Weekday;
  period: number;
  start: number;
  end: number;
}

/** One school's periods on one weekday. */
export interface SchoolDay {
  /** The periods of the day, by start time. */
  periods: readonly BellPeriod[];
  byNumber: ReadonlyMap<number, BellPeriod>;
  /** The first and last period numbers of the day (the same one on a one-period day). */
  edges: ReadonlySet<number>;
}

/** How many remote lessons one receiving school takes from one offering: distinct classrooms. */
export interface StreamLoad {
  schoolId: string;
  /** Distinct receiving classrooms at the school, one downlink stream each. */
  streams: number;
}

/** A problem indexed by id and by weekday. */
export interface ClusterIndex {
  /** The problem as given. */
  readonly problem: ClusterProblem;
  /** The options with their defaults. */
  readonly options: ResolvedOptions;
  /** The school whose bells give the sessions' times. */
  readonly hub: SchoolInput;
  /** Schools, classes, teachers, recording rooms and offerings by id. */
  readonly schools: ReadonlyMap<string, SchoolInput>;
  readonly classes: ReadonlyMap<string, ClassInput>;
  readonly teachers: ReadonlyMap<string, TeacherInput>;
  readonly rooms: ReadonlyMap<string, RecordingRoomInput>;
  readonly offerings: ReadonlyMap<string, OfferingInput>;
  /** The hub's slots on the allowed weekdays, by weekday then start. */
  readonly slots: readonly Slot[];
  /** A school's periods on a weekday (empty for an unknown school or a day off). */
  day(schoolId: string, weekday: Weekday): SchoolDay;
  /** Busy periods of teachers, recording rooms and classes as {@link periodKey}s, by id. */
  readonly busy: {
    teacher: ReadonlyMap<string, ReadonlySet<number>>;
    room: ReadonlyMap<string, ReadonlySet<number>>;
    class: ReadonlyMap<string, ReadonlySet<number>>;
  };
  /** Preferred periods of teachers that gave some, as {@link periodKey}s. */
  readonly preferred: ReadonlyMap<string, ReadonlySet<number>>;
  /** A teacher's most synchronized periods a day. */
  dayLimit(teacherId: string): number;
  /** How many simultaneous remote lessons fit a school's downlink. */
  capacity(schoolId: string): number;
}

/** A (weekday, period) as one number, for sets and maps. */
export function periodKey(weekday: number, period: number): number {
  return period * 8 + weekday;
}

const NO_DAY: SchoolDay = { periods: [], byNumber: new Map(), edges: new Set() };

function byId<T extends { id: string }>(items: readonly T[], kind: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.id)) throw new ArgumentError(`duplicate ${kind} id: ${item.id}`);
    map.set(item.id, item);
  }
  return map;
}

function keys(refs: readonly { weekday: number; period: number }[]): Set<number> {
  return new Set(refs.map((r) => periodKey(r.weekday, r.period)));
}

function schoolDays(school: SchoolInput): Map<Weekday, SchoolDay> {
  const days = new Map<Weekday, SchoolDay>();
  for (let w = 1; w <= 7; w++) {
    const weekday = w as Weekday;
    const periods = school.periods
      .filter((p) => p.weekdays.includes(weekday))
      .sort((a, b) => a.start - b.start || a.period - b.period);
    const first = periods[0];
    const last = periods[periods.length - 1];
    if (!first || !last) continue;
    days.set(weekday, {
      periods,
      byNumber: new Map(periods.map((p) => [p.period, p])),
      edges: new Set([first.period, last.period]),
    });
  }
  return days;
}

/** Each class's busy periods: its own `busy` and its lessons in the local timetables. */
function classBusy(problem: ClusterProblem): Map<string, Set<number>> {
  const busy = new Map(problem.classes.map((c) => [c.id, keys(c.busy)]));
  for (const local of problem.localTimetables ?? []) {
    for (const lesson of local.lessons)
      busy.get(lesson.classId)?.add(periodKey(lesson.weekday, lesson.period));
  }
  return busy;
}

function checkReferences(index: ClusterIndex): void {
  const { problem, schools, classes, teachers, rooms } = index;
  for (const local of problem.localTimetables ?? []) {
    if (!schools.has(local.schoolId))
      throw new ArgumentError(`local timetable: unknown school ${local.schoolId}`);
    for (const lesson of local.lessons) {
      const c = classes.get(lesson.classId);
      if (c && c.schoolId !== local.schoolId) {
        throw new ArgumentError(
          `local timetable of ${local.schoolId}: class ${c.id} belongs to ${c.schoolId}`,
        );
      }
    }
  }
  for (const c of problem.classes) {
    if (!schools.has(c.schoolId)) throw new ArgumentError(`class ${c.id}: unknown school ${c.schoolId}`);
  }
  for (const o of problem.offerings) {
    if (!teachers.has(o.teacherId))
      throw new ArgumentError(`offering ${o.id}: unknown teacher ${o.teacherId}`);
    if (!rooms.has(o.recordingRoomId)) {
      throw new ArgumentError(`offering ${o.id}: unknown recording room ${o.recordingRoomId}`);
    }
    for (const id of o.receivingClassIds) {
      if (!classes.has(id)) throw new ArgumentError(`offering ${o.id}: unknown class ${id}`);
    }
    if (!Number.isInteger(o.periodsPerWeek) || o.periodsPerWeek < 0) {
      throw new ArgumentError(`offering ${o.id}: periodsPerWeek must be a whole number >= 0`);
    }
  }
}

/**
 * Indexes a problem and resolves the options.
 * @throws TypeError for duplicate ids, an unknown hub school, or an offering or class that
 *   refers to an unknown teacher, recording room, class or school.
 */
export function indexCluster(problem: ClusterProblem, options: TimetableOptions = {}): ClusterIndex {
  const resolved = resolveOptions(options);
  const schools = byId(problem.schools, 'school');
  const hub = schools.get(problem.hubSchoolId);
  if (!hub) throw new ArgumentError(`unknown hub school: ${problem.hubSchoolId}`);
  const days = new Map([...schools.values()].map((s) => [s.id, schoolDays(s)]));
  const slots: Slot[] = [];
  for (const weekday of resolved.weekdays) {
    for (const p of days.get(hub.id)?.get(weekday)?.periods ?? []) {
      slots.push({ weekday, period: p.period, start: p.start, end: p.end });
    }
  }
  const teachers = byId(problem.teachers, 'teacher');
  const index: ClusterIndex = {
    problem,
    options: resolved,
    hub,
    schools,
    classes: byId(problem.classes, 'class'),
    teachers,
    rooms: byId(problem.recordingRooms, 'recording room'),
    offerings: byId(problem.offerings, 'offering'),
    slots,
    day: (schoolId, weekday) => days.get(schoolId)?.get(weekday) ?? NO_DAY,
    busy: {
      teacher: new Map(problem.teachers.map((t) => [t.id, keys(t.busy)])),
      room: new Map(problem.recordingRooms.map((r) => [r.id, keys(r.busy)])),
      class: classBusy(problem),
    },
    preferred: new Map(
      problem.teachers.filter((t) => t.preferred?.length).map((t) => [t.id, keys(t.preferred ?? [])]),
    ),
    dayLimit: (id) => teachers.get(id)?.maxPeriodsPerDay ?? resolved.maxPeriodsPerDay,
    capacity: (id) => Math.floor((schools.get(id)?.downlinkMbps ?? 0) / resolved.lessonDownlinkMbps + 1e-9),
  };
  checkReferences(index);
  return index;
}

/**
 * The downlink streams a session of these classes takes at each receiving school: one per
 * distinct receiving classroom (two classes sharing a classroom watch one stream).
 */
export function streamLoads(index: ClusterIndex, classIds: Iterable<string>): StreamLoad[] {
  const rooms = new Map<string, Set<string>>();
  for (const id of classIds) {
    const c = index.classes.get(id);
    if (!c) continue;
    let set = rooms.get(c.schoolId);
    if (!set) rooms.set(c.schoolId, (set = new Set()));
    set.add(c.classroomId);
  }
  return [...rooms].map(([schoolId, set]) => ({ schoolId, streams: set.size }));
}
