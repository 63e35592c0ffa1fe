import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type { LessonSummary } from '../../../server/contract/api.ts';
import type { Interaction } from '../../../server/contract/board.ts';
import type {
  MediaSource,
  PeerHealth,
  PeerInfo,
  ProducerInfo,
  ServerToClientEvents,
} from '../../../server/contract/events.ts';
import { api } from '../api.ts';
import { Emitter } from '../emitter.ts';
import { hostedElsewhere, refusedWith, request, routeTo, sideSocket } from '../signaling.ts';
import type { SignalingSocket } from '../signaling.ts';
import {
  CAMERA_CODEC_OPTIONS,
  CLASSROOM_CAMERA,
  MIC_CODEC_OPTIONS,
  TEACHER_CAMERA_DEGRADATION,
  TEACHER_CAMERA_LAYERS,
} from './encodings.ts';
import { LinkStatsMeter } from './linkQuality.ts';
import type { LinkStats } from './linkQuality.ts';

export interface RemoteTrack {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
}

/**
 * `waiting`: in the media room of a lesson not yet live (transports connected, the camera
 * sent up, the teacher's camera consumed but held by the server), so that its start shows the
 * teacher at once; `joined` once it is live.
 */
export type MediaState = 'idle' | 'joining' | 'waiting' | 'joined' | 'failed';

export interface LessonClientEvents extends Record<string, unknown[]> {
  state: [MediaState, string?];
  track: [RemoteTrack];
  trackended: [{ consumerId: string; peerId: string }];
  peerjoined: [PeerInfo];
  peerleft: [{ peerId: string }];
  health: [PeerHealth[]];
  stats: [LinkStats];
  /** Raised hands, the floor, the spotlight, mutes: at join and on every change. */
  interaction: [Interaction];
}

/**
 * How long before its scheduled start a lesson's teacher and classrooms wait in its media room,
 * ms: connected and the teacher's camera up, so that pressing start shows it at once.
 */
export const WAIT_AHEAD_MS = 15 * 60_000;

/** How long an ICE restart's request may wait for a link to come back, ms (see #restartIce). */
const ICE_RESTART_WAIT_MS = 30_000;

/**
 * Whether a page joins the lesson's media now: live, or scheduled to start within
 * WAIT_AHEAD_MS (the server's waiting room; a lesson whose room cannot wait, on a media node,
 * answers that it is not live, and the page joins at the start).
 */
export function joinsNow(lesson: LessonSummary | null, now = Date.now()): lesson is LessonSummary {
  if (lesson?.state === 'live') return true;
  return lesson?.state === 'scheduled' && Date.parse(lesson.scheduledStart) - now <= WAIT_AHEAD_MS;
}

/**
 * One participant's media in a live lesson, over mediasoup-client and the signaling socket:
 * joins, sends the local camera and microphone, receives what the server offers, rejoins
 * after a reconnect or a media reset, and measures its own link.
 */
