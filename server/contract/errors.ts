/**
 * Error codes of the wire: the one stable reason every refusal carries, in an HTTP error
 * body (`ApiErrorBody`) and in a socket acknowledgement (`Ack`). Clients match the code, never
 * the message (which is for people and may change). The server maps its named errors
 * (server/errors.ts) to a status and a code by class; a class may carry a more specific code.
 *
 * The browser imports the `ErrorCode` type; the list is a value for the server's OpenAPI
 * document (an enum, so that schemathesis checks every answer against it).
 */
import type { Text } from './text.ts';
export const ERROR_CODES = [
  /** 400: a body, query or payload did not match its schema (`issues` says where). */
  'INVALID_INPUT',
  /** 400: a well-formed input the operation cannot take (a page that does not exist, …). */
  'INVALID_ARGUMENT',
  /** 401: no credentials, or not valid ones. */
  'LOGIN_REQUIRED',
  'INVALID_TOKEN',
  'SESSION_EXPIRED',
  'SESSION_ENDED',
  'WRONG_PASSWORD',
  'ENROLMENT_CODE_INVALID',
  /** 403: the caller may not do this. */
  'FORBIDDEN',
  /** 403: the password was handed out by someone else: set one's own first. */
  'PASSWORD_CHANGE_REQUIRED',
  /** 403: a demo account signs in from the server's own machine only. */
  'DEMO_ACCOUNT_LOCAL_ONLY',
  /** 404: no such thing (or outside the caller's scope). */
  'NOT_FOUND',
  /** 405: the path answers other methods (the `Allow` header lists them). */
  'METHOD_NOT_ALLOWED',
  /** 409: the object's state does not allow this (closed, ended, not yet live). */
  'INVALID_STATE',
  /** 409: the lesson is not live (scheduled or ended). */
  'LESSON_NOT_LIVE',
  /** 409: another server process hosts the lesson; reconnect and try again. */
  'LESSON_ELSEWHERE',
  /** 409: the write collides with an existing record. */
  'CONFLICT',
  /** 409: a co-plan made from data that changed since: plan again. */
  'STALE_PLAN',
  /** 413: the body is too large. */
  'BODY_TOO_LARGE',
  /** 415: the body's media type or charset is not one the route reads. */
  'UNSUPPORTED_MEDIA_TYPE',
  /** 416: the range lies outside the file. */
  'RANGE_NOT_SATISFIABLE',
  /** 429: too many attempts (`Retry-After` says when to try again). */
  'TOO_MANY_REQUESTS',
  /** 503: the lesson's media node is not reachable now; try again shortly. */
  'MEDIA_NODE_UNAVAILABLE',
  /** 500: a fault of the server, logged under the answer's `requestId`. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A refusal as the client receives it (HTTP body's `error`, a socket acknowledgement's `error`). */
export interface WireError {
  /** The server's error class (ValidationError, ForbiddenError, …; InternalError for a fault). */
  name: string;
  /** For developers and logs (both languages on one line when `text` is given); not to be matched. */
  message: string;
  /** For people: the refusal in both languages, when the server words it so (the client shows its language's). */
  text?: Text;
  code: ErrorCode;
  /** With a 500: the id under which the server logged the fault. */
  requestId?: string;
}
