/**
 * The independent checker: validates any timetable (a solver's output, an edited one, an
 * imported one) by comparing every pair of sessions, without the {@link Timetable}'s indexes,
 * so that it can judge the solver's own bookkeeping.
 */
import { indexCluster } from './cluster.ts';
import type { ClusterIndex } from './cluster.ts';
import * as conflict from './conflicts.ts';
import { dayName, slotName } from './messages.ts';
import type { ClusterProblem, Conflict, PeriodRef, Session, Solution, TimetableOptions } from './model.ts';
import { overlapMinutes } from './slots.ts';
import { softOf } from './soft.ts';

/** What the checker reports: a {@link Solution} without search figures and unplaced reasons. */
export interface TimetableReport extends Pick<Solution, 'hardViolations' | 'score' | 'soft'> {
  /** Offerings with fewer sessions than their periods per week. */
  missing: { offeringId: string; missing: number }[];
  /** Offerings with more sessions than their periods per week. */
  surplus: { offeringId: string; surplus: number }[];
}

function checkOne(ix: ClusterIndex, s: Session, out: Conflict[]): void {
  const o = ix.offerings.get(s.offeringId);
  if (!o) throw new TypeError(`unknown offering: ${s.offeringId}`);
  const hub = { kind: 'school' as const, id: ix.hub.id };
  const at = slotName(s.weekday, s.period);
  if (!ix.options.weekdays.includes(s.weekday)) {
    const day = dayName(s.weekday);
    out.push(conflict.unknownPeriod(hub, `${day.zh}不排课`, `${day.en} is not a teaching day`));
  }
  const hubPeriod = ix.hub.periods.find((p) => p.period === s.period && p.weekdays.includes(s.weekday));
  if (!hubPeriod || hubPeriod.start !== s.start || hubPeriod.end !== s.end) {
    out.push(
      conflict.unknownPeriod(hub, `${at.zh}与主讲学校作息不符`, `${at.en} does not match the hub bells`),
    );
  }
  const here = (b: PeriodRef): boolean => b.weekday === s.weekday && b.period === s.period;
  if (ix.teachers.get(o.teacherId)?.busy.some(here)) out.push(conflict.teacherBusy(ix, o.teacherId, s));
  if (ix.rooms.get(o.recordingRoomId)?.busy.some(here)) out.push(conflict.roomBusy(ix, o.recordingRoomId, s));
  for (const classId of o.receivingClassIds) {
    const c = ix.classes.get(classId);
    const r = s.receiving.find((x) => x.classId === classId);
    if (!c || !r) {
      out.push(conflict.noOverlap(ix, classId, s));
      continue;
    }
    const local = ix.schools
      .get(c.schoolId)
      ?.periods.find((p) => p.period === r.period && p.weekdays.includes(s.weekday));
    if (!local) {
      const p = slotName(s.weekday, r.period);
      out.push(
        conflict.unknownPeriod({ kind: 'class', id: classId }, `学校没有${p.zh}`, `no ${p.en} at its school`),
      );
    } else {
      const shared = Math.min(s.end, local.end) - Math.max(s.start, local.start);
      if (shared < ix.options.minOverlap * (local.end - local.start) - 1e-6) {
        out.push(conflict.noOverlap(ix, classId, s));
      }
    }
    if (c.busy.some((b) => b.weekday === s.weekday && b.period === r.period)) {
      out.push(conflict.classBusy(ix, classId, s.weekday, r.period));
    }
  }
}

function classroomsAt(ix: ClusterIndex, s: Session, schoolId?: string): Set<string> {
  const rooms = new Set<string>();
  for (const r of s.receiving) {
    const c = ix.classes.get(r.classId);
    if (c && (schoolId === undefined || c.schoolId === schoolId)) rooms.add(c.classroomId);
  }
  return rooms;
}

