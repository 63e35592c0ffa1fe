/**
 * The independent check of a co-plan: applies it ({@link applyPlan}) and judges the result from
 * scratch — the sessions with the timetable checker, the receiving schools' own timetables with
 * the rules below. It uses nothing of the co-planner's own bookkeeping (the local repair, its
 * estimates) nor of the solver's conflict code.
 *
 * Local rules: a class has one lesson a period and a local teacher one class a period; every
 * lesson sits in a period its school rings that weekday; a locked lesson stays as it was; a
 * lesson taught remotely is of its offering's subject, belongs to a class the offering
 * reaches, and sits where a session of that offering now is; and a class's lessons of a remote
 * subject are used up by that subject's sessions before any session takes another period.
 */
import { checkTimetable } from '../timetable/check.ts';
import type { TimetableReport } from '../timetable/check.ts';
import type { ClusterProblem, LocalLessonInput, TimetableOptions, Weekday } from '../timetable/model.ts';
import { applyPlan } from './apply.ts';
import type { Plan } from './model.ts';

/** Which local rule a plan breaks. */
export type LocalRule =
  | 'class-double-booked'
  | 'teacher-double-booked'
  | 'no-such-period'
  | 'locked-changed'
  | 'remote-mismatch'
  | 'subject-not-used-up';

/** A breach of a local rule. */
export interface LocalViolation {
  rule: LocalRule;
  schoolId: string;
  classId?: string;
  teacherId?: string;
  weekday: Weekday;
  period: number;
  message: string;
}

/** What {@link checkPlan} reports. */
export interface PlanReport {
  /** The sessions judged by the timetable checker on the problem with the plan applied. */
  timetable: TimetableReport;
  local: LocalViolation[];
  /** No hard violation of either kind. */
  ok: boolean;
}

function key(l: Pick<LocalLessonInput, 'weekday' | 'period'>): string {
  return `${l.weekday}|${l.period}`;
}

/**
 * Checks a plan against the problem it was made for.
 * @throws TypeError when the plan's changes do not fit the problem (see {@link applyPlan}).
 */
export function checkPlan(
  problem: ClusterProblem,
  plan: Pick<Plan, 'sessions' | 'bellChanges' | 'localChanges'>,
  options: TimetableOptions = {},
): PlanReport {
  const applied = applyPlan(problem, plan);
  const timetable = checkTimetable(applied, plan.sessions, options);
  const local: LocalViolation[] = [];
  const offerings = new Map(problem.offerings.map((o) => [o.id, o]));
  const schoolOfClass = new Map(problem.classes.map((c) => [c.id, c.schoolId]));
  for (const before of problem.localTimetables ?? []) {
    const after = applied.localTimetables?.find((l) => l.schoolId === before.schoolId);
    const school = applied.schools.find((s) => s.id === before.schoolId);
    const lessons = after?.lessons ?? [];
    const seenClass = new Set<string>();
    const seenTeacher = new Set<string>();
    for (const l of lessons) {
      const at = { schoolId: before.schoolId, weekday: l.weekday, period: l.period };
      const c = `${l.classId}|${key(l)}`;
      if (seenClass.has(c)) {
        local.push({
          rule: 'class-double-booked',
          ...at,
          classId: l.classId,
          message: `class ${l.classId} has two lessons`,
        });
      }
      seenClass.add(c);
      if (l.teacherId !== undefined) {
        const t = `${l.teacherId}|${key(l)}`;
        if (seenTeacher.has(t)) {
          local.push({
            rule: 'teacher-double-booked',
            ...at,
            teacherId: l.teacherId,
            message: `teacher ${l.teacherId} teaches two classes`,
          });
        }
        seenTeacher.add(t);
      }
      if (!school?.periods.some((p) => p.period === l.period && p.weekdays.includes(l.weekday))) {
        local.push({
          rule: 'no-such-period',
          ...at,
          classId: l.classId,
          message: `no such period at the school`,
        });
      }
    }
    for (const l of before.lessons) {
      if (!l.locked) continue;
      const kept = lessons.some(
        (m) =>
          m.classId === l.classId &&
          m.subject === l.subject &&
          m.weekday === l.weekday &&
          m.period === l.period,
      );
      if (!kept) {
        local.push({
          rule: 'locked-changed',
          schoolId: before.schoolId,
          classId: l.classId,
          weekday: l.weekday,
          period: l.period,
          message: `locked ${l.subject} of class ${l.classId} moved or removed`,
        });
      }
    }
  }
  // Lessons taught remotely, and the remote subjects used up first.
  const remoteBy = new Map<string, number>();
  for (const change of plan.localChanges) {
    if (change.kind !== 'remote') continue;
    const o = change.offeringId === undefined ? undefined : offerings.get(change.offeringId);
    const session = plan.sessions.find(
      (s) =>
        s.offeringId === change.offeringId &&
        s.weekday === change.to.weekday &&
        s.receiving.some((r) => r.classId === change.classId && r.period === change.to.period),
    );
    if (!o || o.subject !== change.subject || !o.receivingClassIds.includes(change.classId) || !session) {
      local.push({
        rule: 'remote-mismatch',
        schoolId: change.schoolId,
        classId: change.classId,
        ...change.to,
        message: `${change.subject} of class ${change.classId} is not where a session of its subject sits`,
      });
    }
    const k = `${change.classId}|${change.subject}`;
    remoteBy.set(k, (remoteBy.get(k) ?? 0) + 1);
  }
  const sessionsBy = new Map<string, number>();
  for (const s of plan.sessions) {
    const subject = offerings.get(s.offeringId)?.subject;
    if (subject === undefined) continue;
    for (const r of s.receiving) {
      const k = `${r.classId}|${subject}`;
      sessionsBy.set(k, (sessionsBy.get(k) ?? 0) + 1);
    }
  }
  for (const [k, n] of sessionsBy) {
    const [classId = '', subject = ''] = k.split('|');
    if (n <= (remoteBy.get(k) ?? 0)) continue;
    const schoolId = schoolOfClass.get(classId) ?? '';
    const left = applied.localTimetables
      ?.find((l) => l.schoolId === schoolId)
      ?.lessons.find((l) => l.classId === classId && l.subject === subject && !l.locked);
    if (left) {
      local.push({
        rule: 'subject-not-used-up',
        schoolId,
        classId,
        weekday: left.weekday,
        period: left.period,
        message: `class ${classId} keeps a local ${subject} lesson while a remote ${subject} session takes another period`,
      });
    }
  }
  return { timetable, local, ok: timetable.hardViolations.length === 0 && local.length === 0 };
}
