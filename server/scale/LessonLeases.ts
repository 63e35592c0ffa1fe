import crypto from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import { TypedEmitter } from '../../sfu/index.ts';
import { LessonElsewhereError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface LessonLeaseEvents extends Record<string, unknown[]> {
  /**
   * This process started hosting the lesson (with this fencing token). `previousSeenAt`: when
   * the process that hosted it before last renewed its lease (ms since the epoch, Redis's
   * clock), the last moment it is known to have been alive; null when none hosted it before.
   */
  taken: [lessonId: string, fence: number, previousSeenAt: number | null];
  /** This process no longer holds the lesson (its lease ran out and another process took it). */
  lost: [lessonId: string];
}

/**
 * Which process hosts each live lesson: its media room, its board's sequence and its
 * interactions live in exactly one process at a time. A process claims a lesson before it
 * hosts any of it; the claim answers with a fencing token that grows with every change of host.
 */
export interface LessonLeases extends TypedEmitter<LessonLeaseEvents> {
  /** This process's name in the leases. */
  readonly holder: string;
  /**
   * Takes the lesson for this process, or keeps it; resolves with the fencing token.
   * @throws LessonElsewhereError while another live process holds it
   */
  claim(lessonId: string): Promise<number>;
  /** Gives the lesson up (it ended, or this process stops). */
  release(lessonId: string): Promise<void>;
  /** Lessons this process holds. */
  held(): string[];
  /** The process holding the lesson now (this one included), or null. */
  holderOf(lessonId: string): Promise<string | null>;
  close(): Promise<void>;
}

/** One process alone: it hosts every lesson. */
export class LocalLessonLeases extends TypedEmitter<LessonLeaseEvents> implements LessonLeases {
  readonly holder = `${os.hostname()}:${process.pid}`;
  readonly #held = new Set<string>();

  claim(lessonId: string): Promise<number> {
    if (!this.#held.has(lessonId)) {
      this.#held.add(lessonId);
      this.safeEmit('taken', lessonId, 1, null);
    }
    return Promise.resolve(1);
  }

  release(lessonId: string): Promise<void> {
    this.#held.delete(lessonId);
    return Promise.resolve();
  }

  held(): string[] {
    return [...this.#held];
  }

  holderOf(lessonId: string): Promise<string | null> {
    return Promise.resolve(this.#held.has(lessonId) ? this.holder : null);
  }

  close(): Promise<void> {
    this.#held.clear();
    return Promise.resolve();
  }
}

/**
 * Takes the lease when free, held by `gone` (a holder known to be dead), or already ours
 * (renewing it), and answers the fencing token; answers the holder's name when another holds
 * it. Each take and renewal stamps the time (Redis's clock, ms), and a take answers the stamp
 * the previous holder left: when it was last known alive.
 * KEYS: lease, fence, stamp. ARGV: holder, ttl ms, gone ('' for none).
 */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
local t = redis.call('TIME')
local now = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('SET', KEYS[3], now, 'PX', 86400000)
  return {1, redis.call('GET', KEYS[2]) or '0', ''}
elseif not current or (ARGV[3] ~= '' and current == ARGV[3]) then
  local previous = redis.call('GET', KEYS[3]) or ''
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('SET', KEYS[3], now, 'PX', 86400000)
  return {1, tostring(redis.call('INCR', KEYS[2])), previous}
end
return {0, current, ''}`;

/** Deletes the lease if it is ours. KEYS: lease. ARGV: holder. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisLessonLeasesOptions {
  /** How long a lease outlives its holder's last renewal, ms. @default 3000 */
  ttlMs?: number;
  /**
   * This process's name in the leases, which must also be the name (CLIENT SETNAME) of its
   * connections to Redis: a holder none of whose connections is left is dead, and its
   * lessons are taken at once instead of when its leases run out. @default a new name, with
   * no such check
   */
  holder?: string;
}

/** After a restart Redis has no connections; they come back within this many seconds. */
const REDIS_SETTLE_SECONDS = 10;

/**
 * Leases in Redis (SET NX PX with a per-lesson INCR fencing token, both in one script):
 * renewed every third of their life while held, so a process that stalls loses its lessons
 * within `ttlMs` and another process takes them on its next claim. A process that dies is
 * noticed sooner: its connections to Redis close with it (the kernel closes a killed
 * process's sockets), and a claim that finds a lease held by a name no connection carries
 * any more takes it at once. A process that finds its lease taken stops hosting the lesson
 * ('lost').
 *
 * Why a lease and not only the load balancer's hashing: the balancer sends a lesson's sockets
 * to one process while it is healthy, but during a failover two processes can both see
 * sockets of the lesson; the lease decides which one hosts it.
 */
export class RedisLessonLeases extends TypedEmitter<LessonLeaseEvents> implements LessonLeases {
  readonly holder: string;
  readonly #redis: Redis;
  readonly #log: Logger;
  readonly #ttlMs: number;
  readonly #named: boolean;
  readonly #held = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  /** The names of the connections Redis has now, read at most every half second. */
  #connected: { at: number; names: Promise<Set<string> | null> } | null = null;

  constructor(redis: Redis, logger: Logger, { ttlMs = 3000, holder }: RedisLessonLeasesOptions = {}) {
    super();
    this.holder = holder ?? processName();
    this.#named = holder !== undefined;
    this.#redis = redis;
    this.#log = logger.child({ module: 'leases' });
    this.#ttlMs = ttlMs;
    this.#timer = setInterval(() => void this.#renew(), Math.max(100, Math.floor(ttlMs / 3)));
    this.#timer.unref();
  }

  async claim(lessonId: string): Promise<number> {
    let [ok, value, previous] = await this.#claim(lessonId, '');
    if (ok !== 1 && (await this.#gone(value))) {
      this.#log.warn({ lessonId, holder: value }, 'lesson host gone from Redis: taking its lesson now');
      [ok, value, previous] = await this.#claim(lessonId, value);
    }
    if (ok !== 1) {
      this.#held.delete(lessonId);
      throw new LessonElsewhereError(value);
    }
    const fence = Number(value);
    if (!this.#held.has(lessonId)) {
      this.#held.add(lessonId);
      this.#log.info({ lessonId, fence }, 'hosting lesson');
      this.safeEmit('taken', lessonId, fence, previous ? Number(previous) : null);
    }
    return fence;
  }

  #claim(lessonId: string, gone: string): Promise<[number, string, string]> {
    return this.#redis.eval(
      CLAIM,
      3,
      leaseKey(lessonId),
      fenceKey(lessonId),
      stampKey(lessonId),
      this.holder,
      String(this.#ttlMs),
      gone,
    ) as Promise<[number, string, string]>;
  }

  /**
   * Whether `holder` is dead: none of Redis's connections carries its name, while this
   * process's do (so names are in use) and Redis has been up long enough for everyone to
   * have reconnected after a restart.
   */
  async #gone(holder: string): Promise<boolean> {
    if (!this.#named) return false;
    if (!this.#connected || Date.now() - this.#connected.at > 500)
      this.#connected = { at: Date.now(), names: this.#connectionNames().catch(() => null) };
    const names = await this.#connected.names;
    return !!names && names.has(this.holder) && !names.has(holder);
  }

  async #connectionNames(): Promise<Set<string> | null> {
    const info = await this.#redis.info('server');
    const uptime = Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1] ?? 0);
    if (uptime < REDIS_SETTLE_SECONDS) return null;
    const list = (await this.#redis.client('LIST')) as string;
    return new Set([...list.matchAll(/(?:^| )name=(\S+)/gm)].map((m) => m[1]!));
  }

  async release(lessonId: string): Promise<void> {
    this.#held.delete(lessonId);
    await this.#redis.eval(RELEASE, 1, leaseKey(lessonId), this.holder);
  }

  held(): string[] {
    return [...this.#held];
  }

  holderOf(lessonId: string): Promise<string | null> {
    return this.#redis.get(leaseKey(lessonId));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.allSettled(this.held().map((id) => this.release(id)));
  }

  async #renew(): Promise<void> {
    for (const lessonId of this.held()) {
      try {
        await this.claim(lessonId);
      } catch (error) {
        if (error instanceof LessonElsewhereError) {
          this.#log.warn({ lessonId, holder: error.holder }, 'lesson taken over by another process');
          this.safeEmit('lost', lessonId);
        } else this.#log.warn({ err: error, lessonId }, 'lease renewal failed');
      }
    }
  }
}

/** A name for this process in the leases and on its Redis connections (no spaces). */
export const processName = (): string =>
  `${os.hostname().replace(/\s+/g, '-')}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;

const leaseKey = (lessonId: string): string => `sync-classroom:lesson-lease:${lessonId}`;
const fenceKey = (lessonId: string): string => `sync-classroom:lesson-fence:${lessonId}`;
const stampKey = (lessonId: string): string => `sync-classroom:lesson-seen:${lessonId}`;
