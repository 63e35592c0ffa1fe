/**
 * The joint-timetable model: what a cluster's week looks like to the solver. Pure data,
 * no ids of any database: the server maps its records to these and back.
 *
 * Times are minutes since midnight (08:00 = 480); weekdays are ISO (1 = Monday … 7 = Sunday).
 * A synchronized session happens at one wall-clock time: the hub school's period. Each
 * receiving class sits it in one of its own school's periods, which the session must overlap
 * by at least `minOverlap` of that period's length.
 */
import type { Text } from '../text.ts';

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A school's period (节次) on some weekdays, in minutes since midnight. */
export interface BellPeriod {
  period: number;
  start: number;
  end: number;
  weekdays: readonly Weekday[];
}

/** A (weekday, period) of one school's bell schedule. */
export interface PeriodRef {
  weekday: Weekday;
  period: number;
}

export interface SchoolInput {
  id: string;
  name: string;
  periods: readonly BellPeriod[];
  /** The school's link, Mbit/s. */
  downlinkMbps: number;
  uplinkMbps: number;
}

/** A receiving class (教学班) and its local timetable. */
export interface ClassInput {
  id: string;
  name: string;
  schoolId: string;
  /** The receiving classroom it sits in for remote lessons (two classes may share one). */
  classroomId: string;
  /**
   * Periods it cannot sit a remote lesson in. Its lessons in {@link ClusterProblem.localTimetables}
   * count as busy too (the solver and the checker add them); the co-plan may move those.
   */
  busy: readonly PeriodRef[];
}

/**
 * One lesson of a school's own (local) timetable: a class, a (weekday, period) of the school's
 * bells, a subject and the local teacher who teaches it.
 */
export interface LocalLessonInput {
  /** A class of the school: a receiving class, or another class whose lessons keep its teacher busy. */
  classId: string;
  weekday: Weekday;
  period: number;
  /** "英语", "语文", "升旗", "班会", …; a synchronized session of the same subject can replace it. */
  subject: string;
  /** The local teacher; absent for a whole-school event (升旗). */
  teacherId?: string;
  /** The school fixed it (升旗, 班会): never moved, never replaced. */
  locked?: boolean;
}

/** A receiving school's own weekly timetable: every lesson of its classes that it keeps. */
export interface LocalTimetableInput {
  schoolId: string;
  lessons: readonly LocalLessonInput[];
}

/** A hub teacher. Periods refer to the hub school's bells. */
export interface TeacherInput {
  id: string;
  name: string;
  schoolId: string;
  /** Most synchronized periods a day. @default 4 */
  maxPeriodsPerDay?: number;
  /** Periods they teach locally or cannot teach. */
  busy: readonly PeriodRef[];
  /** Periods they would rather teach in (a soft wish). */
  preferred?: readonly PeriodRef[];
}

/** A recording classroom (录播教室) of the hub school. */
export interface RecordingRoomInput {
  id: string;
  name: string;
  schoolId: string;
  busy: readonly PeriodRef[];
}

/** A course offering (门次): one hub teacher and room, receiving classes, periods per week. */
export interface OfferingInput {
  id: string;
  name: string;
  teacherId: string;
  recordingRoomId: string;
  receivingClassIds: readonly string[];
  periodsPerWeek: number;
  /**
   * The subject taught ("英语"): a receiving class's local lessons of this subject are the
   * natural slots of its sessions (a session there replaces the local lesson).
   */
  subject?: string;
}

/** One cluster's timetabling problem. */
export interface ClusterProblem {
  id: string;
  /** The school whose bells give the sessions' wall-clock times. */
  hubSchoolId: string;
  schools: readonly SchoolInput[];
  classes: readonly ClassInput[];
  teachers: readonly TeacherInput[];
  recordingRooms: readonly RecordingRoomInput[];
  offerings: readonly OfferingInput[];
  /** Sessions fixed by the coordinator: the solver keeps them as they are. */
  locked?: readonly Session[];
  /** The receiving schools' own timetables, which the co-plan may change (see `scheduler/coplan`). */
  localTimetables?: readonly LocalTimetableInput[];
}

/** One weekly synchronized session: an offering at a hub period, and where each class sits it. */
export interface Session {
  offeringId: string;
  weekday: Weekday;
  /** The hub school's period. */
  period: number;
  /** Wall-clock time (the hub period's), minutes since midnight. */
  start: number;
  end: number;
  /** For each receiving class, its own school's period that the session covers. */
  receiving: readonly { classId: string; period: number }[];
}

/** Which rule a placement breaks. */
export type HardConstraint =
  | 'teacher-busy'
  | 'teacher-day-limit'
  | 'room-busy'
  | 'class-busy'
  | 'classroom-busy'
  | 'no-overlap'
  | 'bandwidth'
  | 'unknown-period';

/** A hard-rule breach of a session, and whom it concerns. */
export interface Conflict {
  constraint: HardConstraint;
  /** The teacher, recording room, class, classroom or school concerned. */
  subject: { kind: 'teacher' | 'room' | 'class' | 'classroom' | 'school'; id: string };
  /** The other session it collides with, if any. */
  with?: { offeringId: string; weekday: Weekday; period: number };
  /** For people, in both languages. */
  message: Text;
}

export type SoftConstraint = 'spread' | 'same-time' | 'edge-period' | 'preference';

/** Options of the solver and the checker. */
export interface TimetableOptions {
  /** Share of a receiving class's period a session must cover. @default 0.9 */
  minOverlap?: number;
  /** Downlink one remote lesson takes at a receiving school, Mbit/s. @default 2 */
  lessonDownlinkMbps?: number;
  /** Default teacher limit when a teacher gives none. @default 4 */
  maxPeriodsPerDay?: number;
  /** Weights of the soft constraints. @default spread 3, same-time 1, edge-period 2, preference 1 */
  weights?: Partial<Record<SoftConstraint, number>>;
  /** Weekdays sessions may use. @default [1, 2, 3, 4, 5] */
  weekdays?: readonly Weekday[];
}

export interface SolveOptions extends TimetableOptions {
  /** Seed of the search's randomness; equal seeds give equal timetables. @default 1 */
  seed?: number;
  /** Stop improving after this long, ms. @default 2000 */
  timeLimitMs?: number;
  /** Called now and then while improving: a value in [0, 1] and the best score so far. */
  onProgress?: (progress: { fraction: number; score: number; placed: number; wanted: number }) => void;
  /** Clock, for deterministic tests. @default performance.now */
  now?: () => number;
}

/** Why an offering's remaining sessions found no slot. */
export interface Unplaced {
  offeringId: string;
  /** Sessions wanted but not placed. */
  missing: number;
  /** The blocking rules over every candidate slot, most frequent first. */
  reasons: { constraint: HardConstraint; subject: Conflict['subject']; slots: number; message: Text }[];
}

export interface Solution {
  sessions: Session[];
  unplaced: Unplaced[];
  /** Always empty for a solver's output; a checker reports breaches of edited timetables here. */
  hardViolations: Conflict[];
  /** Weighted soft penalty (lower is better), and its parts. */
  score: number;
  soft: Record<SoftConstraint, number>;
  stats: { elapsedMs: number; iterations: number };
}
