/**
 * Changes to one school's day of bells: shift a period (pushing neighbours that would come too
 * close), shorten a long break by moving the block of periods next to it, or set a period to the
 * hub's exact time. Each returns a new day or null when the change would leave a break too short,
 * leave the school's day, move a period too far, or move a period an earlier change already moved.
 */
import { bestPeriod, coveredStarts } from './windows.ts';
import type { DayBells, DayPeriod, TimeWindow } from './windows.ts';

/** How a period changes: the three kinds of proposal. */
export type ChangeKind = 'shift' | 'shorten-break' | 'sync-period';

/** Bounds of the changes, all in minutes except `minOverlap`. */
export interface MoveLimits {
  /** Share of a receiving period a session must overlap, 0–1. */
  minOverlap: number;
  /** Most a period moves in a shift. */
  maxShiftMinutes: number;
  /** Most a long break is shortened by. */
  maxBreakCutMinutes: number;
  /** Shortest break a change may narrow a break to (shorter breaks may stay as they are). */
  minBreakMinutes: number;
}

/** A changed day and what the change costs. */
export interface DayOption {
  day: DayBells;
  kind: ChangeKind;
  /** Periods whose times change (0: the day already fits). */
  changed: number;
  /** Sum over changed periods of the larger of start and end moves, minutes. */
  minutes: number;
}

/**
 * A break at least this long is a long break (大课间, lunch): a shorten-break change moves the
 * block of periods between two long breaks together, so the school keeps its rhythm inside it.
 */
export const LONG_BREAK_MINUTES = 20;

/** Periods changed between two versions of a day, and the minutes they moved. */
export function dayCost(from: DayBells, to: DayBells): { changed: number; minutes: number } {
  let changed = 0;
  let minutes = 0;
  for (const [i, p] of to.entries()) {
    const q = from[i];
    if (!q || (p.start === q.start && p.end === q.end)) continue;
    changed++;
    minutes += Math.max(Math.abs(p.start - q.start), Math.abs(p.end - q.end));
  }
  return { changed, minutes };
}

/**
 * Puts period `j` at [start, end] and pushes neighbours just far enough that no break it
 * narrows falls under `minBreak` (or under its old length, if it was shorter).
 * Null when the day would then start earlier or end later than `bounds`.
 */
