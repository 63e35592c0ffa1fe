/**
 * The platform's one job abstraction: long work (timetable solves, report exports) accepted
 * by an HTTP request and run in the background, with progress and a result that the browser
 * polls for. Two back ends implement it:
 * - `InProcessJobs` (no REDIS_URL, the one-box default): jobs run in this process and are
 *   kept in its memory, as they always were;
 * - `BullMqJobs` (REDIS_URL): any process accepts a job, any process's BullMQ worker runs it,
 *   and progress, results and files are read from Redis by every process; a job whose
 *   process dies is taken over by another one (BullMQ's stalled-job recovery).
 *
 * A job kind is therefore defined by data, not by a closure: its `run` must work from the
 * job's (JSON) data alone in whichever process picks it up.
 */
import { z } from 'zod';

/** Where a job is: accepted and waiting for a worker, running, or finished either way. */
export type JobState = 'waiting' | 'running' | 'done' | 'failed';

/** What a running job is given. */
export interface JobContext<Progress> {
  /** The job's id. */
  readonly id: string;
  /** Publishes progress; only the latest value matters (updates may be coalesced). */
  readonly progress: (value: Progress) => void;
  /** Aborted when this process stops the job (shutdown): let go of threads and handles. */
  readonly signal: AbortSignal;
}

/** A kind of job: its queue name and how to run one from its data. */
export interface JobKind<Data, Progress, Result> {
  /** Queue name, unique among kinds; a job id of one kind is unknown to the others. */
  readonly name: string;
  /** Runs one job; the result must be JSON (a file goes to `JobBackend.files`). */
  run(data: Data, context: JobContext<Progress>): Promise<Result>;
  /** How long a finished job (and its result) stays readable, ms. */
  readonly keepMs: number;
  /** How many jobs of this kind one process runs at once (BullMQ back end). @default 1 */
  readonly concurrency?: number;
}

/** A job as every process reads it. */
export interface JobSnapshot<Data, Progress, Result> {
  id: string;
  state: JobState;
  data: Data;
  /** The latest progress reported, or null before the first. */
  progress: Progress | null;
  /** Once done. */
  result: Result | null;
  /** Once failed: why, in words. */
  error: string | null;
  /** When the job was accepted, ms since the epoch. */
  acceptedAt: number;
}

/** The jobs of one kind. */
export interface JobQueue<Data, Progress, Result> {
  /**
   * Accepts a job. With `key`, at most one job per key is unfinished at a time: while one
   * is, its snapshot is returned instead of a new job (decided atomically, whichever
   * process asks).
   */
  add(data: Data, options?: { key?: string }): Promise<JobSnapshot<Data, Progress, Result>>;
  /** A job by id; null for an unknown, expired or malformed id (never throws for a bad id). */
  get(id: string): Promise<JobSnapshot<Data, Progress, Result> | null>;
  /**
   * Whether a job of `key` is unfinished. Synchronous for callers that check it on every
   * edit: exact in process; with BullMQ a mirror kept current by the queue's events.
   */
  isRunning(key: string): boolean;
  /** How many jobs wait and run now, and how long the oldest has waited (for metrics). */
  stats(): Promise<JobStats>;
}

/** A queue's depth and age, across every process sharing it. */
export interface JobStats {
  /** Accepted, not yet taken by a worker. */
  waiting: number;
  running: number;
  /** How long the longest-waiting job has waited, ms; null when none waits. */
  oldestWaitingMs: number | null;
}

/** Files that jobs produce (export workbooks), readable from every process until they expire. */
export interface JobFiles {
  put(id: string, data: Buffer, ttlMs: number): Promise<void>;
  /** The file, or null once expired (or never stored). */
  get(id: string): Promise<Buffer | null>;
}

/** A job back end: where jobs wait, run and leave their results. */
export interface JobBackend {
  /** Which back end this is (for logs and tests). */
  readonly kind: 'in-process' | 'bullmq';
  readonly files: JobFiles;
  /** The queues defined so far, by kind name (for metrics). */
  readonly queues: ReadonlyMap<string, JobQueue<unknown, unknown, unknown>>;
  /** The queue of a kind of job; in the BullMQ back end, also starts this process's worker for it. */
  queue<Data, Progress, Result>(kind: JobKind<Data, Progress, Result>): JobQueue<Data, Progress, Result>;
  /**
   * Stops this process's workers. Jobs running here are stopped (their `signal` aborts): in
   * process they fail; with BullMQ they are left to another process to take over.
   */
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` has the shape of a job id (a UUID); anything else is unknown. */
export function isJobId(id: string): boolean {
  return UUID.test(id);
}

/**
 * The path parameters of a job route. A job id is opaque to its reader: one that is
 * malformed is as unknown as one that expired or is someone else's, and answers 404 (the
 * queues look it up only once it has a job id's shape).
 */
export const JobIdParams = z.object({
  id: z.string().min(1).describe('a job id (a UUID), as the job was accepted with'),
});

/** An error's message, for a failed job. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
