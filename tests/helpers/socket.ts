import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type {
  Ack,
  AckData,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../server/contract/events.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Connects a socket.io client with a bearer token (and the `route` a load balancer hashes, as
 * the browser sends it); resolves once connected.
 */
export async function connect(
  url: string,
  token?: string,
  { route }: { route?: string } = {},
): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, {
    auth: token ? { token } : {},
    ...(route ? { query: { route } } : {}),
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

/** Emits an event and resolves with its acknowledgement (rejects without one in `timeoutMs`). */
export function request<E extends keyof ClientToServerEvents>(
  socket: ClientSocket,
  event: E,
  payload: unknown,
  timeoutMs = 10_000,
): Promise<Ack<AckData<E>>> {
  return new Promise((resolve, reject) => {
    (
      socket.timeout(timeoutMs).emit as (
        e: string,
        p: unknown,
        cb: (err: Error | null, r: unknown) => void,
      ) => void
    )(event, payload, (err, response) => (err ? reject(err) : resolve(response as never)));
  });
}

/** Resolves with the next payload of `event`. */
export function next<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) =>
    socket.once(event, ((payload: unknown) => resolve(payload as never)) as never),
  );
}
