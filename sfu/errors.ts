/**
 * Named errors of the platform's libraries. The server maps them by class to HTTP statuses and
 * to error acknowledgements on the socket: ArgumentError → 400, ForbiddenError → 403,
 * NotFoundError → 404, InvalidStateError → 409; anything else is a fault (500).
 */
export { ArgumentError } from '../scheduler/errors.ts';

/** The object is in a state that does not allow the call (closed, not live, already ended). */
export class InvalidStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}

/** The thing asked for does not exist (or the caller may not know that it exists). */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}
