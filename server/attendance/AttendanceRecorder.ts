import type { MediaRoom, RoomRegistry } from '../../sfu/index.ts';
import type { Identity } from '../auth/tokens.ts';
import type { LessonSummary, LinkSeries } from '../contract/api.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import type { LessonService } from '../lessons/LessonService.ts';
import type { Logger } from '../logger.ts';
import type { Lesson, LessonEvent, Models } from '../models/index.ts';

export interface AttendanceRecorderOptions {
  models: Models;
  rooms: RoomRegistry;
  lessons: LessonService;
  logger: Logger;
  now?: () => number;
  /** How often each participant's link is sampled, ms. @default 60000 */
  sampleIntervalMs?: number;
  /** Called when a lesson has ended and its record is complete (to judge it). */
  onEnded?: (lessonId: string) => Promise<void>;
}

/**
 * Writes each lesson's record as it happens: live and ended, every join and leave of the
 * teacher and the classrooms, head counts, and a per-minute sample of every participant's
 * link. Nothing is kept only in memory, so a restart loses nothing; `reconcile()` closes
 * what a restart left open.
 */
export class AttendanceRecorder {
  readonly #models: Models;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #rooms: RoomRegistry;
  readonly #timer: NodeJS.Timeout;
  readonly #onEnded: ((lessonId: string) => Promise<void>) | undefined;
  /** Writes in flight, so that close() can wait for them. */
  readonly #pending = new Set<Promise<unknown>>();

  constructor(options: AttendanceRecorderOptions) {
    this.#models = options.models;
    this.#log = options.logger.child({ module: 'attendance' });
    this.#now = options.now ?? Date.now;
    this.#rooms = options.rooms;
    this.#onEnded = options.onEnded;
    options.rooms.on('newroom', (room) => this.#wire(room));
    options.lessons.on('statechange', (lesson) => this.#onState(lesson));
    this.#timer = setInterval(() => void this.#track(this.#sample()), options.sampleIntervalMs ?? 60_000);
    this.#timer.unref();
  }

  #track(write: Promise<unknown>): Promise<unknown> {
    const tracked = write.catch((error: unknown) =>
      this.#log.error({ err: error }, 'attendance write failed'),
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
    return tracked;
  }

  #event(lessonId: string, fields: Partial<LessonEvent>): Promise<unknown> {
    return this.#track(this.#models.LessonEvent.create({ lessonId, at: new Date(this.#now()), ...fields }));
  }

  #wire(room: MediaRoom): void {
    room.on(
      'peerjoined',
      (peer) => void this.#event(room.lessonId, { kind: 'join', role: peer.role, refId: peer.refId }),
    );
    room.on(
      'peerleft',
      (peer) => void this.#event(room.lessonId, { kind: 'leave', role: peer.role, refId: peer.refId }),
    );
  }

  #onState(lesson: LessonSummary): void {
    if (lesson.state === 'live') void this.#event(lesson.id, { kind: 'live' });
    if (lesson.state !== 'ended') return;
    // Whoever is still in the room leaves with the lesson.
    const room = this.#rooms.get(lesson.id);
    const writes = (room?.peers ?? []).map((peer) =>
      this.#event(lesson.id, { kind: 'leave', role: peer.role, refId: peer.refId }),
    );
    writes.push(this.#event(lesson.id, { kind: 'ended' }));
    const onEnded = this.#onEnded;
    if (onEnded) void this.#track(Promise.all(writes).then(() => onEnded(lesson.id)));
  }

  /**
   * The lesson's per-minute link samples as one series per participant: the teacher first,
   * then the classrooms in the lesson's order (samples of anyone else last, by id).
   */
  async linkSeries(lesson: LessonSummary): Promise<LinkSeries[]> {
    const samples = await this.#models.LinkSample.find({ lessonId: lesson.id }).sort({ minute: 1 }).lean();
    const names = new Map<string, string>([
      [lesson.teacherId, lesson.teacherName],
      ...[lesson.hubClassroom, ...lesson.classrooms].map(
        (c) => [c.id, `${c.schoolName} · ${c.name}`] as [string, string],
      ),
    ]);
    const order = [lesson.teacherId, ...lesson.classrooms.map((c) => c.id)];
    const series = new Map<string, LinkSeries>();
    for (const s of samples) {
      let one = series.get(s.refId);
      if (!one) {
        one = {
          refId: s.refId,
          role: s.role,
          name: names.get(s.refId) ?? s.refId,
          minutes: [],
        };
        series.set(s.refId, one);
      }
      one.minutes.push({
        minute: s.minute.toISOString(),
        connection: s.connection,
        rttMs: s.rttMs ?? null,
        lossPct: s.lossPct ?? null,
        recvKbps: Math.round(s.recvBitrate / 1000),
        sendKbps: Math.round(s.sendBitrate / 1000),
      });
    }
    const rank = (id: string): number => {
      const i = order.indexOf(id);
      return i < 0 ? order.length : i;
    };
    return [...series.values()].sort(
      (a, b) => rank(a.refId) - rank(b.refId) || a.refId.localeCompare(b.refId),
    );
  }

