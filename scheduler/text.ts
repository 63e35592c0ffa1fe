/**
 * Text for people, in both of the product's languages: Simplified Chinese (the default) and
 * English. Whatever the server writes for a user — a timetable conflict, a delivery verdict's
 * reason, an import problem, an error, a report's titles — is a `Text`, carried to the client
 * with both languages, and shown (or written into a file) in the language of whoever reads it.
 *
 * It lives at the bottom of the layers (here, pure and dependency-free) so that the scheduler,
 * the server and, as a type through `server/contract`, the client share the one definition.
 * Both languages travel instead of a code and parameters because the sentences are composed
 * where their facts are (names, slots, counts, thresholds), many of them in the scheduler; the
 * client would otherwise need a second copy of every sentence and of its grammar.
 */

/** The product's languages: Simplified Chinese (the default) and English. */
export type Lang = 'zh' | 'en';

/** One piece of user-facing text, written in both languages. */
export interface Text {
  readonly zh: string;
  readonly en: string;
}

/** A text from its Chinese and its English. */
export function text(zh: string, en: string): Text {
  return { zh, en };
}

/** The same words in both languages (a name, a number, a code). */
export function verbatim(value: string): Text {
  return { zh: value, en: value };
}

/**
 * Both languages on one line, "中文 (English)", for readers without a language: logs, an
 * error's `message` (the client shows the error's `text` instead), command-line tools.
 */
export function both(value: Text): string {
  return value.zh === value.en ? value.zh : `${value.zh} (${value.en})`;
}

/** Texts joined, each language with its own separator (default "；" and "; "). */
export function joinTexts(values: readonly Text[], separator: Text = { zh: '；', en: '; ' }): Text {
  return {
    zh: values.map((v) => v.zh).join(separator.zh),
    en: values.map((v) => v.en).join(separator.en),
  };
}

/** Whether `value` is a Text (for data that may still hold a plain string). */
export function isText(value: unknown): value is Text {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { zh?: unknown }).zh === 'string' &&
    typeof (value as { en?: unknown }).en === 'string'
  );
}

/**
 * Text read back from storage that may predate `Text`: a Text as it is; a line that
 * {@link both} wrote, "中文 (English)" (a Chinese part, then the English in the last
 * parentheses), split back into its two languages; any other string the same in both (a name); nothing, empty.
 * So a plan, verdict or message saved by an older version still reads in the reader's language.
 */
export function storedText(value: unknown): Text {
  if (isText(value)) return value;
  const line = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  if (!line.endsWith(')')) return verbatim(line);
  // The English is in the parentheses that close the line: find where they open.
  let depth = 0;
  for (let i = line.length - 1; i > 0; i--) {
    const c = line[i];
    if (c === ')') depth++;
    else if (c === '(' && --depth === 0) {
      const zh = line.slice(0, i).trimEnd();
      const en = line.slice(i + 1, -1).trim();
      return zh && en && /\p{Script=Han}/u.test(zh) && i > 0 && line[i - 1] === ' '
        ? { zh, en }
        : verbatim(line);
    }
  }
  return verbatim(line);
}

/**
 * What an error says: a sentence for developers (English, as most errors are), or words for
 * people in both languages. `message` is the error's `message` (both languages on one line for
 * a `Text`), `text` the words the client shows in its language (the wire error's `text`).
 */
export function errorWords(words: string | Text): { message: string; text: Text | undefined } {
  return typeof words === 'string'
    ? { message: words, text: undefined }
    : { message: both(words), text: words };
}
