import type { types } from 'mediasoup';
import { ForbiddenError, InvalidStateError, NotFoundError, ArgumentError } from './errors.ts';
import { LINK_POLICIES, initialLayerCap, layerForBudget, nextLayerCap } from './downlink.ts';
import type { LayerCap, LinkPolicy, LinkPolicyName } from './downlink.ts';
import { LESSON_MEDIA_CODECS } from './media.ts';
import type {
  MediaRoom,
  PipeParams,
  PipedProducer,
  PlainTransportOptions,
  PlainTransportParams,
} from './MediaRoom.ts';
import { Peer, isParticipant } from './Peer.ts';
import type {
  MediaSource,
  ParticipantInfo,
  PeerInfo,
  PeerRole,
  ProducerAppData,
  ProducerInfo,
} from './Peer.ts';
import { TypedEmitter } from './TypedEmitter.ts';
import type { WorkerPool } from './WorkerPool.ts';
import { createTap } from './recording/tap.ts';
import type { RecordingTap } from './recording/tap.ts';

/** Where WebRTC transports listen. */
export interface RtcListenOptions {
  /** IP to bind. @default '127.0.0.1' */
  ip?: string;
  /** Address announced in ICE candidates (public IP or hostname behind NAT). @default none */
  announcedAddress?: string;
  /** UDP/TCP port range for transports. @default { min: 40000, max: 49999 } */
  portRange?: { min: number; max: number };
}

export interface LessonRoomOptions {
  lessonId: string;
  listen?: RtcListenOptions;
  /** Starting estimate of each receiver's downlink, bit/s. @default 1_000_000 */
  initialOutgoingBitrate?: number;
  /** Cap on what one classroom may send up, bit/s. @default 1_500_000 */
  classroomMaxIncomingBitrate?: number;
  /**
   * Least time between two key frame requests forwarded to a video sender, ms (mediasoup's
   * `keyFrameRequestDelay`): requests from every receiver in between are coalesced into one,
   * so one lossy classroom cannot make the teacher's encoder burst key frames for all.
   * @default 1000
   */
  keyFrameRequestDelayMs?: number;
  /**
   * How each classroom's teacher camera layer follows its link (sfu/downlink.ts): `previous`
   * is the policy before December 2026, kept for bench:links' same-run baseline.
   * @default 'previous'
   */
  linkPolicy?: LinkPolicyName;
}

