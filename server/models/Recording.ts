import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

const streamSchema = new Schema(
  {
    source: { type: String, required: true, enum: ['camera', 'mic', 'screen'] },
    kind: { type: String, required: true, enum: ['audio', 'video'] },
    mimeType: { type: String, required: true },
  },
  { _id: false },
);

/** One recorder's life (`sfu/recording/LessonRecorder.ts` RecorderRun): its segments are in `dir`. */
const runSchema = new Schema(
  {
    group: { type: String, required: true, enum: ['teacher', 'screen', 'floor', 'classroom'] },
    dir: { type: String, required: true },
    streams: { type: [streamSchema], default: [] },
    startedAt: { type: Date, required: true },
    endedAt: { type: Date, default: null },
    end: { type: String, enum: ['stopped', 'died', null], default: null },
    refId: { type: String, default: null },
  },
  { _id: false },
);

const gapSchema = new Schema(
  {
    group: { type: String, required: true, enum: ['teacher', 'screen', 'floor', 'classroom'] },
    from: { type: Date, required: true },
    to: { type: Date, required: true },
    reason: {
      type: String,
      required: true,
      enum: ['recorder-died', 'recorder-failed', 'media-moved', 'switched-off', 'over-quota'],
    },
  },
  { _id: false },
);

/**
 * A lesson's recording (云录播): the raw runs written where its media was, the gaps in
 * them, and the composed MP4. One per lesson; its fields copy the lesson's so that the
 * library filters without joins. A research session (网络教研活动, `kind: 'research'`) is
 * recorded the same way: `lessonId` is then the session's id, `teacherId` its leading
 * teacher, `schoolIds` its teachers' schools, and it has an alliance and region instead of
 * a cluster and grade.
 */
export const recordingSchema = new Schema(
  {
    /** The lesson's id, or the research session's (`kind`). */
    lessonId: { type: ObjectId, required: true, unique: true },
    kind: { type: String, required: true, enum: ['lesson', 'research'], default: 'lesson' },
    /** A lesson's cluster; null for a research session. */
    clusterId: {
      type: ObjectId,
      default: null,
      required: function (this: { kind?: string }) {
        return this.kind !== 'research';
      },
    },
    /** A research session's alliance and its organizing region; null for a lesson. */
    allianceId: { type: ObjectId, default: null },
    regionCode: { type: String, default: null },
    teacherId: { type: ObjectId, required: true },
    /** The schools of the lesson's classrooms (hub first), or of the session's teachers. */
    schoolIds: { type: [ObjectId], default: [] },
    title: { type: String, required: true },
    subject: { type: String, required: true },
    /** A lesson's grade; null for a research session. */
    grade: { type: Number, default: null },
    /** The teacher's switch for this lesson (the cluster's setting is in RecordingSettings). */
    enabled: { type: Boolean, default: true },
    /**
     * recording: the lesson is live (or its media is being moved); composing: the MP4 is being
     * made; ready: it can be played; failed: the composition failed (see `error`); off: the
     * teacher switched recording off before anything was recorded.
     */
    state: {
      type: String,
      required: true,
      enum: ['recording', 'composing', 'ready', 'failed', 'off'],
      default: 'recording',
    },
    /**
     * Why nothing is recorded (state `off`): the teacher switched it off, the cluster's policy
     * is off, or the cluster was over its storage quota when the lesson started. While
     * recording, `over-quota`: the cluster crossed its quota during the lesson and its
     * recorders were stopped (until the quota allows and the teacher switches it on again).
     */
    offReason: {
      type: String,
      enum: ['switched-off', 'cluster-off', 'over-quota', null],
      default: null,
    },
    /**
     * Shared to this region (共享: the lesson's cluster's organizing region): every teacher of
     * a school in that region finds it in the library. Null: not shared.
     */
    sharedRegion: { type: String, default: null },
    sharedBy: { type: ObjectId, default: null },
    sharedAt: { type: Date, default: null },
    /** The lesson's live time, which the MP4's timeline follows. */
    liveStartedAt: { type: Date, default: null },
    liveEndedAt: { type: Date, default: null },
    runs: { type: [runSchema], default: [] },
    gaps: { type: [gapSchema], default: [] },
    /** Bytes of raw segments and of the MP4 on disk. */
    rawBytes: { type: Number, default: 0 },
    mp4Bytes: { type: Number, default: 0 },
    durationMs: { type: Number, default: null },
    /** Composition: its job, progress (0–1), speed (× real time) and error. */
    jobId: { type: String, default: null },
    progress: { type: Number, default: 0 },
    composeSpeed: { type: Number, default: null },
    error: { type: String, default: null },
    /** Chapters of the MP4 (board page turns), ms from its start. */
    chapters: {
      // `page` since chapters are worded by the reader; `title` (Chinese) kept for older readers.
      type: [new Schema({ atMs: Number, page: Number, title: String }, { _id: false })],
      default: [],
    },
  },
  { timestamps: true },
);
recordingSchema.index({ clusterId: 1, liveStartedAt: -1 });
recordingSchema.index({ teacherId: 1, liveStartedAt: -1 });
recordingSchema.index({ state: 1 });
recordingSchema.index({ sharedRegion: 1, liveStartedAt: -1 });
recordingSchema.index({ allianceId: 1, liveStartedAt: -1 });

export type Recording = InferSchemaType<typeof recordingSchema> & { _id: Id };

/** A cluster's recording policy: on by default; a storage quota and a retention period if set. */
export const recordingSettingsSchema = new Schema(
  {
    clusterId: { type: ObjectId, required: true, unique: true },
    enabled: { type: Boolean, default: true },
    /** Bytes the cluster's recordings may take; null: no quota. */
    quotaBytes: { type: Number, default: null, min: 0 },
    /** Recordings older than this many days are deleted; null: kept. */
    retentionDays: { type: Number, default: null, min: 1 },
  },
  { timestamps: true },
);

export type RecordingSettings = InferSchemaType<typeof recordingSettingsSchema> & { _id: Id };
