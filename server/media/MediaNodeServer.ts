import crypto from 'node:crypto';
import type http from 'node:http';
import jwt from 'jsonwebtoken';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io';
import type { types } from 'mediasoup';
import type { z } from 'zod';
import { NotFoundError } from '../../sfu/index.ts';
import type { LessonRoom, LessonRoomEvents, LocalPlacement, RecordingTap } from '../../sfu/index.ts';
import type { Logger } from '../logger.ts';
import { CallRequest, MEDIA_RPC_PATH, OpenRequest, ROOM_CALLS, RPC_AUDIENCE } from './protocol.ts';
import type { NodeToServerEvents, RoomCall, RoomResults, RpcAck, ServerToNodeEvents } from './protocol.ts';
import { ArgumentError, classify } from '../errors.ts';

type RpcSocket = Socket<ServerToNodeEvents, NodeToServerEvents>;

/** A room this node hosts, for the server process that opened it. */
interface Hosted {
  room: LessonRoom;
  controller: RpcSocket;
  taps: Map<string, RecordingTap>;
}

export interface MediaNodeServerOptions {
  /** Opens rooms on this node's workers. */
  placement: LocalPlacement;
  /** Shared with the server processes (MEDIA_NODE_SECRET). */
  secret: string;
  logger: Logger;
  /** How often the link is pinged, ms; a server gone silent for interval + timeout is dropped. @default 2000 */
  pingIntervalMs?: number;
  /** @default 3000 */
  pingTimeoutMs?: number;
}

const ROOM_EVENTS: (keyof LessonRoomEvents & string)[] = [
  'peerjoined',
  'peerleft',
  'newproducer',
  'producerclosed',
  'consumerclosed',
  'floorchanged',
];

/**
 * A media node's side of the RPC: server processes connect (with a token signed by the shared
 * secret), open lesson rooms here and drive them; each room's events go back to the process
 * that opened it. A server process whose connection drops has lost its rooms here: they are
 * closed (its lessons' participants rejoin through whichever process takes the lessons over).
 */
export class MediaNodeServer {
  readonly io: Server<ServerToNodeEvents, NodeToServerEvents>;
  readonly #rooms = new Map<string, Hosted>();
  readonly #options: MediaNodeServerOptions;
  readonly #log: Logger;

