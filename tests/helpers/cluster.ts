import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

/** One process of a cluster, as `scripts/cluster.mjs` writes it into `<run dir>/cluster.json`. */
export interface ClusterProcess {
  name: string;
  role: string;
  pid: number;
  port: number;
  log: string;
}

/** `<run dir>/cluster.json`. */
export interface ClusterInfo {
  url: string;
  statsSocket: string;
  processes: ClusterProcess[];
}

/** A running `scripts/cluster.mjs`. */
export interface TestCluster {
  /** HAProxy's URL. */
  url: string;
  info: ClusterInfo;
  runDir: string;
  /** What cluster.mjs printed so far (stdout and stderr). */
  output(): string;
  /** The process named `name` (`redis`, `server-1`, `haproxy`…). */
  process(name: string): ClusterProcess;
  /** Resolves with cluster.mjs's exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** SIGINT (what Ctrl-C sends), then its exit code once everything it started has stopped. */
  stop(): Promise<number | null>;
  /** Stops it if it still runs, and removes the run dir. */
  close(): Promise<void>;
}

/**
 * `scripts/cluster.mjs` as the user runs it, in a new run dir under the system's temporary
 * folder, on a free HAProxy port, skipping setup (npm test's setup has installed HAProxy,
 * PostgreSQL and Redis); resolves once it prints that it is ready.
 */
export async function startCluster({
  servers = 2,
  sfuWorkers = 1,
  mediaNodes = 0,
  classroomsPerRouter,
}: {
  /** @default 2 */
  servers?: number;
  /** mediasoup workers per server process (or per media node). @default 1 */
  sfuWorkers?: number;
  /** Media node processes (0: the servers' own workers). @default 0 */
  mediaNodes?: number;
  /** Classrooms per router before a lesson spreads over several. @default the platform's */
  classroomsPerRouter?: number;
} = {}): Promise<TestCluster> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-test-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'scripts/cluster.mjs',
      `--servers=${servers}`,
      `--port=${port}`,
      `--run-dir=${runDir}`,
      '--no-setup',
      `--sfu-workers=${sfuWorkers}`,
      `--media-nodes=${mediaNodes}`,
      ...(classroomsPerRouter ? [`--classrooms-per-router=${classroomsPerRouter}`] : []),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    return exited;
  };
  const close = async (): Promise<void> => {
    await stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /\[cluster\] ready: (http:\/\/\S+)/.exec(output);
        if (m?.[1]) {
          clearInterval(timer);
          resolve(m[1]);
        } else if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`cluster.mjs exited with ${child.exitCode} before it was ready:\n${output}`));
        }
      }, 200);
    });
  } catch (error) {
    await close();
    throw error;
  }
  const info = JSON.parse(fs.readFileSync(path.join(runDir, 'cluster.json'), 'utf8')) as ClusterInfo;
  return {
    url,
    info,
    runDir,
    output: () => output,
    process: (name) => {
      const p = info.processes.find((x) => x.name === name);
      if (!p) throw new Error(`no ${name} in ${JSON.stringify(info)}`);
      return p;
    },
    exited,
    stop,
    close,
  };
}

/** One command to HAProxy's admin socket; resolves with its whole answer. */
export function haproxyCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let answer = '';
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/**
 * Every live process whose process group is one of `groups` (from ps, not the script's own
 * bookkeeping). Zombies are dead already: a mediasoup worker that outlives its server by a
 * moment is reaped by init, whenever init gets to it.
 */
export function processesInGroups(groups: number[]): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => {
      const [, pgid, stat] = l.split(/\s+/);
      return pgid !== undefined && groups.includes(Number(pgid)) && !stat?.startsWith('Z');
    });
}
