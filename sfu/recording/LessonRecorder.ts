import path from 'node:path';
import type { MediaRoom } from '../MediaRoom.ts';
import type { MediaSource, ProducerInfo } from '../Peer.ts';
import { TypedEmitter } from '../TypedEmitter.ts';
import { RecorderProcess, freeRecorderPort } from './RecorderProcess.ts';
import type { RecordingTap } from './tap.ts';

/**
 * What is recorded, each by a recorder of its own: the teacher's camera and voice together
 * (one session, so ffmpeg keeps them in sync by their sender reports), the teacher's
 * screen, the camera and voice of the classroom with the floor, and every receiving
 * classroom's camera (`classroom`: one recorder per classroom, so that a classroom joining
 * or leaving restarts no other; the composition shows them as a strip beside the teacher).
 */
export type RecordedGroup = 'teacher' | 'screen' | 'floor' | 'classroom';

/** One stream of a run. */
export interface RunStream {
  source: MediaSource;
  kind: 'audio' | 'video';
  /** e.g. video/VP8, audio/opus. */
  mimeType: string;
}

/** One recorder's life: from its start to its stop or death, its segments in `dir`. */
export interface RecorderRun {
  group: RecordedGroup;
  /** Folder of its segments, relative to the lesson's recording folder. */
  dir: string;
  streams: RunStream[];
  /** ms since the epoch: when the media started flowing to it. */
  startedAt: number;
  /** ms since the epoch; null while it runs. */
  endedAt: number | null;
  /** Why it ended: stopped (asked to, or its media went away) or died (ffmpeg exited by itself). */
  end: 'stopped' | 'died' | null;
  /** Classroom (refId) of a floor or classroom run. */
  refId: string | null;
  /** The recorder's process id (ffmpeg). */
  pid: number | null;
}

/** Time in which a group that had media was not recorded, ms since the epoch. */
export interface RecordingGap {
  group: RecordedGroup;
  from: number;
  to: number;
  reason: 'recorder-died' | 'recorder-failed';
}

export interface LessonRecorderEvents extends Record<string, unknown[]> {
  runstarted: [RecorderRun];
  runended: [RecorderRun];
  gap: [RecordingGap];
  /** Something went wrong that the recorder handled (logged by the owner). */
  warning: [string, unknown];
}

export interface LessonRecorderOptions {
  /** The lesson's recording folder; each run gets a sub-folder. */
  dir: string;
  /** Target segment length, s. @default 4 */
  segmentSeconds?: number;
  /** The ffmpeg binary. @default 'ffmpeg' */
  ffmpegPath?: string;
  /** UDP ports recorders listen on. @default { min: 30000, max: 34999 } */
  portRange?: { min: number; max: number };
  /** How long producers may keep changing before a group's recorder (re)starts, ms. @default 500 */
  settleMs?: number;
  /** Restarts of a dying recorder within a minute before the group is given up. @default 5 */
  maxRestartsPerMinute?: number;
  /** Run sub-folders are numbered from here (a lesson recorded again after a move). @default 0 */
  firstRun?: number;
  /** Clock, ms since the epoch. @default Date.now */
  now?: () => number;
}

interface GroupState {
  group: RecordedGroup;
  /** The classroom of a `classroom` group. */
  refId: string | null;
  /** The producers now recorded, by id. */
  producerIds: string[];
  run: RecorderRun | null;
  process: RecorderProcess | null;
  taps: RecordingTap[];
  /** UDP ports its recorder listens on (each also holds the next one). */
  ports: number[];
  keyFrameTimer: NodeJS.Timeout | null;
  /** Serializes (re)starts of this group. */
  chain: Promise<void>;
  /** When the last death opened a gap (closed by the next run's start). */
  gapFrom: number | null;
  restarts: number[];
  failed: boolean;
}

/** The groups every lesson has; `classroom` groups come and go with the classrooms' cameras. */
const GROUPS = ['teacher', 'screen', 'floor'] as const;

/** A group's key: its name, or `classroom:<refId>`. */
const keyOf = (group: RecordedGroup, refId: string | null): string =>
  group === 'classroom' ? `classroom:${refId}` : group;

/** A group's state before its first run. */
const idle = (group: RecordedGroup, refId: string | null): GroupState => ({
  group,
  refId,
  producerIds: [],
  run: null,
  process: null,
  taps: [],
  ports: [],
  keyFrameTimer: null,
  chain: Promise.resolve(),
  gapFrom: null,
  restarts: [],
  failed: false,
});

