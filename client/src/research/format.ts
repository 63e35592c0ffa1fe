import { t } from '../i18n.ts';
import type { MessageKey, MessageVars } from '../i18n.ts';

/** Seconds as m:ss (or h:mm:ss). */
export function clockOf(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const [hh = 0, mm = 0, ss = 0] = hms;
  const two = (n: number): string => String(n).padStart(2, '0');
  return hh ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

/** A message with its {name} variables filled in (`t(key, vars)`). */
export function fill(key: MessageKey, vars: MessageVars): string {
  return t(key, vars);
}

/** Where a comment's moment plays: the library's player at that second. */
export const playerAt = (lessonId: string, seconds: number): string =>
  `/library?lesson=${encodeURIComponent(lessonId)}&t=${Math.floor(seconds)}`;
