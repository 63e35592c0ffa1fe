import { t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';

/** The message `key` with its `{name}` placeholders filled in. */
export function fmt(key: MessageKey, vars: Record<string, string | number>): string {
  return t(key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