export function placePeriod(
  day: DayBells,
  j: number,
  span: TimeWindow,
  minBreak: number,
  bounds: TimeWindow,
): DayPeriod[] | null {
  const moved = day[j];
  if (!moved) return null;
  const out = day.map((p) => ({ ...p }));
  out[j] = { period: moved.period, start: span.start, end: span.end };
  for (let i = j + 1; i < out.length; i++) {
    const prev = out[i - 1];
    const cur = out[i];
    const old = day[i];
    const oldPrev = day[i - 1];
    if (!prev || !cur || !old || !oldPrev) break;
    const push = prev.end + Math.min(minBreak, old.start - oldPrev.end) - cur.start;
    if (push <= 0) break;
    out[i] = { period: cur.period, start: cur.start + push, end: cur.end + push };
  }
  for (let i = j - 1; i >= 0; i--) {
    const next = out[i + 1];
    const cur = out[i];
    const old = day[i];
    const oldNext = day[i + 1];
    if (!next || !cur || !old || !oldNext) break;
    const push = cur.end + Math.min(minBreak, oldNext.start - old.end) - next.start;
    if (push <= 0) break;
    out[i] = { period: cur.period, start: cur.start - push, end: cur.end - push };
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (!first || !last || first.start < bounds.start || last.end > bounds.end) return null;
  return out;
}

/**
 * Moves the block of periods around `j` (between two long breaks) by `delta` minutes, toward
 * the long break in front of it, which gets shorter. Null when there is no long break on that
 * side (the block would leave the school's day) or it would fall under `minBreak`.
 */
export function moveBlock(day: DayBells, j: number, delta: number, minBreak: number): DayPeriod[] | null {
  if (delta === 0 || !day[j]) return null;
  const gap = (i: number): number => (day[i + 1]?.start ?? Infinity) - (day[i]?.end ?? -Infinity);
  let lo = j;
  let hi = j;
  while (lo > 0 && gap(lo - 1) < LONG_BREAK_MINUTES) lo--;
  while (hi < day.length - 1 && gap(hi) < LONG_BREAK_MINUTES) hi++;
  const front = delta < 0 ? lo - 1 : hi;
  if (front < 0 || front >= day.length - 1) return null;
  const before = gap(front);
  if (before - Math.abs(delta) < Math.min(minBreak, before)) return null;
  return day.map((p, i) =>
    i >= lo && i <= hi ? { ...p, start: p.start + delta, end: p.end + delta } : { ...p },
  );
}

/** The school's day as first rung: its first start and last end. */
export function dayBounds(original: DayBells): TimeWindow {
  return { start: original[0]?.start ?? 0, end: original[original.length - 1]?.end ?? 0 };
}

/** Whether `to` moves a period that `current` had already moved away from `original`. */
function movesMovedPeriod(original: DayBells, current: DayBells, to: DayBells): boolean {
  return to.some((p, i) => {
    const c = current[i];
    const o = original[i];
    return c && o && (p.start !== c.start || p.end !== c.end) && (c.start !== o.start || c.end !== o.end);
  });
}

function option(
  original: DayBells,
  current: DayBells,
  to: DayBells | null,
  kind: ChangeKind,
): DayOption | null {
  if (!to || movesMovedPeriod(original, current, to)) return null;
  return { day: to, kind, ...dayCost(current, to) };
}

function cheaper(a: DayOption | null, b: DayOption | null): DayOption | null {
  if (!a) return b;
  if (!b) return a;
  return b.changed < a.changed || (b.changed === a.changed && b.minutes < a.minutes) ? b : a;
}

/**
 * The cheapest way to move period `j` of a day by `delta` minutes: a shift (|delta| up to
 * `maxShiftMinutes`, neighbours pushed) or a shortened long break (up to `maxBreakCutMinutes`).
 */
export function movePeriod(
  original: DayBells,
  current: DayBells,
  j: number,
  delta: number,
  limits: MoveLimits,
): DayOption | null {
  const p = current[j];
  if (!p || delta === 0) return null;
  let best: DayOption | null = null;
  if (Math.abs(delta) <= limits.maxShiftMinutes) {
    const span = { start: p.start + delta, end: p.end + delta };
    best = option(
      original,
      current,
      placePeriod(current, j, span, limits.minBreakMinutes, dayBounds(original)),
      'shift',
    );
  }
  if (Math.abs(delta) <= limits.maxBreakCutMinutes) {
    const block = option(
      original,
      current,
      moveBlock(current, j, delta, limits.minBreakMinutes),
      'shorten-break',
    );
    best = cheaper(best, block);
  }
  return best;
}

/** Largest move of any period a change may make. */
export function reach(limits: MoveLimits): number {
  return Math.max(limits.maxShiftMinutes, limits.maxBreakCutMinutes);
}

/**
 * The cheapest change of a receiving school's day after which `session` covers one of its
 * periods by `minOverlap`: the period moved by the fewest minutes that reach the threshold.
 * `changed` 0 when it already does; null when no change within the limits does.
 */
export function fitSession(
  original: DayBells,
  current: DayBells,
  session: TimeWindow,
  limits: MoveLimits,
): DayOption | null {
  if (bestPeriod(session, current, limits.minOverlap)?.ok) {
    return { day: current, kind: 'shift', changed: 0, minutes: 0 };
  }
  let best: DayOption | null = null;
  for (const [j, p] of current.entries()) {
    const starts = coveredStarts(session, p.end - p.start, limits.minOverlap);
    if (!starts) continue;
    const delta = Math.min(Math.max(0, starts.from - p.start), starts.to - p.start);
    if (Math.abs(delta) > reach(limits)) continue;
    best = cheaper(best, movePeriod(original, current, j, delta, limits));
  }
  return best;
}

/**
 * The cheapest change of a school's day that gives it a period at exactly `session`'s time
 * (a synchronized period, 同步课时段): one period moved to the session's start as a shift or a
 * shortened break would move it, then, if its length differs, its end set to the session's
 * (neighbours pushed). `changed` 0 when the day already has such a period.
 */
export function syncSession(
  original: DayBells,
  current: DayBells,
  session: TimeWindow,
  limits: MoveLimits,
): DayOption | null {
  if (current.some((p) => p.start === session.start && p.end === session.end)) {
    return { day: current, kind: 'sync-period', changed: 0, minutes: 0 };
  }
  let best: DayOption | null = null;
  for (const [j, p] of current.entries()) {
    const delta = session.start - p.start;
    if (Math.abs(delta) > reach(limits)) continue;
    const moved = delta === 0 ? current : movePeriod(original, current, j, delta, limits)?.day;
    if (!moved) continue;
    const to =
      moved[j]?.end === session.end
        ? moved
        : placePeriod(moved, j, session, limits.minBreakMinutes, dayBounds(original));
    const far = (q: DayPeriod, i: number): boolean =>
      Math.max(
        Math.abs(q.start - (current[i]?.start ?? q.start)),
        Math.abs(q.end - (current[i]?.end ?? q.end)),
      ) > reach(limits);
    if (!to || to.some(far)) continue;
    best = cheaper(best, option(original, current, to, 'sync-period'));
  }
  return best;
}

/**
 * The hub-side shifts worth trying for a hub period: for each period of the given days, the
 * smallest move of the hub period after which it covers that period by `minOverlap`.
 */
export function hubDeltas(session: TimeWindow, days: readonly DayBells[], limits: MoveLimits): number[] {
  const deltas = new Set<number>();
  const length = session.end - session.start;
  for (const day of days) {
    for (const p of day) {
      const need = limits.minOverlap * (p.end - p.start);
      if (length < need - 1e-9) continue;
      // The receiving period must start within [start + need − L, end − need] of the moved session.
      const from = Math.ceil(p.start - session.end + need - 1e-9);
      const to = Math.floor(p.start - session.start + (p.end - p.start) - need + 1e-9);
      if (from > to) continue;
      const delta = Math.min(Math.max(0, from), to);
      if (delta !== 0 && Math.abs(delta) <= reach(limits)) deltas.add(delta);
    }
  }
  return [...deltas].sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
}
