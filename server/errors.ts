/**
 * The platform's named errors. The libraries' errors (sfu) are re-exported so that the
 * HTTP layer and the socket handlers map one set of names:
 * TypeError/ValidationError → 400, UnauthorizedError → 401, ForbiddenError → 403,
 * NotFoundError → 404, MethodNotAllowedError → 405, InvalidStateError/ConflictError → 409,
 * TooManyRequestsError → 429.
 */
export { ForbiddenError, InvalidStateError, NotFoundError } from '../sfu/errors.ts';

/** One problem of a rejected input, by field path. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** An input (HTTP body or query, socket payload, env) did not match its schema. */
export class ValidationError extends Error {
  readonly issues: FieldIssue[];

  constructor(message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** The write collides with an existing record (a unique name, username or code). */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
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
export type AuthCode =
  | 'LOGIN_REQUIRED'
  | 'INVALID_TOKEN'
  | 'SESSION_EXPIRED'
  | 'SESSION_ENDED'
  | 'WRONG_PASSWORD'
  | 'PASSWORD_CHANGE_REQUIRED'
  | 'DEMO_ACCOUNT_LOCAL_ONLY'
  | 'ENROLMENT_CODE_INVALID';

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
export class LessonElsewhereError extends Error {
  readonly code = 'LESSON_ELSEWHERE';
  /** The process that holds the lesson. */
  readonly holder: string;

  constructor(holder: string) {
    super('another server process hosts this lesson; reconnect and try again');
    this.name = 'InvalidStateError';
    this.holder = holder;
  }
}

/** A demo account (its password is published) signed in from another machine. */
export class DemoAccountLocalOnlyError extends Error {
  readonly code = 'DEMO_ACCOUNT_LOCAL_ONLY';

  constructor(message = 'demo accounts sign in from this machine only') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * The password was handed out by someone else (import, reset, `npm run admin`): the owner
 * must set their own (POST /api/auth/password) before signing in.
 */
export class PasswordChangeRequiredError extends Error {
  readonly code = 'PASSWORD_CHANGE_REQUIRED';

  constructor(message = 'set your own password first') {
    super(message);
    this.name = 'ForbiddenError';
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

const STATUS_BY_NAME: Record<string, number> = {
  TypeError: 400,
  ValidationError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  MethodNotAllowedError: 405,
  InvalidStateError: 409,
  ConflictError: 409,
  TooManyRequestsError: 429,
  MediaNodeUnavailableError: 503,
};

/** HTTP status for an error; 500 for anything unnamed. */
export function httpStatusOf(error: unknown): number {
  return error instanceof Error ? (STATUS_BY_NAME[error.name] ?? 500) : 500;
}

/** The error as sent to a client: named errors keep their message, others are hidden. */
export function publicError(error: unknown): {
  name: string;
  message: string;
  code?: string;
  issues?: FieldIssue[];
} {
  if (error instanceof ValidationError)
    return { name: error.name, message: error.message, issues: error.issues };
  if (error instanceof Error && error.name in STATUS_BY_NAME) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'InternalError', message: 'internal error' };
}

/** A co-plan made from data that has changed since (bells, classes, local timetables, …): plan again. */
export class StalePlanError extends Error {
  readonly code = 'STALE_PLAN';

  constructor(
    message = '数据在方案生成后有变动（作息、本校课表或开课计划），请重新编排 (the data changed since the plan was made; plan again)',
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}
