/** The demo schools' day: four morning and two afternoon periods of 40 minutes. */
const PERIOD_STARTS = [8 * 60, 8 * 60 + 55, 10 * 60 + 5, 11 * 60, 14 * 60 + 30, 15 * 60 + 25];
const PERIOD_MINUTES = 40;

/** A period's start and end at the hub, minutes since midnight (China time). */
export function periodTime(period: number): { start: number; end: number } {
  const start = PERIOD_STARTS[period - 1];
  if (start === undefined) throw new TypeError(`the demo day has no period ${period}`);
  return { start, end: start + PERIOD_MINUTES };
}

/**
 * A school's day shifted by `offsetMinutes`. The demo's village schools ring 0–4 minutes
 * after the hub, close enough for synchronized lessons (each class's period covered by at
 * least 90 %).
 */
export function demoBells(
  offsetMinutes: number,
): { period: number; start: string; end: string; weekdays: number[] }[] {
  const hhmm = (m: number): string =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return PERIOD_STARTS.map((s, i) => ({
    period: i + 1,
    start: hhmm(s + offsetMinutes),
    end: hhmm(s + offsetMinutes + PERIOD_MINUTES),
    weekdays: [1, 2, 3, 4, 5],
  }));
}
