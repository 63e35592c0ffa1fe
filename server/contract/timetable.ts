/**
 * The joint-timetable API as the coordinator's editor sees it (types only; the client
 * imports them with `import type`).
 */
import type { BellPeriod, CompatReport, Proposal } from '../../scheduler/index.ts';

export type { BellChange, CompatReport, Proposal } from '../../scheduler/index.ts';

/** A hard-rule breach, as the solver's checker reports it. */
export interface ConflictView {
  constraint: string;
  subject: { kind: string; id: string };
  message: string;
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
    name: string;
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
    reasons: { constraint: string; slots: number; message: string }[];
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