export interface TransportParams {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

export interface ConsumerParams {
  id: string;
  producerId: string;
  peerId: string;
  kind: types.MediaKind;
  source: MediaSource;
  rtpParameters: types.RtpParameters;
  /** The simulcast layer chosen for the viewer's budget (null: not simulcast). */
  spatialLayer: number | null;
}

/**
 * Priorities when a viewer's link is short (mediasoup shares the estimated bandwidth between
 * video consumers by them): courseware before the teacher's camera before other cameras.
 * Audio consumers take no part in that sharing (mediasoup always forwards them), so audio
 * goes on whatever the estimate; its priority is set for clarity only.
 */
const PRIORITY = { audio: 255, screen: 200, teacherCamera: 100, camera: 50 } as const;

export type ConnectionHealth = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export interface PeerHealth {
  peerId: string;
  refId: string;
  connection: ConnectionHealth;
  /** What the server receives from the peer (its uplink), bit/s. */
  uplinkBitrate: number;
  /** What the server sends to the peer (its downlink), bit/s. */
  downlinkBitrate: number;
  uplinkScore: number | null;
  /** Round-trip time of the media sent to the peer, ms (worst stream); null before any RTCP. */
  rttMs: number | null;
  /** Packet loss the peer reports for the media sent to it, % (worst stream); null before any RTCP. */
  lossPct: number | null;
  /**
   * What mediasoup estimates it can send to the peer now, bit/s (transport-cc bandwidth
   * estimate, capped by the peer's budget); null when the peer receives nothing.
   */
  availableBitrate: number | null;
  /** The teacher camera's simulcast layer the peer receives, when it receives it. */
  cameraLayer: CameraLayer | null;
}

/** Which of the teacher camera's simulcast layers a receiver gets. */
export interface CameraLayer {
  /** Spatial layer being forwarded now (0 = lowest); null while video is paused for want of bandwidth. */
  current: number | null;
  /** Highest layer the receiver's budget allows. */
  preferred: number;
  /** Number of layers the teacher sends. */
  layers: number;
}

/** A receive transport whose simulcast consumers' layers follow its bandwidth estimate. */
interface Downlink {
  /** Its estimate before the first measurement, kbit/s (the initial bitrate, within the budget). */
  initialKbps: number;
  /** Its simulcast consumers by id, each with the layer cap the estimate moves. */
  adapting: Map<
    string,
    { consumer: types.Consumer; encodings: { maxBitrate?: number }[]; ceiling: number; cap: LayerCap }
  >;
}

export interface RoomStats {
  lessonId: string;
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
}

export interface LessonRoomEvents extends Record<string, unknown[]> {
  /** A participant joined or left (observers come and go unannounced). */
  peerjoined: [ParticipantInfo];
  peerleft: [ParticipantInfo];
  /** A producer appeared; `audience` lists the peers allowed to consume it. */
  newproducer: [ProducerInfo, string[]];
  producerclosed: [ProducerInfo];
  /** A consumer of `peerId` was closed because its producer went away. */
  consumerclosed: [{ peerId: string; consumerId: string }];
  /** The floor moved to a classroom (refId), or back to the teacher (null). */
  floorchanged: [string | null];
  /**
   * The room closed, and why: 'ended' (the lesson ended), 'moved' (another server process
   * hosts the lesson now), 'worker-died' (its mediasoup worker died), 'closed' (shut down, the
   * default); for a room on a media node also 'node-died' (the node or the link to it was
   * lost) and, on the node, 'controller-gone' (the server process that opened it went away).
   */
  close: [string];
}

const CONNECTION_ORDER: ConnectionHealth[] = [
  'connected',
  'new',
  'connecting',
  'disconnected',
  'failed',
  'closed',
];

/**
 * The media side of one live lesson: a mediasoup router and its participants. The teacher
 * is seen and heard by every classroom; the teacher sees and hears every classroom;
 * classrooms do not receive each other (their links are thin), except the classroom the
 * teacher gives the floor to: every classroom receives that one while it has the floor.
 */
export class LessonRoom extends TypedEmitter<LessonRoomEvents> implements MediaRoom {
  readonly lessonId: string;
  readonly #router: types.Router;
  readonly #options: Required<Omit<LessonRoomOptions, 'listen'>> & {
    listen: Required<Omit<RtcListenOptions, 'announcedAddress'>> & RtcListenOptions;
  };
  readonly #peers = new Map<string, Peer>();
  /** Classroom (refId) with the floor. */
  #floor: string | null = null;
  /** Classrooms (refIds) whose microphone the teacher muted. */
  readonly #muted = new Set<string>();
  /** Receive WebRTC transports by id, with the simulcast consumers that follow their estimate. */
  readonly #downlinks = new Map<string, Downlink>();
  /** How the receivers' teacher camera layers follow their links. */
  readonly #policy: Readonly<LinkPolicy>;
  /**
   * Peers of another room of the same lesson whose producers were piped in (a broadcast spread
   * over several routers): they hold those producers here, and are not participants of this room.
   */
  readonly #standIns = new Set<string>();
  /** Pipe transports to the lesson's other rooms, and what was sent down each (producer ids). */
  readonly #pipes = new Map<string, { transport: types.PipeTransport; out: Map<string, PipedProducer> }>();
  /**
   * Participants waiting for the lesson to go live (pre-live waiting room): they set up their
   * transports, produce and consume, but are not announced or listed, and what they consume
   * stays paused until `admit()`.
   */
  readonly #waiting = new Set<string>();
  /** Consumers of waiting participants that asked to be resumed: resumed together at `admit()`. */
  readonly #resumeAtAdmit = new Set<types.Consumer>();
  #closed = false;

  private constructor(router: types.Router, options: LessonRoomOptions) {
    super();
    this.lessonId = options.lessonId;
    this.#router = router;
    this.#options = {
      lessonId: options.lessonId,
      initialOutgoingBitrate: options.initialOutgoingBitrate ?? 1_000_000,
      classroomMaxIncomingBitrate: options.classroomMaxIncomingBitrate ?? 1_500_000,
      keyFrameRequestDelayMs: options.keyFrameRequestDelayMs ?? 1000,
      linkPolicy: options.linkPolicy ?? 'previous',
      listen: {
        ip: options.listen?.ip ?? '127.0.0.1',
        portRange: options.listen?.portRange ?? { min: 40000, max: 49999 },
        ...(options.listen?.announcedAddress ? { announcedAddress: options.listen.announcedAddress } : {}),
      },
    };
    this.#policy = LINK_POLICIES[this.#options.linkPolicy];
    router.on('workerclose', () => this.#close('worker-died'));
  }