/**
 * Records one live lesson where its media is: for each group (`RecordedGroup`), taps of its
 * producers (`LessonRoom.tap`) feed one ffmpeg (`RecorderProcess`) that writes segments
 * without re-encoding. When a group's producers change (a camera switched, the floor
 * moved), its recorder is restarted with the new set as a new run. A recorder that dies is
 * restarted at once and the time in between is reported as a gap; one that keeps dying is
 * given up, and its gap runs to the end.
 */
export class LessonRecorder extends TypedEmitter<LessonRecorderEvents> {
  readonly #room: MediaRoom;
  readonly #options: Required<LessonRecorderOptions>;
  /** By `keyOf`. */
  readonly #groups = new Map<string, GroupState>();
  readonly #ports = new Set<number>();
  #runCount: number;
  #settleTimer: NodeJS.Timeout | null = null;
  #closed = false;
  /** The stop under way: every caller of `stop()` waits for the same one. */
  #stopped: Promise<void> | null = null;

  constructor(room: MediaRoom, options: LessonRecorderOptions) {
    super();
    this.#room = room;
    this.#options = {
      segmentSeconds: 4,
      ffmpegPath: 'ffmpeg',
      portRange: { min: 30000, max: 34999 },
      settleMs: 500,
      maxRestartsPerMinute: 5,
      firstRun: 0,
      now: Date.now,
      ...options,
    };
    this.#runCount = this.#options.firstRun;
    for (const group of GROUPS) this.#groups.set(group, idle(group, null));
    const changed = (): void => this.#schedule();
    room.on('newproducer', changed);
    room.on('producerclosed', changed);
    room.on('floorchanged', changed);
    room.on('peerleft', changed);
    room.on('close', () => void this.stop());
    this.#schedule();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs started so far (the next run's number). */
  get runCount(): number {
    return this.#runCount;
  }

