import type { types } from 'mediasoup';
import { InvalidStateError, NotFoundError } from './errors.ts';
import type {
  ConsumerParams,
  LessonRoomEvents,
  PeerHealth,
  RoomStats,
  TransportParams,
} from './LessonRoom.ts';
import type {
  MediaRoom,
  PipeParams,
  PipedProducer,
  PlainTransportOptions,
  PlainTransportParams,
} from './MediaRoom.ts';
import type { MediaSource, PeerInfo, ProducerInfo } from './Peer.ts';
import type { RecordingTap } from './recording/tap.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export interface BroadcastRoomOptions {
  lessonId: string;
  /** The room the teacher is in: every producer of the lesson reaches it. */
  origin: MediaRoom;
  /** Opens one more room for the lesson (on another worker or media node). */
  openEdge: (index: number) => Promise<MediaRoom>;
  /** Classrooms per room before the next one opens. */
  classroomsPerRoom: number;
}

/** An edge room and the pipe between it and the origin (one end in each). */
interface Edge {
  room: MediaRoom;
  /** The pipe's end in the origin, and in the edge. */
  atOrigin: string;
  atEdge: string;
}

/**
 * A lesson for more classrooms than one router should carry (名师课堂: one teacher, up to
 * hundreds of classrooms), spread over several rooms of the same lesson — on other workers or
 * media nodes — joined to the teacher's room (the origin) by pipes, in a star:
 * - the teacher's producers are piped from the origin to every edge room;
 * - every classroom's producers are piped to the origin (the teacher receives them);
 * - the classroom with the floor is piped on from the origin to the other edges.
 * Each participant lives in one room (its "home"); calls about it go there. Events of a room
 * about someone whose home it is not (a stand-in for a piped producer) are not passed on,
 * except a new piped producer, which that room's classrooms are to receive.
 */
export class BroadcastRoom extends TypedEmitter<LessonRoomEvents> implements MediaRoom {
  readonly lessonId: string;
  readonly #o: BroadcastRoomOptions;
  readonly #edges: Edge[] = [];
  #opening: Promise<Edge> | undefined;
  /** Each participant's room, by peer id. */
  readonly #home = new Map<string, MediaRoom>();
  /** The classrooms (refIds) seated in each room. */
  readonly #seats = new Map<MediaRoom, Set<string>>();
  /** Producers by id, with the room they were produced in. */
  readonly #produced = new Map<string, { info: ProducerInfo; room: MediaRoom }>();
  /**
   * Producers piped so far: original id → the rooms that have a copy, with the copy's id there
   * (a promise: a room announces the copy before the pipe's answer comes back, and a
   * participant may ask for it in between). Participants only ever see original ids.
   */
  readonly #copies = new Map<string, Map<MediaRoom, Promise<string>>>();
  #closed = false;

  constructor(options: BroadcastRoomOptions) {
    super();
    this.lessonId = options.lessonId;
    this.#o = options;
    this.#wire(options.origin);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#o.origin.rtpCapabilities;
  }

