/**
 * The platform's named errors, and how the HTTP layer and the socket handlers answer them.
 * The libraries' errors (sfu/, scheduler/) are re-exported so that there is one set.
 *
 * Errors are mapped by class (`instanceof`), never by `error.name`: ArgumentError and
 * ValidationError → 400, UnauthorizedError → 401, ForbiddenError → 403, NotFoundError → 404,
 * MethodNotAllowedError → 405, InvalidStateError and ConflictError → 409,
 * TooManyRequestsError → 429, MediaNodeUnavailableError → 503. Each answer carries a stable
 * `code` (server/contract/errors.ts): the class's own, or a subclass's more specific one.
 * Anything else, a plain `TypeError` (a bug) included, is a fault: logged with a request id
 * and answered 500 `INTERNAL` with that id and no internal message.
 */
import crypto from 'node:crypto';
import type { ErrorCode, WireError } from './contract/errors.ts';
import type { Logger } from './logger.ts';
import { ArgumentError, ForbiddenError, InvalidStateError, NotFoundError } from '../sfu/errors.ts';
import { errorWords, text } from '../scheduler/text.ts';
import type { Text } from '../scheduler/text.ts';

export { ArgumentError, ForbiddenError, InvalidStateError, NotFoundError };

/** One problem of a rejected input, by field path. */
export interface FieldIssue {
  path: string;
  /** For developers and logs (both languages on one line when `text` is given). */
  message: string;
  /** For people, in both languages (the client shows its language's). */
  text?: Text;
}

/** An input (HTTP body or query, socket payload, env) did not match its schema. */
export class ValidationError extends Error {
  readonly issues: FieldIssue[];
  /** Words for people in both languages, when the thrower wrote them (the wire error's `text`). */
  readonly text: Text | undefined;

  constructor(words: string | Text, issues: FieldIssue[] = []) {
    const { message, text } = errorWords(words);
    super(message);
    this.name = 'ValidationError';
    this.issues = issues;
    this.text = text;
  }
}

/** The write collides with an existing record (a unique name, username or code). */
export class ConflictError extends Error {
  /** Words for people in both languages, when the thrower wrote them (the wire error's `text`). */
  readonly text: Text | undefined;

  constructor(words: string | Text) {
    const { message, text } = errorWords(words);
    super(message);
    this.name = 'ConflictError';
    this.text = text;
  }
}

/** Too many attempts; try again later. */
export class TooManyRequestsError extends Error {
  /** When to try again (the HTTP layer sends it as Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(message = 'too many attempts, try again later', retryAfterSeconds?: number) {
    super(message);
    this.name = 'TooManyRequestsError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Why credentials were refused, for clients to match instead of message text. */
export type AuthCode = Extract<
  ErrorCode,
  | 'LOGIN_REQUIRED'
  | 'INVALID_TOKEN'
  | 'SESSION_EXPIRED'
  | 'SESSION_ENDED'
  | 'WRONG_PASSWORD'
  | 'ENROLMENT_CODE_INVALID'
>;

/** No valid credentials were given. */
export class UnauthorizedError extends Error {
  readonly code: AuthCode;

  constructor(message = 'login required', code: AuthCode = 'LOGIN_REQUIRED') {
    super(message);
    this.name = 'UnauthorizedError';
    this.code = code;
  }
}

/** Another server process hosts this live lesson (answered 409; the client retries, reaching it through the load balancer). */
export class LessonElsewhereError extends InvalidStateError {
  readonly code = 'LESSON_ELSEWHERE';
  /** The process that holds the lesson. */
  readonly holder: string;

  constructor(holder: string) {
    super('another server process hosts this lesson; reconnect and try again');
    this.holder = holder;
  }
}

/** The lesson is scheduled or has ended, and the call needs it live (answered 409). */
export class LessonNotLiveError extends InvalidStateError {
  readonly code = 'LESSON_NOT_LIVE';

  constructor(state: string) {
    super(`lesson is ${state}, not live`);
  }
}

/** A demo account (its password is published) signed in from another machine. */
export class DemoAccountLocalOnlyError extends ForbiddenError {
  readonly code = 'DEMO_ACCOUNT_LOCAL_ONLY';

  constructor(message = 'demo accounts sign in from this machine only') {
    super(message);
  }
}

/**
 * The password was handed out by someone else (import, reset, `npm run admin`): the owner
 * must set their own (POST /api/auth/password) before signing in.
 */
export class PasswordChangeRequiredError extends ForbiddenError {
  readonly code = 'PASSWORD_CHANGE_REQUIRED';

  constructor(message = 'set your own password first') {
    super(message);
  }
}

/** The resource exists but does not answer this HTTP method. */
export class MethodNotAllowedError extends Error {
  /** The methods it answers (the HTTP layer sends them as Allow). */
  readonly allow: readonly string[];

