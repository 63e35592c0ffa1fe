import { setTimeout as sleep } from 'node:timers/promises';
import type { types } from 'mediasoup-client';
import { TEACHER_CAMERA_LAYERS, TEACHER_CAPTURE } from '../../client/src/media/encodings.ts';
import { receiverCapabilities } from './capabilities.ts';
import { ClassroomReceiver } from './ClassroomReceiver.ts';
import type { ReceiverSnapshot } from './ClassroomReceiver.ts';
import { RtcSink } from './RtcSink.ts';
import { getJson, signIn } from './signaling.ts';
import { RemoteTeacher } from './RemoteTeacher.ts';

/** An account of the platform. */
export interface Account {
  username: string;
  password: string;
}

export interface LoadOptions {
  /** The platform's base URL. */
  url: string;
  /** The lesson's teacher: its current lesson is the one loaded. */
  teacher: Account;
  /** Classroom accounts of that lesson; seat i signs in as `classrooms[i % length]`. */
  classrooms: readonly Account[];
  /** How many classrooms join. */
  seats: number;
  /** Classrooms joining at once. @default 16 */
  concurrency?: number;
  /**
   * Whether the classrooms give the SFU transport-wide CC feedback to estimate their links by,
   * as browsers do. Without it the SFU sends each the layer its budget allows. @default true
   */
  bandwidthEstimation?: boolean;
}

/** One classroom over a measuring window. */
export interface ClassroomReport {
  seat: string;
  username: string;
  /** Peer connection state in rtcsink. */
  state: string;
  /** From the start of its join to its first RTP of the teacher's camera, ms (null: none). */
  firstPacketMs: number | null;
  /** Received over the window (teacher camera + microphone), kbit/s. */
  kbps: number;
  videoKbps: number;
  packets: number;
  /** Packets of the window expected from the sequence numbers, those that never arrived, and their share, %. */
  expected: number;
  lost: number;
  lossPct: number;
  /** The simulcast layer received, from the last key frame's size (0 = lowest; null: no key frame yet). */
  layer: number | null;
  /** The layer the SFU says it sends this classroom (lesson health), and its estimate of the link, bit/s. */
  serverLayer: number | null;
  availableBitrate: number | null;
  snapshot: ReceiverSnapshot;
}

/** The simulcast layer of a picture height, from the product's capture size and layers. */
export function layerOfHeight(height: number): number | null {
  if (!height) return null;
  let best: number | null = null;
  let bestDiff = Infinity;
  TEACHER_CAMERA_LAYERS.forEach((encoding, i) => {
    const diff = Math.abs(TEACHER_CAPTURE.height / (encoding.scaleResolutionDownBy ?? 1) - height);
    if (diff < bestDiff) [best, bestDiff] = [i, diff];
  });
  return best;
}

/**
 * The load client: a teacher publishing through wrtc (a process of its own) and N classrooms
 * receiving through rtcsink, all through the platform's own sign-in and signaling.
 */
export class LoadClient {
  readonly teacher: RemoteTeacher;
  readonly sink: RtcSink;
  readonly classrooms: ClassroomReceiver[] = [];

  private constructor(teacher: RemoteTeacher, sink: RtcSink) {
    this.teacher = teacher;
    this.sink = sink;
  }

  /**
   * Starts rtcsink (building it first if needed), then the teacher (its own process): it signs
   * in, starts its lesson if needed and publishes. No classroom joins yet.
   */
  static async teach(options: Pick<LoadOptions, 'url' | 'teacher'>): Promise<LoadClient> {
    const sink = RtcSink.start();
    try {
      const { url, teacher } = options;
      return new LoadClient(await RemoteTeacher.start(url, teacher.username, teacher.password), sink);
    } catch (error) {
      await sink.quit();
      throw error;
    }
  }