  /** The rooms the lesson is spread over, the origin first. */
  get rooms(): MediaRoom[] {
    return [this.#o.origin, ...this.#edges.map((e) => e.room)];
  }

  get peers(): MediaRoom['peers'] {
    return this.rooms.flatMap((r) => r.peers);
  }

  get floor(): string | null {
    return this.#o.origin.floor;
  }

  get muted(): string[] {
    return this.#o.origin.muted;
  }

  hasPeer(peerId: string): boolean {
    return this.#home.get(peerId)?.hasPeer(peerId) ?? false;
  }

  async addPeer(info: PeerInfo, rtpCapabilities: types.RtpCapabilities): Promise<void> {
    this.#assertOpen();
    const room = info.role === 'classroom' ? await this.#roomForClassroom(info.refId) : this.#o.origin;
    this.#home.set(info.peerId, room);
    await room.addPeer(info, rtpCapabilities);
  }

  removePeer(peerId: string): void {
    const room = this.#home.get(peerId);
    this.#home.delete(peerId);
    room?.removePeer(peerId);
  }

  setFloor(refId: string | null): void {
    this.#assertOpen();
    // The holder's producers reach every edge first, so that each room can announce them.
    void this.#pipeFloor(refId)
      .catch((error: unknown) => this.onListenerError('floor', error))
      .then(() => {
        for (const room of this.rooms) if (!room.closed) room.setFloor(refId);
      });
  }

  async setMuted(refId: string, muted: boolean): Promise<void> {
    await Promise.all(this.rooms.map((r) => r.setMuted(refId, muted)));
  }

  createTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportParams> {
    return this.#of(peerId).createTransport(peerId, direction);
  }

  connectTransport(peerId: string, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    return this.#of(peerId).connectTransport(peerId, transportId, dtlsParameters);
  }

  restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    return this.#of(peerId).restartIce(peerId, transportId);
  }

  createPlainTransport(
    peerId: string,
    direction: 'send' | 'recv',
    options?: PlainTransportOptions,
  ): Promise<PlainTransportParams> {
    return this.#of(peerId).createPlainTransport(peerId, direction, options);
  }

  connectPlainTransport(
    peerId: string,
    transportId: string,
    remote: { ip: string; port: number; rtcpPort?: number },
  ): Promise<void> {
    return this.#of(peerId).connectPlainTransport(peerId, transportId, remote);
  }

  produce(
    peerId: string,
    transportId: string,
    kind: types.MediaKind,
    source: MediaSource,
    rtpParameters: types.RtpParameters,
  ): Promise<string> {
    return this.#of(peerId).produce(peerId, transportId, kind, source, rtpParameters);
  }

  async consume(peerId: string, producerId: string): Promise<ConsumerParams> {
    const room = this.#of(peerId);
    const params = await room.consume(peerId, await this.#idIn(room, producerId));
    return { ...params, producerId };
  }

  resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    return this.#of(peerId).resumeConsumer(peerId, consumerId);
  }

  closeConsumer(peerId: string, consumerId: string): Promise<void> {
    return this.#of(peerId).closeConsumer(peerId, consumerId);
  }

