import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { ErrorCode } from '../../server/contract/errors.ts';
import type {
  Ack,
  AckData,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../server/contract/events.ts';
import { refreshSession, renewSession } from './api.ts';
import { refusalWords } from './i18n.ts';

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The server refused a request (`name` its error class, `code` its stable reason: match the
 * code, not the message), or did not answer in time (code undefined, name TimeoutError).
 */
export class SignalingError extends Error {
  readonly code: ErrorCode | undefined;

  constructor(name: string, message: string, code?: ErrorCode) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

/** Whether `error` is the server's refusal of a socket request with `code`. */
export const refusedWith = (error: unknown, code: ErrorCode): boolean =>
  error instanceof SignalingError && error.code === code;

/**
 * Another server process hosts the lesson (during a failover, until the dead one's lease runs
 * out, about 3 s): worth trying again shortly.
 */
export const hostedElsewhere = (error: unknown): boolean => refusedWith(error, 'LESSON_ELSEWHERE');

/**
 * Connects to the signaling server; the login cookie authenticates the socket. Its `route`
 * is what a load balancer in front of several server processes hashes: a key of this page
 * until it joins a lesson, then the lesson's id (see `routeTo`).
 */
export function connectSignaling(): SignalingSocket {
  const socket: SignalingSocket = io({
    withCredentials: true,
    transports: ['websocket', 'polling'],
    // First retry after 0.25–0.75 s (a failover to another process takes about that), then
    // backing off to 5 s; the randomization spreads a whole server's sockets over time.
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    // Not crypto.randomUUID: a kiosk on plain HTTP in a school network is no secure context.
    query: { route: `page-${Math.random().toString(36).slice(2)}` },
  });
  // The server asks for a fresh access token before the socket's runs out, and closes the
  // socket when the session ends (signed out elsewhere, account disabled, device revoked).
  socket.on('session:expiring', () => {
    void renewSession().then((session) => {
      if (session) void request(socket, 'session:renew', { token: session.token }).catch(() => undefined);
    });
  });
  socket.on('session:ended', ({ reason }) => {
    if (reason === 'expired') return; // the socket reconnects with the refreshed cookie
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
  });
  socket.on('disconnect', (reason) => {
    // Closed by the server at its token's end: reconnect with a renewed cookie.
    if (reason === 'io server disconnect')
      void refreshSession().then((ok) => {
        if (ok) socket.connect();
      });
  });
  // The handshake is refused once the 15-minute access token expired: renew it and retry.
  socket.on('connect_error', () => {
    if (socket.active) return; // a network error: socket.io retries by itself
    void refreshSession().then((ok) => {
      if (ok) socket.connect();
      else location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    });
  });
  return socket;
}

/**
 * Sends the socket to the server process that hosts `lessonId`: every socket of a lesson
 * carries its id as `route`, so the load balancer sends them all to one process. Reconnects
 * when the socket was routed by another key; resolves once connected.
 */
export async function routeTo(socket: SignalingSocket, lessonId: string): Promise<void> {
  const query = (socket.io.opts.query ??= {}) as Record<string, string>;
  if (query['route'] !== lessonId) {
    query['route'] = lessonId;
    // Connected or still connecting, the socket went by the old key: a connection under way
    // (a page that joins as it loads) would otherwise land on any process, and a join there
    // is refused as hosted elsewhere, again and again.
    if (socket.active) socket.disconnect().connect();
  }
  if (!socket.connected)
    await new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      if (!socket.active) socket.connect();
    });
}

/**
 * A second, short-lived socket to the process hosting `lessonId`, on a connection of its own:
 * after a cut link, the page's main socket waits for its TCP connection's next retransmission
 * (seconds, growing with the cut), while a fresh one gets through as soon as the link is back.
 * Tries every second or so; resolves once connected, or rejects after `withinMs`. The caller
 * closes it.
 */
export function sideSocket(lessonId: string, withinMs: number): Promise<SignalingSocket> {
  const socket: SignalingSocket = io({
    forceNew: true,
    withCredentials: true,
    transports: ['websocket'],
    query: { route: lessonId },
    timeout: 2000,
    reconnectionDelay: 500,
    reconnectionDelayMax: 1000,
  });
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(() => {
      socket.close();
      reject(new SignalingError('TimeoutError', `no connection in ${withinMs} ms`));
    }, withinMs);
    socket.once('connect', () => {
      window.clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** Sends a request and resolves with the acknowledged data, or rejects with a SignalingError. */
export function request<E extends keyof ClientToServerEvents>(
  socket: SignalingSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = 10_000,
): Promise<AckData<E>> {
  return new Promise((resolve, reject) => {
    const timed = socket.timeout(timeoutMs) as unknown as {
      emit(e: E, p: unknown, cb: (err: Error | null, response: Ack<AckData<E>>) => void): void;
    };
    timed.emit(event, payload, (err, response) => {
      if (err) reject(new SignalingError('TimeoutError', `${event}: no answer in ${timeoutMs} ms`));
      else if (response.ok) resolve(response.data);
      else reject(new SignalingError(response.error.name, refusalWords(response.error), response.error.code));
    });
  });
}
