/**
 * The socket.io wire contract between the browser app and the signaling server.
 *
 * Types only: the client imports this file with `import type`; the server validates every
 * payload with the zod schemas in `schemas.ts`, which are checked against these types.
 */
import type { LessonState, LessonSummary, Role } from './api.ts';
import type { BoardAuthor, BoardChange, BoardOp, BoardSync, Interaction, LaserPoint } from './board.ts';
import type { WireError } from './errors.ts';
import type { WatchJoinResult, WatchMode } from './inspection.ts';
import type { RecordingStatus } from './library.ts';

/** mediasoup parameter objects travel as opaque JSON; each side types them with its own library. */
export type Json = Record<string, unknown>;

/** What a participant sends, as a producer's `source`. */
export type MediaSource = 'camera' | 'mic' | 'screen';

/** A participant of a live lesson as the others see it. */
export interface PeerInfo {
  peerId: string;
  role: 'teacher' | 'classroom';
  /** Classroom id for classrooms, user id for the teacher. */
  refId: string;
  displayName: string;
  /** What the peer's link can take for this lesson (its share of its school's downlink), kbit/s; absent: no limit. */
  downlinkKbps?: number;
}

/** A producer another participant can consume. */
export interface ProducerInfo {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
}

/** Link health of one participant as the server sees it; rates in bit/s, rtt in ms. */
export interface PeerHealth {
  peerId: string;
  refId: string;
  /** Worst of the peer's transports: new → connecting → connected; failed/closed when down. */
  connection: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
  /** Media the server receives from this peer (its uplink). */
  uplinkBitrate: number;
  /** Media the server sends to this peer (its downlink). */
  downlinkBitrate: number;
  /** Worst producer score (0–10) of this peer's uplink, null when it sends nothing. */
  uplinkScore: number | null;
  /** Round-trip time of the media sent to the peer, ms; null before any RTCP report. */
  rttMs: number | null;
  /** Packet loss the peer reports for the media sent to it, %; null before any RTCP report. */
  lossPct: number | null;
  /** What the SFU estimates it can send to this peer, bit/s (capped by its budget); null when it receives nothing. */
  availableBitrate: number | null;
  /**
   * The teacher camera's simulcast layer this peer receives (0 = lowest; current null while
   * its video is paused for want of bandwidth), or null when it does not receive it.
   */
  cameraLayer: { current: number | null; preferred: number; layers: number } | null;
}

export interface JoinResult {
  lesson: LessonSummary;
  peerId: string;
  routerRtpCapabilities: Json;
  peers: PeerInfo[];
  producers: ProducerInfo[];
  /** Raised hands, floor, spotlight and muted classrooms now. */
  interaction: Interaction;
}

export interface TransportOptions {
  id: string;
  iceParameters: Json;
  iceCandidates: Json[];
  dtlsParameters: Json;
  sctpParameters?: Json;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: Json;
}

/**
 * Every acknowledgement is either a result or a refusal: a named error with its stable `code`
 * (match the code, not the message) and, for an invalid payload, its problems as text.
 */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: WireError & { issues?: string[] } };

export type AckFn<T> = (response: Ack<T>) => void;

/** What the server answers event `E` with when it succeeds (the `data` of its `Ack`). */
export type AckData<E extends keyof ClientToServerEvents> =
  Parameters<Parameters<ClientToServerEvents[E]>[1]>[0] extends Ack<infer T> ? T : never;

