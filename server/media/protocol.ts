import { z } from 'zod';
import type { types } from 'mediasoup';
import type {
  ConsumerParams,
  LessonRoomEvents,
  PeerHealth,
  PeerInfo,
  PipeParams,
  PipedProducer,
  PlainTransportParams,
  ProducerInfo,
  RoomStats,
  TransportParams,
} from '../../sfu/index.ts';

/**
 * The media-node RPC: what a server process (the lesson's owner) asks a media node to do with a
 * lesson's room, and the room's events the node sends back. It runs over one socket.io
 * connection per server process and node (`/media-rpc`), authenticated by a token signed with
 * MEDIA_NODE_SECRET. No mediasoup object crosses it: ids and plain parameters only. The node
 * checks every argument's shape here; mediasoup checks RTP and DTLS parameters itself.
 */

export const MEDIA_RPC_PATH = '/media-rpc';
/** Audience of the tokens a server process presents to a node. */
export const RPC_AUDIENCE = 'media-node-rpc';
/** Audience of the load reports a node signs. */
export const REPORT_AUDIENCE = 'media-node-report';

const id = z.string().min(1).max(200);
/** RTP capabilities, DTLS and RTP parameters: objects mediasoup itself validates. */
const mediasoupObject = z.looseObject({});
const remote = z.object({ ip: z.union([z.ipv4(), z.ipv6()]), port: z.number().int().min(1).max(65535) });

const peerInfo = z.object({
  peerId: id,
  role: z.enum(['teacher', 'classroom', 'observer']),
  refId: id,
  displayName: z.string().max(200),
  downlinkKbps: z.number().positive().optional(),
}) satisfies z.ZodType<PeerInfo>;

/** Each method's arguments, checked by the node before it touches the room. */
export const ROOM_CALLS = {
  addPeer: z.tuple([peerInfo, mediasoupObject]),
  removePeer: z.tuple([id]),
  setFloor: z.tuple([id.nullable()]),
  setMuted: z.tuple([id, z.boolean()]),
  createTransport: z.tuple([id, z.enum(['send', 'recv'])]),
  connectTransport: z.tuple([id, id, mediasoupObject]),
  restartIce: z.tuple([id, id]),
  createPlainTransport: z.tuple([
    id,
    z.enum(['send', 'recv']),
    // Left out, it crosses the wire as null (JSON has no undefined).
    z.object({ comedia: z.boolean().optional(), rtcpMux: z.boolean().optional() }).nullish(),
  ]),
  connectPlainTransport: z.tuple([
    id,
    id,
    remote.extend({ rtcpPort: z.number().int().min(1).max(65535).optional() }),
  ]),
  produce: z.tuple([
    id,
    id,
    z.enum(['audio', 'video']),
    z.enum(['camera', 'mic', 'screen']),
    mediasoupObject,
  ]),
  consume: z.tuple([id, id]),
  resumeConsumer: z.tuple([id, id]),
  closeConsumer: z.tuple([id, id]),
  producersFor: z.tuple([id]),
  health: z.tuple([]),
  tap: z.tuple([id, remote]),
  tapResume: z.tuple([id]),
  tapKeyFrame: z.tuple([id]),
  tapClose: z.tuple([id]),
  close: z.tuple([z.string().max(100)]),
  createPipe: z.tuple([]),
  connectPipe: z.tuple([id, remote]),
  pipeOut: z.tuple([id, id]),
  pipeIn: z.tuple([
    id,
    z.object({
      producerId: id,
      kind: z.enum(['audio', 'video']),
      source: z.enum(['camera', 'mic', 'screen']),
      rtpParameters: mediasoupObject,
      owner: peerInfo,
      paused: z.boolean(),
    }),
  ]),
  closePiped: z.tuple([id]),
} as const;

export type RoomCall = keyof typeof ROOM_CALLS;

/** A recorder's tap as the node describes it. */
export interface TapParams {
  tapId: string;
  consumer: { kind: types.MediaKind; producerId: string; rtpParameters: types.RtpParameters };
}

/** What each method answers. */
export interface RoomResults {
  addPeer: null;
  removePeer: null;
  setFloor: null;
  setMuted: null;
  createTransport: TransportParams;
  connectTransport: null;
  restartIce: types.IceParameters;
  createPlainTransport: PlainTransportParams;
  connectPlainTransport: null;
  produce: string;
  consume: ConsumerParams;
  resumeConsumer: null;
  closeConsumer: null;
  producersFor: ProducerInfo[];
  health: { peers: PeerHealth[]; stats: RoomStats };
  tap: TapParams;
  tapResume: null;
  tapKeyFrame: null;
  tapClose: null;
  close: null;
  createPipe: PipeParams;
  connectPipe: null;
  pipeOut: PipedProducer;
  pipeIn: string;
  closePiped: null;
}

export const OpenRequest = z.object({ lessonId: id });

/** A room as the node opened it. */
export interface OpenResult {
  rtpCapabilities: types.RtpCapabilities;
}

export const CallRequest = z.object({
  lessonId: id,
  method: z.enum(Object.keys(ROOM_CALLS) as [RoomCall, ...RoomCall[]]),
  args: z.array(z.unknown()).max(8),
});

/** The acknowledgement of every request: the value, or the error's name and message. */
export type RpcAck<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

/** A room's event, node → server. */
export interface RoomEventMessage {
  lessonId: string;
  event: keyof LessonRoomEvents & string;
  args: unknown[];
  /** A recorder tap that closed (its producer or its room went away). */
  tapId?: string;
}

/** Node → server events; server → node requests. */
export interface NodeToServerEvents {
  room: (message: RoomEventMessage) => void;
  tapclosed: (message: { lessonId: string; tapId: string }) => void;
}

export interface ServerToNodeEvents {
  open: (request: unknown, ack: (reply: RpcAck<OpenResult>) => void) => void;
  capabilities: (request: unknown, ack: (reply: RpcAck<types.RtpCapabilities>) => void) => void;
  call: (request: unknown, ack: (reply: RpcAck<unknown>) => void) => void;
}

const share = z.number().min(0).max(1);

/** What a node reports every few seconds (signed, in Redis), and what placement reads. */
export const NodeReport = z.object({
  nodeId: id,
  /** Where server processes reach its RPC (http://host:port). */
  url: z.url({ protocol: /^https?$/ }),
  region: z.string().max(100).nullable(),
  workers: z
    .array(
      z.object({
        pid: z.number().int().positive(),
        /** Share of one core the worker used over the last interval. */
        cpu: share,
        routers: z.number().int().min(0),
        transports: z.number().int().min(0),
      }),
    )
    .min(1)
    .max(512),
  rooms: z.number().int().min(0),
  peers: z.number().int().min(0),
  consumers: z.number().int().min(0),
  /** What its transports send, bit/s. */
  egressBps: z.number().min(0),
  /** What its transports receive, bit/s. */
  ingressBps: z.number().min(0),
});
export type NodeReport = z.infer<typeof NodeReport>;