  constructor(method: string, allow: readonly string[]) {
    super(`${method} is not allowed here${allow.length ? `; use ${allow.join(', ')}` : ''}`);
    this.name = 'MethodNotAllowedError';
    this.allow = allow;
  }
}

/** A lesson's media node did not answer in time, or none is reachable (try again shortly). */
export class MediaNodeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaNodeUnavailableError';
  }
}

/** A co-plan made from data that has changed since (bells, classes, local timetables, …): plan again. */
export class StalePlanError extends ConflictError {
  readonly code = 'STALE_PLAN';

  constructor(
    message: string | Text = text(
      '数据在方案生成后有变动（作息、本校课表或开课计划），请重新编排',
      'the data changed since the plan was made (bells, local timetables or offerings); plan again',
    ),
  ) {
    super(message);
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Status and default code of each named error, most specific class first where they nest. */
const CLASSES: readonly [ErrorClass, number, ErrorCode][] = [
  [ValidationError, 400, 'INVALID_INPUT'],
  [ArgumentError, 400, 'INVALID_ARGUMENT'],
  [UnauthorizedError, 401, 'LOGIN_REQUIRED'],
  [ForbiddenError, 403, 'FORBIDDEN'],
  [NotFoundError, 404, 'NOT_FOUND'],
  [MethodNotAllowedError, 405, 'METHOD_NOT_ALLOWED'],
  [InvalidStateError, 409, 'INVALID_STATE'],
  [ConflictError, 409, 'CONFLICT'],
  [TooManyRequestsError, 429, 'TOO_MANY_REQUESTS'],
  [MediaNodeUnavailableError, 503, 'MEDIA_NODE_UNAVAILABLE'],
];

/**
 * Codes of the client errors that express and its middleware raise themselves (http-errors
 * with `expose`: a malformed or too large JSON body, a bad range of a static file).
 */
const HTTP_ERROR_CODES: Partial<Record<number, ErrorCode>> = {
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
};

/** A refusal as answered: HTTP status and body (`issues` of a ValidationError as they are). */
export interface PublicError extends WireError {
  issues?: FieldIssue[];
}

/** An http-errors client error (express.json's malformed bodies) that is safe to show. */
function exposedHttpError(error: unknown): { status: number; message: string; type?: string } | null {
  const e = error as { status?: unknown; expose?: unknown; message?: unknown; type?: unknown };
  if (!(error instanceof Error) || e.expose !== true || typeof e.status !== 'number') return null;
  if (e.status < 400 || e.status >= 500) return null;
  return {
    status: e.status,
    message: error.message,
    ...(typeof e.type === 'string' ? { type: e.type } : {}),
  };
}

/**
 * Status and answer of a refusal: the named error's class gives both, a subclass may carry a
 * more specific `code`. Null for a fault (anything else): see `answerError`.
 */
export function classify(error: unknown): { status: number; body: PublicError } | null {
  for (const [Class, status, code] of CLASSES) {
    if (!(error instanceof Class)) continue;
    const own = (error as { code?: ErrorCode }).code;
    const text = (error as { text?: Text }).text;
    return {
      status,
      body: {
        name: error.name,
        message: error.message,
        ...(text ? { text } : {}),
        code: own ?? code,
        ...(error instanceof ValidationError ? { issues: error.issues } : {}),
      },
    };
  }
  const http = exposedHttpError(error);
  if (http) {
    // express.json() and its kin name the body's problem by `type` (entity.parse.failed, …).
    return {
      status: http.status,
      body: {
        name: 'ValidationError',
        message: http.type ? `invalid request body: ${http.message}` : http.message,
        code: HTTP_ERROR_CODES[http.status] ?? 'INVALID_INPUT',
      },
    };
  }
  return null;
}

/** A new id for a request (or a socket event) whose fault is logged. */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/**
 * The answer to an error: a refusal as `classify` gives it; a fault logged at `error` level
 * under `requestId` (with `context`: method and URL, or the socket event) and answered 500
 * `INTERNAL` with that id, never with its own message.
 */
export function answerError(
  error: unknown,
  log: Logger,
  context: Record<string, unknown>,
  requestId: string = newRequestId(),
): { status: number; body: PublicError } {
  const refusal = classify(error);
  if (refusal) return refusal;
  log.error({ err: error, requestId, ...context }, 'unexpected error');
  return {
    status: 500,
    body: { name: 'InternalError', message: 'internal error', code: 'INTERNAL', requestId },
  };
}

/** HTTP status for an error; 500 for a fault. */
export function httpStatusOf(error: unknown): number {
  return classify(error)?.status ?? 500;
}

/** The error as sent to a client: a refusal with its message and code, a fault hidden (not logged: see `answerError`). */
export function publicError(error: unknown): PublicError {
  return classify(error)?.body ?? { name: 'InternalError', message: 'internal error', code: 'INTERNAL' };
}
