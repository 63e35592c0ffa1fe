import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { TypedEmitter } from '../../sfu/index.ts';
import type { MediaRoom, RoomRegistry } from '../../sfu/index.ts';
import { LessonRecorder } from '../../sfu/recording/LessonRecorder.ts';
import type { RecorderRun, RecordingGap } from '../../sfu/recording/LessonRecorder.ts';
import type { BoardService } from '../board/BoardService.ts';
import type { Identity } from '../auth/tokens.ts';
import type { RecordingStatus } from '../contract/library.ts';
import { ArgumentError, InvalidStateError, NotFoundError } from '../errors.ts';
import { messageOf } from '../jobs/JobQueue.ts';
import type { JobBackend, JobQueue } from '../jobs/index.ts';
import type { LessonService } from '../lessons/LessonService.ts';
import type { Logger } from '../logger.ts';
import type { Models, Recording } from '../models/index.ts';
import { renderBoardFrames } from './boardFrames.ts';
import { fileChapters, pageChapters } from './chapters.ts';
import { compose } from './compose.ts';
import { copyEveryRecording, copyToLesson } from './lessonCopy.ts';
import { clusterUsage } from './quota.ts';
import { subjectOf } from './subject.ts';
import type { RecordedSubject } from './subject.ts';
import type { RecordingStorage } from './storage.ts';
import {
  DEFAULT_COMPOSE_BOUND,
  STOP_BOUND_MS,
  TimeBoundError,
  bounded,
  composeBoundMs,
  spoken,
} from './watchdog.ts';
import type { ComposeBound } from './watchdog.ts';

export interface RecordingServiceOptions {
  models: Models;
  rooms: RoomRegistry;
  lessons: LessonService;
  boards: BoardService;
  jobs: JobBackend;
  storage: RecordingStorage;
  logger: Logger;
  now?: () => number;
  /** Segment length of the raw recording, s. @default 4 */
  segmentSeconds?: number;
  ffmpegPath?: string;
  /** Run at start and every hour (retention). @default nothing */
  housekeeping?: () => Promise<unknown>;
  /** How long a composition may run before it is stopped as failed. @default DEFAULT_COMPOSE_BOUND */
  composeBound?: ComposeBound;
  /** How long an ended lesson's recorders may take to stop, ms. @default STOP_BOUND_MS */
  stopBoundMs?: number;
  /**
   * How often the live recordings' bytes are measured and their clusters' quotas checked,
   * ms. @default 5000 (a little more than a segment)
   */
  quotaCheckMs?: number;
}

/** How often housekeeping runs, ms. */
const HOUSEKEEPING_MS = 3600_000;

interface ComposeData {
  lessonId: string;
}

/** How long a composition's job is kept readable after it finished, ms (the state is on the Recording). */
const KEEP_MS = 60 * 60_000;

/** What a RecordingService tells its listeners. */
export interface RecordingServiceEvents extends Record<string, unknown[]> {
  /**
   * A lesson's Recording changed as written (a run started or ended, a gap opened or closed,
   * switched on or off, stopped for the quota, composing, ready, failed): its `status` may
   * differ. Signaling pushes it to the lesson's pages (`lesson:recording`).
   */
  change: [lessonId: string];
  /**
   * Switches were written here for these lessons (the teacher's, or their cluster's policy).
   * The process recording each lesson may be another one: Signaling tells every process, and
   * each `follow`s them for what it records.
   */
  switched: [lessonIds: string[]];
}

/**
 * Records every live lesson this process hosts (unless its cluster or its teacher turned
 * recording off) and composes each ended lesson's MP4 as a job. The Recording document is
 * the truth about a recording: runs and gaps are written as they happen, so a library
 * reader on any process sees what is being recorded and what is missing.
 */
