/**
 * The joint-timetable API as the coordinator's editor sees it (types only; the client
 * imports them with `import type`).
 */
import type { BellPeriod, CompatReport, Proposal } from '../../scheduler/index.ts';
import type { Text } from './text.ts';

export type { BellChange, CompatReport, Proposal } from '../../scheduler/index.ts';

/** A hard-rule breach, as the solver's checker reports it. */
export interface ConflictView {
  constraint: string;
  subject: { kind: string; id: string };
  message: Text;
}

/** A school's bell period, HH:mm. */
export interface PeriodView {
  period: number;
  start: string;
  end: string;
  weekdays: number[];
}

export interface SessionView {
  offeringId: string;
  weekday: number;
  /** The hub school's period. */
  period: number;
  start: string;
  end: string;
  receiving: { classId: string; period: number }[];
  locked: boolean;
}

export interface TimetableView {
  cluster: { id: string; name: string };
  term: string;
  /** none: never solved; draft: solved or edited since the last publication; published. */
  state: 'none' | 'draft' | 'published';
  publishedAt: string | null;
  publishedLessons: number;
  hubSchoolId: string;
  schools: { id: string; name: string; hub: boolean; downlinkMbps: number; periods: PeriodView[] }[];
  offerings: {
    id: string;
    /** Its subject (as typed) and grade. */
    name: Text;
    teacherId: string;
    teacherName: string;
    roomName: string;
    classIds: string[];
    periodsPerWeek: number;
  }[];
  classes: { id: string; name: string; schoolId: string }[];
  teachers: { id: string; name: string }[];
  sessions: SessionView[];
  /** Offerings short of sessions, and why. */
  unplaced: {
    offeringId: string;
    missing: number;
    reasons: { constraint: string; slots: number; message: Text }[];
  }[];
  score: number;
  soft: Record<string, number>;
  calendar: { name: string; start: string; end: string } | null;
}

/** A solve in progress (GET /api/solve-jobs/:id). */
export interface SolveJobView {
  id: string;
  state: 'running' | 'done' | 'failed';
  fraction: number;
  score: number | null;
  placed: number;
  wanted: number;
  error: string | null;
}

/** Answer of a move check: the session as it would be, and what it would break. */
export interface CheckResponse {
  session: SessionView | null;
  conflicts: ConflictView[];
}

/** A cluster's bell compatibility and the changes proposed to make room for its offerings (times in minutes since midnight). */
export interface CompatView {
  report: CompatReport;
  proposals: Proposal[];
  /** Every school's bells, hub first, as the timeline draws them. */
  schools: { id: string; name: string; hub: boolean; periods: readonly BellPeriod[] }[];
}

/** One lesson of a school's own (local) timetable. */
export interface LocalLessonView {
  classId: string;
  weekday: number;
  /** A period of the school's own bells. */
  period: number;
  subject: string;
  /** The local teacher's name; empty for a whole-school event (升旗). */
  teacher: string;
  /** Fixed by the school (升旗, 班会): the co-plan never moves or replaces it. */
  locked: boolean;
}

/** A school's own timetable for a term (GET/PUT /api/local-timetables/:schoolId/:term). */
export interface LocalTimetableView {
  school: { id: string; name: string };
  term: string;
  /** Raised on every change; a PUT may give the revision it edited, and is refused when it moved on. */
  revision: number;
  /** The school's bells. */
  periods: PeriodView[];
  /** The school's classes. */
  classes: { id: string; name: string; grade: number }[];
  lessons: LocalLessonView[];
  updatedAt: string | null;
}

/** Body of PUT /api/local-timetables/:schoolId/:term: the whole week replaced. */
export interface LocalTimetableBody {
  lessons: LocalLessonView[];
  /** The revision this edit started from (optional; refused with 409 when it is no longer current). */
  revision?: number;
}

/** A co-plan run in progress (GET /api/coplan-jobs/:id). */
export interface CoPlanJobView {
  id: string;
  state: 'running' | 'done' | 'failed';
  /** 0–1: planning steps done (solves of each set of bells tried). */
  fraction: number;
  /** Once done: sessions the plan places, and wanted. */
  placed: number;
  wanted: number;
  error: string | null;
}

/** A bell change of a co-plan, times HH:mm. */
export interface CoPlanBellChangeView {
  /** Its place in the plan (refuse it by this index). */
  index: number;
  kind: string;
  schoolId: string;
  schoolName: string;
  weekdays: number[];
  period: number;
  from: { start: string; end: string };
  to: { start: string; end: string };
  refused: boolean;
}

/** A change to a school's own timetable proposed by a co-plan. */
export interface CoPlanLocalChangeView {
  index: number;
  /** move: the lesson moves; remote: the synchronized session teaches it (at `to`). */
  kind: 'move' | 'remote';
  schoolId: string;
  classId: string;
  subject: string;
  teacher: string;
  from: { weekday: number; period: number };
  to: { weekday: number; period: number };
  offeringId: string | null;
  refused: boolean;
}

