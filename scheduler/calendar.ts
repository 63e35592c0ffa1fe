import type { Weekday } from './timetable/model.ts';
import { ArgumentError } from './errors.ts';

/** A term's dates as a county sets them: holidays, and weekend days worked as another weekday. */
export interface TermCalendarInput {
  /** First and last day of the term, YYYY-MM-DD. */
  start: string;
  end: string;
  /** Days off, inclusive ranges (国庆节 2026-10-01 … 2026-10-07). */
  holidays: readonly { from: string; to: string; name?: string | null }[];
  /** Make-up working days (调休): a date that follows another weekday's timetable. */
  makeupDays: readonly { date: string; followsWeekday: number }[];
}

/** A day of teaching: its date, and whose weekday's timetable it follows. */
export interface SchoolDay {
  date: string;
  /** The weekday timetable of the day (a make-up Sunday may follow Friday's). */
  weekday: Weekday;
  /** Set on a make-up working day. */
  makeup?: true;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since the epoch of a YYYY-MM-DD date. @throws TypeError on a malformed or impossible date */
function dayNumber(date: string): number {
  const m = DATE.exec(date);
  if (!m) throw new ArgumentError(`not a date (YYYY-MM-DD): ${date}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new ArgumentError(`no such date: ${date}`);
  return ms / DAY_MS;
}

const dateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** ISO weekday of a day number (1970-01-01 was a Thursday). */
const weekdayOf = (day: number): Weekday => (((((day + 3) % 7) + 7) % 7) + 1) as Weekday;

/**
 * The teaching days of a term in order: every weekday (Monday to Friday, or the given
 * `weekdays`) that is not a holiday, plus the make-up days, each with the weekday whose
 * timetable it follows. A make-up day wins over a holiday range that contains it.
 *
 * @throws TypeError when a date is malformed, the term ends before it starts, or a make-up
 * day names no weekday 1–7
 */
export function schoolDays(
  calendar: TermCalendarInput,
  weekdays: readonly Weekday[] = [1, 2, 3, 4, 5],
): SchoolDay[] {
  const first = dayNumber(calendar.start);
  const last = dayNumber(calendar.end);
  if (last < first)
    throw new ArgumentError(`the term ends (${calendar.end}) before it starts (${calendar.start})`);
  const off = new Set<number>();
  for (const h of calendar.holidays) {
    const from = dayNumber(h.from);
    const to = dayNumber(h.to);
    if (to < from) throw new ArgumentError(`holiday ${h.name ?? ''} ends before it starts`);
    for (let d = from; d <= to; d++) off.add(d);
  }
  const makeup = new Map<number, Weekday>();
  for (const m of calendar.makeupDays) {
    if (!Number.isInteger(m.followsWeekday) || m.followsWeekday < 1 || m.followsWeekday > 7)
      throw new ArgumentError(`make-up day ${m.date} follows no weekday (${m.followsWeekday})`);
    makeup.set(dayNumber(m.date), m.followsWeekday as Weekday);
  }
  const days: SchoolDay[] = [];
  for (let d = first; d <= last; d++) {
    const follows = makeup.get(d);
    if (follows) days.push({ date: dateOf(d), weekday: follows, makeup: true });
    else if (!off.has(d) && weekdays.includes(weekdayOf(d)))
      days.push({ date: dateOf(d), weekday: weekdayOf(d) });
  }
  return days;
}

/** A weekly session: a weekday and wall-clock minutes since midnight. */
export interface WeeklySlot {
  weekday: Weekday;
  start: number;
  end: number;
}

/** One dated occurrence of a weekly session. */
export interface DatedSession<T> {
  session: T;
  date: string;
  /** Start and end, ms since the epoch. */
  start: number;
  end: number;
}

export interface ExpandOptions {
  /** The schools' offset from UTC, minutes (China Standard Time, no daylight saving). @default 480 */
  utcOffsetMinutes?: number;
}

/**
 * Expands a weekly timetable into dated sessions over a term: on every school day, the
 * sessions of the weekday it follows (a make-up Saturday that follows Monday gets Monday's
 * sessions; holidays get none). Ordered by start.
 */
export function expandTerm<T extends WeeklySlot>(
  sessions: readonly T[],
  calendar: TermCalendarInput,
  { utcOffsetMinutes = 480 }: ExpandOptions = {},
): DatedSession<T>[] {
  const out: DatedSession<T>[] = [];
  const weekdays = [...new Set(sessions.map((s) => s.weekday))];
  for (const day of schoolDays(calendar, weekdays)) {
    const midnight = dayNumber(day.date) * DAY_MS - utcOffsetMinutes * 60_000;
    for (const session of sessions)
      if (session.weekday === day.weekday)
        out.push({
          session,
          date: day.date,
          start: midnight + session.start * 60_000,
          end: midnight + session.end * 60_000,
        });
  }
  return out.sort((a, b) => a.start - b.start);
}
