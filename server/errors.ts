/**
 * The platform's named errors. The libraries' errors (sfu) are re-exported so that the
 * HTTP layer and the socket handlers map one set of names:
 * TypeError/ValidationError → 400, UnauthorizedError → 401, ForbiddenError → 403,
 * NotFoundError → 404, InvalidStateError/ConflictError → 409, TooManyRequestsError → 429.
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
  constructor(message = 'too many attempts, try again later') {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}

/** No valid credentials were given. */
export class UnauthorizedError extends Error {
  constructor(message = 'login required') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

const STATUS_BY_NAME: Record<string, number> = {
  TypeError: 400,
  ValidationError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  InvalidStateError: 409,
  ConflictError: 409,
  TooManyRequestsError: 429,
};

/** HTTP status for an error; 500 for anything unnamed. */
export function httpStatusOf(error: unknown): number {
  return error instanceof Error ? (STATUS_BY_NAME[error.name] ?? 500) : 500;
}

/** The error as sent to a client: named errors keep their message, others are hidden. */
export function publicError(error: unknown): { name: string; message: string; issues?: FieldIssue[] } {
  if (error instanceof ValidationError)
    return { name: error.name, message: error.message, issues: error.issues };
  if (error instanceof Error && error.name in STATUS_BY_NAME)
    return { name: error.name, message: error.message };
  return { name: 'InternalError', message: 'internal error' };
}
