import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { LoginThrottleOptions } from '../auth/LoginThrottle.ts';
import type { Logger } from '../logger.ts';
import { NodeReports } from '../media/NodeReports.ts';
import { RedisLessonLeases, processName } from './LessonLeases.ts';
import type { RedisLessonLeasesOptions } from './LessonLeases.ts';

/**
 * What several server processes share through Redis (REDIS_URL): socket.io's adapter, so
 * that an event or a disconnect for a room reaches every socket in it, whichever process
 * holds it; and the login throttle's counts. The clients are ioredis (the client
 * @socket.io/redis-adapter and rate-limiter-flexible both document), which reconnects by
 * itself.
 */
export class SharedRedis {
  /** This process's name on its Redis connections and in the lesson leases. */
  readonly processName: string;
  readonly #pub: Redis;
  readonly #sub: Redis;

  private constructor(pub: Redis, sub: Redis, name: string) {
    this.#pub = pub;
    this.#sub = sub;
    this.processName = name;
  }

  /** Connects (publisher and subscriber); fails if Redis does not answer within 10 s. */
  static async connect(url: string, logger: Logger): Promise<SharedRedis> {
    const log = logger.child({ module: 'redis' });
    // Named (on every reconnection too), so that the other processes see when this one is gone.
    const name = processName();
    const pub = new Redis(url, { lazyConnect: true, connectTimeout: 10_000, connectionName: name });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on('error', (error: Error) => log.warn({ err: error }, 'redis'));
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (error) {
      pub.disconnect();
      sub.disconnect();
      throw error;
    }
    log.info({ url: url.replace(/\/\/[^@]*@/, '//***@') }, 'connected to Redis');
    return new SharedRedis(pub, sub, name);
  }

  /** socket.io's Redis adapter over these clients. */
  adapter(): ReturnType<typeof createAdapter> {
    return createAdapter(this.#pub, this.#sub, { key: 'sync-classroom' });
  }

  /**
   * Login limiters kept in Redis, so every process counts the same failures; while Redis is
   * unreachable each process falls back to counting in its own memory.
   */
  loginLimiters(perUsername: number, perAddress: number, duration = 900): LoginThrottleOptions['limiters'] {
    const limiter = (keyPrefix: string, points: number) =>
      new RateLimiterRedis({
        storeClient: this.#pub,
        keyPrefix: `sync-classroom:${keyPrefix}`,
        points,
        duration,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
      });
    return { byUsername: limiter('login-user', perUsername), byAddress: limiter('login-addr', perAddress) };
  }

  /** Round trip of a PING, seconds. */
  async latency(): Promise<number> {
    const started = process.hrtime.bigint();
    await this.#pub.ping();
    return Number(process.hrtime.bigint() - started) / 1e9;
  }

  /** Which process hosts each live lesson, kept in this Redis. */
  lessonLeases(logger: Logger, options?: RedisLessonLeasesOptions): RedisLessonLeases {
    return new RedisLessonLeases(this.#pub, logger, { holder: this.processName, ...options });
  }

  /** Media nodes' signed load reports (MEDIA_NODES=true). */
  mediaNodeReports(secret: string, logger: Logger): NodeReports {
    return new NodeReports(this.#pub, secret, logger);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#pub.quit(), this.#sub.quit()]);
  }
}
