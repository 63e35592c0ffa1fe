import type { ClusterProblem, Solution, SolveOptions } from '../../scheduler/index.ts';
import { NotFoundError } from '../errors.ts';
import type { JobBackend, JobQueue, JobSnapshot } from '../jobs/index.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { fromSession } from './problem.ts';
import { runInThread } from './worker/inThread.ts';
import type { SolveMessage } from './worker/solve.ts';

/** A solve waiting, running or run, as the coordinator's progress bar sees it. */
export interface SolveJob {
  id: string;
  /** One solve at a time per key: `${clusterId}/${term}`. */
  key: string;
  clusterId: string;
  state: 'running' | 'done' | 'failed';
  /** Share of the time budget used, 0–1. */
  fraction: number;
  score: number | null;
  placed: number;
  wanted: number;
  /** When the solve was accepted, ms since the epoch. */
  startedAt: number;
  error: string | null;
}

type SolverOptions = Omit<SolveOptions, 'onProgress' | 'now'>;

/** A solve as its queue keeps it: everything the process that runs it needs (JSON). */
interface SolveData {
  key: string;
  clusterId: string;
  term: string;
  problem: ClusterProblem;
  options: SolverOptions;
}

/** The solver's progress: share of the time budget used, best score, sessions placed and wanted. */
type SolveProgress = Omit<Extract<SolveMessage, { type: 'progress' }>, 'type'>;

interface SolveResult {
  score: number;
  placed: number;
}

const ENTRY = new URL('./worker/solve.ts', import.meta.url);
/** Finished solves are kept this long for the progress bar to read, ms. */
const KEEP_MS = 10 * 60_000;

/**
 * Timetable solves as jobs (`server/jobs`): accepted by any server process, run by one in a
 * worker thread (a solve of several seconds never stalls the signaling of live lessons),
 * one at a time per cluster and term. The process that runs a solve also saves its result
 * as the term's draft before the job reads as done, so a solve accepted by a process that
 * died is finished and saved by another.
 */
export class SolveJobs {
  readonly #queue: JobQueue<SolveData, SolveProgress, SolveResult>;
  readonly #models: Models;
  readonly #log: Logger;
  readonly #now: () => number;

  /** @param now Clock of the draft's `solvedAt`, ms since the epoch. @default Date.now */
  constructor(jobs: JobBackend, models: Models, logger: Logger, now: () => number = Date.now) {
    this.#models = models;
    this.#log = logger.child({ module: 'solver' });
    this.#now = now;
    this.#queue = jobs.queue<SolveData, SolveProgress, SolveResult>({
      name: 'timetable-solve',
      keepMs: KEEP_MS,
      // Each solve takes a core for its time budget; more wait for the next free worker.
      concurrency: 1,
      run: (data, { progress, signal }) => this.#run(data, progress, signal),
    });
  }

  /**
   * Starts a solve of `problem` (one cluster's term, `key` = `${clusterId}/${term}`), or
   * returns the unfinished one of `key`. The draft is saved by the job itself, in whichever
   * process runs it (`saveSolution`).
   * @param _onDone Ignored: a closure cannot travel to the process that runs the job.
   * @throws TypeError for a key that is not the problem's cluster and a term
   */
  async start(key: string, problem: ClusterProblem, options: SolverOptions): Promise<SolveJob> {
    if (!key.startsWith(`${problem.id}/`)) throw new TypeError(`solve key ${key} is not cluster/term`);
    const data = { key, clusterId: problem.id, term: key.slice(problem.id.length + 1), problem, options };
    return view(await this.#queue.add(data, { key }));
  }

  /** Whether a solve of `key` is waiting or running (see `JobQueue.isRunning`). */
  running(key: string): boolean {
    return this.#queue.isRunning(key);
  }

  /** @throws NotFoundError for an unknown, expired or malformed id, or an id of another kind of job */
  async get(id: string): Promise<SolveJob> {
    const job = await this.#queue.get(id);
    if (!job) throw new NotFoundError(`solve job ${id} not found`);
    return view(job);
  }

  async #run(
    data: SolveData,
    progress: (value: SolveProgress) => void,
    signal: AbortSignal,
  ): Promise<SolveResult> {
    const started = Date.now();
    const solution = await solveInThread(data.problem, data.options, progress, signal);
    await saveSolution(this.#models, data, solution, this.#now());
    this.#log.info({ key: data.key, ms: Date.now() - started, score: solution.score }, 'solved');
    return { score: solution.score, placed: solution.sessions.length };
  }
}

/**
 * Saves a solve's result as the term's draft, keeping the problem's locked sessions marked
 * locked.
 */
export async function saveSolution(
  models: Models,
  at: { clusterId: string; term: string; problem: ClusterProblem },
  solution: Solution,
  now: number,
): Promise<void> {
  const locked = new Set((at.problem.locked ?? []).map((s) => `${s.offeringId}/${s.weekday}/${s.period}`));
  const sessions = solution.sessions.map((s) =>
    fromSession(s, locked.has(`${s.offeringId}/${s.weekday}/${s.period}`)),
  );
  await models.Timetable.updateOne(
    { clusterId: at.clusterId, term: at.term },
    {
      $set: {
        sessions,
        score: solution.score,
        soft: solution.soft,
        unplaced: solution.unplaced,
        solvedAt: new Date(now),
        dirty: true,
      },
    },
    { upsert: true },
  );
}

/** Solves in a worker thread; `signal` terminates the thread (and rejects). */
async function solveInThread(
  problem: ClusterProblem,
  options: SolverOptions,
  onProgress: (value: SolveProgress) => void,
  signal: AbortSignal,
): Promise<Solution> {
  const done = await runInThread<SolveMessage>(
    ENTRY,
    { problem, options },
    'solver',
    ({ fraction, score, placed, wanted }) => onProgress({ fraction, score, placed, wanted }),
    signal,
  );
  return done.solution;
}

function view(job: JobSnapshot<SolveData, SolveProgress, SolveResult>): SolveJob {
  const { progress, result } = job;
  return {
    id: job.id,
    key: job.data.key,
    clusterId: job.data.clusterId,
    state: job.state === 'done' || job.state === 'failed' ? job.state : 'running',
    fraction: result ? 1 : (progress?.fraction ?? 0),
    score: result?.score ?? progress?.score ?? null,
    placed: result?.placed ?? progress?.placed ?? 0,
    wanted: progress?.wanted ?? job.data.problem.offerings.reduce((n, o) => n + o.periodsPerWeek, 0),
    startedAt: job.acceptedAt,
    error: job.error,
  };
}
