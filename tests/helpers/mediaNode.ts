import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { freePort } from './ports.ts';

export interface TestMediaNode {
  nodeId: string;
  url: string;
  child: ChildProcess;
  /** Stops it (SIGKILL: as if its host died) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a real media node process (`server/media/nodeMain.ts`, as `npm run media-node` does) on
 * a free loopback port with its own RTC port range; resolves once it has reported to Redis.
 */
export async function startMediaNode(
  nodeId: string,
  env: { REDIS_URL: string; MEDIA_NODE_SECRET: string; RTC_MIN_PORT: string; RTC_MAX_PORT: string } & Record<
    string,
    string
  >,
): Promise<TestMediaNode> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/media/nodeMain.ts'], {
    env: {
      ...process.env,
      MEDIA_NODE_ID: nodeId,
      MEDIA_NODE_PORT: String(port),
      MEDIA_NODE_REPORT_MS: '500',
      SFU_WORKERS: '1',
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('running on port')) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`media node exited with ${code ?? signal}`)));
      timer = setTimeout(() => reject(new Error(`media node did not start; it printed:\n${out}`)), 60_000);
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
    child.stdout?.removeAllListeners('data').resume();
  }
  return {
    nodeId,
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
  };
}
