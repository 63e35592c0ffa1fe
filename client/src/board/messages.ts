import { t } from '../i18n.ts';
import type { MessageKey, MessageVars } from '../i18n.ts';

/** The message `key` with its `{name}` placeholders filled in (`t(key, vars)`). */
export function fmt(key: MessageKey, vars: MessageVars): string {
  return t(key, vars);
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
