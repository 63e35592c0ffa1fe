/**
 * Solving a batch of independent clusters with one algorithm, re-checking every result with
 * the independent checker, and the timing of the editor's incremental check.
 *
 * `coplan` is the co-planner (sessions with local moves and bell changes; its plan applied and
 * re-checked by `checkPlan`); `solver` is the previous solver and `greedy` the baseline, both
 * taking the receiving classes' own lessons as fixed and re-checked by `checkTimetable`.
 */
import { checkPlan, planCluster } from '../../../scheduler/coplan/index.ts';
import {
  Timetable,
  checkTimetable,
  indexCluster,
  mulberry32,
  pick,
  slotFitsBells,
  solve,
  solveGreedy,
} from '../../../scheduler/timetable/index.ts';
import type {
  ClusterProblem,
  HardConstraint,
  Session,
  SoftConstraint,
} from '../../../scheduler/timetable/index.ts';
import { median } from '../stats.ts';

/** Which algorithm solves the batch. */
export type Algorithm = 'coplan' | 'solver' | 'greedy';

/** Figures of one algorithm over one batch of clusters. */
export interface BatchSummary {
  algorithm: Algorithm;
  clusters: number;
  /** Sum of the clusters' solve times, s (wall clock: it grows with the machine's other load). */
  totalSeconds: number;
  /** CPU time of the process over the same solves, s (all its threads, garbage collection included). */
  cpuSeconds: number;
  /** Per cluster solve time, ms. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Weekly sessions wanted, placed, and left unplaced. */
  wanted: number;
  placed: number;
  unplaced: number;
  /**
   * Wanted sessions of offerings that have no hub slot where every receiving class has a
   * period covered by 90% on the bells as given: impossible without a bell change.
   */
  impossibleByBells: number;
  /** Clusters with every wanted session placed. */
  clustersComplete: number;
  /** Hard-rule breaches found by checkTimetable in the output (must be 0). */
  hardViolations: number;
  /** Soft score summed over clusters (lower is better), its mean per cluster, and its parts. */
  softScore: number;
  softPerCluster: number;
  soft: Record<SoftConstraint, number>;
  /** Unplaced sessions by the rule that blocked most of their offering's slots. */
  unplacedBy: Partial<Record<HardConstraint, number>>;
  /** Search steps summed over clusters (0 for greedy; for the co-plan, the number of solves). */
  iterations: number;
  /** The co-plan's changes (0 for the others): local lessons moved, bell changes, schools touched. */
  localMoves: number;
  bellChanges: number;
  clustersWithBellChanges: number;
  schoolsTouched: number;
  /** Unplaced sessions the co-plan proves impossible, by kind of proof; the rest unproven. */
  proven: Record<string, number>;
  unproven: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/**
 * Solves every cluster with one algorithm and re-checks each result.
 * @param timeLimitMs the solver's time budget per cluster.
 */
export function runBatch(
  problems: readonly ClusterProblem[],
  algorithm: Algorithm,
  { timeLimitMs, stallIterations, seed }: { timeLimitMs: number; stallIterations: number; seed: number },
): BatchSummary {
  const times: number[] = [];
  let cpu = 0;
  const soft: Record<SoftConstraint, number> = { spread: 0, 'same-time': 0, 'edge-period': 0, preference: 0 };
  const unplacedBy: Partial<Record<HardConstraint, number>> = {};
  let wanted = 0;
  let placed = 0;
  let complete = 0;
  let hard = 0;
  let score = 0;
  let iterations = 0;
  let impossible = 0;
  let localMoves = 0;
  let bellChanges = 0;
  let withBells = 0;
  let schoolsTouched = 0;
  let unproven = 0;
  const proven: Record<string, number> = {};
  for (const problem of problems) {
    const index = indexCluster(problem);
    for (const o of problem.offerings) {
      if (!index.slots.some((slot) => slotFitsBells(index, o.id, slot))) impossible += o.periodsPerWeek;
    }
    if (algorithm === 'coplan') {
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      const plan = planCluster(problem, { timeLimitMs, seed, stallIterations });
      const used = process.cpuUsage(cpu0);
      times.push(performance.now() - started);
      cpu += used.user + used.system;
      const check = checkPlan(problem, plan);
      hard += check.timetable.hardViolations.length + check.local.length;
      const want = plan.wanted;
      wanted += want;
      placed += plan.placed;
      if (plan.placed >= want) complete++;
      score += check.timetable.score;
      for (const k of Object.keys(soft) as SoftConstraint[]) soft[k] += check.timetable.soft[k];
      localMoves += plan.cost.localMoves;
      bellChanges += plan.cost.bellChanges;
      if (plan.cost.bellChanges) withBells++;
      schoolsTouched += plan.cost.schoolsTouched;
      for (const u of plan.unplaced) {
        if (u.proof) proven[u.proof.kind] = (proven[u.proof.kind] ?? 0) + u.proven;
        unproven += u.missing - u.proven;
        const first = u.reasons[0]?.constraint ?? 'unknown-period';
        unplacedBy[first] = (unplacedBy[first] ?? 0) + u.missing;
      }
      iterations += plan.stats.solves;
      continue;
    }
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const solution =
      algorithm === 'solver' ? solve(problem, { timeLimitMs, seed, stallIterations }) : solveGreedy(problem);
    const used = process.cpuUsage(cpu0);
    times.push(performance.now() - started);
    cpu += used.user + used.system;
    const report = checkTimetable(problem, solution.sessions);
    hard += report.hardViolations.length + solution.hardViolations.length;
    const want = problem.offerings.reduce((n, o) => n + o.periodsPerWeek, 0);
    wanted += want;
    placed += solution.sessions.length;
    if (solution.sessions.length >= want) complete++;
    score += report.score;
    for (const k of Object.keys(soft) as SoftConstraint[]) soft[k] += report.soft[k];
    for (const u of solution.unplaced) {
      const first = u.reasons[0]?.constraint ?? 'unknown-period';
      unplacedBy[first] = (unplacedBy[first] ?? 0) + u.missing;
    }
    iterations += solution.stats.iterations;
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    algorithm,
    clusters: problems.length,
    totalSeconds: times.reduce((a, b) => a + b, 0) / 1000,
    cpuSeconds: cpu / 1e6,
    p50Ms: median(times),
    p95Ms: quantile(sorted, 0.95),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    wanted,
    placed,
    unplaced: wanted - placed,
    impossibleByBells: impossible,
    clustersComplete: complete,
    hardViolations: hard,
    softScore: score,
    softPerCluster: score / Math.max(1, problems.length),
    soft,
    unplacedBy,
    iterations,
    localMoves,
    bellChanges,
    clustersWithBellChanges: withBells,
    schoolsTouched,
    proven,
    unproven,
  };
}

/** Timing of the drag-and-drop check, µs. */
export interface IncrementalSummary {
  moves: number;
  sessions: number;
  /** `conflictsOf` of a session moved to a random slot, on a prepared timetable. */
  conflictsOf: { meanUs: number; p99Us: number; maxUs: number };
  /** What one editor request costs: `Timetable.create` from the problem and sessions, then `conflictsOf`. */
  createAndCheck: { meanUs: number; p99Us: number; maxUs: number };
  /** Share of the moves that broke at least one rule. */
  conflictingShare: number;
}

function spread(us: number[]): { meanUs: number; p99Us: number; maxUs: number } {
  const sorted = [...us].sort((a, b) => a - b);
  return {
    meanUs: us.reduce((a, b) => a + b, 0) / Math.max(1, us.length),
    p99Us: quantile(sorted, 0.99),
    maxUs: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Times `conflictsOf` over random moves of the sessions of a solved cluster, after a warm-up. */
export function timeIncremental(
  problem: ClusterProblem,
  sessions: readonly Session[],
  moves: number,
  seed: number,
) {
  const random = mulberry32(seed);
  const tt = Timetable.create(problem, {}, sessions);
  const check: number[] = [];
  const request: number[] = [];
  let conflicting = 0;
  // Unmeasured moves first: the first calls pay for compilation that later ones do not.
  const warmup = Math.min(2000, Math.ceil(moves / 10));
  for (let i = -warmup; i < moves; i++) {
    const from = pick(random, sessions);
    const to = pick(random, tt.index.slots);
    const next = from && to && tt.sessionAt(from.offeringId, to.weekday, to.period);
    if (!from || !next) continue;
    const t0 = performance.now();
    const conflicts = tt.conflictsOf(next, { ignore: from });
    const t1 = performance.now();
    if (i < 0) continue;
    check.push((t1 - t0) * 1000);
    if (conflicts.length) conflicting++;
    if (i % 10 === 0) {
      const t2 = performance.now();
      Timetable.create(problem, {}, sessions).conflictsOf(next, { ignore: from });
      request.push((performance.now() - t2) * 1000);
    }
  }
  return {
    moves: check.length,
    sessions: sessions.length,
    conflictsOf: spread(check),
    createAndCheck: spread(request),
    conflictingShare: conflicting / Math.max(1, check.length),
  };
}
