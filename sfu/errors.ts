/**
 * Named errors of the platform's libraries. The server maps them by class to HTTP statuses and
 * to error acknowledgements on the socket: ArgumentError → 400, ForbiddenError → 403,
 * NotFoundError → 404, InvalidStateError → 409; anything else is a fault (500).
 */
import { errorWords } from '../scheduler/text.ts';
import type { Text } from '../scheduler/text.ts';

export { ArgumentError } from '../scheduler/errors.ts';

/** The object is in a state that does not allow the call (closed, not live, already ended). */
export class InvalidStateError extends Error {
  /** Words for people in both languages, when the thrower wrote them (the wire error's `text`). */
  readonly text: Text | undefined;

  constructor(words: string | Text) {
    const { message, text } = errorWords(words);
    super(message);
    this.name = 'InvalidStateError';
    this.text = text;
  }
}

/** The thing asked for does not exist (or the caller may not know that it exists). */
export class NotFoundError extends Error {
  /** Words for people in both languages, when the thrower wrote them (the wire error's `text`). */
  readonly text: Text | undefined;

  constructor(words: string | Text) {
    const { message, text } = errorWords(words);
    super(message);
    this.name = 'NotFoundError';
    this.text = text;
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends Error {
  /** Words for people in both languages, when the thrower wrote them (the wire error's `text`). */
  readonly text: Text | undefined;

  constructor(words: string | Text) {
    const { message, text } = errorWords(words);
    super(message);
    this.name = 'ForbiddenError';
    this.text = text;
  }
}
