import fs from 'node:fs';
import os from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { InvalidStateError } from './errors.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export interface WorkerPoolOptions {
  /** Number of mediasoup workers. @default the number of CPU cores */
  numWorkers?: number;
  /** mediasoup worker log level. @default 'warn' */
  logLevel?: types.WorkerLogLevel;
  /** Delay before replacing a dead worker, in ms. @default 200 */
  respawnDelayMs?: number;
}

export interface WorkerPoolEvents extends Record<string, unknown[]> {
  /** A worker died; its routers are closed (their lessons get `workerclose`) and a replacement starts. */
  workerdied: [{ pid: number; error: Error }];
  /** A replacement worker is running. */
  workerreplaced: [{ deadPid: number; pid: number }];
}

interface PoolEntry {
  worker: types.Worker;
  routers: number;
  transports: number;
}

/**
 * A pool of mediasoup workers, one per core by default. Routers go to the least loaded
 * worker; a worker that dies is replaced.
 */
export class WorkerPool extends TypedEmitter<WorkerPoolEvents> {
  readonly #entries: PoolEntry[] = [];
  readonly #options: Required<WorkerPoolOptions>;
  #closed = false;

  private constructor(options: Required<WorkerPoolOptions>) {
    super();
    this.#options = options;
  }

  /** Starts the workers; resolves once all of them run. */
  static async create(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const pool = new WorkerPool({
      numWorkers: options.numWorkers ?? Math.max(1, os.availableParallelism()),
      logLevel: options.logLevel ?? 'warn',
      respawnDelayMs: options.respawnDelayMs ?? 200,
    });
    try {
      await Promise.all(Array.from({ length: pool.#options.numWorkers }, () => pool.#spawn()));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Process ids of the running workers. */
  get pids(): number[] {
    return this.#entries.map((e) => e.worker.pid);
  }

  /** Creates a router on the least loaded worker. */
  async createRouter(options: types.RouterOptions): Promise<types.Router> {
    if (this.#closed) throw new InvalidStateError('worker pool closed');
    const entry = [...this.#entries].sort((a, b) => a.routers - b.routers || a.transports - b.transports)[0];
    if (!entry) throw new InvalidStateError('no mediasoup worker running');
    return entry.worker.createRouter(options);
  }

  /** Routers and transports per worker. */
  stats(): { pid: number; routers: number; transports: number }[] {
    return this.#entries.map((e) => ({ pid: e.worker.pid, routers: e.routers, transports: e.transports }));
  }

  /**
   * CPU time (user + system, ms) and peak resident memory (KiB) per worker. The peak comes
   * from /proc (VmHWM): the worker's own ru_maxrss is inherited from the Node parent at
   * fork and so reports the parent's size.
   */
  async resourceUsage(): Promise<{ pid: number; cpuMs: number; maxRssKiB: number }[]> {
    return Promise.all(
      this.#entries.map(async (e) => {
        const u = await e.worker.getResourceUsage();
        return {
          pid: e.worker.pid,
          cpuMs: u.ru_utime + u.ru_stime,
          maxRssKiB: peakRssKiB(e.worker.pid) ?? u.ru_maxrss,
        };
      }),
    );
  }

  /** Closes every worker (and so every router and transport). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of this.#entries.splice(0)) e.worker.close();
  }

  async #spawn(): Promise<PoolEntry> {
    const worker = await mediasoup.createWorker({ logLevel: this.#options.logLevel });
    const entry: PoolEntry = { worker, routers: 0, transports: 0 };
    worker.observer.on('newrouter', (router) => {
      entry.routers++;
      router.observer.on('close', () => entry.routers--);
      router.observer.on('newtransport', (transport) => {
        entry.transports++;
        transport.observer.on('close', () => entry.transports--);
      });
    });
    worker.on('died', (error) => this.#onDied(entry, error));
    if (this.#closed) {
      worker.close();
      throw new InvalidStateError('worker pool closed');
    }
    this.#entries.push(entry);
    return entry;
  }

  #onDied(entry: PoolEntry, error: Error): void {
    const index = this.#entries.indexOf(entry);
    if (index >= 0) this.#entries.splice(index, 1);
    const deadPid = entry.worker.pid;
    this.safeEmit('workerdied', { pid: deadPid, error });
    if (this.#closed) return;
    const respawn = (): void => {
      if (this.#closed) return;
      this.#spawn().then(
        (replacement) => this.safeEmit('workerreplaced', { deadPid, pid: replacement.worker.pid }),
        () => setTimeout(respawn, this.#options.respawnDelayMs * 5),
      );
    };
    setTimeout(respawn, this.#options.respawnDelayMs);
  }
}

/** VmHWM of a process in KiB, where /proc exists. */
function peakRssKiB(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
