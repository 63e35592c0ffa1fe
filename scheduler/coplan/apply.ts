/**
 * Applying a co-plan: the problem as it stands once the schools accept the plan's bell changes
 * and local changes. The sessions of the plan are then an ordinary timetable of that problem.
 */
import { applyBellChanges } from '../compat/index.ts';
import type { ClusterProblem, LocalLessonInput, LocalTimetableInput } from '../timetable/model.ts';
import type { LocalChange, Plan } from './model.ts';
import { ArgumentError } from '../errors.ts';

function same(lesson: LocalLessonInput, change: LocalChange): boolean {
  return (
    lesson.classId === change.classId &&
    lesson.weekday === change.from.weekday &&
    lesson.period === change.from.period &&
    lesson.subject === change.subject
  );
}

/**
 * One school's own timetable with its changes applied: lessons taught remotely leave it, moved
 * lessons take their new period. Inputs are not mutated.
 * @throws TypeError when a change matches no lesson of the timetable.
 */
export function applyLocalChanges(
  local: LocalTimetableInput,
  changes: readonly LocalChange[],
): LocalTimetableInput {
  const mine = changes.filter((c) => c.schoolId === local.schoolId);
  const matched = new Set<LocalChange>();
  const lessons: LocalLessonInput[] = [];
  for (const lesson of local.lessons) {
    const change = mine.find((c) => !matched.has(c) && same(lesson, c));
    if (!change) {
      lessons.push(lesson);
      continue;
    }
    matched.add(change);
    if (change.kind === 'move')
      lessons.push({ ...lesson, weekday: change.to.weekday, period: change.to.period });
  }
  const unmatched = mine.find((c) => !matched.has(c));
  if (unmatched) {
    throw new ArgumentError(
      `school ${local.schoolId}: no ${unmatched.subject} lesson of class ${unmatched.classId} ` +
        `on weekday ${unmatched.from.weekday} period ${unmatched.from.period}`,
    );
  }
  return { ...local, lessons };
}

/**
 * The problem after a plan's bell changes and local changes; its `locked` sessions are kept.
 * @throws TypeError when a change does not fit the bells or the local timetables.
 */
export function applyPlan(
  problem: ClusterProblem,
  plan: Pick<Plan, 'bellChanges' | 'localChanges'>,
): ClusterProblem {
  const schoolsWithTimetables = new Set((problem.localTimetables ?? []).map((l) => l.schoolId));
  const stray = plan.localChanges.find((c) => !schoolsWithTimetables.has(c.schoolId));
  if (stray) throw new ArgumentError(`school ${stray.schoolId} has no local timetable to change`);
  return {
    ...problem,
    schools: applyBellChanges(problem.schools, plan.bellChanges),
    ...(problem.localTimetables && {
      localTimetables: problem.localTimetables.map((l) => applyLocalChanges(l, plan.localChanges)),
    }),
  };
}
