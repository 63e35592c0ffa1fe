import { parentPort, workerData } from 'node:worker_threads';
import { planCluster, solve } from '../../../scheduler/index.ts';
import type { ClusterProblem, Plan, PlanOptions } from '../../../scheduler/index.ts';

/** Messages from the co-plan thread. */
export type CoPlanMessage =
  | { type: 'progress'; fraction: number; step: number; placed: number; wanted: number }
  | { type: 'done'; plan: Plan; baselinePlaced: number }
  | { type: 'failed'; message: string };

const { problem, options } = workerData as {
  problem: ClusterProblem;
  options: Omit<PlanOptions, 'onProgress' | 'now'> & { timeLimitMs: number };
};
const post = (message: CoPlanMessage): void => parentPort?.postMessage(message);
try {
  // The "before": what the solver places with every bell and local lesson left as it is.
  const baselineMs = options.timeLimitMs / 4;
  const baseline = solve(problem, { ...options, timeLimitMs: baselineMs, explain: false });
  // Each solve of the plan reports its own progress; a drop in the fraction starts the next one.
  let step = 1;
  let last = 0;
  const plan = planCluster(problem, {
    ...options,
    onProgress: (p) => {
      if (p.fraction < last) step++;
      last = p.fraction;
      post({ type: 'progress', fraction: p.fraction, step, placed: p.placed, wanted: p.wanted });
    },
  });
  post({ type: 'done', plan, baselinePlaced: baseline.sessions.length });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
