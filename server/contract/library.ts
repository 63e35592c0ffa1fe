/**
 * The wire types of recording and the library (资源库): a lesson's recording status for the
 * studio and the kiosk, the library's list, a recording's view for the player, storage and
 * the cluster's recording settings. The zod schemas parse what comes in.
 */
import { z } from 'zod';
import type { Text } from './text.ts';

const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hex id');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** Where a recording is: see `server/models/Recording.ts`. */
export type RecordingState = 'recording' | 'composing' | 'ready' | 'failed' | 'off';

/** Why a lesson is not recorded: see `server/models/Recording.ts` offReason. */
export type RecordingOffReason = 'switched-off' | 'cluster-off' | 'over-quota';

/** Whether a lesson is recorded, for the 录制中 badge and the teacher's switch. */
export interface RecordingStatus {
  lessonId: string;
  /** The cluster's setting (on unless its coordinator turned recording off). */
  clusterEnabled: boolean;
  /** The teacher's switch for this lesson. */
  lessonEnabled: boolean;
  /** null before anything was recorded. */
  state: RecordingState | null;
  /**
   * Why the lesson is not recorded (state `off`), e.g. its cluster is over its storage quota;
   * or, while recording, why its recorders were stopped (`over-quota`: the cluster crossed
   * its quota during the lesson).
   */
  offReason: RecordingOffReason | null;
  /** A recorder is writing now. */
  recordingNow: boolean;
  /** Gaps so far. */
  gaps: number;
}

export const RecordingSwitchSchema = z.object({ enabled: z.boolean() });

/** Filters of the library's list; dates are the lesson's local day (Asia/Shanghai). */
export const LibraryQuerySchema = z.object({
  subject: z.string().trim().min(1).max(40).optional(),
  grade: z.coerce.number().int().min(1).max(12).optional(),
  teacherId: objectId.optional(),
  clusterId: objectId.optional(),
  schoolId: objectId.optional(),
  from: day.optional(),
  to: day.optional(),
  q: z.string().trim().max(80).optional(),
});
export type LibraryQuery = z.infer<typeof LibraryQuerySchema>;

export const RecordingIdParams = z.object({ id: objectId.describe('the lesson id of the recording') });

export const RecordingShareSchema = z.object({ shared: z.boolean() });

export const RecordingSettingsSchema = z.object({
  enabled: z.boolean(),
  /** null: no quota. */
  quotaGb: z.number().min(0.1).max(100_000).nullable(),
  /** null: kept until deleted. */
  retentionDays: z.number().int().min(1).max(3650).nullable(),
});
export type RecordingSettingsBody = z.infer<typeof RecordingSettingsSchema>;

/** A gap in a recording, ms from the lesson's start. */
export interface RecordingGapView {
  group: 'teacher' | 'screen' | 'floor' | 'classroom';
  fromMs: number;
  toMs: number;
  reason: 'recorder-died' | 'recorder-failed' | 'media-moved' | 'switched-off' | 'over-quota';
}

export interface RecordingView {
  /** The lesson's id (a recording is named by its lesson), or the research session's. */
  id: string;
  /** A lesson, or a research session (网络教研活动: its alliance instead of a cluster and grade). */
  kind: 'lesson' | 'research';
  /** A research session's alliance; null for a lesson. */
  allianceName: string | null;
  title: string;
  subject: string;
  /** A lesson's grade; null for a research session. */
  grade: number | null;
  /** The leading teacher of a research session. */
  teacherId: string;
  teacherName: string;
  /** '' for a research session (no cluster). */
  clusterId: string;
  clusterName: string;
  schoolNames: string[];
  liveStartedAt: string | null;
  liveEndedAt: string | null;
  /** The MP4's length, ms (the lesson's live time). */
  durationMs: number | null;
  state: RecordingState;
  /** Composition progress, 0–1. */
  progress: number;
  /** Gaps make a recording incomplete (a switch-off is not a fault, but is shown too). */
  gaps: RecordingGapView[];
  incomplete: boolean;
  rawBytes: number;
  mp4Bytes: number;
  /** × real time the composition ran at. */
  composeSpeed: number | null;
  /** At the board's page turns: the page (null for a chapter of unknown page) and its title. */
  chapters: { atMs: number; page: number | null; title: Text }[];
  /** When the floor went to a classroom (被点名发言), ms from the live start. */
  floors: { atMs: number; classroomId: string; classroomName: string }[];
  error: string | null;
  /** Why nothing is recorded (state `off`), or why recording stopped during the lesson (`over-quota`). */
  offReason: RecordingOffReason | null;
  /** The region it is shared to (共享: every teacher there finds it), null when not shared. */
  sharedRegion: string | null;
  /** May the caller share it or stop sharing it (its teacher, or a manager). */
  shareable: boolean;
  /** May the caller delete it. */
  deletable: boolean;
  /** May the caller compose it again (a manager, once its composition failed). */
  retryable: boolean;
}

export interface LibraryFacets {
  subjects: string[];
  grades: number[];
  teachers: { id: string; name: string }[];
  clusters: { id: string; name: string }[];
  schools: { id: string; name: string }[];
}

export interface LibraryListResponse {
  recordings: RecordingView[];
  /** The choices of each filter, over everything the caller may see. */
  facets: LibraryFacets;
  /** More matched than were returned. */
  truncated: boolean;
}

/** Storage per cluster the caller may see. */
export interface ClusterStorage {
  clusterId: string;
  clusterName: string;
  recordings: number;
  bytes: number;
  enabled: boolean;
  quotaBytes: number | null;
  retentionDays: number | null;
}
