import type { types } from 'mediasoup';
import type {
  ConsumerParams,
  LessonRoomEvents,
  LessonRoomOptions,
  PeerHealth,
  RoomStats,
  TransportParams,
} from './LessonRoom.ts';
import type { MediaSource, ParticipantInfo, PeerInfo, ProducerInfo } from './Peer.ts';
import type { RecordingTap } from './recording/tap.ts';

/** A value now (a room of this process) or later (a room on a media node, over RPC). */
export type Awaitable<T> = T | Promise<T>;

/**
 * What the control plane does with one lesson's media, wherever its router is: a `LessonRoom`
 * in this process, or a remote room on a media node (`server/media`). Participants, producers
 * and the floor are known at once (a remote room mirrors them from the node's events); what
 * only the router knows is asked for.
 */
export interface MediaRoom {
  readonly lessonId: string;
  readonly closed: boolean;
  readonly rtpCapabilities: types.RtpCapabilities;
  /** The lesson's participants (observers aside). */
  readonly peers: ParticipantInfo[];
  /** The classroom (refId) with the floor, or null. */
  readonly floor: string | null;
  /** Classrooms (refIds) whose microphone is paused on the server. */
  readonly muted: string[];
  hasPeer(peerId: string): boolean;
  addPeer(info: PeerInfo, rtpCapabilities: types.RtpCapabilities): Awaitable<unknown>;
  /** Unknown ids are ignored; a remote room removes the peer from its mirror at once. */
  removePeer(peerId: string): void;
  setFloor(refId: string | null): void;
  setMuted(refId: string, muted: boolean): Promise<void>;
  createTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportParams>;
  connectTransport(peerId: string, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void>;
  /**
   * New ICE credentials for a WebRTC transport whose connectivity was lost (a school link cut
   * for longer than the browser waits): the page restarts ICE with them and keeps its
   * producers and consumers.
   */
  restartIce(peerId: string, transportId: string): Promise<types.IceParameters>;
  /** A plain RTP transport (devices and tests that send RTP without WebRTC). */
  createPlainTransport(
    peerId: string,
    direction: 'send' | 'recv',
    options?: PlainTransportOptions,
  ): Promise<PlainTransportParams>;
  /** Tells a plain transport where to send (not needed with comedia). */
  connectPlainTransport(
    peerId: string,
    transportId: string,
    remote: { ip: string; port: number; rtcpPort?: number },
  ): Promise<void>;
  produce(
    peerId: string,
    transportId: string,
    kind: types.MediaKind,
    source: MediaSource,
    rtpParameters: types.RtpParameters,
  ): Promise<string>;
  consume(peerId: string, producerId: string): Promise<ConsumerParams>;
  resumeConsumer(peerId: string, consumerId: string): Promise<void>;
  /** The viewer no longer wants a consumer (a classroom paged out of the teacher's grid): it stops. */
  closeConsumer(peerId: string, consumerId: string): Promise<void>;
  producersFor(peerId: string): Awaitable<ProducerInfo[]>;
  /** Every producer in the room now. */
  allProducers(): ProducerInfo[];
  /** A recorder's copy of a producer, sent as RTP to `remote`. */
  tap(producerId: string, remote: { ip: string; port: number }): Promise<RecordingTap>;
  health(): Promise<PeerHealth[]>;
  stats(): RoomStats;
  close(reason?: string): void;
  /** A pipe to another room of the same lesson (a broadcast over several routers). */
  createPipe(): Promise<PipeParams>;
  connectPipe(pipeId: string, remote: { ip: string; port: number }): Promise<void>;
  /** Sends a producer down a pipe; the far room takes it in with `pipeIn`. */
  pipeOut(pipeId: string, producerId: string): Promise<PipedProducer>;
  /** Takes in a producer sent down a pipe; answers its copy's id here. */
  pipeIn(pipeId: string, piped: PipedProducer): Promise<string>;
  /** Closes the copy of a producer piped in (by the original's id), after the original closed. */
  closePiped(producerId: string): void;
  on<K extends keyof LessonRoomEvents & string>(
    event: K,
    listener: (...args: LessonRoomEvents[K]) => void,
  ): unknown;
  off<K extends keyof LessonRoomEvents & string>(
    event: K,
    listener: (...args: LessonRoomEvents[K]) => void,
  ): unknown;
}

export interface PlainTransportOptions {
  comedia?: boolean;
  rtcpMux?: boolean;
}

export interface PlainTransportParams {
  id: string;
  ip: string;
  port: number;
  rtcpPort: number | undefined;
}

/** One end of a pipe between two rooms of a lesson. */
export interface PipeParams {
  pipeId: string;
  ip: string;
  port: number;
}

/** A producer sent down a pipe: what the far room needs to produce it, and whose it is. */
export interface PipedProducer {
  producerId: string;
  kind: types.MediaKind;
  source: MediaSource;
  rtpParameters: types.RtpParameters;
  owner: PeerInfo;
  paused: boolean;
}

/** Where lessons' rooms are opened: this process's workers, or media nodes. */
export interface RoomPlacement {
  /** Opens a new room for the lesson. */
  open(lessonId: string): Promise<MediaRoom>;
  /** The RTP capabilities every lesson router has (one codec list for all). */
  capabilities(): Promise<types.RtpCapabilities>;
  /**
   * Whether its rooms hold a waiting room before the lesson goes live (`LessonRoom`'s
   * `waiting`): rooms on this process's workers do, rooms on media nodes do not yet.
   */
  readonly waits: boolean;
}

/** The media workers lessons run on, as the admin's view and /health show them. */
export interface MediaWorkers {
  readonly pids: number[];
  stats(): { pid: number; routers: number; transports: number }[];
}

/** Options of the rooms a placement opens (all but the lesson). */
export type RoomDefaults = Omit<LessonRoomOptions, 'lessonId'>;