  async producersFor(peerId: string): Promise<ProducerInfo[]> {
    return (await this.#of(peerId).producersFor(peerId)).map(original);
  }

  /** The origin has every producer of the lesson (its own and those piped to it). */
  allProducers(): ProducerInfo[] {
    return this.#o.origin.allProducers().map(original);
  }

  async tap(producerId: string, remote: { ip: string; port: number }): Promise<RecordingTap> {
    return this.#o.origin.tap(await this.#idIn(this.#o.origin, producerId), remote);
  }

  async health(): Promise<PeerHealth[]> {
    return (await Promise.all(this.rooms.map((r) => r.health()))).flat();
  }

  stats(): RoomStats {
    const all = this.rooms.map((r) => r.stats());
    const sum = (key: 'peers' | 'transports' | 'producers' | 'consumers'): number =>
      all.reduce((n, s) => n + s[key], 0);
    return {
      lessonId: this.lessonId,
      peers: sum('peers'),
      transports: sum('transports'),
      producers: sum('producers'),
      consumers: sum('consumers'),
    };
  }

  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of this.rooms) room.close(reason);
    this.safeEmit('close', reason);
  }

  createPipe(): Promise<PipeParams> {
    return Promise.reject(new InvalidStateError('a broadcast is not piped into another room'));
  }

  connectPipe(): Promise<void> {
    return Promise.reject(new InvalidStateError('a broadcast is not piped into another room'));
  }

  pipeOut(): Promise<PipedProducer> {
    return Promise.reject(new InvalidStateError('a broadcast is not piped into another room'));
  }

  pipeIn(): Promise<string> {
    return Promise.reject(new InvalidStateError('a broadcast is not piped into another room'));
  }

  closePiped(): void {}

  /**
   * The room a classroom joins: its room before (a rejoin), else the first with space. Seats are
   * taken at once, before the room hears of the peer: classrooms joining together spread out.
   */
  async #roomForClassroom(refId: string): Promise<MediaRoom> {
    for (const [room, seated] of this.#seats) if (seated.has(refId) && !room.closed) return room;
    const free = this.rooms.find(
      (r) => !r.closed && (this.#seats.get(r)?.size ?? 0) < this.#o.classroomsPerRoom,
    );
    const room = free ?? (await this.#nextEdge());
    const seated = this.#seats.get(room) ?? new Set<string>();
    this.#seats.set(room, seated);
    if (seated.size >= this.#o.classroomsPerRoom && !seated.has(refId)) return this.#roomForClassroom(refId);
    seated.add(refId);
    return room;
  }

  /** The edge being opened, or a new one. */
  async #nextEdge(): Promise<MediaRoom> {
    this.#opening ??= this.#openEdge().finally(() => (this.#opening = undefined));
    return (await this.#opening).room;
  }

  /** Opens an edge room, pipes it to the origin, and sends it the teacher's and the floor's producers. */
  async #openEdge(): Promise<Edge> {
    const room = await this.#o.openEdge(this.#edges.length + 1);
    try {
      const [atOrigin, atEdge] = await Promise.all([this.#o.origin.createPipe(), room.createPipe()]);
      await Promise.all([
        this.#o.origin.connectPipe(atOrigin.pipeId, atEdge),
        room.connectPipe(atEdge.pipeId, atOrigin),
      ]);
      const edge: Edge = { room, atOrigin: atOrigin.pipeId, atEdge: atEdge.pipeId };
      if (this.#closed) throw new InvalidStateError(`lesson ${this.lessonId} media is closed`);
      this.#edges.push(edge);
      this.#wire(room);
      const floor = this.floor;
      if (floor) room.setFloor(floor);
      for (const muted of this.muted) await room.setMuted(muted, true);
      for (const { info, room: from } of [...this.#produced.values()])
        if (from === this.#o.origin && this.#isTeacher(info)) await this.#pipe(info.producerId, edge, 'out');
      await this.#pipeFloor(floor);
      return edge;
    } catch (error) {
      room.close('closed');
      throw error;
    }
  }

  /** Sends a producer across an edge's pipe: 'out' from the origin to the edge, 'in' back. */
  async #pipe(producerId: string, edge: Edge, direction: 'out' | 'in'): Promise<void> {
    const [from, to, fromPipe, toPipe] =
      direction === 'out'
        ? [this.#o.origin, edge.room, edge.atOrigin, edge.atEdge]
        : [edge.room, this.#o.origin, edge.atEdge, edge.atOrigin];
    const copies = this.#copies.get(producerId) ?? new Map<MediaRoom, Promise<string>>();
    this.#copies.set(producerId, copies);
    const existing = copies.get(to);
    if (existing || this.#produced.get(producerId)?.room === to) {
      await existing;
      return;
    }
    const copy = (async () => {
      const piped = await from.pipeOut(fromPipe, await this.#idIn(from, producerId));
      // Its copies are labelled with the original's id, wherever they were piped from.
      return to.pipeIn(toPipe, { ...piped, producerId });
    })();
    copies.set(to, copy);
    try {
      await copy;
    } catch (error) {
      if (copies.get(to) === copy) copies.delete(to);
      throw error;
    }
  }

  /** A producer's id in `room`: the original's in its own room, else the copy's there (once piped). */
  async #idIn(room: MediaRoom, producerId: string): Promise<string> {
    return (
      (await this.#copies
        .get(producerId)
        ?.get(room)
        ?.catch(() => producerId)) ?? producerId
    );
  }

  /** The floor holder's producers (at the origin already) sent on to every edge but its own. */
  async #pipeFloor(refId: string | null): Promise<void> {
    if (!refId) return;
    for (const { info, room } of [...this.#produced.values()]) {
      const owner = room.peers.find((p) => p.peerId === info.peerId);
      if (owner?.role !== 'classroom' || owner.refId !== refId) continue;
      for (const edge of this.#edges) if (edge.room !== room) await this.#pipe(info.producerId, edge, 'out');
    }
  }

  #isTeacher(info: ProducerInfo): boolean {
    return this.#o.origin.peers.some((p) => p.peerId === info.peerId && p.role === 'teacher');
  }

  #wire(room: MediaRoom): void {
    const isHome = (peerId: string): boolean => this.#home.get(peerId) === room;
    room.on('peerjoined', (peer) => {
      if (isHome(peer.peerId)) this.safeEmit('peerjoined', peer);
    });
    room.on('peerleft', (peer) => {
      if (!isHome(peer.peerId) && this.#home.has(peer.peerId)) return;
      this.#home.delete(peer.peerId);
      // Its seat is kept while another peer of the same classroom (a reload) sits in the room.
      if (peer.role === 'classroom' && !room.peers.some((p) => p.refId === peer.refId))
        this.#seats.get(room)?.delete(peer.refId);
      this.safeEmit('peerleft', peer);
    });
    room.on('newproducer', (info, audience) => {
      if (!isHome(info.peerId)) {
        // A copy piped in: that room's receivers are told, of the original.
        if (audience.length) this.safeEmit('newproducer', original(info), audience);
        return;
      }
      const known = this.#produced.has(info.producerId);
      this.#produced.set(info.producerId, { info, room });
      this.safeEmit('newproducer', info, audience);
      if (!known)
        void this.#spread(info, room).catch((error: unknown) => this.onListenerError('newproducer', error));
    });
    room.on('producerclosed', (info) => {
      const produced = this.#produced.get(info.producerId);
      if (produced?.room !== room) return;
      this.#produced.delete(info.producerId);
      for (const copy of this.#copies.get(info.producerId)?.keys() ?? []) copy.closePiped(info.producerId);
      this.#copies.delete(info.producerId);
      this.safeEmit('producerclosed', info);
    });
    room.on('consumerclosed', (closed) => this.safeEmit('consumerclosed', closed));
    room.on('floorchanged', (refId) => {
      if (room === this.#o.origin) this.safeEmit('floorchanged', refId);
    });
    room.on('close', (reason) => {
      // One room lost (its worker or node died): the lesson's media is rebuilt whole.
      if (!this.#closed) this.close(reason);
    });
  }

  /** Where a new producer goes: the teacher's to every edge; a classroom's to the origin (and on, if it has the floor). */
  async #spread(info: ProducerInfo, room: MediaRoom): Promise<void> {
    if (room === this.#o.origin) {
      if (this.#isTeacher(info))
        for (const edge of this.#edges) await this.#pipe(info.producerId, edge, 'out');
      return;
    }
    const edge = this.#edges.find((e) => e.room === room);
    if (!edge) return;
    await this.#pipe(info.producerId, edge, 'in');
    const owner = room.peers.find((p) => p.peerId === info.peerId);
    if (owner && owner.refId === this.floor) await this.#pipeFloor(owner.refId);
  }

  #of(peerId: string): MediaRoom {
    this.#assertOpen();
    const room = this.#home.get(peerId);
    if (!room) throw new NotFoundError(`peer ${peerId} is not in lesson ${this.lessonId}`);
    return room;
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError(`lesson ${this.lessonId} media is closed`);
  }
}

/** A producer as participants know it: a copy piped in goes by its original's id. */
function original(info: ProducerInfo): ProducerInfo {
  const { pipedFrom, ...rest } = info;
  return pipedFrom ? { ...rest, producerId: pipedFrom } : rest;
}
