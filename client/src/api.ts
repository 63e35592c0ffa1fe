import type {
  ApiErrorBody,
  CurrentLessonResponse,
  LessonSummary,
  LoginResponse,
  UserView,
} from '../../server/contract/api.ts';
import type { ErrorCode } from '../../server/contract/errors.ts';
import { issueWords, refusalWords } from './i18n.ts';

/**
 * An error answer of the API. Recognize a refusal by its `code` (server/contract/errors.ts),
 * never by its message, which is for people.
 */
export class ApiError extends Error {
  readonly status: number;
  /** Field-level problems of a 400, each worded in the interface language. */
  readonly issues: { path: string; message: string }[];
  /** The server's stable reason; undefined when the answer was not the server's (a proxy's 502). */
  readonly code: ErrorCode | undefined;
  /** With a 500: the id under which the server logged the fault (to quote to an administrator). */
  readonly requestId: string | undefined;

  constructor(status: number, body: Partial<ApiErrorBody>, fallbackMessage: string) {
    super(body.error ? refusalWords(body.error) : fallbackMessage);
    this.name = body.error?.name ?? 'Error';
    this.status = status;
    this.issues = (body.error?.issues ?? []).map((i) => ({ path: i.path, message: issueWords(i) }));
    this.code = body.error?.code;
    this.requestId = body.error?.requestId;
  }
}

/** Whether `error` is the API's refusal with `code`. */
export const refusedWith = (error: unknown, code: ErrorCode): boolean =>
  error instanceof ApiError && error.code === code;

/**
 * Sent with every request: a header a cross-site form cannot send, which the server asks of
 * every state-changing request signed in by cookie (its CSRF defence).
 */
const CSRF_HEADER = { 'x-requested-with': 'sync-classroom' };

let refreshing: Promise<LoginResponse | null> | null = null;

/**
 * Renews the session with the refresh cookie (access tokens live 15 minutes) and gives the
 * new access token (for the socket), or null. Concurrent callers share one attempt, since a
 * refresh token can be used only once.
 */
export function renewSession(): Promise<LoginResponse | null> {
  refreshing ??= fetch('/api/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: CSRF_HEADER,
  })
    .then((res) => (res.ok ? (res.json() as Promise<LoginResponse>) : null))
    .catch(() => null)
    .finally(() => setTimeout(() => (refreshing = null), 0));
  return refreshing;
}

/** Renews the session; whether it worked. */
export async function refreshSession(): Promise<boolean> {
  return (await renewSession()) !== null;
}

/** A request with the session cookie; on a 401 the session is renewed once and the request repeated. */
export async function send(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
  const res = await fetch(path, {
    credentials: 'same-origin',
    ...init,
    headers: { ...CSRF_HEADER, ...(init.headers as Record<string, string> | undefined) },
  });
  if (res.status === 401 && !retried && !path.startsWith('/api/auth/') && (await refreshSession()))
    return send(path, init, true);
  return res;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as T & Partial<ApiErrorBody>;
  if (!res.ok) throw new ApiError(res.status, data, res.statusText);
  return data;
}

/** A page of a list endpoint. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export type Row = Record<string, unknown> & { id: string };

export const api = {
  list: (resource: string, query: Record<string, string | number> = {}) =>
    call<Page<Row>>(
      'GET',
      `/api/${resource}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}`,
    ),
  create: (resource: string, body: Record<string, unknown>) => call<Row>('POST', `/api/${resource}`, body),
  update: (resource: string, id: string, body: Record<string, unknown>) =>
    call<Row>('PATCH', `/api/${resource}/${id}`, body),
  remove: (resource: string, id: string) => call<void>('DELETE', `/api/${resource}/${id}`),
  login: (username: string, password: string) =>
    call<LoginResponse>('POST', '/api/auth/login', { username, password }),
  logout: () => call<void>('POST', '/api/auth/logout'),
  /** Sets a password of one's own (after a handed-out one) and signs in. */
  changePassword: (username: string, currentPassword: string, newPassword: string) =>
    call<LoginResponse>('POST', '/api/auth/password', { username, currentPassword, newPassword }),
  /** Enrols this whiteboard as a classroom device with the code its coordinator generated. */
  enrol: (code: string) => call<LoginResponse>('POST', '/api/auth/enrol', { code }),
  me: () => call<UserView>('GET', '/api/auth/me'),
  currentLesson: () => call<CurrentLessonResponse>('GET', '/api/lessons/current'),
  lesson: (id: string) => call<LessonSummary>('GET', `/api/lessons/${id}`),
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  del: (path: string) => call<void>('DELETE', path),
  rtpCapabilities: (id: string) =>
    call<{ routerRtpCapabilities: Record<string, unknown> }>('GET', `/api/lessons/${id}/rtp-capabilities`),
};