export class RecordingService extends TypedEmitter<RecordingServiceEvents> {
  readonly #o: Required<RecordingServiceOptions>;
  #housekeeping: NodeJS.Timeout | null = null;
  readonly #quotaTimer: NodeJS.Timeout;
  #checkingQuotas = false;
  readonly #recorders = new Map<string, LessonRecorder>();
  /** Rooms whose close finishes their lesson's recording (watched once each). */
  readonly #watched = new WeakSet<MediaRoom>();
  /** Per lesson: writes to its Recording, in order. */
  readonly #writes = new Map<string, Promise<unknown>>();
  readonly #queue: JobQueue<ComposeData, number, { elapsedMs: number }>;
  readonly #log: Logger;

  constructor(options: RecordingServiceOptions) {
    super();
    this.#o = {
      now: Date.now,
      segmentSeconds: 4,
      ffmpegPath: 'ffmpeg',
      housekeeping: () => Promise.resolve(),
      composeBound: DEFAULT_COMPOSE_BOUND,
      stopBoundMs: STOP_BOUND_MS,
      quotaCheckMs: 5000,
      ...options,
    };
    this.#log = options.logger.child({ module: 'recording' });
    this.#queue = options.jobs.queue<ComposeData, number, { elapsedMs: number }>({
      name: 'recording-compose',
      keepMs: KEEP_MS,
      concurrency: 1,
      run: (data, { progress, signal }) => this.#compose(data.lessonId, progress, signal),
    });
    this.#quotaTimer = setInterval(() => {
      if (this.#checkingQuotas) return;
      this.#checkingQuotas = true;
      this.#checkQuotas()
        .catch((error: unknown) => this.#log.warn({ err: error }, 'recording quotas not checked'))
        .finally(() => (this.#checkingQuotas = false));
    }, this.#o.quotaCheckMs).unref();
    options.rooms.on('newroom', (room) => {
      this.#attach(room).catch((error: unknown) =>
        this.#log.error({ err: error, lessonId: room.lessonId }, 'recording did not start'),
      );
    });
    // A room opened before its lesson went live (the waiting room, server/signaling) is
    // recorded from the moment it does.
    options.lessons.on('statechange', (lesson) => {
      const room = lesson.state === 'live' ? options.rooms.get(lesson.id) : undefined;
      if (room && !room.closed)
        this.#attach(room).catch((error: unknown) =>
          this.#log.error({ err: error, lessonId: lesson.id }, 'recording did not start'),
        );
    });
  }

  /**
   * After a start: recordings left `recording` by a process that stopped, whose lesson has
   * ended, are finished (composed from what was written); compositions that were waiting or
   * running are queued again.
   */
  async reconcile(): Promise<void> {
    const housekeeping = (): void =>
      void this.#o
        .housekeeping()
        .catch((error: unknown) => this.#log.warn({ err: error }, 'housekeeping failed'));
    housekeeping();
    this.#housekeeping ??= setInterval(housekeeping, HOUSEKEEPING_MS).unref();
    void copyEveryRecording(this.#o.models).then(
      (copied) =>
        copied && this.#log.info({ copied }, 'recordings copied onto their lessons for the reports'),
      (error: unknown) => this.#log.warn({ err: error }, 'recordings not copied onto their lessons'),
    );
    const open = await this.#o.models.Recording.find({ state: { $in: ['recording', 'composing'] } }).lean();
    for (const rec of open) {
      const lessonId = rec.lessonId.toString();
      if (this.#recorders.has(lessonId)) continue;
      const subject = await subjectOf(this.#o.models, lessonId);
      if (rec.state === 'composing' || subject?.state === 'ended') await this.#finish(lessonId);
    }
  }

  /** Whether recording is on for the lesson (cluster and teacher), and what it is doing now. */
  async status(lesson: { id: string }): Promise<RecordingStatus> {
    const lessonId = new mongoose.Types.ObjectId(lesson.id);
    const doc = await this.#o.models.Lesson.findById(lessonId, { clusterId: 1 }).lean();
    const [rec, settings] = await Promise.all([
      this.#o.models.Recording.findOne({ lessonId }).lean(),
      doc ? this.#o.models.RecordingSettings.findOne({ clusterId: doc.clusterId }).lean() : null,
    ]);
    const clusterEnabled = settings?.enabled ?? true;
    const lessonEnabled = rec?.enabled ?? true;
    return {
      lessonId: lesson.id,
      clusterEnabled,
      lessonEnabled,
      state: rec?.state ?? null,
      offReason: rec?.state === 'off' || rec?.offReason === 'over-quota' ? (rec.offReason ?? null) : null,
      recordingNow: !!rec && rec.state === 'recording' && rec.runs.some((r) => r.endedAt === null),
      gaps: rec?.gaps.length ?? 0,
    };
  }

  /**
   * The teacher's switch for a lesson: off stops its recorders now; on starts them again,
   * wherever the lesson is recorded (see `switched`).
   */
  async setEnabled(identity: Identity, lessonId: string, enabled: boolean): Promise<RecordingStatus> {
    const lesson = await subjectOf(this.#o.models, lessonId);
    if (lesson?.kind !== 'lesson') throw new ArgumentError('no such lesson');
    await this.#ensure(lesson, { enabled });
    this.#log.info({ lessonId, enabled, by: identity.userId }, 'recording switched');
    await this.follow([lessonId]);
    this.safeEmit('switched', [lessonId]);
    this.safeEmit('change', lessonId);
    return this.status({ id: lessonId });
  }

  /**
   * A cluster's recording policy was written (on or off, its quota): the cluster's live
   * lessons follow it at once, wherever they are recorded (see `switched`).
   */
  async clusterSwitched(clusterId: string): Promise<void> {
    const live = await this.#o.models.Lesson.find({ clusterId, state: 'live' }, { _id: 1 }).lean();
    const lessonIds = live.map((l) => l._id.toString());
    if (!lessonIds.length) return;
    await this.follow(lessonIds);
    this.safeEmit('switched', lessonIds);
    for (const lessonId of lessonIds) this.safeEmit('change', lessonId);
  }

  /**
   * Brings this process's recorders in line with the switches as written, the lesson's and
   * its cluster's: a lesson recorded here that is now off is stopped (its time off begins);
   * a live room here that is now on is recorded again. Lessons this process neither records
   * nor hosts are left to the process that does.
   */
  async follow(lessonIds: readonly string[]): Promise<void> {
    for (const lessonId of lessonIds) {
      const recorder = this.#recorders.get(lessonId);
      const room = this.#o.rooms.get(lessonId);
      if (!recorder && !room) continue;
      const on = await this.#switchedOn(lessonId);
      if (!on && recorder) {
        this.#recorders.delete(lessonId);
        await recorder.stop();
        // Open (from = to) until it is switched on again or the lesson ends.
        await this.#write(lessonId, (rec) => {
          const now = new Date(this.#o.now());
          rec.gaps.push({ group: 'teacher', from: now, to: now, reason: 'switched-off' });
        });
        this.#log.info({ lessonId }, 'recording stopped: switched off');
      } else if (on && room && !room.closed && !recorder) {
        await this.#attach(room);
      }
    }
  }

  /** Whether the lesson's switch and its cluster's policy both let it be recorded. */
  async #switchedOn(lessonId: string): Promise<boolean> {
    const { Lesson, Recording, RecordingSettings } = this.#o.models;
    const [rec, lesson] = await Promise.all([
      Recording.findOne({ lessonId }, { enabled: 1 }).lean(),
      Lesson.findById(lessonId, { clusterId: 1 }).lean(),
    ]);
    const settings = lesson?.clusterId
      ? await RecordingSettings.findOne({ clusterId: lesson.clusterId }, { enabled: 1 }).lean()
      : null;
    return (rec?.enabled ?? true) && (settings?.enabled ?? true);
  }

  /** Stops every recorder of this process (each finishes its segment). */
  async close(): Promise<void> {
    if (this.#housekeeping) clearInterval(this.#housekeeping);
    clearInterval(this.#quotaTimer);
    const recorders = [...this.#recorders.values()];
    this.#recorders.clear();
    await Promise.all(recorders.map((r) => r.stop()));
    await Promise.all([...this.#writes.values()].map((w) => w.catch(() => undefined)));
  }

  /**
   * A research session ended while no room of it was open on this process (everyone had
   * left): its recording, if any, is finished as an ended lesson's is when its room closes.
   */
  subjectEnded(id: string): void {
    if (this.#recorders.has(id)) return;
    this.#finish(id).catch((error: unknown) =>
      this.#log.error({ err: error, lessonId: id }, 'recording not finished'),
    );
  }

  async #attach(room: MediaRoom): Promise<void> {
    const lessonId = room.lessonId;
    const lesson = await subjectOf(this.#o.models, lessonId);
    if (!lesson || lesson.state !== 'live' || room.closed || this.#recorders.has(lessonId)) return;
    // A research session has no cluster: no cluster policy or quota applies to it.
    const settings = lesson.clusterId
      ? await this.#o.models.RecordingSettings.findOne({ clusterId: lesson.clusterId }).lean()
      : null;
    if (settings && !settings.enabled) return;
    let rec = await this.#ensure(lesson, {});
    if (!rec.enabled || room.closed || this.#recorders.has(lessonId)) return;
    // Over its quota, a cluster records no new lesson, and a lesson stopped for it during the
    // lesson (#checkQuotas) starts again only once the quota allows; the Recording says why,
    // to the teacher and in the library.
    const quota = settings?.quotaBytes ?? null;
    if (lesson.clusterId && quota !== null && (rec.runs.length === 0 || rec.offReason === 'over-quota')) {
      const used = await clusterUsage(this.#o.models, lesson.clusterId);
      if (used >= quota) {
        if (rec.runs.length === 0) await this.#setState(rec, { state: 'off', offReason: 'over-quota' });
        this.#log.warn({ lessonId, used, quota }, 'not recorded: the cluster is over its storage quota');
        return;
      }
    }
    if (rec.state === 'off' || rec.offReason)
      rec = await this.#setState(rec, { state: 'recording', offReason: null });
    if (room.closed || this.#recorders.has(lessonId)) return;
    // Switched back on (or let record again by the quota): the time it was off ends now.
    // Recorded before, elsewhere or by a room that closed: the time since its last run is missing.
    const lastEnd = Math.max(0, ...rec.runs.map((r) => r.endedAt?.getTime() ?? r.startedAt.getTime()));
    await this.#write(lessonId, (doc) => {
      const now = new Date(this.#o.now());
      const paused = openPauses(doc);
      for (const gap of paused) gap.to = now;
      if (paused.length) return;
      if (lastEnd > 0 && now.getTime() - lastEnd > 1000)
        doc.gaps.push({ group: 'teacher', from: new Date(lastEnd), to: now, reason: 'media-moved' });
    });
    // Closed while that was written (everyone left at once): a recorder kept for it would
    // never hear the close, and the lesson's next room would never be recorded.
    if (room.closed || this.#recorders.has(lessonId)) return;
    const recorder = new LessonRecorder(room, {
      dir: this.#o.storage.lessonDir(lessonId),
      segmentSeconds: this.#o.segmentSeconds,
      ffmpegPath: this.#o.ffmpegPath,
      firstRun: this.#o.storage.runCount(lessonId),
      now: this.#o.now,
    });
    this.#recorders.set(lessonId, recorder);
    recorder.on('runstarted', (run) => void this.#write(lessonId, (doc) => void doc.runs.push(runDoc(run))));
    recorder.on(
      'runended',
      (run) =>
        void this.#write(lessonId, (doc) => {
          const saved = doc.runs.find((r) => r.dir === run.dir);
          if (saved) Object.assign(saved, { endedAt: new Date(run.endedAt ?? this.#o.now()), end: run.end });
        }),
    );
    recorder.on('gap', (gap) => void this.#write(lessonId, (doc) => void doc.gaps.push(gapDoc(gap))));
    recorder.on('warning', (message, detail) =>
      this.#log.warn(
        {
          lessonId,
          detail: detail instanceof Error ? detail.message : typeof detail === 'string' ? detail : '',
        },
        message,
      ),
    );
    this.#watch(room);
    this.#log.info({ lessonId }, 'recording');
  }

  /**
   * Finishes the lesson's recording when its room closes: the recorder recording it now (if
   * any: it may have been switched off, or stopped for the quota) is stopped — the recorder
   * stops itself on the close too; either way this waits for that stop, its runs' ends and
   * their writes — and, when the lesson ended, its MP4 is queued. A stop that hangs is given
   * up after its bound: the lesson is finished without it (its runs still open are taken as
   * ended when the lesson did).
   */
  #watch(room: MediaRoom): void {
    if (this.#watched.has(room)) return;
    this.#watched.add(room);
    const lessonId = room.lessonId;
    room.on('close', (reason) => {
      const recorder = this.#recorders.get(lessonId);
      this.#recorders.delete(lessonId);
      const bound = this.#o.stopBoundMs;
      bounded(
        bound,
        undefined,
        () => new TimeBoundError(`the recorders did not stop within ${spoken(bound)}`, bound),
        async () => {
          await recorder?.stop();
          await this.#writes.get(lessonId);
        },
      )
        .catch((error: unknown) =>
          this.#log.error(
            { err: error, lessonId },
            'recorders not stopped; the recording is finished without them',
          ),
        )
        .then(() => (reason === 'ended' ? this.#finish(lessonId) : undefined))
        .catch((error: unknown) => this.#log.error({ err: error, lessonId }, 'recording not finished'));
    });
  }

  /**
   * Measures this process's live recordings (their raw bytes, written on each Recording, so
   * every process and the storage page count them as they grow) and stops recording the live
   * lessons of a cluster that reached its quota: the recording so far is kept and composed
   * after the lesson; the time after is an `over-quota` gap, and the teacher and the library
   * are told why. A cluster overshoots by at most what its live lessons write in one check.
   */
  async #checkQuotas(): Promise<void> {
    const live = [...this.#recorders.keys()];
    if (!live.length) return;
    const { Recording, RecordingSettings } = this.#o.models;
    const recs = await Recording.find({ lessonId: { $in: live } }, { lessonId: 1, clusterId: 1 }).lean();
    for (const rec of recs) {
      const { rawBytes } = await this.#o.storage.sizes(rec.lessonId.toString());
      await Recording.updateOne({ _id: rec._id, state: 'recording' }, { $set: { rawBytes } });
    }
    const clusters = new Map(
      recs.flatMap((r) => (r.clusterId ? [[r.clusterId.toString(), r.clusterId]] : [])),
    );
    for (const clusterId of clusters.values()) {
      const quota =
        (await RecordingSettings.findOne({ clusterId }, { quotaBytes: 1 }).lean())?.quotaBytes ?? null;
      if (quota === null) continue;
      const used = await clusterUsage(this.#o.models, clusterId);
      if (used < quota) continue;
      for (const rec of recs)
        if (rec.clusterId?.equals(clusterId)) await this.#stopOverQuota(rec.lessonId.toString(), used, quota);
    }
  }

  /** Stops a live lesson's recorders because its cluster reached its quota (see #checkQuotas). */
  async #stopOverQuota(lessonId: string, used: number, quota: number): Promise<void> {
    const recorder = this.#recorders.get(lessonId);
    if (!recorder) return;
    this.#recorders.delete(lessonId);
    await recorder.stop();
    // Open (from = to) until it records again or the lesson ends; said once it is written.
    await this.#write(lessonId, (rec) => {
      const now = new Date(this.#o.now());
      rec.gaps.push({ group: 'teacher', from: now, to: now, reason: 'over-quota' });
    });
    await this.#o.models.Recording.updateOne({ lessonId }, { $set: { offReason: 'over-quota' } });
    this.safeEmit('change', lessonId);
    this.#log.warn({ lessonId, used, quota }, 'recording stopped: the cluster reached its storage quota');
  }

  /** The lesson's Recording, created from the lesson if there is none yet. */
  async #ensure(lesson: RecordedSubject, set: { enabled?: boolean }): Promise<Recording> {
    const { Recording } = this.#o.models;
    const existing = await Recording.findOne({ lessonId: lesson.id }).lean<Recording>();
    if (!existing)
      await Recording.create({
        lessonId: lesson.id,
        ...lesson.fields,
        state: 'recording',
        liveStartedAt: lesson.startedAt,
        enabled: set.enabled ?? true,
      }).catch((error: unknown) => {
        // Created meanwhile by another request (unique lesson id): that one is it.
        if ((error as { code?: number }).code !== 11000) throw error;
      });
    if (set.enabled !== undefined)
      await Recording.updateOne({ lessonId: lesson.id }, { $set: { enabled: set.enabled } });
    if (!existing) await this.#copy(lesson.id.toString());
    return (await Recording.findOne({ lessonId: lesson.id }).lean<Recording>())!;
  }

  /** Sets a Recording's state (and why it is off), copied to its lesson; returns it as it is now. */
  async #setState(
    rec: Recording,
    set: { state: Recording['state']; offReason: Recording['offReason'] },
  ): Promise<Recording> {
    await this.#o.models.Recording.updateOne({ _id: rec._id }, { $set: set });
    await this.#copy(rec.lessonId.toString());
    return { ...rec, ...set };
  }

  /**
   * Copies the recording, as the reports count it, onto its lesson (logged, never thrown),
   * and tells the change: every write of a Recording's runs, gaps or state ends here.
   */
  async #copy(lessonId: string): Promise<void> {
    await copyToLesson(this.#o.models, lessonId).catch((error: unknown) =>
      this.#log.error({ err: error, lessonId }, 'recording not copied to its lesson'),
    );
    this.safeEmit('change', lessonId);
  }

  /**
   * Applies `change` to the lesson's runs and gaps after the writes before it (read, change,
   * save). It writes nothing else: a state written from its read could undo one set
   * meanwhile (composing, ready).
   */
  #write(lessonId: string, change: (doc: Pick<Recording, 'runs' | 'gaps'>) => void): Promise<void> {
    const previous = this.#writes.get(lessonId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const doc = await this.#o.models.Recording.findOne(
          { lessonId },
          { runs: 1, gaps: 1 },
        ).lean<Recording>();
        if (!doc) return;
        change(doc);
        await this.#o.models.Recording.updateOne(
          { _id: doc._id },
          { $set: { runs: doc.runs, gaps: doc.gaps } },
        );
        await this.#copy(lessonId);
      })
      .catch((error: unknown) => this.#log.error({ err: error, lessonId }, 'recording not updated'));
    this.#writes.set(lessonId, next);
    void next.finally(() => {
      if (this.#writes.get(lessonId) === next) this.#writes.delete(lessonId);
    });
    return next;
  }

  /** The lesson ended: its runs are closed, and its MP4 is composed by a job (nothing recorded: off). */
  async #finish(lessonId: string): Promise<void> {
    const { Recording } = this.#o.models;
    const lesson = await subjectOf(this.#o.models, lessonId);
    const rec = await Recording.findOne({ lessonId }).lean<Recording>();
    if (!rec || !lesson || rec.state === 'off') return;
    const end = lesson.endedAt ?? new Date(this.#o.now());
    const runs = rec.runs.map((r) => (r.endedAt ? r : { ...r, endedAt: end, end: 'died' as const }));
    for (const gap of openPauses(rec)) gap.to = end;
    const sizes = await this.#o.storage.sizes(lessonId);
    const nothing = runs.length === 0;
    await Recording.updateOne(
      { _id: rec._id },
      {
        $set: {
          runs,
          gaps: rec.gaps,
          liveStartedAt: lesson.startedAt ?? rec.liveStartedAt,
          liveEndedAt: end,
          rawBytes: sizes.rawBytes,
          state: nothing ? 'off' : 'composing',
          // Nothing recorded: the teacher switched it off, or no media came. Stopped for the
          // quota during the lesson: it stays said.
          offReason: nothing
            ? !rec.enabled
              ? 'switched-off'
              : null
            : rec.offReason === 'over-quota'
              ? 'over-quota'
              : null,
          progress: 0,
          error: null,
        },
      },
    );
    await this.#copy(lessonId);
    if (nothing) return;
    const job = await this.#queue.add({ lessonId }, { key: lessonId });
    await Recording.updateOne({ _id: rec._id }, { $set: { jobId: job.id } });
    this.#log.info({ lessonId, jobId: job.id }, 'composition queued');
  }

  /**
   * Composes a failed recording again (a manager's retry, see `Library.retry`): it is
   * queued as after its lesson, from the raw segments it kept.
   * @throws InvalidStateError unless it failed, or when nothing was recorded
   */
  async recompose(lessonId: string): Promise<void> {
    const { Recording } = this.#o.models;
    const rec = await Recording.findOne({ lessonId }).lean<Recording>();
    if (!rec) throw new NotFoundError(`recording ${lessonId} not found`);
    if (rec.state !== 'failed')
      throw new InvalidStateError(`the recording is ${rec.state}; only a failed one is composed again`);
    if (rec.runs.length === 0)
      throw new InvalidStateError('nothing was recorded: there is nothing to compose');
    // Conditional: of two retries at once, one queues it.
    const taken = await Recording.updateOne(
      { _id: rec._id, state: 'failed' },
      { $set: { state: 'composing', progress: 0, error: null } },
    );
    if (taken.modifiedCount === 0)
      throw new InvalidStateError('the recording is being composed again already');
    await this.#copy(lessonId);
    const job = await this.#queue.add({ lessonId }, { key: lessonId });
    await Recording.updateOne({ _id: rec._id }, { $set: { jobId: job.id } });
    this.#log.info({ lessonId, jobId: job.id }, 'composition queued again');
  }

  /**
   * The job: composes the lesson's MP4 within its bound (`composeBound`, from the lesson's
   * length). Past it, the composition is stopped (its ffmpeg killed) and the recording
   * fails with the reason; stopped because this process stops, it stays `composing` and is
   * queued again at the next start (`reconcile`).
   */
  async #compose(
    lessonId: string,
    progress: (fraction: number) => void,
    signal: AbortSignal,
  ): Promise<{ elapsedMs: number }> {
    const { Recording } = this.#o.models;
    const rec = await Recording.findOne({ lessonId }).lean<Recording>();
    if (!rec) throw new Error(`recording of ${lessonId} is gone`);
    try {
      if (!rec.liveStartedAt || !rec.liveEndedAt) throw new Error(`recording of ${lessonId} is not finished`);
      const durationMs = Math.max(1000, rec.liveEndedAt.getTime() - rec.liveStartedAt.getTime());
      const boundMs = composeBoundMs(durationMs, this.#o.composeBound);
      const timeout = (): TimeBoundError =>
        new TimeBoundError(
          `composition stopped after ${spoken(boundMs)}, the longest allowed for a ${spoken(durationMs)} lesson; its ffmpeg was killed`,
          boundMs,
        );
      return await bounded(boundMs, signal, timeout, (bound) =>
        this.#composeWithin(rec, durationMs, progress, bound),
      );
    } catch (error) {
      if (signal.aborted && !(error instanceof TimeBoundError)) throw error;
      await Recording.updateOne({ _id: rec._id }, { $set: { state: 'failed', error: messageOf(error) } });
      await this.#copy(lessonId);
      this.#log.error({ err: error, lessonId }, 'recording not composed');
      throw error;
    }
  }

  /** Draws the board and composes the MP4; writes the recording ready unless `signal` aborted first. */
  async #composeWithin(
    rec: Recording,
    durationMs: number,
    progress: (fraction: number) => void,
    signal: AbortSignal,
  ): Promise<{ elapsedMs: number }> {
    const { Recording } = this.#o.models;
    const lessonId = rec.lessonId.toString();
    const start = rec.liveStartedAt!.getTime();
    const ops = await this.#o.boards.history(lessonId);
    const chapters = fileChapters(pageChapters(ops, start));
    const framesDir = path.join(this.#o.storage.lessonDir(lessonId), 'board-frames');
    let lastWrite = 0;
    try {
      // The board as it was live, drawn from its log (courseware pages included).
      const board = await renderBoardFrames({
        ops,
        startMs: start,
        durationMs,
        dir: framesDir,
        signal,
        image: async (assetId) =>
          mongoose.isValidObjectId(assetId)
            ? // Not lean: the document gives its image as a Buffer (lean gives the driver's Binary).
              this.#o.models.BoardAsset.findOne(
                { _id: assetId, lessonId },
                { data: 1, width: 1, height: 1 },
              ).then((a) => (a ? { data: a.data, width: a.width, height: a.height } : null))
            : null,
      });
      if (board)
        this.#log.info({ lessonId, frames: board.frames, ms: Math.round(board.renderMs) }, 'board drawn');
      const { elapsedMs } = await compose({
        runs: rec.runs.map((r) => ({
          group: r.group,
          refId: r.refId ?? null,
          dir: path.join(this.#o.storage.lessonDir(lessonId), r.dir),
          offsetMs: r.startedAt.getTime() - start,
          hasVideo: r.streams.some((s) => s.kind === 'video'),
          hasAudio: r.streams.some((s) => s.kind === 'audio'),
        })),
        durationMs,
        output: this.#o.storage.mp4(lessonId),
        chapters,
        boardList: board?.list ?? null,
        ffmpegPath: this.#o.ffmpegPath,
        signal,
        onProgress: (fraction) => {
          progress(fraction);
          // The library shows progress from the Recording: written at most once a second.
          if (Date.now() - lastWrite < 1000) return;
          lastWrite = Date.now();
          void Recording.updateOne(
            { _id: rec._id, state: 'composing' },
            { $set: { progress: fraction } },
          ).catch(() => undefined);
        },
      });
      signal.throwIfAborted();
      await fs.promises.rm(framesDir, { recursive: true, force: true });
      const sizes = await this.#o.storage.sizes(lessonId);
      signal.throwIfAborted();
      await Recording.updateOne(
        { _id: rec._id },
        {
          $set: {
            state: 'ready',
            progress: 1,
            error: null,
            durationMs,
            chapters,
            ...sizes,
            composeSpeed: Math.round((durationMs / elapsedMs) * 10) / 10,
          },
        },
      );
      await this.#copy(lessonId);
      this.#log.info({ lessonId, durationMs, elapsedMs }, 'recording composed');
      return { elapsedMs };
    } finally {
      await fs.promises.rm(framesDir, { recursive: true, force: true });
    }
  }
}

type Gap = Recording['gaps'][number];

/** The gaps still open (from = to) of a switch-off, or of a stop for the quota, not yet recording again. */
function openPauses(rec: Pick<Recording, 'gaps'>): Gap[] {
  return rec.gaps.filter(
    (g) => (g.reason === 'switched-off' || g.reason === 'over-quota') && g.to.getTime() === g.from.getTime(),
  );
}

function runDoc(run: RecorderRun): Recording['runs'][number] {
  return {
    group: run.group,
    dir: run.dir,
    streams: run.streams,
    startedAt: new Date(run.startedAt),
    endedAt: run.endedAt === null ? null : new Date(run.endedAt),
    end: run.end,
    refId: run.refId,
  } as Recording['runs'][number];
}

function gapDoc(gap: RecordingGap): Gap {
  return { group: gap.group, from: new Date(gap.from), to: new Date(gap.to), reason: gap.reason } as Gap;
}
