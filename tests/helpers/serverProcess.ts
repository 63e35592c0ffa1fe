import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** How `startServerProcess` starts the server. */
export interface ServerProcessOptions {
  /** Modules loaded before the server (`node --import`), after tsx. */
  imports?: string[];
  /** How long the server may take to say it listens before it is stopped and the start fails. @default 120000 */
  startTimeoutMs?: number;
}

/**
 * Starts the real server (`server/main.ts`) as its own process in its own process group
 * (embedded FerretDB included, so one signal to the group stops both), on a free port with
 * its data in `dataDir`; resolves with its URL once it listens. A server that exits first, or
 * does not listen in time, fails the start (and is stopped).
 */
export async function startServerProcess(
  dataDir: string,
  env: Record<string, string> = {},
  { imports = [], startTimeoutMs = 120_000 }: ServerProcessOptions = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...imports.flatMap((m) => ['--import', m]), 'server/main.ts'],
    {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        SFU_WORKERS: '1',
        ...env,
      },
      detached: true,
      // stderr shown (an unread pipe could fill and stall the server).
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        // server/main.ts prints the URL under the name it is reached by (localhost or its host).
        const match = /running at (http:\/\/[^\s/]+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code, signal) => reject(new Error(`server exited with ${code ?? signal}`)));
      timer = setTimeout(
        () => reject(new Error(`server did not listen within ${startTimeoutMs} ms; it printed:\n${out}`)),
        startTimeoutMs,
      );
    });
    return { child, url };
  } catch (error) {
    await stopServerProcess(child, 'SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
    // The start line is read; the rest of stdout is drained so the pipe never fills.
    child.stdout?.removeAllListeners('data').resume();
  }
}

/** Sends `signal` to the server's process group and waits for the server to exit. */
export async function stopServerProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid!, signal);
  await exited;
}
