/**
 * The soft score: weighted penalties, lower is better. Every term belongs to one offering,
 * so a change to one offering's sessions changes only that offering's part.
 *
 * - `spread`: per pair of the offering's sessions, {@link SAME_DAY_PENALTY} on one day and
 *   {@link ADJACENT_DAY_PENALTY} on adjacent days.
 * - `same-time`: per offering, the number of distinct hub periods its sessions use, minus one.
 * - `edge-period`: per session and receiving class, 1 when the class sits it in its school's
 *   first or last period of that day.
 * - `preference`: per session, 1 when its teacher gave preferred periods and this is not one.
 */
import { periodKey } from './cluster.ts';
import type { ClusterIndex } from './cluster.ts';
import type { Session, SoftConstraint } from './model.ts';

/** Penalty of two sessions of one offering on the same day. */
export const SAME_DAY_PENALTY = 4;
/** Penalty of two sessions of one offering on adjacent days. */
export const ADJACENT_DAY_PENALTY = 1;

/** A soft report: the weighted total and its weighted parts. */
export interface SoftReport {
  score: number;
  soft: Record<SoftConstraint, number>;
}

/** All parts zero. */
export function emptySoft(): Record<SoftConstraint, number> {
  return { spread: 0, 'same-time': 0, 'edge-period': 0, preference: 0 };
}

/**
 * Adds one offering's weighted penalties to `into` and returns their sum.
 * @param sessions the offering's sessions (all of them, in any order).
 */
export function addOfferingPenalty(
  index: ClusterIndex,
  offeringId: string,
  sessions: readonly Session[],
  into: Record<SoftConstraint, number>,
): number {
  const w = index.options.weights;
  let spread = 0;
  const periods = new Set<number>();
  let edge = 0;
  let preference = 0;
  const teacherId = index.offerings.get(offeringId)?.teacherId ?? '';
  const preferred = index.preferred.get(teacherId);
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i];
    if (!s) continue;
    for (let j = i + 1; j < sessions.length; j++) {
      const gap = Math.abs(s.weekday - (sessions[j]?.weekday ?? -9));
      if (gap === 0) spread += SAME_DAY_PENALTY;
      else if (gap === 1) spread += ADJACENT_DAY_PENALTY;
    }
    periods.add(s.period);
    for (const r of s.receiving) {
      const c = index.classes.get(r.classId);
      if (c && index.day(c.schoolId, s.weekday).edges.has(r.period)) edge++;
    }
    if (preferred && !preferred.has(periodKey(s.weekday, s.period))) preference++;
  }
  const parts = {
    spread: spread * w.spread,
    'same-time': Math.max(0, periods.size - 1) * w['same-time'],
    'edge-period': edge * w['edge-period'],
    preference: preference * w.preference,
  };
  into.spread += parts.spread;
  into['same-time'] += parts['same-time'];
  into['edge-period'] += parts['edge-period'];
  into.preference += parts.preference;
  return parts.spread + parts['same-time'] + parts['edge-period'] + parts.preference;
}

/** One offering's weighted penalty. */
export function offeringPenalty(
  index: ClusterIndex,
  offeringId: string,
  sessions: readonly Session[],
): number {
  return addOfferingPenalty(index, offeringId, sessions, emptySoft());
}

/** The soft report of a whole timetable. */
export function softOf(index: ClusterIndex, sessions: readonly Session[]): SoftReport {
  const byOffering = new Map<string, Session[]>();
  for (const s of sessions) {
    const list = byOffering.get(s.offeringId);
    if (list) list.push(s);
    else byOffering.set(s.offeringId, [s]);
  }
  const soft = emptySoft();
  let score = 0;
  for (const [id, list] of byOffering) score += addOfferingPenalty(index, id, list, soft);
  return { score, soft };
}
