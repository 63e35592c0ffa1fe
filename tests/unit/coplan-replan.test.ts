import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIXED_PLAN_OPTIONS as fixed, bells, oneToOne, week } from '../helpers/coplanProblems.ts';
import { generateCluster } from '../../bench/lib/scheduler/generate.ts';
import { checkPlan, planCluster, repeatsBellChange, sameLocalChange } from '../../scheduler/coplan/index.ts';
import type { Plan, PlanOptions, Refusal } from '../../scheduler/coplan/index.ts';
import type { ClusterProblem, LocalLessonInput } from '../../scheduler/timetable/index.ts';

/** Class A's full week: the listed lessons, 语文 by its head teacher elsewhere, 升旗 locked on Monday period 1. */
const weekOfA = (lessons: Record<string, [string, string]>): LocalLessonInput[] => week('A', 'hA', lessons);

/** A 1+1 cluster: hub H's teacher 张老师 (free in `teacherFree`) teaches 英语 to class A of school S. */
const cluster = (
  teacherFree: string[],
  lessons: LocalLessonInput[],
  periodsPerWeek = 2,
  periods = bells(),
): ClusterProblem => oneToOne(teacherFree, lessons, { periodsPerWeek, periods });

/** Every alternative of a plan (the chosen one is the first). */
const choices = (plan: Plan) => plan.alternatives;

/** No alternative of `plan` proposes a refused change again, and each passes the checker. */
function honours(problem: ClusterProblem, plan: Plan, refused: readonly Refusal[]): void {
  expect(plan.refused).toEqual(refused);
  for (const choice of choices(plan)) {
    for (const r of refused) {
      if (r.kind === 'bell')
        expect(choice.bellChanges.some((c) => repeatsBellChange(r.change, c))).toBe(false);
      else expect(choice.localChanges.some((c) => sameLocalChange(c, r.change))).toBe(false);
    }
    expect(checkPlan(problem, choice)).toMatchObject({ ok: true, local: [] });
  }
}

describe('re-planning after refusals', () => {
  it('never proposes a refused swap again, and places the sessions around it', () => {
    // A is full: its English is in Tue/Thu period 3; the hub teacher is free in periods 2 only.
    const problem = cluster(
      ['2/2', '4/2'],
      weekOfA({ '2/3': ['英语', 'hA'], '4/3': ['英语', 'hA'], '2/2': ['数学', 'm'], '4/2': ['体育', 'pe'] }),
    );
    const first = planCluster(problem, fixed);
    expect(first.placed).toBe(2);
    const swap = first.localChanges.find((c) => c.kind === 'move' && c.subject === '数学');
    expect(swap).toMatchObject({ from: { weekday: 2, period: 2 }, to: { weekday: 2, period: 3 } });
    const refused: Refusal[] = [{ kind: 'local', change: swap!, by: 'school' }];
    const again = planCluster(problem, { ...fixed, refused });
    honours(problem, again, refused);
    // 数学 finds another period (a chain through the head teacher's 语文): both sessions stay.
    expect(again.placed).toBe(2);
    expect(again.localChanges.find((c) => c.subject === '数学')?.to).not.toEqual({ weekday: 2, period: 3 });
  });

  it('never proposes a refused bell change again', () => {
    // S rings 10 minutes late: 35 of 45 minutes is below the 90 % rule, bells must change.
    const problem = cluster(
      ['2/2', '4/2'],
      weekOfA({ '2/2': ['英语', 'hA'], '4/2': ['英语', 'hA'] }),
      2,
      bells(490),
    );
    const first = planCluster(problem, fixed);
    expect(first.placed).toBe(2);
    expect(first.bellChanges.length).toBeGreaterThan(0);
    // The coordinator refuses one of them: the re-plan finds other bells (or says the refusal blocks).
    const one: Refusal[] = [{ kind: 'bell', change: first.bellChanges[0]!, by: 'coordinator' }];
    const again = planCluster(problem, { ...fixed, refused: one });
    honours(problem, again, one);
    if (again.placed < 2) expect(again.unplaced[0]?.blockedBy.length).toBeGreaterThan(0);
    // Every bell change refused: none comes back, nothing is placed, and the refusals are named.
    const all: Refusal[] = first.bellChanges.map((change) => ({ kind: 'bell', change, by: 'coordinator' }));
    const none = planCluster(problem, { ...fixed, refused: all });
    honours(problem, none, all);
    expect(none.placed).toBe(0);
    expect(none.unplaced[0]?.blockedBy.length).toBeGreaterThan(0);
    for (const block of none.unplaced[0]?.blockedBy ?? []) {
      expect(block.more).toBeGreaterThan(0);
      expect(block.message.zh).toContain('H学校');
      expect(block.message.en).toContain('refused by the coordinator');
    }
  });

  it('reports a session a refusal makes impossible, naming the refusal', () => {
    // The hub teacher is free on Tuesday period 2 only, where A has its English; A refuses it.
    const problem = cluster(['2/2'], weekOfA({ '2/2': ['英语', 'hA'] }), 1);
    const first = planCluster(problem, fixed);
    expect(first.placed).toBe(1);
    const remote = first.localChanges.find((c) => c.kind === 'remote');
    expect(remote).toMatchObject({ from: { weekday: 2, period: 2 }, to: { weekday: 2, period: 2 } });
    const refused: Refusal[] = [{ kind: 'local', change: remote!, by: 'school' }];
    const again = planCluster(problem, { ...fixed, refused });
    honours(problem, again, refused);
    expect(again.placed).toBe(0);
    expect(again.unplaced).toHaveLength(1);
    expect(again.unplaced[0]).toMatchObject({
      offeringId: 'O',
      missing: 1,
      proven: 1,
      proof: { kind: 'candidate-slots', available: 0 },
      blockedBy: [{ refusals: [0], more: 1 }],
    });
    expect(again.unplaced[0]?.blockedBy[0]?.message.zh).toContain('周二第2节');
    expect(again.message.en).toContain('none of the 1 refused changes proposed again');
    // Lifted (no refusals), the session is back where it was.
    expect(planCluster(problem, fixed).placed).toBe(1);
  });

  it('keeps the bell changes an earlier plan had approved', () => {
    const problem = cluster(
      ['2/2', '4/2', '3/3'],
      weekOfA({ '2/2': ['英语', 'hA'], '4/2': ['英语', 'hA'], '3/3': ['数学', 'm'] }),
      3,
      bells(490),
    );
    const first = planCluster(problem, fixed);
    expect(first.bellChanges.length).toBeGreaterThan(0);
    const move = first.localChanges.find((c) => c.kind === 'move');
    const refused: Refusal[] = move ? [{ kind: 'local', change: move, by: 'coordinator' }] : [];
    const again = planCluster(problem, {
      ...fixed,
      refused,
      keep: { bellChanges: first.bellChanges, sessions: first.sessions },
    });
    honours(problem, again, refused);
    expect(again.bellChanges).toEqual(first.bellChanges);
  });
});

