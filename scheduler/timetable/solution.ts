/**
 * Turning a finished timetable into a {@link Solution}: sorted copies of the sessions, the
 * soft score, and for each offering still short of sessions the rules that blocked its
 * candidate slots.
 */
import type { ClusterIndex } from './cluster.ts';
import { blockedMessage, noSlotsMessage } from './messages.ts';
import type { Conflict, HardConstraint, Session, Solution, Unplaced } from './model.ts';
import { sessionForSlot } from './slots.ts';
import type { Timetable } from './Timetable.ts';

const ORDER: readonly HardConstraint[] = [
  'teacher-busy',
  'teacher-day-limit',
  'room-busy',
  'class-busy',
  'classroom-busy',
  'no-overlap',
  'bandwidth',
  'unknown-period',
];

function nameOf(ix: ClusterIndex, subject: Conflict['subject']): string {
  const map = {
    teacher: ix.teachers,
    room: ix.rooms,
    class: ix.classes,
    school: ix.schools,
    classroom: undefined,
  };
  return map[subject.kind]?.get(subject.id)?.name ?? subject.id;
}

/**
 * Why an offering's remaining sessions found no slot: over every hub slot it does not use yet,
 * which rule blocked how many slots, for which teacher, room, class, classroom or school,
 * most frequent first.
 */
export function explainUnplaced(timetable: Timetable, offeringId: string, missing: number): Unplaced {
  const ix = timetable.index;
  const counts = new Map<
    string,
    { constraint: HardConstraint; subject: Conflict['subject']; slots: number }
  >();
  let total = 0;
  for (const slot of ix.slots) {
    if (timetable.get(offeringId, slot.weekday, slot.period)) continue;
    total++;
    const seen = new Set<string>();
    for (const c of timetable.conflictsOf(sessionForSlot(ix, offeringId, slot))) {
      const key = `${c.constraint}|${c.subject.kind}|${c.subject.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const count = counts.get(key);
      if (count) count.slots++;
      else counts.set(key, { constraint: c.constraint, subject: c.subject, slots: 1 });
    }
  }
  const reasons = [...counts.values()]
    .sort((a, b) => b.slots - a.slots || ORDER.indexOf(a.constraint) - ORDER.indexOf(b.constraint))
    .map((r) => ({ ...r, message: blockedMessage(r.constraint, nameOf(ix, r.subject), r.slots, total) }));
  if (ix.slots.length === 0) {
    const hub = { kind: 'school' as const, id: ix.hub.id };
    reasons.push({
      constraint: 'unknown-period',
      subject: hub,
      slots: 0,
      message: noSlotsMessage(ix.hub.name),
    });
  } else if (total === 0) {
    // The offering already sits in every slot: its own teacher is what blocks the rest.
    const teacherId = ix.offerings.get(offeringId)?.teacherId ?? '';
    const subject = { kind: 'teacher' as const, id: teacherId };
    const n = ix.slots.length;
    const message = blockedMessage('teacher-busy', nameOf(ix, subject), n, n);
    reasons.push({ constraint: 'teacher-busy', subject, slots: n, message });
  }
  return { offeringId, missing, reasons };
}

/** A copy of the sessions in week order: weekday, start, offering. */
export function sortedSessions(sessions: readonly Session[]): Session[] {
  return sessions
    .map((s) => ({ ...s, receiving: s.receiving.map((r) => ({ ...r })) }))
    .sort((a, b) => a.weekday - b.weekday || a.start - b.start || a.offeringId.localeCompare(b.offeringId));
}

/**
 * The solution of a finished timetable.
 * @param hardViolations breaches the caller could not avoid (conflicting locked sessions).
 * @param explain give each short offering its blocking rules (else `reasons` is empty).
 */
export function toSolution(
  timetable: Timetable,
  hardViolations: Conflict[],
  stats: Solution['stats'],
  explain = true,
): Solution {
  const unplaced: Unplaced[] = [];
  for (const o of timetable.index.problem.offerings) {
    const missing = o.periodsPerWeek - timetable.sessionsOf(o.id).length;
    if (missing > 0) {
      unplaced.push(
        explain ? explainUnplaced(timetable, o.id, missing) : { offeringId: o.id, missing, reasons: [] },
      );
    }
  }
  const { score, soft } = timetable.softScore();
  return { sessions: sortedSessions(timetable.sessions), unplaced, hardViolations, score, soft, stats };
}
