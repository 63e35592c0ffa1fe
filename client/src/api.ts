import type {
  ApiErrorBody,
  CurrentLessonResponse,
  LessonSummary,
  LoginResponse,
  UserView,
} from '../../server/contract/api.ts';

/** An error answer of the API, with the server's error name and HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  /** Field-level problems of a 400. */
  readonly issues: { path: string; message: string }[];

  constructor(
    status: number,
    name: string,
    message: string,
    issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = name;
    this.status = status;
    this.issues = issues;
  }
}

let refreshing: Promise<boolean> | null = null;

/**
 * Renews the session with the refresh cookie (access tokens live 15 minutes). Concurrent
 * callers share one attempt, since a refresh token can be used only once.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' })
    .then((res) => res.ok)
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshing = null), 0));
  return refreshing;
}

/** A request with the session cookie; on a 401 the session is renewed once and the request repeated. */
export async function send(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
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
  if (!res.ok)
    throw new ApiError(res.status, data.error?.name ?? 'Error', data.error?.message ?? res.statusText);
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
  me: () => call<UserView>('GET', '/api/auth/me'),
  currentLesson: () => call<CurrentLessonResponse>('GET', '/api/lessons/current'),
  lesson: (id: string) => call<LessonSummary>('GET', `/api/lessons/${id}`),
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  del: (path: string) => call<void>('DELETE', path),
  rtpCapabilities: (id: string) =>
    call<{ routerRtpCapabilities: Record<string, unknown> }>('GET', `/api/lessons/${id}/rtp-capabilities`),
};
