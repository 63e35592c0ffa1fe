import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { ClusterProblem, Solution, SolveOptions } from '../../scheduler/index.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SolveMessage } from './worker/solve.ts';

/** A solve running (or run) in a worker thread, as the coordinator's progress bar sees it. */
export interface SolveJob {
  id: string;
  key: string;
  state: 'running' | 'done' | 'failed';
  /** Share of the time budget used, 0–1. */
  fraction: number;
  score: number | null;
  placed: number;
  wanted: number;
  startedAt: number;
  error: string | null;
}

const BOOT = new URL('./worker/boot.mjs', import.meta.url);
const ENTRY = new URL('./worker/solve.ts', import.meta.url).href;
/** Finished jobs are kept this long for the progress bar to read, ms. */
const KEEP_MS = 10 * 60_000;

/**
 * Runs timetable solves in worker threads, so that a solve of several seconds never stalls
 * the signaling of live lessons; one job at a time per key (cluster and term).
 */
export class SolveJobs {
  readonly #jobs = new Map<string, SolveJob>();
  readonly #log: Logger;
  readonly #workers = new Set<Worker>();

  constructor(logger: Logger) {
    this.#log = logger.child({ module: 'solver' });
  }

  /**
   * Starts a solve, or returns the running one of `key`. `onDone` saves the result before
   * the job reads as done.
   */
  start(
    key: string,
    problem: ClusterProblem,
    options: Omit<SolveOptions, 'onProgress' | 'now'>,
    onDone: (solution: Solution) => Promise<void>,
  ): SolveJob {
    const running = [...this.#jobs.values()].find((j) => j.key === key && j.state === 'running');
    if (running) return running;
    const wanted = problem.offerings.reduce((n, o) => n + o.periodsPerWeek, 0);
    const job: SolveJob = {
      id: crypto.randomUUID(),
      key,
      state: 'running',
      fraction: 0,
      score: null,
      placed: 0,
      wanted,
      startedAt: Date.now(),
      error: null,
    };
    this.#jobs.set(job.id, job);
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY, problem, options } });
    this.#workers.add(worker);
    const fail = (message: string): void => {
      if (job.state !== 'running') return;
      Object.assign(job, { state: 'failed', error: message });
      this.#log.error({ key, message }, 'solve failed');
    };
    worker.on('message', (message: SolveMessage) => {
      if (message.type === 'progress') {
        const { fraction, score, placed, wanted } = message;
        Object.assign(job, { fraction, score, placed, wanted });
      } else if (message.type === 'failed') fail(message.message);
      else
        onDone(message.solution).then(
          () => {
            Object.assign(job, {
              state: 'done',
              fraction: 1,
              score: message.solution.score,
              placed: message.solution.sessions.length,
            });
            this.#log.info({ key, ms: Date.now() - job.startedAt, score: job.score }, 'solved');
          },
          (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
        );
    });
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => {
      this.#workers.delete(worker);
      if (code !== 0) fail(`solver thread exited with code ${code}`);
    });
    setTimeout(() => this.#jobs.delete(job.id), KEEP_MS).unref();
    return job;
  }

  /** Whether a solve of `key` is running. */
  running(key: string): boolean {
    return [...this.#jobs.values()].some((j) => j.key === key && j.state === 'running');
  }

  /** @throws NotFoundError for an unknown or expired job */
  get(id: string): SolveJob {
    const job = this.#jobs.get(id);
    if (!job) throw new NotFoundError(`solve job ${id} not found`);
    return job;
  }

  /** Stops every running solve (platform shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.#workers].map((w) => w.terminate()));
  }
}
