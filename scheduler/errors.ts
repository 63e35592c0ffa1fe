/**
 * The one error of the lowest layer, shared by every other (sfu/ re-exports it, the server
 * maps it): a bad argument thrown on purpose.
 */
import { errorWords } from './text.ts';
import type { Text } from './text.ts';

/**
 * An argument the function cannot take (an unknown id, an impossible date, overlapping bells),
 * thrown on purpose. It is a `TypeError`, as mediasoup throws them, and keeps that name on the
 * wire; the server answers it with 400 `INVALID_ARGUMENT`. Any other `TypeError` is a bug
 * (reading a property of undefined, calling a non-function) and is answered as a logged 500.
 */
export class ArgumentError extends TypeError {
  /** Words for people in both languages, when the thrower wrote them (the wire error's `text`). */
  readonly text: Text | undefined;

  constructor(words: string | Text) {
    const { message, text } = errorWords(words);
    super(message);
    this.name = 'TypeError';
    this.text = text;
  }
}
