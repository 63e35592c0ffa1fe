import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { InvalidStateError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** FerretDB version built by scripts/lib/ferretdb.mjs. */
const FERRETDB_VERSION = 'v1.24.0';

/** Where scripts/setup.mjs caches the FerretDB binary. */
export function defaultFerretdbBin(): string {
  const base =
    process.env['SYNC_CLASSROOM_CACHE'] ??
    path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'sync-classroom');
  return path.join(base, 'ferretdb', FERRETDB_VERSION, 'ferretdb');
}

/**
 * FerretDB (MongoDB wire protocol over SQLite) run as a child process, with its data in
 * `dataDir`. The zero-setup database of the platform; production points MONGODB_URI at
 * a MongoDB replica set instead.
 */
export class EmbeddedFerretDb {
  readonly #child: ChildProcess;
  readonly uri: string;
  #stopping = false;

  private constructor(child: ChildProcess, uri: string) {
    this.#child = child;
    this.uri = uri;
  }

  static async start(options: { bin: string; dataDir: string; logger: Logger }): Promise<EmbeddedFerretDb> {
    const { bin, dataDir, logger } = options;
    if (!fs.existsSync(bin)) {
      throw new InvalidStateError(
        `FerretDB binary not found at ${bin}: run "npm run setup" (or set MONGODB_URI)`,
      );
    }
    const sqliteDir = path.join(dataDir, 'ferretdb');
    fs.mkdirSync(sqliteDir, { recursive: true });
    const port = await freePort();
    const child = spawn(
      bin,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${sqliteDir}/`,
        `--state-dir=${sqliteDir}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--telemetry=disable',
        '--log-level=warn',
        '--debug-addr=-',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const db = new EmbeddedFerretDb(child, `mongodb://127.0.0.1:${port}/sync-classroom`);
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('exit', (code, signal) => {
      if (!db.#stopping) logger.error({ code, signal, output }, 'FerretDB exited unexpectedly');
    });
    try {
      await waitForPort(port, 20_000, () => child.exitCode !== null);
    } catch (error) {
      await db.stop();
      throw new InvalidStateError(`FerretDB did not start: ${String(error)}\n${output}`);
    }
    logger.info({ port, dataDir: sqliteDir }, 'embedded FerretDB started');
    return db;
  }

  /** Stops the child process (SIGTERM, then SIGKILL after 3 s). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#stopping = true;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gaveUp()) throw new Error('process exited');
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} not open after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