/** A lesson of a school's week after the plan: its own, moved, or taught by a session. */
export interface CoPlanLessonView extends LocalLessonView {
  /** The lesson sits elsewhere than before. */
  moved: boolean;
  /** Taught by this offering's synchronized session. */
  offeringId: string | null;
}

/**
 * A change refused on an earlier plan that this plan honours (never proposes again): a bell
 * change or a change to a school's own week, refused by the school (its whole part) or by the
 * coordinator (that change alone).
 */
export interface CoPlanRefusalView {
  /** Its place in the plan's refusals (an unplaced offering's `blockedBy` names it by this). */
  index: number;
  by: 'school' | 'coordinator';
  schoolId: string;
  bell: Omit<CoPlanBellChangeView, 'index' | 'refused'> | null;
  local: Omit<CoPlanLocalChangeView, 'index' | 'refused'> | null;
}

/** One school's part of a co-plan: its week before and after, and its decision. */
export interface CoPlanSchoolView {
  id: string;
  name: string;
  hub: boolean;
  decision: 'pending' | 'approved' | 'refused';
  /** Its approval carried over from the plan this one re-plans (its part is unchanged). */
  kept: boolean;
  /** Who decided (username) and when (ISO). */
  by: string | null;
  at: string | null;
  note: string;
  /** Its bell and local changes in the plan (not refused). */
  changes: number;
  periods: PeriodView[];
  classes: { id: string; name: string }[];
  before: LocalLessonView[];
  after: CoPlanLessonView[];
}

/** Why some of an offering's sessions are not in the plan. */
export interface CoPlanUnplacedView {
  offeringId: string;
  missing: number;
  /** How many of `missing` are proven impossible at the plan's bells. */
  proven: number;
  proof: { kind: string; available: number; needed: number; message: Text } | null;
  reasons: { constraint: string; slots: number; message: Text }[];
  /**
   * Refusals that keep sessions out: with `refusals` (indexes into the view's `refusals`) lifted
   * the planner places `more` more of them. Empty when no refusal is in the way.
   */
  blockedBy: { refusals: number[]; more: number; message: Text }[];
}

/** The latest co-plan of a cluster's term (GET /api/timetables/:clusterId/:term/coplan). */
export interface CoPlanView {
  cluster: { id: string; name: string };
  term: string;
  /** none: never planned; proposed: waiting for decisions; applied. */
  state: 'none' | 'proposed' | 'applied';
  /** The data changed since the plan was made: it can no longer be decided on or applied. */
  stale: boolean;
  createdAt: string | null;
  /** One line: what the plan places and what it asks. */
  message: Text;
  wanted: number;
  placed: number;
  /** Sessions the solver places on the same data without any change (the "before"). */
  baselinePlaced: number;
  cost: { bellChanges: number; localMoves: number; schoolsTouched: number };
  /**
   * Every plan tried, best first: sessions placed and what it asks. `chosen` is the one shown
   * (the first, unless the coordinator chose another; POST …/coplan/alternative).
   */
  alternatives: {
    index: number;
    chosen: boolean;
    placed: number;
    bellChanges: number;
    localMoves: number;
    schoolsTouched: number;
  }[];
  /** The refusals this plan honours (a school sees those of its own school). */
  refusals: CoPlanRefusalView[];
  /** Refusals made on this plan (changes refused, schools that refused): a re-plan would honour them. */
  newRefusals: number;
  offerings: { id: string; name: Text }[];
  sessions: SessionView[];
  bellChanges: CoPlanBellChangeView[];
  localChanges: CoPlanLocalChangeView[];
  unplaced: CoPlanUnplacedView[];
  /** The schools with a part in the plan (for a school account: its own only). */
  schools: CoPlanSchoolView[];
  /** Once applied: what was. */
  applied: {
    at: string;
    sessions: number;
    bellChanges: number;
    localChanges: number;
    /** Sessions left out because a change they needed was refused. */
    dropped: number;
  } | null;
}

/** Answer of POST /api/local-timetables/:schoolId/:term/import (status 400 when refused). */
export interface LocalImportResponse {
  dryRun: boolean;
  /** Lessons and classes read (all of them replace the school's week when imported). */
  lessons: number;
  classes: number;
  /** Every problem, with its sheet (a class), row and column; any problem: nothing written. */
  errors: { sheet?: string; row: number; column: string | null; message: Text }[];
}

/** A co-plan in the caller's scope (GET /api/coplans): for a school, those with a part of its own. */
export interface CoPlanSummary {
  clusterId: string;
  clusterName: string;
  term: string;
  state: 'proposed' | 'applied';
  createdAt: string | null;
  /** Schools with a part, and those that approved it. */
  schools: number;
  approved: number;
}