function checkPair(ix: ClusterIndex, a: Session, b: Session, out: Conflict[]): void {
  if (a.weekday !== b.weekday) return;
  const oa = ix.offerings.get(a.offeringId);
  const ob = ix.offerings.get(b.offeringId);
  if (!oa || !ob) return;
  const together = overlapMinutes(a, b) > 0;
  const sameSlot = a.period === b.period;
  if (oa.teacherId === ob.teacherId && (sameSlot || together))
    out.push(conflict.teacherBusy(ix, ob.teacherId, b, a));
  if (oa.recordingRoomId === ob.recordingRoomId && (sameSlot || together)) {
    out.push(conflict.roomBusy(ix, ob.recordingRoomId, b, a));
  }
  for (const rb of b.receiving) {
    const ra = a.receiving.find((x) => x.classId === rb.classId);
    if (ra && (ra.period === rb.period || together))
      out.push(conflict.classBusy(ix, rb.classId, b.weekday, rb.period, a));
  }
  if (!together) return;
  const roomsA = classroomsAt(ix, a);
  for (const room of classroomsAt(ix, b)) if (roomsA.has(room)) out.push(conflict.classroomBusy(ix, room, a));
}

function checkDayLimits(ix: ClusterIndex, sessions: readonly Session[], out: Conflict[]): void {
  const perDay = new Map<string, Session[]>();
  for (const s of sessions) {
    const t = ix.offerings.get(s.offeringId)?.teacherId ?? '';
    const k = `${t}|${s.weekday}`;
    perDay.set(k, [...(perDay.get(k) ?? []), s]);
  }
  for (const [k, list] of perDay) {
    const teacherId = k.slice(0, k.lastIndexOf('|'));
    const limit = ix.dayLimit(teacherId);
    for (const s of list.slice(limit)) out.push(conflict.teacherDayLimit(ix, teacherId, s.weekday, limit));
  }
}

/** At each session's start, the streams in flight into each school must fit its downlink. */
function checkBandwidth(ix: ClusterIndex, sessions: readonly Session[], out: Conflict[]): void {
  for (const school of ix.schools.values()) {
    const into = sessions
      .map((s) => ({ s, streams: classroomsAt(ix, s, school.id).size }))
      .filter((x) => x.streams > 0);
    const seen = new Set<string>();
    for (const { s } of into) {
      const at = `${s.weekday}|${s.start}`;
      if (seen.has(at)) continue;
      seen.add(at);
      const load = into
        .filter((x) => x.s.weekday === s.weekday && x.s.start <= s.start && s.start < x.s.end)
        .reduce((sum, x) => sum + x.streams, 0);
      if (load * ix.options.lessonDownlinkMbps > school.downlinkMbps + 1e-9) {
        out.push(conflict.bandwidth(ix, school.id, load, s));
      }
    }
  }
}

/**
 * Checks a whole timetable: every hard rule over every session and pair of sessions, the
 * soft score, and the offerings with too few or too many sessions.
 * @throws TypeError for an inconsistent problem or a session of an unknown offering.
 */
export function checkTimetable(
  problem: ClusterProblem,
  sessions: readonly Session[],
  options: TimetableOptions = {},
): TimetableReport {
  const ix = indexCluster(problem, options);
  const hardViolations: Conflict[] = [];
  sessions.forEach((s, i) => {
    checkOne(ix, s, hardViolations);
    for (const earlier of sessions.slice(0, i)) checkPair(ix, earlier, s, hardViolations);
  });
  checkDayLimits(ix, sessions, hardViolations);
  checkBandwidth(ix, sessions, hardViolations);
  const count = new Map<string, number>();
  for (const s of sessions) count.set(s.offeringId, (count.get(s.offeringId) ?? 0) + 1);
  const missing = [];
  const surplus = [];
  for (const o of problem.offerings) {
    const n = count.get(o.id) ?? 0;
    if (n < o.periodsPerWeek) missing.push({ offeringId: o.id, missing: o.periodsPerWeek - n });
    if (n > o.periodsPerWeek) surplus.push({ offeringId: o.id, surplus: n - o.periodsPerWeek });
  }
  return { hardViolations, ...softOf(ix, sessions), missing, surplus };
}