export interface ClientToServerEvents {
  /** Joins the media session of a live lesson (the caller must be its teacher or one of its classrooms). */
  'lesson:join': (payload: { lessonId: string; rtpCapabilities: Json }, ack: AckFn<JoinResult>) => void;
  /** Leaves the media session; the lesson goes on. */
  'lesson:leave': (payload: { lessonId: string }, ack: AckFn<null>) => void;
  /** Teacher only: the lesson goes live. */
  'lesson:start': (payload: { lessonId: string }, ack: AckFn<LessonSummary>) => void;
  /** Teacher only: the lesson ends and every transport is closed. */
  'lesson:end': (payload: { lessonId: string }, ack: AckFn<LessonSummary>) => void;
  'transport:create': (
    payload: { lessonId: string; direction: 'send' | 'recv' },
    ack: AckFn<TransportOptions>,
  ) => void;
  'transport:connect': (
    payload: { lessonId: string; transportId: string; dtlsParameters: Json },
    ack: AckFn<null>,
  ) => void;
  /**
   * New ICE credentials for a transport whose connectivity was lost; its media stays as it was.
   * `peerId`: the page's peer (its main socket's id) when asked over a fresh socket of the same
   * account, which a cut link lets through sooner than the main socket's stalled connection.
   */
  'transport:restart-ice': (
    payload: { lessonId: string; transportId: string; peerId?: string },
    ack: AckFn<{ iceParameters: Json }>,
  ) => void;
  produce: (
    payload: {
      lessonId: string;
      transportId: string;
      kind: 'audio' | 'video';
      source: MediaSource;
      rtpParameters: Json;
    },
    ack: AckFn<{ producerId: string }>,
  ) => void;
  /** Creates a paused consumer of a producer the caller may receive. */
  consume: (payload: { lessonId: string; producerId: string }, ack: AckFn<ConsumerOptions>) => void;
  /** Resumes a consumer once the client has set it up. */
  'consumer:resume': (payload: { lessonId: string; consumerId: string }, ack: AckFn<null>) => void;
  /**
   * Stops a consumer the caller no longer shows (the teacher's grid pages through a broadcast's
   * classrooms and receives only the cameras in view); it may consume the producer again later.
   */
  'consumer:close': (payload: { lessonId: string; consumerId: string }, ack: AckFn<null>) => void;
  /**
   * Opens the lesson's board and subscribes to its changes: the changes after `since` when the
   * server still has them all, else the whole state. The teacher may open it before the lesson
   * goes live (to prepare courseware); classrooms while it is live.
   */
  'board:open': (payload: { lessonId: string; since: number | null }, ack: AckFn<BoardSync>) => void;
  /** Asks for a change; the answer is its sequence number once it is persisted and broadcast. */
  'board:change': (payload: { lessonId: string; change: BoardChange }, ack: AckFn<{ seq: number }>) => void;
  /** Moves (or hides, null) the sender's laser pointer; not kept. */
  'board:laser': (payload: { lessonId: string; point: LaserPoint }, ack: AckFn<null>) => void;
  /** Classroom: raises or lowers its hand. Teacher: lowers a classroom's hand (`classroomId`). */
  'hand:set': (
    payload: { lessonId: string; raised: boolean; classroomId?: string },
    ack: AckFn<Interaction>,
  ) => void;
  /** Teacher only: gives a classroom the floor (its audio and video go to every classroom), or takes it back. */
  'floor:set': (payload: { lessonId: string; classroomId: string | null }, ack: AckFn<Interaction>) => void;
  /** Teacher only: shows a classroom large in the grid, or none. */
  'spotlight:set': (
    payload: { lessonId: string; classroomId: string | null },
    ack: AckFn<Interaction>,
  ) => void;
  /** Teacher only: mutes or unmutes a classroom's microphone for everyone. */
  'mute:set': (
    payload: { lessonId: string; classroomId: string; muted: boolean },
    ack: AckFn<Interaction>,
  ) => void;
  /**
   * Hands the socket a fresh access token of the same account (after `session:expiring`);
   * the answer is when the socket's access now ends, ms since the epoch.
   */
  'session:renew': (payload: { token: string }, ack: AckFn<{ expiresAt: number }>) => void;
  /**
   * 巡课: watches a live lesson in the caller's scope (inspector, bureau, coordinator, admin)
   * receive-only, unlisted and uncounted; answers with its receive transport.
   */
  'watch:join': (
    payload: { lessonId: string; rtpCapabilities: Json; mode: WatchMode },
    ack: AckFn<WatchJoinResult>,
  ) => void;
  'watch:connect': (
    payload: { lessonId: string; transportId: string; dtlsParameters: Json },
    ack: AckFn<null>,
  ) => void;
  /** A paused consumer for the watcher (a wall tile: the teacher's camera only). */
  'watch:consume': (payload: { lessonId: string; producerId: string }, ack: AckFn<ConsumerOptions>) => void;
  'watch:resume': (payload: { lessonId: string; consumerId: string }, ack: AckFn<null>) => void;
  'watch:leave': (payload: { lessonId: string }, ack: AckFn<null>) => void;
  /** The watched lesson's board, read-only: as `board:open`, then its `board:ops` follow. */
  'watch:board': (payload: { lessonId: string; since: number | null }, ack: AckFn<BoardSync>) => void;
}

/** Why the server closed a socket's session. */
export type SessionEndReason =
  'logout' | 'disabled' | 'deleted' | 'password' | 'role' | 'scope' | 'device-revoked' | 'expired';

export interface ServerToClientEvents {
  /** A lesson the socket's account belongs to changed state (sent to its teacher and classrooms). */
  'lesson:state': (payload: { lessonId: string; state: LessonState; lesson: LessonSummary }) => void;
  /**
   * Lessons of the socket's classroom or teacher were planned, replaced or removed (a
   * timetable published): ask for the current lesson again (`GET /api/lessons/current`).
   */
  'lessons:changed': (payload: Record<string, never>) => void;
  'peer:joined': (payload: PeerInfo) => void;
  'peer:left': (payload: { peerId: string }) => void;
  'producer:new': (payload: ProducerInfo) => void;
  'producer:closed': (payload: { producerId: string }) => void;
  'consumer:closed': (payload: { consumerId: string }) => void;
  /** The media session was lost (for example its SFU worker died); rejoin to continue. */
  'lesson:media-reset': (payload: { lessonId: string; reason: string }) => void;
  /** Link health of every participant, every few seconds (by default 2), to everyone in the lesson. */
  'lesson:health': (payload: { lessonId: string; peers: PeerHealth[] }) => void;
  /** Sequenced board changes, in order, to everyone who opened the board. */
  'board:ops': (payload: { lessonId: string; ops: BoardOp[] }) => void;
  /** Someone's laser pointer moved. */
  'board:laser': (payload: { lessonId: string; by: BoardAuthor; point: LaserPoint }) => void;
  /** Hands, floor, spotlight or mutes changed. */
  'lesson:interaction': (payload: { lessonId: string; interaction: Interaction }) => void;
  /**
   * The lesson's recording changed (a recorder started or stopped, switched on or off, stopped
   * for the quota, a gap, composing, ready, failed): its status as `GET /api/lessons/:id/recording`
   * answers it, to everyone in the lesson. Read the route once after each join; then follow this.
   */
  'lesson:recording': (payload: RecordingStatus) => void;
  /** Someone watches the lesson (巡课中), or no one any more; sent only where the region shows it. */
  'lesson:inspection': (payload: { lessonId: string; watched: boolean }) => void;
  /** The socket's access token runs out soon: renew the session and send `session:renew`. */
  'session:expiring': (payload: { expiresAt: number }) => void;
  /** The session ended (logout elsewhere, account disabled, …); the server closes the socket next. */
  'session:ended': (payload: { reason: SessionEndReason }) => void;
}

/** Set on the socket after the JWT in the handshake is verified. */
export interface SocketData {
  userId: string;
  role: Role;
  displayName: string;
  classroomId?: string;
}