  /** The runs going on now. */
  get activeRuns(): RecorderRun[] {
    return [...this.#groups.values()].flatMap((g) => (g.run ? [g.run] : []));
  }

  /**
   * Stops every recorder (each finishes its segment); the lesson's runs end now. Resolves
   * once every run has ended and its `runended` (and any last `gap`) was emitted, for
   * every caller: the room's own close and the owner's stop wait for the same stop.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#closed = true;
    const now = this.#options.now();
    if (this.#settleTimer) clearTimeout(this.#settleTimer);
    await Promise.all(
      [...this.#groups.values()].map(async (state) => {
        await state.chain;
        await this.#end(state, 'stopped');
        if (state.gapFrom !== null) {
          this.safeEmit('gap', {
            group: state.group,
            from: state.gapFrom,
            to: now,
            reason: 'recorder-failed',
          });
          state.gapFrom = null;
        }
      }),
    );
  }

  /** Which producers each group (by `keyOf`) should record now; every known group is in it. */
  #wanted(): Map<string, ProducerInfo[]> {
    const peers = new Map(this.#room.closed ? [] : this.#room.peers.map((p) => [p.peerId, p]));
    const floor = this.#room.closed ? null : this.#room.floor;
    const wanted = new Map<string, ProducerInfo[]>([...this.#groups.keys()].map((k) => [k, []]));
    const add = (group: RecordedGroup, refId: string | null, producer: ProducerInfo): void => {
      const key = keyOf(group, refId);
      if (!this.#groups.has(key)) this.#groups.set(key, idle(group, refId));
      wanted.set(key, [...(wanted.get(key) ?? []), producer]);
    };
    for (const producer of this.#room.closed ? [] : this.#room.allProducers()) {
      const peer = peers.get(producer.peerId);
      if (!peer) continue;
      if (peer.role === 'teacher') add(producer.source === 'screen' ? 'screen' : 'teacher', null, producer);
      else if (peer.role === 'classroom') {
        if (peer.refId === floor && producer.source !== 'screen') add('floor', null, producer);
        if (producer.source === 'camera') add('classroom', peer.refId, producer);
      }
    }
    return wanted;
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#settleTimer) clearTimeout(this.#settleTimer);
    // Camera and microphone appear a moment apart: one run for both, not two.
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = null;
      this.#reconcile();
    }, this.#options.settleMs);
  }

  #reconcile(): void {
    if (this.#closed) return;
    const wanted = this.#wanted();
    for (const [key, state] of this.#groups) {
      const producers = wanted.get(key) ?? [];
      const ids = producers.map((p) => p.producerId).sort();
      // Unchanged: its recorder runs, is starting, or was given up (a death restarts by itself).
      if (ids.join() === state.producerIds.join()) continue;
      state.producerIds = ids;
      state.failed = false;
      state.chain = state.chain.then(async () => {
        await this.#end(state, 'stopped');
        if (ids.length && !this.#closed) await this.#start(state, producers);
      });
    }
  }

  async #start(state: GroupState, producers: ProducerInfo[]): Promise<void> {
    const { group } = state;
    const index = this.#runCount++;
    const dirName = `${String(index).padStart(3, '0')}-${group}`;
    const taps: RecordingTap[] = [];
    const ports: number[] = [];
    try {
      for (const producer of producers) {
        const port = await freeRecorderPort(this.#options.portRange, this.#ports);
        this.#ports.add(port).add(port + 1);
        ports.push(port);
        taps.push(await this.#room.tap(producer.producerId, { ip: '127.0.0.1', port }));
      }
      const process = await RecorderProcess.start({
        dir: path.join(this.#options.dir, dirName),
        streams: taps.map((tap, i) => ({
          kind: tap.consumer.kind,
          rtpParameters: tap.consumer.rtpParameters,
          port: ports[i]!,
        })),
        segmentSeconds: this.#options.segmentSeconds,
        ffmpegPath: this.#options.ffmpegPath,
      });
      await Promise.all(taps.map((t) => t.resume()));
      const refId = group === 'floor' ? this.#room.floor : state.refId;
      const run: RecorderRun = {
        group,
        dir: dirName,
        streams: producers.map((p) => ({
          source: p.source,
          kind: p.kind,
          mimeType: taps.find((t) => t.consumer.producerId === p.producerId)!.consumer.rtpParameters
            .codecs[0]!.mimeType,
        })),
        startedAt: this.#options.now(),
        endedAt: null,
        end: null,
        refId,
        pid: process.pid ?? null,
      };
      Object.assign(state, { run, process, taps, ports });
      // A key frame starts every segment near its target length (the segment muxer cuts only at one).
      state.keyFrameTimer = setInterval(() => {
        for (const tap of taps) tap.requestKeyFrame().catch(() => undefined);
      }, this.#options.segmentSeconds * 1000);
      process.on('exit', ({ requested, code, signal, stderr }) => {
        if (requested || state.process !== process) return;
        this.safeEmit('warning', `recorder of ${group} died (${signal ?? code})`, stderr);
        state.chain = state.chain.then(() => this.#died(state));
      });
      if (state.gapFrom !== null) {
        this.safeEmit('gap', { group, from: state.gapFrom, to: run.startedAt, reason: 'recorder-died' });
        state.gapFrom = null;
      }
      this.safeEmit('runstarted', run);
    } catch (error) {
      for (const tap of taps) tap.close();
      this.#release(ports);
      this.safeEmit('warning', `recorder of ${group} did not start`, error);
      await this.#died(state);
    }
  }

  /** A recorder died (or did not start): the gap opens now, and it is restarted unless it keeps dying. */
  async #died(state: GroupState): Promise<void> {
    const { group } = state;
    const now = this.#options.now();
    await this.#end(state, 'died');
    state.gapFrom ??= now;
    state.restarts = [...state.restarts.filter((t) => now - t < 60_000), now];
    if (this.#closed) return;
    if (state.restarts.length > this.#options.maxRestartsPerMinute) {
      state.failed = true;
      this.safeEmit('warning', `recorder of ${group} keeps dying; given up`, null);
      return;
    }
    const producers = this.#wanted().get(keyOf(group, state.refId)) ?? [];
    state.producerIds = producers.map((p) => p.producerId).sort();
    if (producers.length) await this.#start(state, producers);
  }

  #release(ports: number[]): void {
    for (const port of ports) {
      this.#ports.delete(port);
      this.#ports.delete(port + 1);
    }
  }

  async #end(state: GroupState, end: 'stopped' | 'died'): Promise<void> {
    if (state.keyFrameTimer) clearInterval(state.keyFrameTimer);
    state.keyFrameTimer = null;
    const { run, process, taps, ports } = state;
    state.run = null;
    state.process = null;
    state.taps = [];
    state.ports = [];
    // ffmpeg first, while its media may still flow: it notices the signal at its next packet
    // and writes its segment out whole; its taps close once it has.
    if (process) await process.stop();
    for (const tap of taps) tap.close();
    this.#release(ports);
    if (run) {
      run.endedAt = this.#options.now();
      run.end = end;
      this.safeEmit('runended', run);
    }
  }
}
