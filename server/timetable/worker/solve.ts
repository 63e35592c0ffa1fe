import { parentPort, workerData } from 'node:worker_threads';
import { solve } from '../../../scheduler/index.ts';
import type { ClusterProblem, SolveOptions } from '../../../scheduler/index.ts';

/** Messages from the solver thread. */
export type SolveMessage =
  | { type: 'progress'; fraction: number; score: number; placed: number; wanted: number }
  | { type: 'done'; solution: ReturnType<typeof solve> }
  | { type: 'failed'; message: string };

const { problem, options } = workerData as {
  problem: ClusterProblem;
  options: Omit<SolveOptions, 'onProgress' | 'now'>;
};
const post = (message: SolveMessage): void => parentPort?.postMessage(message);
try {
  const solution = solve(problem, { ...options, onProgress: (p) => post({ type: 'progress', ...p }) });
  post({ type: 'done', solution });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