  /** Joins `seats` classrooms (`concurrency` at a time); resolves once each receives its first consumers. */
  async join(options: LoadOptions): Promise<void> {
    const { url, classrooms, seats, concurrency = 16, bandwidthEstimation = true } = options;
    if (classrooms.length === 0) throw new TypeError('no classroom accounts');
    const lessonId = this.teacher.publishing.lessonId;
    const tokens = new Map<string, string>();
    for (const account of classrooms)
      tokens.set(account.username, await signIn(url, account.username, account.password));
    const first = tokens.values().next().value!;
    const { routerRtpCapabilities } = await getJson<{ routerRtpCapabilities: types.RtpCapabilities }>(
      url,
      `/api/lessons/${lessonId}/rtp-capabilities`,
      first,
    );
    const capabilities = receiverCapabilities(routerRtpCapabilities, { bandwidthEstimation });
    const base = this.classrooms.length;
    const todo = Array.from({ length: seats }, (_, i) => {
      const account = classrooms[(base + i) % classrooms.length]!;
      const receiver = new ClassroomReceiver(this.sink, `seat-${base + i}`, account.username);
      this.classrooms.push(receiver);
      return () => receiver.join(url, tokens.get(account.username)!, lessonId, capabilities);
    });
    const workers = Array.from({ length: Math.min(concurrency, todo.length) }, async () => {
      for (let job = todo.shift(); job; job = todo.shift()) await job();
    });
    await Promise.all(workers);
  }

  /** Every classroom's figures now (counters since its join). */
  async snapshots(): Promise<ReceiverSnapshot[]> {
    const peers = new Map((await this.sink.stats()).map((p) => [p.pc, p]));
    return this.classrooms.map((c) => c.snapshot(peers));
  }

  /** Every classroom's figures over a window of `ms`. */
  async measure(ms: number): Promise<ClassroomReport[]> {
    const before = await this.snapshots();
    const started = performance.now();
    await sleep(ms);
    const after = await this.snapshots();
    return reportWindow(before, after, (performance.now() - started) / 1000, this.teacher);
  }

  /** Every classroom leaves (the teacher goes on publishing). */
  async leaveAll(): Promise<void> {
    await Promise.all(this.classrooms.splice(0).map((c) => c.leave()));
  }

  /** Every classroom leaves, the teacher leaves (and with `end`, ends the lesson), rtcsink stops. */
  async stop({ end = false }: { end?: boolean } = {}): Promise<void> {
    await this.leaveAll();
    await this.teacher.stop({ end });
    await this.sink.quit();
  }
}

/** Per classroom: what arrived between two snapshots `seconds` apart. */
export function reportWindow(
  before: readonly ReceiverSnapshot[],
  after: readonly ReceiverSnapshot[],
  seconds: number,
  teacher: Pick<RemoteTeacher, 'health'>,
): ClassroomReport[] {
  return after.map((a, i) => {
    const b = before[i] ?? a;
    const bytes = a.video.bytes + a.audio.bytes - (b.video.bytes + b.audio.bytes);
    const expected = a.video.expected + a.audio.expected - (b.video.expected + b.audio.expected);
    const lost = a.video.lost + a.audio.lost - (b.video.lost + b.audio.lost);
    const health = a.peerId ? teacher.health.get(a.peerId) : undefined;
    const t = a.timeline;
    return {
      seat: a.seat,
      username: a.username,
      state: a.state,
      firstPacketMs: t.firstVideoAt ? t.firstVideoAt - t.startedAt : null,
      kbps: (bytes * 8) / seconds / 1000,
      videoKbps: ((a.video.bytes - b.video.bytes) * 8) / seconds / 1000,
      packets: a.video.packets + a.audio.packets - (b.video.packets + b.audio.packets),
      expected,
      lost: Math.max(0, lost),
      lossPct: expected > 0 ? (Math.max(0, lost) / expected) * 100 : 0,
      layer: layerOfHeight(a.video.height),
      serverLayer: health?.cameraLayer?.current ?? null,
      availableBitrate: health?.availableBitrate ?? null,
      snapshot: a,
    };
  });
}
