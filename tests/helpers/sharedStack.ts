import { EmbeddedFerretDb, defaultFerretdbBin } from '../../server/db/EmbeddedFerretDb.ts';
import { createLogger } from '../../server/logger.ts';
import { makeDataDir, removeDataDir, startPlatform } from './platform.ts';
import type { TestPlatform } from './platform.ts';
import { startRedis } from './redis.ts';
import type { TestRedis } from './redis.ts';

/**
 * What server processes behind one load balancer share: a real Redis, one embedded FerretDB
 * and the token secret. `platform()` starts one more process's worth of platform on them
 * (start them one after the other: the first seeds the demo, the next find it).
 */
export interface SharedStack {
  redis: TestRedis;
  /** REDIS_URL, MONGODB_URI and JWT_SECRET for a platform of this stack. */
  env: Record<string, string>;
  platform(env?: Record<string, string>): Promise<TestPlatform>;
  /** Stops every platform started here, then the database and Redis. */
  stop(): Promise<void>;
}

export async function startSharedStack(): Promise<SharedStack> {
  const redis = await startRedis();
  const dbDir = makeDataDir();
  const ferret = await EmbeddedFerretDb.start({
    bin: defaultFerretdbBin(),
    dataDir: dbDir,
    logger: createLogger('silent'),
  });
  const env = {
    REDIS_URL: redis.url,
    MONGODB_URI: ferret.uri,
    JWT_SECRET: 'a-secret-shared-by-every-process-of-the-test',
  };
  const started: TestPlatform[] = [];
  return {
    redis,
    env,
    async platform(extra = {}) {
      const p = await startPlatform({ env: { ...env, ...extra } });
      started.push(p);
      return p;
    },
    async stop() {
      for (const p of started.splice(0)) {
        await p.close();
        removeDataDir(p.dataDir);
      }
      await ferret.stop();
      removeDataDir(dbDir);
      await redis.stop();
    },
  };
}
