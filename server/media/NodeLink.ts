import jwt from 'jsonwebtoken';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { types } from 'mediasoup';
import { ForbiddenError, InvalidStateError, NotFoundError, TypedEmitter } from '../../sfu/index.ts';
import { ArgumentError, MediaNodeUnavailableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { MEDIA_RPC_PATH, RPC_AUDIENCE } from './protocol.ts';
import type {
  NodeToServerEvents,
  OpenResult,
  RoomCall,
  RoomEventMessage,
  RoomResults,
  RpcAck,
  ServerToNodeEvents,
} from './protocol.ts';

export interface NodeLinkEvents extends Record<string, unknown[]> {
  /** A room event from the node. */
  room: [RoomEventMessage];
  tapclosed: [{ lessonId: string; tapId: string }];
  /** The link dropped: every room opened over it is lost. */
  down: [string];
  up: [];
}

export interface NodeLinkOptions {
  nodeId: string;
  url: string;
  secret: string;
  /** This process's name (the token's subject, for the node's logs). */
  processName: string;
  logger: Logger;
  /** Time for one answer, ms. @default 10000 */
  timeoutMs?: number;
}

/** The node's errors come back by name: the platform's own classes, so that statuses map as for a local room. */
const ERRORS: Record<string, new (message: string) => Error> = {
  MediaNodeUnavailableError,
  NotFoundError,
  InvalidStateError,
  ForbiddenError,
  // The node answers its deliberate refusals only by these names; a fault there is InternalError.
  TypeError: ArgumentError,
};

/**
 * One server process's RPC connection to one media node (socket.io over WebSocket, reconnecting
 * by itself). Requests wait at most `timeoutMs`; while the link is down they fail at once.
 */
export class NodeLink extends TypedEmitter<NodeLinkEvents> {
  readonly nodeId: string;
  readonly url: string;
  readonly #socket: Socket<NodeToServerEvents, ServerToNodeEvents>;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  #ready: Promise<void>;

  constructor(options: NodeLinkOptions) {
    super();
    this.nodeId = options.nodeId;
    this.url = options.url;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#log = options.logger.child({ module: 'media-link', nodeId: options.nodeId });
    this.#socket = io(options.url, {
      path: MEDIA_RPC_PATH,
      transports: ['websocket'],
      // A fresh token on every (re)connection.
      auth: (send) =>
        send({
          token: jwt.sign({ sub: options.processName }, options.secret, {
            algorithm: 'HS256',
            audience: RPC_AUDIENCE,
            expiresIn: 60,
          }),
        }),
      reconnectionDelay: 250,
      reconnectionDelayMax: 2000,
    });
    this.#ready = this.#whenConnected();
    this.#socket.on('connect', () => {
      this.#log.info('media node linked');
      this.safeEmit('up');
    });
    this.#socket.on('disconnect', (reason) => {
      this.#log.warn({ reason }, 'media node link down');
      this.#ready = this.#whenConnected();
      this.safeEmit('down', reason);
    });
    this.#socket.on('connect_error', (error) => this.#log.debug({ err: error }, 'media node not reachable'));
    this.#socket.on('room', (message) => this.safeEmit('room', message));
    this.#socket.on('tapclosed', (message) => this.safeEmit('tapclosed', message));
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Opens a lesson's room on the node (waiting up to the timeout for the link). */
  async open(lessonId: string): Promise<OpenResult> {
    await this.#connected();
    return this.#request('open', { lessonId });
  }

  async capabilities(): Promise<types.RtpCapabilities> {
    await this.#connected();
    return this.#request('capabilities', {});
  }

  /** Calls a method of a room opened over this link. */
  call<M extends RoomCall>(lessonId: string, method: M, args: unknown[]): Promise<RoomResults[M]> {
    if (!this.#socket.connected)
      return Promise.reject(new MediaNodeUnavailableError(`media node ${this.nodeId} is not linked`));
    return this.#request('call', { lessonId, method, args });
  }

  close(): void {
    this.#socket.disconnect();
  }

  async #request<T>(event: 'open' | 'capabilities' | 'call', request: unknown): Promise<T> {
    let ack: RpcAck<unknown>;
    try {
      ack = (await this.#socket.timeout(this.#timeoutMs).emitWithAck(event, request)) as RpcAck<unknown>;
    } catch {
      throw new MediaNodeUnavailableError(
        `media node ${this.nodeId} did not answer within ${this.#timeoutMs} ms`,
      );
    }
    if (ack.ok) return ack.value as T;
    const ErrorClass = ERRORS[ack.error.name] ?? Error;
    throw new ErrorClass(ack.error.message);
  }

  #whenConnected(): Promise<void> {
    return new Promise((resolve) => this.#socket.once('connect', () => resolve()));
  }

  async #connected(): Promise<void> {
    if (this.#socket.connected) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.#ready,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () =>
              reject(new MediaNodeUnavailableError(`media node ${this.nodeId} not reachable at ${this.url}`)),
            this.#timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
