import crypto from 'node:crypto';
import type { Logger } from '../logger.ts';
import { messageOf } from './JobQueue.ts';
import type { JobBackend, JobFiles, JobKind, JobQueue, JobSnapshot, JobStats } from './JobQueue.ts';

/**
 * Jobs run in this process and kept in its memory (the one-box default, no Redis): a job
 * starts as soon as it is accepted, and it and its files are forgotten `keepMs` after it
 * finishes. Nothing survives a restart, as before there was a queue.
 */
export class InProcessJobs implements JobBackend {
  readonly kind = 'in-process';
  readonly files: JobFiles = new MemoryFiles();
  readonly #log: Logger;
  /** Running jobs' abort controllers, aborted at close. */
  readonly #running = new Set<AbortController>();
  readonly #queues = new Map<string, JobQueue<unknown, unknown, unknown>>();
  #closed = false;

  constructor(logger: Logger) {
    this.#log = logger.child({ module: 'jobs' });
  }

  queue<Data, Progress, Result>(kind: JobKind<Data, Progress, Result>): JobQueue<Data, Progress, Result> {
    if (this.#queues.has(kind.name)) throw new TypeError(`job kind ${kind.name} defined twice`);
    const queue = new InProcessQueue(
      kind,
      this.#running,
      this.#log.child({ queue: kind.name }),
      () => this.#closed,
    );
    this.#queues.set(kind.name, queue);
    return queue;
  }

  get queues(): ReadonlyMap<string, JobQueue<unknown, unknown, unknown>> {
    return this.#queues;
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const controller of this.#running) controller.abort(new Error('the server is stopping'));
    this.#running.clear();
    return Promise.resolve();
  }
}

class InProcessQueue<Data, Progress, Result> implements JobQueue<Data, Progress, Result> {
  readonly #kind: JobKind<Data, Progress, Result>;
  readonly #jobs = new Map<string, JobSnapshot<Data, Progress, Result>>();
  /** Unfinished jobs by key. */
  readonly #byKey = new Map<string, string>();
  readonly #running: Set<AbortController>;
  readonly #log: Logger;
  readonly #closed: () => boolean;

  constructor(
    kind: JobKind<Data, Progress, Result>,
    running: Set<AbortController>,
    log: Logger,
    closed: () => boolean,
  ) {
    this.#kind = kind;
    this.#running = running;
    this.#log = log;
    this.#closed = closed;
  }

  add(data: Data, { key }: { key?: string } = {}): Promise<JobSnapshot<Data, Progress, Result>> {
    const current = key === undefined ? undefined : this.#byKey.get(key);
    const existing = current === undefined ? undefined : this.#jobs.get(current);
    if (existing) return Promise.resolve({ ...existing });
    if (this.#closed()) return Promise.reject(new Error('the job queue is closed'));
    const job: JobSnapshot<Data, Progress, Result> = {
      id: crypto.randomUUID(),
      state: 'running',
      data,
      progress: null,
      result: null,
      error: null,
      acceptedAt: Date.now(),
    };
    this.#jobs.set(job.id, job);
    if (key !== undefined) this.#byKey.set(key, job.id);
    const controller = new AbortController();
    this.#running.add(controller);
    const finish = (outcome: Partial<JobSnapshot<Data, Progress, Result>>): void => {
      Object.assign(job, outcome);
      this.#running.delete(controller);
      if (key !== undefined && this.#byKey.get(key) === job.id) this.#byKey.delete(key);
      setTimeout(() => this.#jobs.delete(job.id), this.#kind.keepMs).unref();
    };
    this.#kind
      .run(data, {
        id: job.id,
        signal: controller.signal,
        progress: (value) => {
          if (job.state === 'running') job.progress = value;
        },
      })
      .then(
        (result) => finish({ state: 'done', result }),
        (error: unknown) => {
          this.#log.warn({ jobId: job.id, err: error }, 'job failed');
          finish({ state: 'failed', error: messageOf(error) });
        },
      );
    return Promise.resolve({ ...job });
  }

  get(id: string): Promise<JobSnapshot<Data, Progress, Result> | null> {
    const job = this.#jobs.get(id);
    return Promise.resolve(job ? { ...job } : null);
  }

  isRunning(key: string): boolean {
    return this.#byKey.has(key);
  }

  /** Jobs start as they are accepted: none ever waits. */
  stats(): Promise<JobStats> {
    let running = 0;
    for (const job of this.#jobs.values()) if (job.state === 'running') running++;
    return Promise.resolve({ waiting: 0, running, oldestWaitingMs: null });
  }
}

/** Files in this process's memory, each dropped when its time is up. */
class MemoryFiles implements JobFiles {
  readonly #files = new Map<string, Buffer>();

  put(id: string, data: Buffer, ttlMs: number): Promise<void> {
    this.#files.set(id, data);
    setTimeout(() => this.#files.delete(id), ttlMs).unref();
    return Promise.resolve();
  }

  get(id: string): Promise<Buffer | null> {
    return Promise.resolve(this.#files.get(id) ?? null);
  }
}
