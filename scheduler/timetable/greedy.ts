/**
 * A plain greedy baseline for the benchmark: offerings in input order, each session in the
 * first feasible hub slot in week order, no look-ahead and no improvement.
 */
import { checkTimetable } from './check.ts';
import { indexCluster } from './cluster.ts';
import type { ClusterProblem, Solution, SolveOptions, TimetableOptions } from './model.ts';
import { sessionForSlot } from './slots.ts';
import { toSolution } from './solution.ts';
import { Timetable } from './Timetable.ts';

/**
 * Solves a cluster greedily. Like {@link solve} it keeps the locked sessions and never breaks
 * a hard rule; unlike it, it neither orders the offerings nor improves the soft score.
 * @param options the timetable options and the clock (`now`, @default performance.now).
 * @throws TypeError for an inconsistent problem or out-of-range options.
 */
export function solveGreedy(
  problem: ClusterProblem,
  options: TimetableOptions & Pick<SolveOptions, 'now'> = {},
): Solution {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const index = indexCluster(problem, options);
  const locked = problem.locked ?? [];
  const timetable = new Timetable(index);
  for (const s of locked) timetable.add(s);
  for (const o of problem.offerings) {
    for (const slot of index.slots) {
      if (timetable.sessionsOf(o.id).length >= o.periodsPerWeek) break;
      const s = sessionForSlot(index, o.id, slot);
      if (!timetable.get(o.id, slot.weekday, slot.period) && timetable.fits(s)) timetable.add(s);
    }
  }
  const hardViolations = locked.length ? checkTimetable(problem, locked, options).hardViolations : [];
  return toSolution(timetable, hardViolations, { elapsedMs: now() - started, iterations: 0 });
}