/** Generated 1+3 / 1+4 clusters with full local timetables (subjects, teachers, locked periods). */
const clusterArb = fc
  .record({
    seed: fc.noBias(fc.nat()),
    busy: fc.constantFrom(0.5, 0.65, 0.8),
    pick: fc.noBias(fc.nat({ max: 1000 })),
  })
  .map(({ seed, busy, pick }) => ({ problem: generateCluster(seed, `r${seed}`, { classBusy: busy }), pick }));

const quick: PlanOptions = {
  seed: 5,
  timeLimitMs: 1e9,
  maxIterations: 400,
  stallIterations: 200,
  now: () => 0,
};

describe('re-planning generated clusters (fast-check)', () => {
  it('every re-plan honours its refusals, passes the independent checker, and accounts for every session', () => {
    fc.assert(
      fc.property(clusterArb, ({ problem, pick }) => {
        const first = planCluster(problem, quick);
        // Refuse some of its changes: every third local change from `pick` on, and one bell change.
        const refused: Refusal[] = [
          ...first.localChanges
            .filter((_, i) => (i + pick) % 3 === 0)
            .map((change): Refusal => ({ kind: 'local', change, by: 'school' })),
          ...first.bellChanges
            .slice(
              pick % Math.max(1, first.bellChanges.length),
              (pick % Math.max(1, first.bellChanges.length)) + 1,
            )
            .map((change): Refusal => ({ kind: 'bell', change, by: 'coordinator' })),
        ];
        const again = planCluster(problem, { ...quick, refused, maxRefusalProbes: 3 });
        honours(problem, again, refused);
        for (const choice of again.alternatives) {
          expect(choice.placed + choice.unplaced.reduce((n, u) => n + u.missing, 0)).toBe(again.wanted);
          for (const u of choice.unplaced) {
            expect(u.proven).toBeLessThanOrEqual(u.missing);
            for (const b of u.blockedBy) for (const i of b.refusals) expect(refused[i]).toBeDefined();
          }
        }
      }),
      { numRuns: 12, seed: 15 },
    );
  });
});
