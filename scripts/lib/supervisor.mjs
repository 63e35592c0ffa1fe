// Child processes of `npm run cluster` (scripts/cluster.mjs): each in its own process group
// (so that Ctrl-C reaches the supervisor alone and it stops them in order), its output in
// its own log file, its death reported loudly and never restarted. Node built-ins only.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Whether a process with this id exists (signal 0 probes without signalling). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Kills a whole process group (a child and whatever it started), ignoring a group already gone. */
export function killGroup(pgid, signal = 'SIGKILL') {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** A free TCP port on 127.0.0.1 (the kernel's pick; released before it is used). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether `host:port` can be bound now (nobody listens there). */
export function portFree(port, host) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Resolves when `check()` resolves true; rejects after `timeoutMs` or when `gaveUp()` is true. */
export async function waitFor(what, check, { timeoutMs = 60_000, gaveUp = () => false } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gaveUp()) throw new Error(`${what}: the process exited`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether `GET url` answers 200 (within 2 s). */
export async function httpOk(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 200;
}

/** Whether a Redis server on `port` answers PING. */
export function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(answer.startsWith('+PONG')));
    socket.on('error', () => resolve(false));
  });
}

/**
 * Starts, watches and stops the cluster's processes. `onUnexpectedExit` is called once for
 * a process that exits while the cluster is not stopping.
 */
export class Supervisor {
  /** @type {Map<string, {name: string, role: string, pid: number, child: import('node:child_process').ChildProcess, log: string, port?: number, exited: Promise<void>}>} */
  #procs = new Map();
  #logDir;
  #pidFile;
  #echo;
  #onUnexpectedExit;
  stopping = false;

  /**
   * @param {{ logDir: string, pidFile: string, echo: (name: string, line: string) => void, onUnexpectedExit: (p: { name: string, role: string, pid: number, code: number | null, signal: string | null, log: string }) => void }} options
   */
  constructor({ logDir, pidFile, echo, onUnexpectedExit }) {
    this.#logDir = logDir;
    this.#pidFile = pidFile;
    this.#echo = echo;
    this.#onUnexpectedExit = onUnexpectedExit;
    fs.mkdirSync(logDir, { recursive: true });
  }

  /** The processes started, in start order. */
  get processes() {
    return [...this.#procs.values()];
  }

  /**
   * Spawns `cmd` in its own process group with stdout and stderr appended to
   * `<logDir>/<name>.log`; each line also goes to `echo`.
   */
  start(name, role, cmd, args, { env = process.env, cwd, uid, gid, port } = {}) {
    const log = path.join(this.#logDir, `${name}.log`);
    const out = fs.openSync(log, 'a');
    fs.writeSync(out, `\n=== ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, {
      env,
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(uid !== undefined ? { uid, gid } : {}),
    });
    const pid = child.pid;
    if (pid === undefined) {
      fs.closeSync(out);
      throw new Error(`${name}: could not start ${cmd}`);
    }
    const forward = (stream) => {
      let rest = '';
      stream.on('data', (chunk) => {
        fs.writeSync(out, chunk);
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) this.#echo(name, line);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    const exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // Let the pipes drain into the log before it is closed.
        setTimeout(() => {
          fs.closeSync(out);
          if (!this.stopping) this.#onUnexpectedExit({ name, role, pid, code, signal, log });
          resolve();
        }, 100);
      });
    });
    child.once('error', (error) => fs.writeSync(out, `spawn error: ${error.message}\n`));
    this.#procs.set(name, { name, role, pid, child, log, port, exited });
    this.#writePids();
    return this.#procs.get(name);
  }

  /** Whether the named process has exited. */
  exited(name) {
    const p = this.#procs.get(name);
    return !p || p.child.exitCode !== null || p.child.signalCode !== null;
  }

  /**
   * Stops one process: `how()` (default SIGTERM to it), SIGKILL to its whole group after
   * `graceMs`; then SIGKILL to whatever is left of its group (workers it started).
   */
  async stop(name, { graceMs = 10_000, how } = {}) {
    const p = this.#procs.get(name);
    if (!p) return;
    if (!this.exited(name)) {
      if (how) await how();
      else killGroupLeader(p.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        process.stdout.write(`[cluster] ${name} did not stop within ${graceMs / 1000} s: killing it\n`);
        killGroup(p.pid);
      }, graceMs);
      await p.exited;
      clearTimeout(timer);
    }
    killGroup(p.pid);
  }

  /** SIGKILL to every process group (a second Ctrl-C, or a failure while stopping). */
  killAll() {
    for (const p of this.#procs.values()) killGroup(p.pid);
  }

  /** Forgets the pid file (after every process is gone). */
  clearPids() {
    fs.rmSync(this.#pidFile, { force: true });
  }

  #writePids() {
    const list = this.processes.map(({ name, role, pid, log, port }) => ({ name, role, pid, port, log }));
    fs.writeFileSync(
      this.#pidFile,
      `${JSON.stringify({ supervisor: process.pid, processes: list }, null, 2)}\n`,
    );
  }
}

function killGroupLeader(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
