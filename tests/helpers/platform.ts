import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { Platform } from '../../server/Platform.ts';

export interface TestPlatform {
  platform: Platform;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A fresh temporary data folder (removed by `removeDataDir`). */
export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sc-test-'));
}

export function removeDataDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts the real platform on port 0: embedded FerretDB in a temporary folder, one real
 * mediasoup worker, demo data without its term so far (past lessons take seconds to seed and
 * most tests never read them: pass `DEMO_HISTORY: 'true'` in `env` for those that do).
 */
export async function startPlatform(
  options: { dataDir?: string; now?: () => number; env?: Record<string, string> } = {},
): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? makeDataDir();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SFU_WORKERS: '1',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    RTC_MIN_PORT: '40000',
    RTC_MAX_PORT: '49999',
    DEMO_HISTORY: 'false',
    ...options.env,
  });
  const platform = await Platform.start({
    config,
    logger: createLogger(config.logLevel),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    platform,
    url: platform.url,
    dataDir,
    close: () => platform.close(),
  };
}

/** Logs in through the API and returns the access token. */
export async function login(url: string, username: string, password = 'demo2026'): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
