import type { types } from 'mediasoup';
import { InvalidStateError, TypedEmitter } from '../../sfu/index.ts';
import type {
  ConsumerParams,
  LessonRoomEvents,
  MediaRoom,
  MediaSource,
  PeerHealth,
  PeerInfo,
  PipeParams,
  PipedProducer,
  PlainTransportOptions,
  PlainTransportParams,
  ProducerInfo,
  RecordingTap,
  RoomStats,
  TransportParams,
} from '../../sfu/index.ts';
import type { NodeLink } from './NodeLink.ts';
import type { RoomCall, RoomEventMessage, RoomResults } from './protocol.ts';

type Participant = Extract<MediaRoom['peers'][number], PeerInfo>;

/**
 * A lesson's room on a media node, driven over its `NodeLink`. What the control plane reads at
 * once (participants, producers, floor, mutes) is mirrored from the node's events, which arrive
 * before the answer of the call that caused them; the rest is asked for. When the link drops
 * the room closes with 'node-died' (participants rejoin, and the lesson is placed again).
 */
export class RemoteRoom extends TypedEmitter<LessonRoomEvents> implements MediaRoom {
  readonly lessonId: string;
  readonly nodeId: string;
  readonly rtpCapabilities: types.RtpCapabilities;
  readonly #link: NodeLink;
  readonly #peers = new Map<string, Participant>();
  /** Observers (not announced by the node): known from addPeer/removePeer. */
  readonly #observers = new Set<string>();
  readonly #producers = new Map<string, ProducerInfo>();
  readonly #muted = new Set<string>();
  readonly #taps = new Map<string, { closed: boolean }>();
  #floor: string | null = null;
  #stats: RoomStats;
  #closed = false;
  readonly #onRoom: (message: RoomEventMessage) => void;
  readonly #onTapClosed: (message: { lessonId: string; tapId: string }) => void;
  readonly #onDown: () => void;

