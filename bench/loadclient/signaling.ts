import type { Socket } from 'socket.io-client';
import type {
  Ack,
  AckData,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../server/contract/events.ts';
import { connect } from '../../tests/helpers/socket.ts';

/** A signaling socket of the platform, typed by its contract. */
export type LoadSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type { AckData };

/** The server refused a request (its error name, message and code). */
export class RefusedError extends Error {
  readonly code: string | undefined;

  constructor(event: string, error: { name: string; message: string; code?: string }) {
    super(`${event}: ${error.name}: ${error.message}`);
    this.name = 'RefusedError';
    this.code = error.code;
  }
}

/** Signs in through the platform's API; resolves with the access token. */
export async function signIn(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** GETs a JSON resource of the API with a bearer token. */
export async function getJson<T>(url: string, path: string, token: string): Promise<T> {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Opens a signaling socket as a kiosk does (websocket; `route` is the lesson, which a load
 * balancer in front of several processes hashes), with a bearer token; resolves once connected.
 */
export function connectSocket(url: string, token: string, lessonId: string): Promise<LoadSocket> {
  return connect(url, token, { route: lessonId });
}

/** Sends a request; resolves with the acknowledged data or rejects with a RefusedError. */
export function request<E extends keyof ClientToServerEvents>(
  socket: LoadSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = 20_000,
): Promise<AckData<E>> {
  return new Promise((resolve, reject) => {
    const timed = socket.timeout(timeoutMs) as unknown as {
      emit(e: E, p: unknown, cb: (err: Error | null, response: Ack<AckData<E>>) => void): void;
    };
    timed.emit(event, payload, (err, response) => {
      if (err) reject(new Error(`${event}: no answer in ${timeoutMs} ms`));
      else if (response.ok) resolve(response.data);
      else reject(new RefusedError(event, response.error));
    });
  });
}
