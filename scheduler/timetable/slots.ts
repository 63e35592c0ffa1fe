/**
 * Candidate slots: for a hub period, the period each receiving class sits it in, chosen by
 * wall-clock overlap with its own school's bells.
 */
import type { ClusterIndex, Slot } from './cluster.ts';
import type { BellPeriod, Session, Weekday } from './model.ts';
import { ArgumentError } from '../errors.ts';

/**
 * The product's one overlap rule: a synchronized session must cover at least this share of a
 * receiving class's period. The solver, the bell analysis, its proposals and the co-plan all
 * default to it, so that they agree on which hub periods a school can sit.
 */
export const MIN_OVERLAP = 0.9;

/** A span of wall-clock time, minutes since midnight, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** Minutes two spans share (0 when they do not meet). */
export function overlapMinutes(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** The share of `period`'s length that `session` covers, in [0, 1] (0 for an empty period). */
export function coverage(session: Span, period: Span): number {
  const length = period.end - period.start;
  return length > 0 ? overlapMinutes(session, period) / length : 0;
}

/** Whether a session covers a period by at least `minOverlap` of its length (with float slack). */
export function covers(session: Span, period: Span, minOverlap: number): boolean {
  return coverage(session, period) >= minOverlap - 1e-9;
}

/** The period a class sits a session in, and whether it covers it enough. */
export interface ReceivingChoice {
  period: BellPeriod;
  /** Minutes of the session inside the period. */
  overlap: number;
  /** The session covers at least `minOverlap` of the period. */
  ok: boolean;
}

/**
 * Picks the receiving period for a session among one school's periods of that day: of the
 * periods the session covers by at least `minOverlap`, the one with the largest overlap
 * (the earlier one on a tie); when none qualifies, the one with the largest overlap, marked
 * not ok; undefined when no period meets the session at all.
 * @param periods the school's periods on the session's weekday.
 */
export function receivingPeriod(
  session: Span,
  periods: readonly BellPeriod[],
  minOverlap: number,
): ReceivingChoice | undefined {
  let best: ReceivingChoice | undefined;
  for (const period of periods) {
    const overlap = overlapMinutes(session, period);
    if (overlap <= 0) continue;
    const ok = covers(session, period, minOverlap);
    if (!best || (ok && !best.ok) || (ok === best.ok && overlap > best.overlap)) {
      best = { period, overlap, ok };
    }
  }
  return best;
}

/**
 * The session of an offering at a hub slot, with each receiving class's best period. A class
 * whose school has no period meeting the slot is left out (the checks report it as
 * `no-overlap`); one whose best period is covered too little is kept and reported likewise.
 * @throws TypeError for an unknown offering.
 */
export function sessionForSlot(index: ClusterIndex, offeringId: string, slot: Slot): Session {
  const offering = index.offerings.get(offeringId);
  if (!offering) throw new ArgumentError(`unknown offering: ${offeringId}`);
  const receiving: { classId: string; period: number }[] = [];
  for (const classId of offering.receivingClassIds) {
    const c = index.classes.get(classId);
    const periods = c ? index.day(c.schoolId, slot.weekday).periods : [];
    const choice = receivingPeriod(slot, periods, index.options.minOverlap);
    if (choice) receiving.push({ classId, period: choice.period.period });
  }
  return {
    offeringId,
    weekday: slot.weekday,
    period: slot.period,
    start: slot.start,
    end: slot.end,
    receiving,
  };
}

/**
 * The session of an offering at the hub's (weekday, period), or undefined when the hub has no
 * such period that day. Weekdays outside the options' weekdays are allowed here (the checks
 * report them).
 */
export function sessionAt(
  index: ClusterIndex,
  offeringId: string,
  weekday: Weekday,
  period: number,
): Session | undefined {
  const hub = index.day(index.hub.id, weekday).byNumber.get(period);
  return hub && sessionForSlot(index, offeringId, { weekday, period, start: hub.start, end: hub.end });
}

/** Whether every receiving class of the offering has a period the slot covers enough. */
export function slotFitsBells(index: ClusterIndex, offeringId: string, slot: Slot): boolean {
  const offering = index.offerings.get(offeringId);
  if (!offering) return false;
  return offering.receivingClassIds.every((classId) => {
    const c = index.classes.get(classId);
    const periods = c ? index.day(c.schoolId, slot.weekday).periods : [];
    return receivingPeriod(slot, periods, index.options.minOverlap)?.ok === true;
  });
}