  private constructor(link: NodeLink, lessonId: string, rtpCapabilities: types.RtpCapabilities) {
    super();
    this.lessonId = lessonId;
    this.nodeId = link.nodeId;
    this.rtpCapabilities = rtpCapabilities;
    this.#link = link;
    this.#stats = { lessonId, peers: 0, transports: 0, producers: 0, consumers: 0 };
    this.#onRoom = (message) => {
      if (message.lessonId === lessonId) this.#apply(message);
    };
    this.#onTapClosed = ({ lessonId: id, tapId }) => {
      const tap = id === lessonId ? this.#taps.get(tapId) : undefined;
      if (tap) tap.closed = true;
    };
    this.#onDown = () => this.#close('node-died');
    link.on('room', this.#onRoom);
    link.on('tapclosed', this.#onTapClosed);
    link.on('down', this.#onDown);
  }

  /** Opens the lesson's room on the node behind `link`. */
  static async open(link: NodeLink, lessonId: string): Promise<RemoteRoom> {
    const { rtpCapabilities } = await link.open(lessonId);
    return new RemoteRoom(link, lessonId, rtpCapabilities);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get peers(): Participant[] {
    return [...this.#peers.values()];
  }

  get floor(): string | null {
    return this.#floor;
  }

  get muted(): string[] {
    return [...this.#muted];
  }

  hasPeer(peerId: string): boolean {
    return this.#peers.has(peerId) || this.#observers.has(peerId);
  }

  async addPeer(info: PeerInfo, rtpCapabilities: types.RtpCapabilities): Promise<void> {
    await this.#call('addPeer', [info, rtpCapabilities]);
    if (info.role === 'observer') this.#observers.add(info.peerId);
  }

  removePeer(peerId: string): void {
    this.#observers.delete(peerId);
    this.#forget(peerId);
    this.#fireAndForget('removePeer', [peerId]);
  }

  setFloor(refId: string | null): void {
    this.#assertOpen();
    this.#fireAndForget('setFloor', [refId]);
  }

  async setMuted(refId: string, muted: boolean): Promise<void> {
    if (muted) this.#muted.add(refId);
    else this.#muted.delete(refId);
    await this.#call('setMuted', [refId, muted]);
  }

  createTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportParams> {
    return this.#call('createTransport', [peerId, direction]);
  }

  async connectTransport(
    peerId: string,
    transportId: string,
    dtlsParameters: types.DtlsParameters,
  ): Promise<void> {
    await this.#call('connectTransport', [peerId, transportId, dtlsParameters]);
  }

  restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    return this.#call('restartIce', [peerId, transportId]);
  }

  createPlainTransport(
    peerId: string,
    direction: 'send' | 'recv',
    options?: PlainTransportOptions,
  ): Promise<PlainTransportParams> {
    return this.#call('createPlainTransport', [peerId, direction, options]);
  }

  async connectPlainTransport(
    peerId: string,
    transportId: string,
    remote: { ip: string; port: number; rtcpPort?: number },
  ): Promise<void> {
    await this.#call('connectPlainTransport', [peerId, transportId, remote]);
  }

  produce(
    peerId: string,
    transportId: string,
    kind: types.MediaKind,
    source: MediaSource,
    rtpParameters: types.RtpParameters,
  ): Promise<string> {
    return this.#call('produce', [peerId, transportId, kind, source, rtpParameters]);
  }

  consume(peerId: string, producerId: string): Promise<ConsumerParams> {
    return this.#call('consume', [peerId, producerId]);
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#call('resumeConsumer', [peerId, consumerId]);
  }

  async closeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#call('closeConsumer', [peerId, consumerId]);
  }

  producersFor(peerId: string): Promise<ProducerInfo[]> {
    return this.#call('producersFor', [peerId]);
  }

  allProducers(): ProducerInfo[] {
    return [...this.#producers.values()];
  }

  async tap(producerId: string, remote: { ip: string; port: number }): Promise<RecordingTap> {
    const { tapId, consumer } = await this.#call('tap', [producerId, remote]);
    const state = { closed: false };
    this.#taps.set(tapId, state);
    const call = (method: 'tapResume' | 'tapKeyFrame'): Promise<void> =>
      state.closed ? Promise.resolve() : this.#call(method, [tapId]).then(() => undefined);
    return {
      consumer,
      resume: () => call('tapResume'),
      requestKeyFrame: () => call('tapKeyFrame'),
      close: () => {
        if (state.closed) return;
        state.closed = true;
        this.#taps.delete(tapId);
        if (!this.#closed) this.#fireAndForget('tapClose', [tapId]);
      },
      get closed() {
        return state.closed;
      },
    };
  }

  async health(): Promise<PeerHealth[]> {
    const { peers, stats } = await this.#call('health', []);
    this.#stats = stats;
    return peers;
  }

  /** Participants and producers as mirrored; transports and consumers as of the last health(). */
  stats(): RoomStats {
    return {
      ...this.#stats,
      peers: this.#peers.size + this.#observers.size,
      producers: this.#producers.size,
    };
  }

  createPipe(): Promise<PipeParams> {
    return this.#call('createPipe', []);
  }

  async connectPipe(pipeId: string, remote: { ip: string; port: number }): Promise<void> {
    await this.#call('connectPipe', [pipeId, remote]);
  }

  pipeOut(pipeId: string, producerId: string): Promise<PipedProducer> {
    return this.#call('pipeOut', [pipeId, producerId]);
  }

  pipeIn(pipeId: string, piped: PipedProducer): Promise<string> {
    return this.#call('pipeIn', [pipeId, piped]);
  }

  closePiped(producerId: string): void {
    if (!this.#closed) this.#fireAndForget('closePiped', [producerId]);
  }

  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#fireAndForget('close', [reason]);
    this.#close(reason);
  }

  /** Applies a node's room event to the mirror, then passes it on. */
  #apply(message: RoomEventMessage): void {
    if (this.#closed) return;
    const { event, args } = message;
    switch (event) {
      case 'peerjoined': {
        const [peer] = args as LessonRoomEvents['peerjoined'];
        this.#peers.set(peer.peerId, peer);
        this.safeEmit('peerjoined', peer);
        return;
      }
      case 'peerleft': {
        const [peer] = args as LessonRoomEvents['peerleft'];
        // Already forgotten when this process removed it.
        if (this.#peers.delete(peer.peerId)) this.safeEmit('peerleft', peer);
        return;
      }
      case 'newproducer': {
        const [producer, audience] = args as LessonRoomEvents['newproducer'];
        this.#producers.set(producer.producerId, producer);
        this.safeEmit('newproducer', producer, audience);
        return;
      }
      case 'producerclosed': {
        const [producer] = args as LessonRoomEvents['producerclosed'];
        if (this.#producers.delete(producer.producerId)) this.safeEmit('producerclosed', producer);
        return;
      }
      case 'consumerclosed':
        this.safeEmit('consumerclosed', ...(args as LessonRoomEvents['consumerclosed']));
        return;
      case 'floorchanged': {
        const [refId] = args as LessonRoomEvents['floorchanged'];
        this.#floor = refId;
        this.safeEmit('floorchanged', refId);
        return;
      }
      case 'close':
        this.#close(typeof args[0] === 'string' ? args[0] : 'closed');
        return;
    }
  }

  /** Forgets a peer this process removed, saying so at once (the node's word follows). */
  #forget(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    for (const producer of [...this.#producers.values()]) {
      if (producer.peerId !== peerId) continue;
      this.#producers.delete(producer.producerId);
      this.safeEmit('producerclosed', producer);
    }
    this.safeEmit('peerleft', peer);
  }

  #call<M extends RoomCall>(method: M, args: unknown[]): Promise<RoomResults[M]> {
    if (this.#closed) return Promise.reject(new InvalidStateError(`lesson ${this.lessonId} media is closed`));
    return this.#link.call(this.lessonId, method, args);
  }

  /** A call whose answer nobody waits for; a failure is the link's (it reports itself). */
  #fireAndForget(method: RoomCall, args: unknown[]): void {
    this.#link.call(this.lessonId, method, args).catch(() => undefined);
  }

  #close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#link.off('room', this.#onRoom);
    this.#link.off('tapclosed', this.#onTapClosed);
    this.#link.off('down', this.#onDown);
    for (const tap of this.#taps.values()) tap.closed = true;
    this.#taps.clear();
    this.safeEmit('close', reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError(`lesson ${this.lessonId} media is closed`);
  }
}
