import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCluster } from '../../bench/lib/scheduler/generate.ts';
import { applyPlan, checkPlan, planCluster } from '../../scheduler/coplan/index.ts';
import type { PlanOptions } from '../../scheduler/coplan/index.ts';
import { checkTimetable, indexCluster, solve, softOf } from '../../scheduler/timetable/index.ts';

/** Fixed search effort and a fake clock: equal plans on every machine. */
const fixed: PlanOptions = {
  seed: 5,
  timeLimitMs: 1e9,
  maxIterations: 400,
  stallIterations: 200,
  now: () => 0,
};

/** Generated 1+3 / 1+4 clusters with full local timetables (subjects, teachers, locked periods). */
const clusterArb = fc
  .record({ seed: fc.noBias(fc.nat()), busy: fc.constantFrom(0.5, 0.65, 0.8) })
  .map(({ seed, busy }) => generateCluster(seed, `p${seed}`, { classBusy: busy }));

describe('planCluster on generated clusters (fast-check)', () => {
  it('every plan, applied, passes the independent checkers, keeps locked lessons and double-books no teacher', () => {
    fc.assert(
      fc.property(clusterArb, (problem) => {
        const plan = planCluster(problem, fixed);
        const report = checkPlan(problem, plan);
        expect(report.timetable.hardViolations).toEqual([]);
        expect(report.local).toEqual([]);
        expect(report.timetable.surplus).toEqual([]);
        expect(plan.placed).toBe(plan.sessions.length);
        expect(plan.placed + plan.unplaced.reduce((n, u) => n + u.missing, 0)).toBe(plan.wanted);

        // Counted again here, without the checker: no local teacher in two classes at once.
        const applied = applyPlan(problem, plan);
        for (const local of applied.localTimetables ?? []) {
          const slots = local.lessons.flatMap((l) =>
            l.teacherId ? [`${l.teacherId}|${l.weekday}|${l.period}`] : [],
          );
          expect(new Set(slots).size).toBe(slots.length);
        }
        // Locked lessons are where they were.
        for (const local of problem.localTimetables ?? []) {
          const after = applied.localTimetables?.find((l) => l.schoolId === local.schoolId)?.lessons ?? [];
          for (const l of local.lessons.filter((x) => x.locked)) expect(after).toContainEqual(l);
        }
        // A proof never claims more than is missing.
        for (const u of plan.unplaced) expect(u.proven).toBeLessThanOrEqual(u.missing);
      }),
      { numRuns: 25, seed: 21 },
    );
  });

  it('places at least as many sessions as the previous solver, which keeps every local lesson where it is', () => {
    fc.assert(
      fc.property(clusterArb, (problem) => {
        const plan = planCluster(problem, fixed);
        const previous = solve(problem, { ...fixed, maxIterations: 2000 });
        // Not a theorem (both searches are heuristics), but with local moves allowed the
        // co-plan's relaxed problem contains the previous one's solutions: a large gap is a bug.
        expect(plan.placed).toBeGreaterThanOrEqual(previous.sessions.length - 1);
      }),
      { numRuns: 15, seed: 8 },
    );
  });

  it('the checker scores soft wishes as the solver does, from its own code', () => {
    fc.assert(
      fc.property(clusterArb, (problem) => {
        const plan = planCluster(problem, fixed);
        const applied = applyPlan(problem, plan);
        const own = softOf(indexCluster(applied), plan.sessions);
        const checked = checkTimetable(applied, plan.sessions);
        expect(checked.soft).toEqual(own.soft);
        expect(plan.score).toBe(own.score);
      }),
      { numRuns: 15, seed: 4 },
    );
  });
});

describe('the independent checkers', () => {
  /** The modules a file imports, and the names it takes from each. */
  const imports = (path: string): Map<string, string> =>
    new Map(
      [
        ...readFileSync(new URL(path, import.meta.url), 'utf8').matchAll(
          /import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g,
        ),
      ].map((m) => [`${m[3]}${m[1] ? ' (type)' : ''}`, (m[2] ?? '').replace(/\s+/g, ' ').trim()]),
    );

  it('checkTimetable shares no conflict code with the solver: only option defaults, wording, types and the error class', () => {
    const found = imports('../../scheduler/timetable/check.ts');
    expect([...found.keys()].sort()).toEqual(
      [
        '../errors.ts',
        '../text.ts',
        './cluster.ts',
        './cluster.ts (type)',
        './messages.ts',
        './model.ts (type)',
      ].sort(),
    );
    expect(found.get('./cluster.ts')).toBe('resolveOptions');
    expect(found.get('./cluster.ts (type)')).toBe('ResolvedOptions');
  });

  it('checkPlan uses the timetable checker and the plan applied, nothing of the co-planner', () => {
    const found = imports('../../scheduler/coplan/check.ts');
    expect([...found.keys()].sort()).toEqual(
      [
        '../timetable/check.ts',
        '../timetable/check.ts (type)',
        '../timetable/model.ts (type)',
        './apply.ts',
        './model.ts (type)',
      ].sort(),
    );
  });
});
