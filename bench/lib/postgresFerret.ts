import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ensureDatabase,
  ensureReachable,
  ferretdbOverPostgres,
  initCluster,
  postgresBinDir,
  postgresUser,
  postmasterArgs,
  readPassword,
  ready,
  stopFast,
} from '../../scripts/lib/postgres.mjs';
import { defaultFerretdbBin } from '../../server/db/EmbeddedFerretDb.ts';
import { freePort } from '../../tests/helpers/ports.ts';

/** A private PostgreSQL with one FerretDB over it, as `npm run cluster` runs them. */
export interface PostgresFerret {
  uri: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (await check()) return;
  throw new Error(`${what} not ready after ${ms / 1000} s`);
}

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * Starts PostgreSQL (Debian's server binaries, a cluster in a temporary folder, as the
 * `postgres` user when run as root) and FerretDB 1.24 with its PostgreSQL handler over it,
 * both on loopback ports; `stop()` ends both and removes the folder.
 */
export async function startPostgresFerret(): Promise<PostgresFerret> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pg-'));
  const user = postgresUser();
  const pg = { binDir: postgresBinDir(), dataDir: path.join(runDir, 'postgres'), user };
  ensureReachable(runDir, user);
  const passwordFile = path.join(runDir, 'postgres-password');
  initCluster({ ...pg, passwordFile });
  const pgPort = await freePort();
  const children: ChildProcess[] = [];
  const postgres = spawn(path.join(pg.binDir, 'postgres'), postmasterArgs({ ...pg, port: pgPort }), {
    cwd: pg.dataDir,
    stdio: 'ignore',
    ...(user ?? {}),
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  children.push(postgres);
  const stop = async (): Promise<void> => {
    for (const child of children.reverse())
      if (child !== postgres && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    if (postgres.exitCode === null) stopFast(pg);
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await until('postgresql', () => ready({ ...pg, port: pgPort }), 60_000);
    const password = readPassword(passwordFile);
    ensureDatabase({ binDir: pg.binDir, port: pgPort, password, name: 'ferretdb' });
    const ferretPort = await freePort();
    const ferretDir = path.join(runDir, 'ferretdb');
    fs.mkdirSync(ferretDir, { recursive: true });
    const { args, env } = ferretdbOverPostgres({ port: ferretPort, stateDir: ferretDir, pgPort, password });
    const ferret = spawn(defaultFerretdbBin(), args, { stdio: 'ignore', env });
    children.push(ferret);
    await until('ferretdb', () => portOpen(ferretPort), 20_000);
    return { uri: `mongodb://127.0.0.1:${ferretPort}/sync-classroom`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
