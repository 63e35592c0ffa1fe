import crypto from 'node:crypto';
import { Queue, QueueEvents, WaitingError, Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { isJobId, messageOf } from './JobQueue.ts';
import type { JobBackend, JobFiles, JobKind, JobQueue, JobSnapshot, JobState, JobStats } from './JobQueue.ts';

/** Options of {@link BullMqJobs.connect}. */
export interface BullMqJobsOptions {
  /**
   * How long a worker's lock on a running job lasts unless renewed (every half of it), ms.
   * A job whose process died is taken over by another process after at most this plus
   * `stalledIntervalMs`; an event loop blocked for longer makes the job look stalled.
   * @default 15000
   */
  lockDurationMs?: number;
  /** How often each worker looks for running jobs whose lock expired, ms. @default 5000 */
  stalledIntervalMs?: number;
  /** Key prefix of the queues and files in Redis. @default 'sync-classroom:jobs' */
  prefix?: string;
}

/**
 * How often a job may be found stalled (its process gone) and started again before it is
 * failed: a process crash is survived twice, a job that crashes every process it runs in
 * is not retried for ever.
 */
const MAX_STALLED = 2;

/**
 * Jobs on BullMQ queues in Redis, one queue per job kind: any process accepts a job
 * (`Queue.add`), any process's `Worker` runs it, and every process reads its progress,
 * result or error from Redis. A running job holds a lock its worker renews; when the
 * process dies the lock expires, another worker's stalled-job check puts the job back in the
 * queue and it runs again there from its data. Files jobs produce live in Redis beside the
 * jobs, expiring with them.
 */
export class BullMqJobs implements JobBackend {
  readonly kind = 'bullmq';
  readonly files: JobFiles;
  readonly #connection: ConnectionOptions;
  readonly #client: Redis;
  readonly #log: Logger;
  readonly #options: Required<BullMqJobsOptions>;
  readonly #queues = new Map<string, BullMqQueue<unknown, unknown, unknown>>();
  #closed = false;

  private constructor(url: string, client: Redis, logger: Logger, options: Required<BullMqJobsOptions>) {
    this.#connection = connectionOptions(url);
    this.#client = client;
    this.#log = logger;
    this.#options = options;
    this.files = new RedisFiles(client, `${options.prefix}:files:`);
  }

  /** Connects to Redis at `url` (its own connections: BullMQ's blocking reads need them). */
  static async connect(url: string, logger: Logger, options: BullMqJobsOptions = {}): Promise<BullMqJobs> {
    const log = logger.child({ module: 'jobs' });
    const client = new Redis(url, { lazyConnect: true, connectTimeout: 10_000 });
    client.on('error', (error: Error) => log.warn({ err: error }, 'redis (job files)'));
    await client.connect();
    return new BullMqJobs(url, client, log, {
      lockDurationMs: options.lockDurationMs ?? 15_000,
      stalledIntervalMs: options.stalledIntervalMs ?? 5_000,
      prefix: options.prefix ?? 'sync-classroom:jobs',
    });
  }

  queue<Data, Progress, Result>(kind: JobKind<Data, Progress, Result>): JobQueue<Data, Progress, Result> {
    if (this.#closed) throw new Error('the job back end is closed');
    if (this.#queues.has(kind.name)) throw new TypeError(`job kind ${kind.name} defined twice`);
    const queue = new BullMqQueue(
      kind,
      this.#connection,
      this.#options,
      this.#log.child({ queue: kind.name }),
    );
    this.#queues.set(kind.name, queue as BullMqQueue<unknown, unknown, unknown>);
    return queue;
  }

  get queues(): ReadonlyMap<string, JobQueue<unknown, unknown, unknown>> {
    return this.#queues;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}

/** A job kind's queue, its worker in this process, and the mirror of its unfinished keys. */
class BullMqQueue<Data, Progress, Result> implements JobQueue<Data, Progress, Result> {
  readonly name: string;
  readonly #kind: JobKind<Data, Progress, Result>;
  readonly #queue: Queue<Job<Data, Result, string>>;
  readonly #worker: Worker<Data, Result, string>;
  readonly #events: QueueEvents;
  readonly #log: Logger;
  /** Unfinished jobs by key, as far as this process has heard (see `isRunning`). */
  readonly #keys = new Map<string, string>();
  /** The jobs this process's worker is running, to hand back at close. */
  readonly #active = new Set<AbortController>();
  #closing = false;

  constructor(
    kind: JobKind<Data, Progress, Result>,
    connection: ConnectionOptions,
    options: Required<BullMqJobsOptions>,
    log: Logger,
  ) {
    this.name = kind.name;
    this.#kind = kind;
    this.#log = log;
    const keep = { age: Math.ceil(kind.keepMs / 1000) };
    const common = { connection, prefix: options.prefix };
    this.#queue = new Queue<Job<Data, Result, string>>(kind.name, {
      ...common,
      defaultJobOptions: { attempts: 1, removeOnComplete: keep, removeOnFail: keep },
    });
    this.#worker = new Worker<Data, Result, string>(kind.name, (job, token) => this.#process(job, token), {
      ...common,
      concurrency: kind.concurrency ?? 1,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: MAX_STALLED,
    });
    this.#events = new QueueEvents(kind.name, common);
    const warn = (error: Error): void => log.warn({ err: error }, 'job queue');
    this.#queue.on('error', warn);
    this.#worker.on('error', warn);
    this.#events.on('error', warn);
    this.#worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled; running it again'));
    this.#worker.on('failed', (job, error) => log.warn({ jobId: job?.id, err: error }, 'job failed'));
    // A job's BullMQ name is its key (see `add`), so the events alone keep the mirror.
    this.#events.on('added', ({ jobId, name }) => {
      if (name !== kind.name) this.#keys.set(name, jobId);
    });
    const finished = ({ jobId }: { jobId: string }): void => {
      for (const [key, id] of this.#keys) if (id === jobId) this.#keys.delete(key);
    };
    this.#events.on('completed', finished);
    this.#events.on('failed', finished);
    this.#events.on('removed', finished);
    this.#loadKeys().catch((error: unknown) => log.warn({ err: error }, 'unfinished jobs not listed'));
  }

  async #loadKeys(): Promise<void> {
    await this.#events.waitUntilReady();
    const jobs = await this.#queue.getJobs(['active', 'waiting', 'delayed', 'prioritized']);
    for (const job of jobs) if (job.id && job.name !== this.#kind.name) this.#keys.set(job.name, job.id);
  }

  async add(data: Data, { key }: { key?: string } = {}): Promise<JobSnapshot<Data, Progress, Result>> {
    if (this.#closing) throw new Error('the job queue is closed');
    // With a key, BullMQ's deduplication decides atomically in Redis: while a job of the key
    // is unfinished, `add` answers that job's id instead of adding one.
    const job = await this.#queue.add(key ?? this.#kind.name, data, {
      jobId: crypto.randomUUID(),
      ...(key !== undefined ? { deduplication: { id: key } } : {}),
    });
    const id = job.id ?? '';
    if (key !== undefined) this.#keys.set(key, id);
    return (
      (await this.get(id)) ?? {
        id,
        state: 'waiting',
        data,
        progress: null,
        result: null,
        error: null,
        acceptedAt: job.timestamp,
      }
    );
  }

  async get(id: string): Promise<JobSnapshot<Data, Progress, Result> | null> {
    // Anything but a UUID never reaches Redis (a crafted id could name another key).
    if (!isJobId(id)) return null;
    // The state first: a job read as finished then has its result in the record read next.
    const state = STATES[await this.#queue.getJobState(id)];
    const job = state && (await this.#queue.getJob(id));
    if (!state || !job) return null;
    const progress: unknown = job.progress;
    return {
      id,
      state,
      data: job.data,
      progress:
        typeof progress === 'object' && progress !== null && 'value' in progress
          ? (progress.value as Progress)
          : null,
      result: state === 'done' ? job.returnvalue : null,
      error: state === 'failed' ? (job.failedReason ?? 'failed') : null,
      acceptedAt: job.timestamp,
    };
  }

  isRunning(key: string): boolean {
    return this.#keys.has(key);
  }

  async stats(): Promise<JobStats> {
    const counts = await this.#queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    const [oldest] = await this.#queue.getJobs(['waiting'], 0, 0, true);
    return {
      waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0) + (counts['delayed'] ?? 0),
      running: counts['active'] ?? 0,
      oldestWaitingMs: oldest ? Math.max(0, Date.now() - oldest.timestamp) : null,
    };
  }

  async #process(job: Job<Data, Result, string>, token: string | undefined): Promise<Result> {
    const controller = new AbortController();
    this.#active.add(controller);
    const progress = latestOnly((value: Progress) => job.updateProgress({ value }), this.#log);
    try {
      const run = this.#kind.run(job.data, {
        id: job.id ?? '',
        signal: controller.signal,
        progress: progress.push,
      });
      const result = await Promise.race([run, aborted(controller.signal)]);
      await progress.flush();
      return result;
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      // This process is stopping: the job goes back to the queue for another process now,
      // rather than after its lock expires.
      await job.moveToWait(token).then(
        () => this.#log.info({ jobId: job.id }, 'job handed back at shutdown'),
        // Not handed back: another process takes it over once its lock expires.
        (error: unknown) => this.#log.warn({ jobId: job.id, err: error }, 'job not handed back'),
      );
      throw new WaitingError();
    } finally {
      this.#active.delete(controller);
    }
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    // The worker stops taking jobs and waits for its running ones, which are told to stop.
    const closing = this.#worker.close();
    for (const controller of this.#active) controller.abort(new Error('the server is stopping'));
    await closing;
    await Promise.all([this.#events.close(), this.#queue.close()]);
  }
}

const STATES: Partial<Record<string, JobState>> = {
  waiting: 'waiting',
  prioritized: 'waiting',
  delayed: 'waiting',
  paused: 'waiting',
  'waiting-children': 'waiting',
  active: 'running',
  completed: 'done',
  failed: 'failed',
};

/** Rejects when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
  );
}

/**
 * Sends values one at a time, keeping only the latest while one is on its way: a solver's
 * progress ticks cost at most one Redis round trip in flight.
 */
function latestOnly<T>(
  send: (value: T) => Promise<unknown>,
  log: Logger,
): { push: (value: T) => void; flush: () => Promise<void> } {
  let pending: { value: T } | null = null;
  let inFlight: Promise<void> | null = null;
  const pump = async (): Promise<void> => {
    while (pending) {
      const { value } = pending;
      pending = null;
      await send(value).catch((error: unknown) => log.warn({ err: messageOf(error) }, 'progress not saved'));
    }
    inFlight = null;
  };
  return {
    push: (value) => {
      pending = { value };
      inFlight ??= pump();
    },
    flush: async () => {
      await inFlight;
    },
  };
}

/** ioredis options from a redis:// or rediss:// URL, for the connections BullMQ opens itself. */
function connectionOptions(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number(u.pathname.slice(1) || 0),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Files as Redis strings with an expiry, readable from every process. */
class RedisFiles implements JobFiles {
  readonly #client: Redis;
  readonly #prefix: string;

  constructor(client: Redis, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async put(id: string, data: Buffer, ttlMs: number): Promise<void> {
    await this.#client.set(this.#prefix + id, data, 'PX', ttlMs);
  }

  async get(id: string): Promise<Buffer | null> {
    if (!isJobId(id)) return null;
    return this.#client.getBuffer(this.#prefix + id);
  }
}