export class LessonClient extends Emitter<LessonClientEvents> {
  readonly #socket: SignalingSocket;
  readonly #role: 'teacher' | 'classroom';
  #stream: MediaStream | null = null;
  #lessonId: string | null = null;
  #device: Device | null = null;
  #send: types.Transport | null = null;
  #recv: types.Transport | null = null;
  readonly #consumers = new Map<string, types.Consumer>();
  /** Producers being consumed right now (announced and listed at join may be the same one). */
  readonly #consuming = new Set<string>();
  /**
   * Every producer offered to this participant, consumed or not: listed at join, or announced
   * (also while joining, before the receive transport existed).
   */
  readonly #offered = new Map<string, ProducerInfo>();
  /** Which video to receive (audio is always received). */
  #wantsVideo: (producer: ProducerInfo) => boolean = () => true;
  #joining: Promise<void> | null = null;
  /** The lesson being joined went live meanwhile (a waiting join then ends as joined). */
  #wentLive = false;
  #statsTimer: number | undefined;
  #meter = new LinkStatsMeter();
  #state: MediaState = 'idle';
  #peerId: string | null = null;
  #camera: types.Producer | null = null;
  #mic: types.Producer | null = null;
  /** The last run of #produceLocal (they run one after the other). */
  #producing: Promise<void> = Promise.resolve();
  #featured = false;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(socket: SignalingSocket, role: 'teacher' | 'classroom') {
    super();
    this.#socket = socket;
    this.#role = role;
    const handlers: Partial<ServerToClientEvents> = {
      'producer:new': (p) => {
        this.#offered.set(p.producerId, p);
        // While joining, the producer may be missing from the join's list: it is consumed with
        // the others once the receive transport exists, or it would never be heard.
        if (this.#recv) void this.#consume(p.producerId);
      },
      'consumer:closed': ({ consumerId }) => this.#dropConsumer(consumerId),
      'producer:closed': ({ producerId }) => {
        this.#offered.delete(producerId);
        for (const c of this.#consumers.values()) if (c.producerId === producerId) this.#dropConsumer(c.id);
      },
      'peer:joined': (p) => this.emit('peerjoined', p),
      'peer:left': (p) => this.emit('peerleft', p),
      'lesson:health': ({ lessonId, peers }) => {
        if (lessonId === this.#lessonId) this.emit('health', peers);
      },
      'lesson:interaction': ({ lessonId, interaction }) => {
        if (lessonId === this.#lessonId) this.emit('interaction', interaction);
      },
      'lesson:media-reset': ({ lessonId }) => {
        if (lessonId === this.#lessonId) void this.#rejoin();
      },
    };
    for (const [event, handler] of Object.entries(handlers) as [keyof ServerToClientEvents, () => void][]) {
      socket.on(event, handler);
      this.#unsubscribe.push(() => socket.off(event, handler));
    }
    const onConnect = (): void => {
      if (this.#lessonId && this.#state !== 'joining') void this.#rejoin();
    };
    socket.on('connect', onConnect);
    this.#unsubscribe.push(() => socket.off('connect', onConnect));
  }

  get state(): MediaState {
    return this.#state;
  }

  get lessonId(): string | null {
    return this.#lessonId;
  }

  /** This participant's id in the lesson's media (its entry in `health`), once joined. */
  get peerId(): string | null {
    return this.#peerId;
  }

  /**
   * A classroom: sends its camera at the featured size (spotlit or given the floor) or at the
   * grid size. Takes effect on the running camera and on any camera sent later.
   */
  async setCameraFeatured(featured: boolean): Promise<void> {
    if (featured === this.#featured) return;
    this.#featured = featured;
    const camera = this.#camera;
    if (this.#role !== 'classroom' || !camera || camera.closed) return;
    await camera.setRtpEncodingParameters(featured ? CLASSROOM_CAMERA.featured : CLASSROOM_CAMERA.grid);
  }

  /**
   * Which video to receive: the teacher of a broadcast watches only the classrooms in view.
   * Video no longer wanted is closed (on the server too, so it stops crossing the link) and
   * video newly wanted is consumed. Audio is always received.
   */
  setVideoFilter(wants: (producer: ProducerInfo) => boolean): void {
    this.#wantsVideo = wants;
    if (!this.#recv) return;
    for (const consumer of [...this.#consumers.values()]) {
      const offered = this.#offered.get(consumer.producerId);
      if (offered && !this.#wanted(offered)) this.#stopConsumer(consumer.id);
    }
    for (const offered of this.#offered.values())
      if (this.#wanted(offered)) void this.#consume(offered.producerId);
  }

  /** Local camera and microphone to send once joined (may be set before or after joining). */
  async setLocalStream(stream: MediaStream | null): Promise<void> {
    this.#stream = stream;
    if (this.#send && stream) await this.#produceLocal();
  }

  /**
   * Joins a lesson's media: a live lesson, or a scheduled one to wait in (see `MediaState`);
   * a second call for the same lesson waits for the first, and one with the lesson now live
   * turns waiting into joined.
   */
  join(lesson: LessonSummary): Promise<void> {
    const same = this.#lessonId === lesson.id;
    if (same && lesson.state === 'live') {
      this.#wentLive = true;
      if (this.#state === 'waiting') this.#setState('joined');
    }
    // A waiting join that fails (the lesson's room cannot wait) is tried again once it is live.
    if (same && this.#joining)
      return lesson.state === 'live' ? this.#joining.catch(() => this.join(lesson)) : this.#joining;
    if (same && (this.#state === 'joined' || this.#state === 'waiting')) return Promise.resolve();
    this.#lessonId = lesson.id;
    this.#wentLive = lesson.state === 'live';
    this.#joining = this.#join(lesson.id).finally(() => (this.#joining = null));
    return this.#joining;
  }

  /** Leaves the lesson's media (the lesson itself goes on). */
  async leave(): Promise<void> {
    const lessonId = this.#lessonId;
    this.#lessonId = null;
    this.#teardown();
    this.#setState('idle');
    if (lessonId && this.#socket.connected)
      await request(this.#socket, 'lesson:leave', { lessonId }).catch(() => undefined);
  }

  /** Stops everything, including listening to the socket. */
  close(): void {
    this.#lessonId = null;
    this.#teardown();
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  async #join(lessonId: string): Promise<void> {
    this.#setState('joining');
    try {
      this.#teardown();
      await routeTo(this.#socket, lessonId);
      const { routerRtpCapabilities } = await api.rtpCapabilities(lessonId);
      const device = new Device();
      await device.load({ routerRtpCapabilities: routerRtpCapabilities });
      this.#device = device;
      const joined = await request(this.#socket, 'lesson:join', {
        lessonId,
        rtpCapabilities: device.recvRtpCapabilities,
      });
      // Both at once: each is a round trip to the server.
      [this.#recv, this.#send] = await Promise.all([
        this.#createTransport(lessonId, 'recv'),
        this.#createTransport(lessonId, 'send'),
      ]);
      this.#peerId = joined.peerId;
      for (const peer of joined.peers) this.emit('peerjoined', peer);
      for (const producer of joined.producers) this.#offered.set(producer.producerId, producer);
      this.emit('interaction', joined.interaction);
      // Sending and receiving set up side by side, every consumer at once.
      await Promise.all([
        this.#produceLocal(),
        ...[...this.#offered.keys()].map((producerId) => this.#consume(producerId)),
      ]);
      this.#meter = new LinkStatsMeter();
      this.#statsTimer = window.setInterval(() => void this.#measure(), 2000);
      this.#setState(joined.lesson.state === 'live' || this.#wentLive ? 'joined' : 'waiting');
    } catch (error) {
      this.#teardown();
      // A lesson whose room cannot wait (on a media node, a broadcast) is joined at its start:
      // nothing has failed meanwhile (a start seen while asking joins at once, see join()).
      if (refusedWith(error, 'LESSON_NOT_LIVE') && !this.#wentLive) {
        this.#setState('idle');
        return;
      }
      this.#setState('failed', error instanceof Error ? error.message : String(error));
      // During a failover the old host may hold the lesson a moment more (≤ its lease's 3 s).
      if (hostedElsewhere(error)) window.setTimeout(() => void this.#rejoin(), 500);
      throw error;
    }
  }

  async #rejoin(): Promise<void> {
    const lessonId = this.#lessonId;
    if (!lessonId) return;
    try {
      const lesson = await api.lesson(lessonId);
      if (lesson.state === 'ended') {
        this.#teardown();
        this.#setState('idle');
        return;
      }
      this.#state = 'idle';
      await this.join(lesson);
    } catch {
      window.setTimeout(() => void this.#rejoin(), 3000);
    }
  }

  async #createTransport(lessonId: string, direction: 'send' | 'recv'): Promise<types.Transport> {
    const options = await request(this.#socket, 'transport:create', { lessonId, direction });
    const params = options as unknown as types.TransportOptions;
    const transport =
      direction === 'send'
        ? this.#device!.createSendTransport(params)
        : this.#device!.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(this.#socket, 'transport:connect', {
        lessonId,
        transportId: transport.id,
        dtlsParameters: dtlsParameters,
      }).then(callback, errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        request(this.#socket, 'produce', {
          lessonId,
          transportId: transport.id,
          kind,
          source: appData['source'] as MediaSource,
          rtpParameters: rtpParameters,
        }).then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed' && this.#lessonId === lessonId) void this.#restartIce(lessonId, transport);
    });
    return transport;
  }

  /**
   * A transport lost its connectivity (Chromium gives ICE up some 15 s into a cut link): new ICE
   * credentials from the server, and ICE starts over on the same transport, its producers and
   * consumers kept, so that media is back as soon as the link is. Asked over a fresh socket (see
   * `sideSocket`), which waits up to ICE_RESTART_WAIT_MS for the link, and only there, so that
   * one failure restarts the server's side once (an ICE that fails again restarts again); a
   * restart refused or unanswered sets the media up anew.
   */
  async #restartIce(lessonId: string, transport: types.Transport): Promise<void> {
    const peerId = this.#peerId;
    let side: SignalingSocket | null = null;
    try {
      if (!peerId) throw new Error('not joined');
      side = await sideSocket(lessonId, ICE_RESTART_WAIT_MS);
      const { iceParameters } = await request(side, 'transport:restart-ice', {
        lessonId,
        transportId: transport.id,
        peerId,
      });
      if (transport.closed || this.#lessonId !== lessonId) return;
      await transport.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
    } catch {
      if (!transport.closed && this.#lessonId === lessonId) void this.#rejoin();
    } finally {
      side?.close();
    }
  }

  /**
   * Sends the local stream's tracks not yet sent on this send transport. Runs one at a time: the
   * stream set while joining (the studio opens its camera as it joins) would otherwise be sent
   * twice, the second producer replacing the first on the server.
   */
  #produceLocal(): Promise<void> {
    const next = this.#producing.then(() => this.#produceOnce());
    this.#producing = next.catch(() => undefined);
    return next;
  }

  async #produceOnce(): Promise<void> {
    const transport = this.#send;
    const stream = this.#stream;
    if (!transport || !stream) return;
    const sent = (track: MediaStreamTrack | undefined, on: types.Producer | null): boolean =>
      !!track && !!on && !on.closed && on.track === track;
    const video = stream.getVideoTracks()[0];
    const audio = stream.getAudioTracks()[0];
    if (audio && !sent(audio, this.#mic) && this.#device?.canProduce('audio')) {
      this.#mic = await transport.produce({
        track: audio,
        codecOptions: MIC_CODEC_OPTIONS,
        appData: { source: 'mic' },
        stopTracks: false,
      });
    }
    if (video && !sent(video, this.#camera) && this.#device?.canProduce('video')) {
      this.#camera = await transport.produce({
        track: video,
        encodings:
          this.#role === 'teacher'
            ? [...TEACHER_CAMERA_LAYERS]
            : [this.#featured ? CLASSROOM_CAMERA.featured : CLASSROOM_CAMERA.grid],
        codecOptions: CAMERA_CODEC_OPTIONS,
        appData: { source: 'camera' },
        stopTracks: false,
      });
      if (this.#role === 'teacher')
        await preferDegradation(this.#camera.rtpSender, TEACHER_CAMERA_DEGRADATION);
    }
  }

  async #consume(producerId: string): Promise<void> {
    const lessonId = this.#lessonId;
    const transport = this.#recv;
    if (!lessonId || !transport) return;
    if (
      this.#consuming.has(producerId) ||
      [...this.#consumers.values()].some((c) => c.producerId === producerId)
    )
      return;
    const offered = this.#offered.get(producerId);
    if (offered && !this.#wanted(offered)) return;
    this.#consuming.add(producerId);
    try {
      const options = await request(this.#socket, 'consume', { lessonId, producerId });
      const consumer = await transport.consume({
        id: options.id,
        producerId: options.producerId,
        kind: options.kind,
        rtpParameters: options.rtpParameters as unknown as types.RtpParameters,
        appData: { peerId: options.peerId, source: options.source },
      });
      this.#consumers.set(consumer.id, consumer);
      consumer.on('trackended', () => this.#dropConsumer(consumer.id));
      // Paged out of view while it was being set up.
      if (offered && !this.#wanted(offered)) {
        this.#stopConsumer(consumer.id);
        return;
      }
      await request(this.#socket, 'consumer:resume', { lessonId, consumerId: consumer.id });
      this.emit('track', {
        consumerId: consumer.id,
        peerId: options.peerId,
        kind: options.kind,
        source: options.source,
        track: consumer.track,
      });
    } catch (error) {
      // A producer that closed meanwhile is not an error worth showing.
      if (!refusedWith(error, 'NOT_FOUND')) reportError(error);
    } finally {
      this.#consuming.delete(producerId);
    }
  }

  #wanted(producer: ProducerInfo): boolean {
    return producer.kind !== 'video' || this.#wantsVideo(producer);
  }

  /** Drops a consumer this participant no longer wants, and has the server stop sending it. */
  #stopConsumer(consumerId: string): void {
    const lessonId = this.#lessonId;
    this.#dropConsumer(consumerId);
    if (lessonId)
      void request(this.#socket, 'consumer:close', { lessonId, consumerId }).catch(() => undefined);
  }

  #dropConsumer(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    this.#consumers.delete(consumerId);
    consumer.close();
    this.emit('trackended', { consumerId, peerId: consumer.appData['peerId'] as string });
  }

  async #measure(): Promise<void> {
    const [recv, send] = await Promise.all([
      this.#recv?.getStats().catch(() => null) ?? null,
      this.#send?.getStats().catch(() => null) ?? null,
    ]);
    this.emit('stats', this.#meter.update(recv, send));
  }

  #teardown(): void {
    window.clearInterval(this.#statsTimer);
    for (const id of [...this.#consumers.keys()]) this.#dropConsumer(id);
    this.#send?.close();
    this.#recv?.close();
    this.#send = null;
    this.#recv = null;
    this.#camera = null;
    this.#mic = null;
    this.#peerId = null;
    this.#device = null;
    this.#offered.clear();
  }

  #setState(state: MediaState, detail?: string): void {
    this.#state = state;
    this.emit('state', state, detail);
  }
}

/** Sets what `sender`'s encoder gives up when it is short of CPU (kept as is where unsupported). */
async function preferDegradation(
  sender: RTCRtpSender | undefined,
  preference: RTCDegradationPreference,
): Promise<void> {
  if (!sender) return;
  const parameters = sender.getParameters();
  parameters.degradationPreference = preference;
  await sender.setParameters(parameters).catch(() => undefined);
}
