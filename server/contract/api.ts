/**
 * REST request and response types shared by the server and the browser app (types only).
 */
import type { WireError } from './errors.ts';
import type { Text } from './text.ts';

/**
 * `school`: a receiving school's timetable officer (教务), who keeps its own timetable and
 * approves its part of a co-plan. `inspector`: appointed by a bureau to look in on the live
 * lessons of a region (巡课), scoped like a bureau.
 */
export type Role =
  'admin' | 'bureau' | 'coordinator' | 'school' | 'teacher' | 'classroom' | 'assistant' | 'inspector';

export type LessonState = 'scheduled' | 'live' | 'ended';

export interface LoginRequest {
  username: string;
  password: string;
}

export interface UserView {
  id: string;
  username: string;
  realName: string;
  role: Role;
  schoolId: string | null;
  classroomId: string | null;
}

/** A one-time code that enrols a whiteboard as a classroom device account. */
export interface EnrolmentCode {
  /** XXXX-XXXX, letters and digits that cannot be mistaken for one another. */
  code: string;
  expiresAt: string;
  username?: string;
}

/** A device enrolled as a classroom account (a revocable, long-lived credential). */
export interface DeviceView {
  id: string;
  /** What the device said it is (its browser's user agent). */
  label: string;
  enrolledAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface LoginResponse {
  token: string;
  /** Seconds until the token expires. */
  expiresIn: number;
  user: UserView;
}

export interface ClassroomRef {
  id: string;
  name: string;
  schoolName: string;
  /** The school's downlink in Mbit/s (from the data model). */
  downlinkMbps: number;
  /** Pupils of the classes that sit in it (the head count's default). */
  classSize: number;
}

export interface LessonSummary {
  id: string;
  title: string;
  subject: string;
  grade: number;
  clusterName: string;
  teacherId: string;
  teacherName: string;
  hubClassroom: ClassroomRef;
  classrooms: ClassroomRef[];
  /** ISO 8601 instants. */
  scheduledStart: string;
  scheduledEnd: string;
  state: LessonState;
  startedAt: string | null;
  endedAt: string | null;
}

export interface CurrentLessonResponse {
  /** The lesson to show now: live, or scheduled to start within the join window; null if none. */
  lesson: LessonSummary | null;
  /** Later lessons of today. */
  upcoming: LessonSummary[];
  /** The next scheduled lesson after the current one, whatever day it is on; null if none. */
  next: LessonSummary | null;
  /**
   * When this answer may change by the clock alone (a lesson's join window opens or closes),
   * ISO 8601; null if no lesson ahead. Changes of the lessons themselves are pushed
   * (`lesson:state`, `lessons:changed`).
   */
  changesAt: string | null;
  /**
   * The server's clock when it answered, ISO 8601: a page times `changesAt` against it, not
   * against its own clock (a school's kiosk may be minutes off).
   */
  serverTime: string;
}

/** One minute of a participant's link in a lesson, as the SFU measured it. */
export interface LinkMinute {
  /** Start of the minute, ISO 8601. */
  minute: string;
  connection: string;
  /** Round-trip time, ms; loss of what was sent to it, %; null before they were measured. */
  rttMs: number | null;
  lossPct: number | null;
  /** What it received from the server and sent to it, kbit/s. */
  recvKbps: number;
  sendKbps: number;
}

/** A participant's link over a lesson, minute by minute. */
export interface LinkSeries {
  refId: string;
  role: 'teacher' | 'classroom';
  /** The classroom (with its school) or the teacher, as people know them. */
  name: string;
  minutes: LinkMinute[];
}

export interface LessonLinksResponse {
  lessonId: string;
  /** The teacher first, then the classrooms in the lesson's order; a participant never sampled is left out. */
  series: LinkSeries[];
}

export interface SfuStatsResponse {
  workers: { pid: number; routers: number; transports: number }[];
  rooms: { lessonId: string; peers: number; transports: number; producers: number; consumers: number }[];
  totals: { routers: number; transports: number; producers: number; consumers: number };
}

/** The body of every error answer: match `error.code` (server/contract/errors.ts), not the message. */
export interface ApiErrorBody {
  error: WireError & { issues?: { path: string; message: string; text?: Text }[] };
}

/** One problem of an import, where the user finds it in the file (header row = 1; 0: the file itself). */
export interface ImportRowError {
  /** The sheet's name as in the file. */
  sheet?: string;
  row: number;
  /** The column's title, and what is wrong, in both languages. */
  column: Text | null;
  message: Text;
}

/** Answer of POST /api/import/:kind (a dry run, an import, or — with status 400 — a refused import). */
export interface ImportResponse {
  kind: string;
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  byKind: Partial<Record<string, { rows: number; created: number; updated: number }>>;
  errors: ImportRowError[];
  /** Initial passwords of the accounts created, shown once. */
  credentials: { username: string; realName: string; password: string }[];
}
