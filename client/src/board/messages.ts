import { t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';

/** The message `key` with its `{name}` placeholders filled in. */
export function fmt(key: MessageKey, vars: Record<string, string | number>): string {
  return t(key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The contract's refusals a participant meets in class, in the interface language. */
const REFUSALS: Record<string, MessageKey> = {
  'this classroom does not hold the pen': 'boardNoPen',
  'only the teacher can do this': 'boardTeacherOnly',
  'stroke too long': 'boardStrokeTooLong',
};

/** A refusal from the server as the user should read it (unknown ones as they came). */
export function refusalText(message: string): string {
  const key = REFUSALS[message];
  return key ? t(key) : message;
}