  /** One sample a minute of every participant of every live room. */
  async #sample(): Promise<void> {
    const minute = new Date(Math.floor(this.#now() / 60_000) * 60_000);
    for (const stats of this.#rooms.stats()) {
      const room = this.#rooms.get(stats.lessonId);
      if (!room || !stats.peers) continue;
      const roles = new Map(room.peers.map((p) => [p.peerId, p.role]));
      const health = await room.health().catch(() => []);
      if (!health.length) continue;
      await this.#models.LinkSample.insertMany(
        health.map((h) => ({
          lessonId: room.lessonId,
          minute,
          role: roles.get(h.peerId) ?? 'classroom',
          refId: h.refId,
          connection: h.connection,
          rttMs: h.rttMs,
          lossPct: h.lossPct,
          // The stored names are the peer's view: it received our downlink, sent its uplink.
          recvBitrate: h.downlinkBitrate,
          sendBitrate: h.uplinkBitrate,
        })),
      );
    }
  }

  /**
   * The assistant teacher confirms how many pupils sit in the classroom (the class size is
   * offered as the default). @throws ForbiddenError for a device not in the lesson
   */
  async headcount(identity: Identity, lesson: LessonSummary, count: number): Promise<void> {
    if (identity.role !== 'classroom' || !lesson.classrooms.some((c) => c.id === identity.classroomId))
      throw new ForbiddenError('only a classroom of the lesson enters its head count');
    if (lesson.state === 'scheduled') throw new ValidationError('the lesson has not started');
    await this.#models.LessonEvent.create({
      lessonId: lesson.id,
      at: new Date(this.#now()),
      kind: 'headcount',
      role: 'classroom',
      refId: identity.classroomId,
      count,
    });
  }

  /**
   * After a restart: every lesson still live gets a leave for each participant left joined,
   * at the last moment it was seen (its last link sample, else its join). A live lesson
   * already past its scheduled end (plus `graceMs`) is ended at the last sign of life; the
   * others stay live for their participants to rejoin. Lessons another server process hosts
   * now (`hostedElsewhere`) are left alone: their participants are joined there.
   * @returns the lessons it ended
   */
  async reconcile(
    graceMs = 15 * 60_000,
    hostedElsewhere: (lessonId: string) => Promise<boolean> = () => Promise.resolve(false),
  ): Promise<string[]> {
    const now = this.#now();
    const ended: string[] = [];
    const live = await this.#models.Lesson.find({ state: 'live' }).lean<Lesson[]>();
    let reconciled = 0;
    for (const lesson of live) {
      if (await hostedElsewhere(lesson._id.toString())) continue;
      reconciled++;
      const lastSign = await this.#closeOpenJoins(lesson, now);
      if (lesson.scheduledEnd.getTime() + graceMs < now) {
        const endedAt = new Date(Math.min(lastSign, now));
        await this.#models.Lesson.updateOne(
          { _id: lesson._id, state: 'live' },
          { $set: { state: 'ended', endedAt } },
        );
        await this.#models.LessonEvent.create({
          lessonId: lesson._id,
          at: endedAt,
          kind: 'ended',
          reconciled: true,
        });
        ended.push(lesson._id.toString());
      }
    }
    if (reconciled)
      this.#log.info({ live: reconciled, ended: ended.length }, 'reconciled lessons left live by a restart');
    for (const id of ended) await this.#onEnded?.(id);
    return ended;
  }

  /**
   * This process took over a live lesson from one that stopped (its lease ran out): the
   * participants it left joined get a leave at their last sign of life before `takenAt`, so
   * that their rejoining here starts a new stretch instead of hiding the outage. When the
   * stopped host's last lease renewal is known (`hostSeenAt`), that is their last sign of life:
   * the host would have written their leave had they gone before it.
   */
  async takeOver(lessonId: string, takenAt: number, hostSeenAt: number | null = null): Promise<void> {
    const lesson = await this.#models.Lesson.findOne({ _id: lessonId, state: 'live' }).lean<Lesson>();
    if (lesson) await this.#closeOpenJoins(lesson, takenAt, hostSeenAt);
  }

  /**
   * Writes a leave, at its last sign of life, for each participant joined before `until` and
   * not left since: the host's last sign of life when known, else the participant's last
   * link sample. @returns the lesson's last sign of life (ms)
   */
  async #closeOpenJoins(lesson: Lesson, until: number, hostSeenAt: number | null = null): Promise<number> {
    const events = await this.#models.LessonEvent.find({ lessonId: lesson._id, at: { $lt: new Date(until) } })
      .sort({ at: 1 })
      .lean<LessonEvent[]>();
    const open = new Map<string, LessonEvent>();
    for (const e of events) {
      if (!e.refId) continue;
      if (e.kind === 'join') open.set(e.refId, e);
      if (e.kind === 'leave') open.delete(e.refId);
    }
    let lastSign = lesson.startedAt?.getTime() ?? lesson.scheduledStart.getTime();
    for (const [refId, join] of open) {
      const seen = Math.min(
        until,
        Math.max(join.at.getTime(), hostSeenAt ?? (await this.#lastSample(lesson, refId))),
      );
      lastSign = Math.max(lastSign, seen);
      await this.#models.LessonEvent.create({
        lessonId: lesson._id,
        at: new Date(seen),
        kind: 'leave',
        role: join.role,
        refId,
        reconciled: true,
      });
    }
    for (const e of events) lastSign = Math.max(lastSign, e.at.getTime());
    return lastSign;
  }

  /** When the participant's last link sample ended (a sample stands for its whole minute), or 0. */
  async #lastSample(lesson: Lesson, refId: string): Promise<number> {
    const sample = await this.#models.LinkSample.findOne({ lessonId: lesson._id, refId })
      .sort({ minute: -1 })
      .lean();
    return sample ? sample.minute.getTime() + 60_000 : 0;
  }

  /** Waits for every write in flight. */
  async flush(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
