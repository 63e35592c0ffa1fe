/**
 * Words of the coordinator's messages (parts of `Text`s, in both languages).
 */
import type { Weekday } from '../timetable/model.ts';
import { dayName } from '../timetable/messages.ts';
import type { Text } from '../text.ts';

/** "周二、周四" and "Tue, Thu". */
export function weekdayNames(weekdays: readonly Weekday[]): Text {
  const sorted = [...weekdays].sort((a, b) => a - b);
  const names = sorted.map(dayName);
  return { zh: names.map((n) => n.zh).join('、'), en: names.map((n) => n.en).join(', ') };
}

/** A share as a percentage, written one way in every message (0.8 → "80", 0.799 → "79.9"). */
export { percent } from '../delivery/text.ts';

/** "第 3 节" / "period 3", or "第 3–4 节" / "periods 3–4" for a run. */
export function periodNames(periods: readonly number[]): Text {
  const sorted = [...periods].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const last = sorted[sorted.length - 1] ?? first;
  const consecutive = sorted.every((p, i) => p === first + i);
  if (sorted.length === 1) return { zh: `第 ${first} 节`, en: `period ${first}` };
  const list = consecutive ? `${first}–${last}` : sorted.join('、');
  return { zh: `第 ${list} 节`, en: `periods ${consecutive ? list : sorted.join(', ')}` };
}