  constructor(server: http.Server, options: MediaNodeServerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'media-node' });
    this.io = new Server(server, {
      path: MEDIA_RPC_PATH,
      transports: ['websocket'],
      pingInterval: options.pingIntervalMs ?? 2000,
      pingTimeout: options.pingTimeoutMs ?? 3000,
      // Browsers never come here: no CORS.
      serveClient: false,
    });
    this.io.use((socket, next) => {
      const token: unknown = (socket.handshake.auth as Record<string, unknown>)['token'];
      try {
        if (typeof token !== 'string') throw new Error('no token');
        jwt.verify(token, options.secret, { algorithms: ['HS256'], audience: RPC_AUDIENCE });
        next();
      } catch (error) {
        this.#log.warn(
          { address: socket.handshake.address, reason: error instanceof Error ? error.message : 'invalid' },
          'RPC connection refused: not signed with MEDIA_NODE_SECRET',
        );
        next(new Error('unauthorized'));
      }
    });
    this.io.on('connection', (socket) => this.#onConnection(socket));
  }

  /** The rooms hosted here. */
  rooms(): LessonRoom[] {
    return [...this.#rooms.values()].map((h) => h.room);
  }

  async close(): Promise<void> {
    for (const hosted of [...this.#rooms.values()]) hosted.room.close('closed');
    await this.io.close();
  }

  #onConnection(socket: RpcSocket): void {
    this.#log.info({ address: socket.handshake.address }, 'server process connected');
    socket.on('capabilities', (_request, ack) => reply(ack, () => this.#options.placement.capabilities()));
    socket.on('open', (request, ack) => reply(ack, () => this.#open(socket, request)));
    socket.on('call', (request, ack) => reply(ack, () => this.#call(socket, request)));
    socket.on('disconnect', (reason) => {
      const mine = [...this.#rooms.values()].filter((h) => h.controller === socket);
      if (mine.length) this.#log.warn({ reason, rooms: mine.length }, 'server process gone: its rooms close');
      for (const hosted of mine) hosted.room.close('controller-gone');
    });
  }

  async #open(socket: RpcSocket, request: unknown): Promise<{ rtpCapabilities: types.RtpCapabilities }> {
    const { lessonId } = parse(OpenRequest, request);
    const existing = this.#rooms.get(lessonId);
    if (existing?.controller === socket) return { rtpCapabilities: existing.room.rtpCapabilities };
    // Another process drove it (it lost the lesson): its participants have left it.
    existing?.room.close('moved');
    const room = await this.#options.placement.open(lessonId);
    const hosted: Hosted = { room, controller: socket, taps: new Map() };
    this.#rooms.set(lessonId, hosted);
    for (const event of ROOM_EVENTS)
      room.on(event, (...args: unknown[]) => socket.emit('room', { lessonId, event, args }));
    room.on('producerclosed', (producer) => {
      for (const [tapId, tap] of hosted.taps)
        if (tap.consumer.producerId === producer.producerId) {
          hosted.taps.delete(tapId);
          socket.emit('tapclosed', { lessonId, tapId });
        }
    });
    room.on('close', (reason) => {
      if (this.#rooms.get(lessonId) === hosted) this.#rooms.delete(lessonId);
      if (socket.connected) socket.emit('room', { lessonId, event: 'close', args: [reason] });
    });
    return { rtpCapabilities: room.rtpCapabilities };
  }

  #call(socket: RpcSocket, request: unknown): unknown {
    const { lessonId, method, args } = parse(CallRequest, request);
    const hosted = this.#rooms.get(lessonId);
    if (!hosted || hosted.controller !== socket || hosted.room.closed)
      throw new NotFoundError(`lesson ${lessonId} has no room on this node`);
    const handler = HANDLERS[method] as (hosted: Hosted, args: unknown) => unknown;
    return handler(hosted, parse(ROOM_CALLS[method], args));
  }
}

type Handlers = {
  [M in RoomCall]: (
    hosted: Hosted,
    args: z.infer<(typeof ROOM_CALLS)[M]>,
  ) => RoomResults[M] | Promise<RoomResults[M]>;
};

const HANDLERS: Handlers = {
  addPeer: ({ room }, [info, caps]) => {
    room.addPeer(info, caps);
    return null;
  },
  removePeer: ({ room }, [peerId]) => {
    room.removePeer(peerId);
    return null;
  },
  setFloor: ({ room }, [refId]) => {
    room.setFloor(refId);
    return null;
  },
  setMuted: async ({ room }, [refId, muted]) => {
    await room.setMuted(refId, muted);
    return null;
  },
  createTransport: ({ room }, [peerId, direction]) => room.createTransport(peerId, direction),
  connectTransport: async ({ room }, [peerId, transportId, dtls]) => {
    await room.connectTransport(peerId, transportId, dtls as unknown as types.DtlsParameters);
    return null;
  },
  restartIce: ({ room }, [peerId, transportId]) => room.restartIce(peerId, transportId),
  createPlainTransport: ({ room }, [peerId, direction, options]) =>
    room.createPlainTransport(peerId, direction, options ?? {}),
  connectPlainTransport: async ({ room }, [peerId, transportId, remote]) => {
    await room.connectPlainTransport(peerId, transportId, remote);
    return null;
  },
  produce: ({ room }, [peerId, transportId, kind, source, rtpParameters]) =>
    room.produce(peerId, transportId, kind, source, rtpParameters as unknown as types.RtpParameters),
  consume: ({ room }, [peerId, producerId]) => room.consume(peerId, producerId),
  resumeConsumer: async ({ room }, [peerId, consumerId]) => {
    await room.resumeConsumer(peerId, consumerId);
    return null;
  },
  closeConsumer: async ({ room }, [peerId, consumerId]) => {
    await room.closeConsumer(peerId, consumerId);
    return null;
  },
  producersFor: ({ room }, [peerId]) => room.producersFor(peerId),
  health: async ({ room }) => ({ peers: await room.health(), stats: room.stats() }),
  tap: async (hosted, [producerId, remote]) => {
    const tap = await hosted.room.tap(producerId, remote);
    const tapId = crypto.randomUUID();
    hosted.taps.set(tapId, tap);
    const { kind, rtpParameters } = tap.consumer;
    return { tapId, consumer: { kind, producerId, rtpParameters } };
  },
  tapResume: async (hosted, [tapId]) => {
    await tapOf(hosted, tapId).resume();
    return null;
  },
  tapKeyFrame: async (hosted, [tapId]) => {
    await tapOf(hosted, tapId).requestKeyFrame();
    return null;
  },
  tapClose: (hosted, [tapId]) => {
    hosted.taps.get(tapId)?.close();
    hosted.taps.delete(tapId);
    return null;
  },
  close: ({ room }, [reason]) => {
    room.close(reason);
    return null;
  },
  createPipe: ({ room }) => room.createPipe(),
  connectPipe: async ({ room }, [pipeId, remote]) => {
    await room.connectPipe(pipeId, remote);
    return null;
  },
  pipeOut: ({ room }, [pipeId, producerId]) => room.pipeOut(pipeId, producerId),
  pipeIn: ({ room }, [pipeId, piped]) =>
    room.pipeIn(pipeId, { ...piped, rtpParameters: piped.rtpParameters as types.RtpParameters }),
  closePiped: ({ room }, [producerId]) => {
    room.closePiped(producerId);
    return null;
  },
};

function tapOf(hosted: Hosted, tapId: string): RecordingTap {
  const tap = hosted.taps.get(tapId);
  if (!tap || tap.closed) throw new NotFoundError(`tap ${tapId} not found`);
  return tap;
}

/** Parses a request's shape; a bad one is the caller's error (TypeError: 400 on the socket). */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ArgumentError(
    `invalid request: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
  );
}

/**
 * Runs `fn` and acknowledges its value or its error (name and message only; a fault, not a
 * named error, as InternalError with its message, which the server logs and does not show).
 */
function reply<T>(ack: unknown, fn: () => T | Promise<T>): void {
  if (typeof ack !== 'function') return;
  const send = ack as (reply: RpcAck<T>) => void;
  Promise.resolve()
    .then(fn)
    .then(
      (value) => send({ ok: true, value }),
      (error: unknown) =>
        send({
          ok: false,
          error:
            error instanceof Error
              ? { name: classify(error) ? error.name : 'InternalError', message: error.message }
              : { name: 'InternalError', message: String(error) },
        }),
    );
}