  /** Creates a room with a router on the least loaded worker of `pool`. */
  static async create(pool: WorkerPool, options: LessonRoomOptions): Promise<LessonRoom> {
    const router = await pool.createRouter({
      mediaCodecs: LESSON_MEDIA_CODECS,
      appData: { lessonId: options.lessonId },
    });
    return new LessonRoom(router, options);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  /** The lesson's participants (observers watch unlisted, and those waiting for it to go live). */
  get peers(): ParticipantInfo[] {
    return [...this.#peers.values()]
      .filter((p) => !this.#standIns.has(p.id) && !this.#waiting.has(p.id))
      .map((p) => p.info)
      .filter(isParticipant);
  }

  /**
   * Adds a participant. A participant with the same role and refId already present (a
   * reloaded kiosk, a second tab) is replaced: its media is closed first. An observer replaces
   * no one (one account watches a lesson on its wall and opened at once) and is not announced.
   * With `waiting`, the participant waits for the lesson to go live (see `admit()`).
   */
  addPeer(info: PeerInfo, rtpCapabilities: types.RtpCapabilities, { waiting = false } = {}): Peer {
    this.#assertOpen();
    for (const existing of this.#peers.values()) {
      if (isParticipant(info) && existing.info.role === info.role && existing.info.refId === info.refId)
        this.removePeer(existing.id);
    }
    if (this.#peers.has(info.peerId)) throw new InvalidStateError(`peer ${info.peerId} already joined`);
    const peer = new Peer(info, rtpCapabilities);
    this.#peers.set(peer.id, peer);
    if (waiting && isParticipant(peer.info)) this.#waiting.add(peer.id);
    else if (isParticipant(peer.info)) this.safeEmit('peerjoined', peer.info);
    return peer;
  }

  /** Whether participants wait in the room for the lesson to go live. */
  get waiting(): boolean {
    return this.#waiting.size > 0;
  }

  /**
   * The lesson went live: every waiting participant joins (announced now, so that attendance
   * counts from here), and the consumers they asked to resume start together, each with a
   * key frame request: the teacher's encoder answers them all with one key frame.
   */
  async admit(): Promise<void> {
    this.#assertOpen();
    const admitted = [...this.#waiting].map((id) => this.#peers.get(id)).filter((p) => p !== undefined);
    this.#waiting.clear();
    const consumers = [...this.#resumeAtAdmit];
    this.#resumeAtAdmit.clear();
    for (const peer of admitted) if (isParticipant(peer.info)) this.safeEmit('peerjoined', peer.info);
    await Promise.all(
      consumers
        .filter((c) => !c.closed)
        .map(async (c) => {
          await c.resume();
          if (c.kind === 'video') await c.requestKeyFrame();
        }),
    );
  }

  hasPeer(peerId: string): boolean {
    return this.#peers.has(peerId);
  }

  /** Removes a participant and closes its transports; unknown ids are ignored. */
  removePeer(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    const waited = this.#waiting.delete(peerId);
    const produced = [...peer.producers.values()];
    peer.close();
    for (const producer of produced) this.safeEmit('producerclosed', this.#producerInfo(producer));
    if (isParticipant(peer.info) && !waited) this.safeEmit('peerleft', peer.info);
  }

  /**
   * Whether a participant with role `viewer` may receive media of one with role `sender` (floor
   * aside). An observer receives what the teacher receives; nobody receives an observer.
   */
  static canReceive(viewer: PeerRole, sender: PeerRole): boolean {
    if (sender === 'observer') return false;
    if (viewer === 'observer') return true;
    return viewer !== sender || viewer === 'teacher';
  }

  /** Whether `viewer` receives `sender`'s media now: by role, or because `sender` has the floor. */
  #receives(viewer: Peer, sender: Peer): boolean {
    if (viewer.id === sender.id) return false;
    return (
      LessonRoom.canReceive(viewer.info.role, sender.info.role) ||
      (sender.info.role === 'classroom' && sender.info.refId === this.#floor)
    );
  }

  /** The classroom (refId) with the floor, or null. */
  get floor(): string | null {
    return this.#floor;
  }

  /**
   * Gives a classroom the floor (every classroom then receives its audio and video), or
   * takes it back (null). Classrooms that received the previous holder stop receiving it.
   */
  setFloor(refId: string | null): void {
    this.#assertOpen();
    if (refId === this.#floor) return;
    const previous = this.#floor;
    this.#floor = refId;
    for (const owner of this.#peers.values()) {
      if (owner.info.role !== 'classroom') continue;
      if (owner.info.refId === previous) {
        // Close what classrooms consumed of the previous holder.
        const produced = new Set(owner.producers.keys());
        for (const viewer of this.#peers.values()) {
          if (this.#receives(viewer, owner)) continue;
          for (const consumer of [...viewer.consumers.values()]) {
            if (!produced.has(consumer.producerId)) continue;
            consumer.close();
            viewer.consumers.delete(consumer.id);
            this.safeEmit('consumerclosed', { peerId: viewer.id, consumerId: consumer.id });
          }
        }
      }
      if (owner.info.refId === refId) {
        const audience = [...this.#peers.values()]
          .filter((p) => p.info.role === 'classroom' && p.id !== owner.id)
          .map((p) => p.id);
        for (const producer of owner.producers.values())
          if (audience.length) this.safeEmit('newproducer', this.#producerInfo(producer), audience);
      }
    }
    this.safeEmit('floorchanged', refId);
  }

  /** Classrooms (refIds) whose microphone is paused on the server. */
  get muted(): string[] {
    return [...this.#muted];
  }

  /** Mutes or unmutes a classroom's microphone for everyone (the producer is paused on the server). */
  async setMuted(refId: string, muted: boolean): Promise<void> {
    this.#assertOpen();
    if (muted) this.#muted.add(refId);
    else this.#muted.delete(refId);
    for (const peer of this.#peers.values()) {
      if (peer.info.role !== 'classroom' || peer.info.refId !== refId) continue;
      const mic = peer.producerBySource('mic');
      if (mic) await (muted ? mic.pause() : mic.resume());
    }
  }

  async createTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportParams> {
    const peer = this.#peer(peerId);
    for (const t of peer.transports.values()) {
      // One WebRTC transport per direction; plain RTP transports (ingest, recording) are separate.
      if (t.type === 'webrtc' && t.appData['direction'] === direction) {
        throw new InvalidStateError(`peer already has a ${direction} transport`);
      }
    }
    const { ip, announcedAddress, portRange } = this.#options.listen;
    // A receiver's budget caps mediasoup's estimate of what it may send: layers are chosen
    // within it, and probing (padding towards the teacher's top layer) never exceeds the
    // school's share of its link.
    const budget =
      direction === 'recv' && peer.info.downlinkKbps !== undefined
        ? peer.info.downlinkKbps * 1000
        : undefined;
    const initialBitrate = Math.min(this.#options.initialOutgoingBitrate, budget ?? Infinity);
    const listenInfos: types.TransportListenInfo[] = (['udp', 'tcp'] as const).map((protocol) => ({
      protocol,
      ip,
      ...(announcedAddress ? { announcedAddress } : {}),
      portRange,
    }));
    const transport = await this.#router.createWebRtcTransport({
      listenInfos,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: initialBitrate,
      appData: { peerId, direction },
    });
    this.#adopt(peer, transport);
    if (budget !== undefined) await transport.setMaxOutgoingBitrate(budget);
    if (direction === 'recv') {
      const downlink: Downlink = { initialKbps: initialBitrate / 1000, adapting: new Map() };
      this.#downlinks.set(transport.id, downlink);
      transport.observer.on('close', () => this.#downlinks.delete(transport.id));
      transport.on('trace', (trace) => {
        const info = trace.info as { availableBitrate?: number };
        if (trace.type === 'bwe' && info.availableBitrate !== undefined)
          this.#followEstimate(downlink, info.availableBitrate);
      });
      await transport.enableTraceEvent(['bwe']);
    }
    if (direction === 'send' && peer.info.role === 'classroom') {
      await transport.setMaxIncomingBitrate(this.#options.classroomMaxIncomingBitrate);
    }
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /**
   * Creates a plain RTP transport for a peer: RTP ingest from a hardware encoder of a
   * recording classroom (direction `send`), or recording and load tools (direction `recv`).
   * With `comedia`, the transport learns the remote address from the first packet.
   */
  async createPlainTransport(
    peerId: string,
    direction: 'send' | 'recv',
    { comedia = false, rtcpMux = true }: PlainTransportOptions = {},
  ): Promise<PlainTransportParams> {
    const peer = this.#peer(peerId);
    const { ip, announcedAddress, portRange } = this.#options.listen;
    const transport = await this.#router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip, portRange, ...(announcedAddress ? { announcedAddress } : {}) },
      rtcpMux,
      comedia,
      appData: { peerId, direction },
    });
    this.#adopt(peer, transport);
    return {
      id: transport.id,
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort,
    };
  }

  /** Hands a new transport to its peer, or closes it if the peer or room closed meanwhile. */
  #adopt(peer: Peer, transport: types.Transport): void {
    if (peer.closed || this.#closed) {
      transport.close();
      throw new InvalidStateError(`peer ${peer.id} left while its transport was created`);
    }
    peer.transports.set(transport.id, transport);
    transport.observer.on('close', () => peer.transports.delete(transport.id));
  }

  /** Tells a plain transport where to send (not needed with comedia). */
  async connectPlainTransport(
    peerId: string,
    transportId: string,
    remote: { ip: string; port: number; rtcpPort?: number },
  ): Promise<void> {
    const transport = this.#peer(peerId).transport(transportId);
    if (transport.type !== 'plain')
      throw new ArgumentError(`transport ${transportId} is not a plain transport`);
    await (transport as types.PlainTransport).connect(remote);
  }

  async connectTransport(
    peerId: string,
    transportId: string,
    dtlsParameters: types.DtlsParameters,
  ): Promise<void> {
    await this.#webRtcTransport(peerId, transportId).connect({ dtlsParameters });
  }

  restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    return Promise.resolve().then(() => this.#webRtcTransport(peerId, transportId).restartIce());
  }

  #webRtcTransport(peerId: string, transportId: string): types.WebRtcTransport {
    const transport = this.#peer(peerId).transport(transportId);
    if (transport.type !== 'webrtc')
      throw new ArgumentError(`transport ${transportId} is not a WebRTC transport`);
    return transport as types.WebRtcTransport;
  }

  /**
   * Starts receiving a peer's track. A second producer of the same source replaces the
   * first (a camera switched on the kiosk).
   */
  async produce(
    peerId: string,
    transportId: string,
    kind: types.MediaKind,
    source: MediaSource,
    rtpParameters: types.RtpParameters,
  ): Promise<string> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(transportId);
    if (transport.appData['direction'] !== 'send') throw new ArgumentError('produce needs a send transport');
    if ((source === 'mic') !== (kind === 'audio'))
      throw new ArgumentError(`source ${source} cannot carry ${kind}`);
    if (source === 'screen' && peer.info.role !== 'teacher')
      throw new ForbiddenError('only the teacher shares a screen');
    const previous = peer.producerBySource(source);
    const producer = await transport.produce<ProducerAppData>({
      kind,
      rtpParameters,
      // Every receiver's PLI/FIR reaches the sender at most once per delay (per layer).
      ...(kind === 'video' ? { keyFrameRequestDelay: this.#options.keyFrameRequestDelayMs } : {}),
      appData: { peerId, source },
    });
    if (previous) {
      previous.close();
      peer.producers.delete(previous.id);
      this.safeEmit('producerclosed', this.#producerInfo(previous));
    }
    peer.producers.set(producer.id, producer);
    producer.observer.on('close', () => peer.producers.delete(producer.id));
    producer.on('transportclose', () => peer.producers.delete(producer.id));
    if (source === 'mic' && peer.info.role === 'classroom' && this.#muted.has(peer.info.refId))
      await producer.pause();
    const audience = [...this.#peers.values()].filter((p) => this.#receives(p, peer)).map((p) => p.id);
    this.safeEmit('newproducer', this.#producerInfo(producer), audience);
    return producer.id;
  }

  /** The producers `peerId` may consume now. */
  producersFor(peerId: string): ProducerInfo[] {
    const viewer = this.#peer(peerId);
    const result: ProducerInfo[] = [];
    for (const peer of this.#peers.values()) {
      if (!this.#receives(viewer, peer)) continue;
      for (const producer of peer.producers.values()) result.push(this.#producerInfo(producer));
    }
    return result;
  }

  /** Every producer in the room now (for a recorder that starts after them). */
  allProducers(): ProducerInfo[] {
    return [...this.#peers.values()].flatMap((p) =>
      [...p.producers.values()].map((x) => this.#producerInfo(x)),
    );
  }

  /**
   * A recorder's copy of a producer (`sfu/recording/tap.ts`): a paused consumer of its top
   * layer on a plain transport of its own sending to `remote`; it ends with the producer or the room.
   */
  async tap(producerId: string, remote: { ip: string; port: number }): Promise<RecordingTap> {
    this.#assertOpen();
    const producer = [...this.#peers.values()].map((p) => p.producers.get(producerId)).find(Boolean);
    if (!producer) throw new NotFoundError(`producer ${producerId} not found`);
    const tap = await createTap(this.#router, producer, remote);
    if (this.#closed) tap.close();
    return tap;
  }

  /** Creates a paused consumer; the client resumes it when its track is ready. */
  async consume(peerId: string, producerId: string): Promise<ConsumerParams> {
    const viewer = this.#peer(peerId);
    const owner = [...this.#peers.values()].find((p) => p.producers.has(producerId));
    const producer = owner?.producers.get(producerId);
    if (!owner || !producer) throw new NotFoundError(`producer ${producerId} not found`);
    if (owner.id === peerId) throw new ArgumentError('a peer does not consume its own producer');
    if (!this.#receives(viewer, owner)) {
      throw new ForbiddenError(
        `a ${viewer.info.role} does not receive media of a ${owner.info.role} without the floor`,
      );
    }
    const transport = viewer.recvTransport();
    if (!transport) throw new InvalidStateError('create a recv transport before consuming');
    if (!this.#router.canConsume({ producerId, rtpCapabilities: viewer.rtpCapabilities })) {
      throw new ArgumentError('the client cannot decode this producer (rtpCapabilities)');
    }
    const source = producer.appData.source;
    const encodings = producer.rtpParameters.encodings ?? [];
    const consumer = await transport.consume({
      producerId,
      rtpCapabilities: viewer.rtpCapabilities,
      paused: true,
      appData: {
        peerId,
        teacherCamera: owner.info.role === 'teacher' && source === 'camera',
        layers: encodings.length,
      },
    });
    viewer.consumers.set(consumer.id, consumer);
    await consumer.setPriority(
      consumer.kind === 'audio'
        ? PRIORITY.audio
        : source === 'screen'
          ? PRIORITY.screen
          : owner.info.role === 'teacher'
            ? PRIORITY.teacherCamera
            : PRIORITY.camera,
    );
    let spatialLayer: number | null = null;
    if (consumer.type === 'simulcast') {
      // The budget's layer is the ceiling; below it mediasoup moves between layers by its
      // bandwidth estimate of the viewer's link (and back up once the estimate recovers).
      const ceiling = layerForBudget(encodings, viewer.info.downlinkKbps);
      spatialLayer = ceiling;
      // Only WebRTC transports estimate bandwidth (plain ones, for recording, keep the budget's layer).
      const downlink = this.#downlinks.get(transport.id);
      if (downlink) {
        // Until the first estimate, what the initial estimate carries.
        const layer = Math.min(
          ceiling,
          layerForBudget(encodings, downlink.initialKbps * this.#policy.upShare),
        );
        const cap = initialLayerCap(layer, this.#policy);
        spatialLayer = cap.layer;
        downlink.adapting.set(consumer.id, { consumer, encodings, ceiling, cap });
        consumer.observer.on('close', () => downlink.adapting.delete(consumer.id));
      }
      await consumer.setPreferredLayers({ spatialLayer });
    }
    consumer.observer.on('close', () => viewer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      viewer.consumers.delete(consumer.id);
      this.safeEmit('consumerclosed', { peerId, consumerId: consumer.id });
    });
    return {
      id: consumer.id,
      producerId,
      peerId: owner.id,
      kind: consumer.kind,
      source,
      rtpParameters: consumer.rtpParameters,
      spatialLayer,
    };
  }

  /** A new estimate of what a receive transport carries (bit/s): its simulcast consumers' caps follow. */
  #followEstimate(downlink: Downlink, availableBitrate: number): void {
    const now = Date.now();
    for (const entry of downlink.adapting.values()) {
      const { consumer } = entry;
      if (consumer.closed) continue;
      const next = nextLayerCap(
        entry.encodings,
        entry.ceiling,
        entry.cap,
        availableBitrate / 1000,
        now,
        this.#policy,
      );
      const changed = next.layer !== entry.cap.layer;
      entry.cap = next;
      if (changed) consumer.setPreferredLayers({ spatialLayer: next.layer }).catch(() => undefined);
    }
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.#peer(peerId).consumers.get(consumerId);
    if (!consumer) throw new NotFoundError(`consumer ${consumerId} not found`);
    if (this.#waiting.has(peerId)) {
      // Before the lesson is live nothing is sent: it starts at admit().
      this.#resumeAtAdmit.add(consumer);
      consumer.observer.once('close', () => this.#resumeAtAdmit.delete(consumer));
      return;
    }
    await consumer.resume();
  }

  closeConsumer(peerId: string, consumerId: string): Promise<void> {
    return Promise.resolve().then(() => {
      const consumer = this.#peer(peerId).consumers.get(consumerId);
      if (!consumer) throw new NotFoundError(`consumer ${consumerId} not found`);
      consumer.close();
    });
  }

  /** Connection state and bitrates of every participant (observers aside), from mediasoup's transport stats. */
  async health(): Promise<PeerHealth[]> {
    const peers = [...this.#peers.values()].filter(
      (p) => isParticipant(p.info) && !this.#standIns.has(p.id) && !this.#waiting.has(p.id),
    );
    return Promise.all(
      peers.map(async (peer) => {
        const transports = [...peer.transports.values()];
        let sendBitrate = 0;
        let recvBitrate = 0;
        let availableBitrate: number | null = null;
        let connection: ConnectionHealth = transports.length === 0 ? 'new' : 'connected';
        for (const t of transports) {
          const stats = (await t.getStats().catch(() => []))[0] as
            { recvBitrate: number; sendBitrate: number; availableOutgoingBitrate?: number } | undefined;
          if (stats) {
            sendBitrate += stats.recvBitrate;
            recvBitrate += stats.sendBitrate;
            // The receive transport's estimate, while it carries something.
            if (this.#downlinks.has(t.id) && peer.consumers.size > 0)
              availableBitrate = stats.availableOutgoingBitrate ?? null;
          }
          const state = transportHealth(t);
          if (CONNECTION_ORDER.indexOf(state) > CONNECTION_ORDER.indexOf(connection)) connection = state;
        }
        const scores = [...peer.producers.values()].flatMap((p) => p.score.map((s) => s.score));
        let rttMs: number | null = null;
        let lossPct: number | null = null;
        let cameraLayer: CameraLayer | null = null;
        for (const consumer of peer.consumers.values()) {
          if (consumer.type === 'simulcast' && consumer.appData['teacherCamera']) {
            cameraLayer = {
              current: consumer.currentLayers?.spatialLayer ?? null,
              preferred: consumer.preferredLayers?.spatialLayer ?? 0,
              layers: consumer.appData['layers'] as number,
            };
          }
          for (const stat of await consumer.getStats().catch(() => [])) {
            if (stat.type !== 'outbound-rtp') continue;
            if (stat.roundTripTime !== undefined) rttMs = Math.max(rttMs ?? 0, stat.roundTripTime);
            // fractionLost is RTCP's 8-bit fraction (0–255 of 256).
            lossPct = Math.max(lossPct ?? 0, (stat.fractionLost / 256) * 100);
          }
        }
        return {
          peerId: peer.id,
          refId: peer.info.refId,
          connection,
          uplinkBitrate: Math.round(sendBitrate),
          downlinkBitrate: Math.round(recvBitrate),
          uplinkScore: scores.length ? Math.min(...scores) : null,
          rttMs: rttMs === null ? null : Math.round(rttMs),
          lossPct: lossPct === null ? null : Math.round(lossPct * 10) / 10,
          availableBitrate,
          cameraLayer,
        };
      }),
    );
  }

  /**
   * A pipe to another room of the same lesson, on another worker or media node: one UDP flow of
   * plain RTP between the two routers, created on both sides and connected to each other.
   */
  async createPipe(): Promise<PipeParams> {
    this.#assertOpen();
    const { ip, announcedAddress, portRange } = this.#options.listen;
    const transport = await this.#router.createPipeTransport({
      listenInfo: { protocol: 'udp', ip, portRange, ...(announcedAddress ? { announcedAddress } : {}) },
    });
    if (this.#closed) {
      transport.close();
      throw new InvalidStateError(`lesson ${this.lessonId} media is closed`);
    }
    this.#pipes.set(transport.id, { transport, out: new Map() });
    transport.observer.on('close', () => this.#pipes.delete(transport.id));
    return {
      pipeId: transport.id,
      ip: announcedAddress ?? transport.tuple.localAddress,
      port: transport.tuple.localPort,
    };
  }

  async connectPipe(pipeId: string, remote: { ip: string; port: number }): Promise<void> {
    await this.#pipe(pipeId).transport.connect(remote);
  }

  /** Sends one of the room's producers (its own or piped in) down a pipe; what the far room needs to take it in. */
  async pipeOut(pipeId: string, producerId: string): Promise<PipedProducer> {
    const pipe = this.#pipe(pipeId);
    const sent = pipe.out.get(producerId);
    if (sent) return sent;
    const owner = [...this.#peers.values()].find((p) => p.producers.has(producerId));
    const producer = owner?.producers.get(producerId);
    if (!owner || !producer || !isParticipant(owner.info))
      throw new NotFoundError(`producer ${producerId} not found`);
    const consumer = await pipe.transport.consume({ producerId });
    const piped: PipedProducer = {
      producerId,
      kind: consumer.kind,
      source: producer.appData.source,
      rtpParameters: consumer.rtpParameters,
      owner: owner.info,
      paused: producer.paused,
    };
    pipe.out.set(producerId, piped);
    consumer.observer.on('close', () => pipe.out.delete(producerId));
    return piped;
  }

  /**
   * Takes in a producer sent down a pipe by another room of the lesson, as a producer of a
   * stand-in for its owner; the peers here that receive the owner are told of it. The copy has
   * an id of its own (two rooms of a lesson may share a worker, where ids are unique), returned;
   * its `pipedFrom` is the original's.
   */
  async pipeIn(pipeId: string, piped: PipedProducer): Promise<string> {
    const pipe = this.#pipe(pipeId);
    const existing = this.#copyOf(piped.producerId);
    if (existing) return existing;
    let standIn = this.#peers.get(piped.owner.peerId);
    if (!standIn) {
      standIn = new Peer(piped.owner, this.#router.rtpCapabilities);
      this.#peers.set(standIn.id, standIn);
      this.#standIns.add(standIn.id);
    } else if (!this.#standIns.has(standIn.id)) {
      throw new InvalidStateError(`peer ${standIn.id} is a participant of this room, not piped in`);
    }
    const producer = await pipe.transport.produce<ProducerAppData>({
      kind: piped.kind,
      rtpParameters: piped.rtpParameters,
      paused: piped.paused,
      appData: { peerId: standIn.id, source: piped.source, pipedFrom: piped.producerId },
    });
    standIn.producers.set(producer.id, producer);
    producer.observer.on('close', () => this.#dropPiped(standIn, producer.id));
    const audience = [...this.#peers.values()]
      .filter((p) => !this.#standIns.has(p.id) && this.#receives(p, standIn))
      .map((p) => p.id);
    this.safeEmit('newproducer', this.#producerInfo(producer), audience);
    return producer.id;
  }

  /** Closes the copy of a producer piped in (the original closed): the consumers of it here close. */
  closePiped(producerId: string): void {
    const copyId = this.#copyOf(producerId);
    const owner = copyId ? this.#producerOwner(copyId) : undefined;
    if (copyId && owner && this.#standIns.has(owner.id)) owner.producers.get(copyId)?.close();
  }

  /** The id of this room's copy of a producer piped in, if any. */
  #copyOf(originalId: string): string | undefined {
    for (const id of this.#standIns)
      for (const producer of this.#peers.get(id)?.producers.values() ?? [])
        if (producer.appData.pipedFrom === originalId) return producer.id;
    return undefined;
  }

  #dropPiped(standIn: Peer, producerId: string): void {
    standIn.producers.delete(producerId);
    if (standIn.producers.size || this.#peers.get(standIn.id) !== standIn) return;
    this.#peers.delete(standIn.id);
    this.#standIns.delete(standIn.id);
  }

  #producerOwner(producerId: string): Peer | undefined {
    return [...this.#peers.values()].find((p) => p.producers.has(producerId));
  }

  #pipe(pipeId: string): { transport: types.PipeTransport; out: Map<string, PipedProducer> } {
    this.#assertOpen();
    const pipe = this.#pipes.get(pipeId);
    if (!pipe) throw new NotFoundError(`pipe ${pipeId} not found`);
    return pipe;
  }

  /** What the room's transports send and receive now, bit/s (mediasoup's transport stats). */
  async traffic(): Promise<{ sendBps: number; recvBps: number }> {
    let sendBps = 0;
    let recvBps = 0;
    for (const peer of this.#peers.values())
      for (const transport of peer.transports.values()) {
        const [stats] = (await transport.getStats().catch(() => [])) as {
          sendBitrate: number;
          recvBitrate: number;
        }[];
        sendBps += stats?.sendBitrate ?? 0;
        recvBps += stats?.recvBitrate ?? 0;
      }
    return { sendBps, recvBps };
  }

  stats(): RoomStats {
    let transports = 0;
    let producers = 0;
    let consumers = 0;
    for (const p of this.#peers.values()) {
      transports += p.transports.size;
      producers += p.producers.size;
      consumers += p.consumers.size;
    }
    return { lessonId: this.lessonId, peers: this.#peers.size, transports, producers, consumers };
  }

  /** Ends the lesson's media: every peer's transports and the router are closed. */
  close(reason = 'closed'): void {
    this.#close(reason);
  }

  #close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.#standIns.clear();
    this.#waiting.clear();
    this.#resumeAtAdmit.clear();
    this.#router.close();
    this.safeEmit('close', reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError(`lesson ${this.lessonId} media is closed`);
  }

  #peer(peerId: string): Peer {
    this.#assertOpen();
    const peer = this.#peers.get(peerId);
    if (!peer) throw new NotFoundError(`peer ${peerId} is not in lesson ${this.lessonId}`);
    return peer;
  }

  #producerInfo(producer: types.Producer<ProducerAppData>): ProducerInfo {
    const { pipedFrom } = producer.appData;
    return {
      producerId: producer.id,
      peerId: producer.appData.peerId,
      kind: producer.kind,
      source: producer.appData.source,
      ...(pipedFrom ? { pipedFrom } : {}),
    };
  }
}

function transportHealth(transport: types.Transport): ConnectionHealth {
  if (transport.type !== 'webrtc') return transport.closed ? 'closed' : 'connected';
  const t = transport as types.WebRtcTransport;
  if (t.closed || t.dtlsState === 'closed') return 'closed';
  if (t.dtlsState === 'failed' || t.iceState === 'closed') return 'failed';
  if (t.iceState === 'disconnected') return 'disconnected';
  if (t.dtlsState === 'connected' && (t.iceState === 'connected' || t.iceState === 'completed'))
    return 'connected';
  if (t.iceState === 'new' && t.dtlsState === 'new') return 'new';
  return 'connecting';
}
