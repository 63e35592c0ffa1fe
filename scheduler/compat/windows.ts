/**
 * Wall-clock arithmetic on bell schedules: one school's periods on one weekday, how much a
 * session covers a period, and the windows in which several schools are all in class.
 * Times are minutes since midnight (08:00 = 480), spans are end-exclusive.
 */
import type { SchoolInput, Weekday } from '../timetable/model.ts';
import { coverage, covers, overlapMinutes } from '../timetable/slots.ts';
import { ArgumentError } from '../errors.ts';

/** A span of wall-clock time, minutes since midnight, end exclusive. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** One period (节次) of a school on one weekday. */
export interface DayPeriod extends TimeWindow {
  /** The period's number in the school's bell schedule (1 = first). */
  period: number;
}

/** A school's periods on one weekday, sorted by start, not overlapping. */
export type DayBells = readonly DayPeriod[];

/** Slack of the overlap test, so that 32 of 40 minutes passes a 0.8 threshold despite rounding. */
const EPSILON = 1e-9;

/** Every ISO weekday, Monday first. */
export const ALL_WEEKDAYS: readonly Weekday[] = [1, 2, 3, 4, 5, 6, 7];

/**
 * A school's periods on one weekday, sorted by start.
 * @throws TypeError when a period ends before it starts, or two periods of the day overlap or
 * share a number: the analysis assumes a bell schedule a school can actually ring.
 */
export function periodsOn(school: SchoolInput, weekday: Weekday): DayPeriod[] {
  const day = school.periods
    .filter((p) => p.weekdays.includes(weekday))
    .map((p) => ({ period: p.period, start: p.start, end: p.end }))
    .sort((a, b) => a.start - b.start || a.period - b.period);
  for (const [i, p] of day.entries()) {
    if (!Number.isFinite(p.start) || !Number.isFinite(p.end) || p.end <= p.start) {
      throw new ArgumentError(
        `${school.name}: period ${p.period} on weekday ${weekday} ends before it starts`,
      );
    }
    const previous = day[i - 1];
    if (previous && previous.end > p.start) {
      throw new ArgumentError(
        `${school.name}: periods ${previous.period} and ${p.period} overlap on weekday ${weekday}`,
      );
    }
    if (day.some((q, j) => j < i && q.period === p.period)) {
      throw new ArgumentError(`${school.name}: period ${p.period} rings twice on weekday ${weekday}`);
    }
  }
  return day;
}

/** The share of a period a session covers: the solver's own rule, so both always agree. */
const overlapRatio = coverage;
export { covers, overlapMinutes, overlapRatio };

/** The period of a day a session is best sat in, and how much of it the session covers. */
export interface BestPeriod {
  /** Index of the period in the day's list. */
  index: number;
  /** Covered share of the period, 0–1. */
  ratio: number;
  /** Covered minutes. */
  minutes: number;
  /** `ratio` reaches `minOverlap`. */
  ok: boolean;
}

/**
 * Picks the period of `day` that `session` is sat in: among the periods it covers by at least
 * `minOverlap`, the one it overlaps longest, the earlier one on a tie; when none qualifies, the
 * one with the largest covered share. Undefined when the session meets no period of the day.
 */
export function bestPeriod(session: TimeWindow, day: DayBells, minOverlap: number): BestPeriod | undefined {
  let best: BestPeriod | undefined;
  for (const [index, period] of day.entries()) {
    if (period.start >= session.end) break;
    const minutes = overlapMinutes(session, period);
    if (minutes <= 0) continue;
    const ratio = overlapRatio(session, period);
    const ok = ratio >= minOverlap - EPSILON;
    const better =
      !best || (ok && !best.ok) || (ok === best.ok && (ok ? minutes > best.minutes : ratio > best.ratio));
    if (better) best = { index, ratio, minutes, ok };
  }
  return best;
}

/**
 * The start times at which a period of `length` minutes is covered by `session` at least
 * `minOverlap` of its length: an interval of whole minutes, or undefined when no start works
 * (the session is too short for the share).
 */
export function coveredStarts(
  session: TimeWindow,
  length: number,
  minOverlap: number,
): { from: number; to: number } | undefined {
  const need = minOverlap * length;
  if (session.end - session.start < need - EPSILON || length < need - EPSILON) return undefined;
  const from = Math.ceil(session.start + need - length - EPSILON);
  const to = Math.floor(session.end - need + EPSILON);
  return from <= to ? { from, to } : undefined;
}

/**
 * The windows in which every given school is in class: the intersection, over schools, of the
 * union of each school's periods that day. Empty when any school has no period.
 */
export function commonWindows(days: readonly DayBells[]): TimeWindow[] {
  let common: TimeWindow[] | undefined;
  for (const day of days) {
    const spans = union(day);
    common = common ? intersect(common, spans) : spans;
    if (common.length === 0) break;
  }
  return common ?? [];
}

/** Merges touching or overlapping spans of a sorted day. */
function union(day: DayBells): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (const p of day) {
    const last = out[out.length - 1];
    if (last && p.start <= last.end) last.end = Math.max(last.end, p.end);
    else out.push({ start: p.start, end: p.end });
  }
  return out;
}

function intersect(a: readonly TimeWindow[], b: readonly TimeWindow[]): TimeWindow[] {
  const out: TimeWindow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (!x || !y) break;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

/** "08:05" for 485; minutes past 24:00 wrap. */
export function clock(minutes: number): string {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
