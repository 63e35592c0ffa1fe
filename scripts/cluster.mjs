#!/usr/bin/env node
// `npm run cluster -- --servers=3`: the platform as several processes on one machine, each
// with its own ports and data under one run directory:
//   Redis (Debian redis-server)  shared by the server processes (socket.io adapter, limits);
//   PostgreSQL (Debian)          a private cluster in the run dir on its own port, not the system service;
//   FerretDB over PostgreSQL     one process for all servers (see below);
//   M media nodes (optional)     node --import tsx server/media/nodeMain.ts (--media-nodes=M): lessons'
//                                media on their mediasoup workers, each its own port and RTC ports;
//   N server processes           node --import tsx server/main.ts, each its own PORT, DATA_DIR, and
//                                RTC ports (their own workers), or MEDIA_NODES=true with media nodes;
//   HAProxy (Debian)             in front on one port: HTTP round robin, socket.io by ?route=.
// Everything is installed by the project's setup (`scripts/setup.mjs --for-cluster`).
// Ctrl-C (SIGINT) or SIGTERM stops everything in order; a process that dies is reported, never
// restarted; a second run reuses the data unless --fresh.
//
// One FerretDB, not one per server: FerretDB 1.x (v1.24.0, the one setup builds) keeps each
// database's collection and index metadata in a per-process cache loaded once and guarded by
// an in-process lock that stands in for transactions (internal/backends/postgresql/metadata/
// registry.go); a second FerretDB over the same PostgreSQL database would not see the
// collections and indexes the first creates. FerretDB 2.x is stateless but needs the
// DocumentDB extension, which Debian does not ship.
//
// Usage: node scripts/cluster.mjs [--servers=3] [--port=8080] [--host=127.0.0.1]
//          [--run-dir=data/cluster] [--fresh] [--follow] [--no-setup] [--sfu-workers=N]
//          [--rtc-min=40000] [--rtc-max=49999] [--rtc-listen-ip=127.0.0.1] [--announced-address=IP]
//          [--media-nodes=M] [--classrooms-per-router=N]
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ferretdbBinPath } from './lib/ferretdb.mjs';
import { checkHaproxyConfig, renderHaproxyConfig } from './lib/haproxy.mjs';
import {
  ensureDatabase,
  ensureReachable,
  ferretdbOverPostgres,
  initCluster,
  postgresBinDir,
  postgresUser,
  postmasterArgs,
  readPassword,
  ready as postgresReady,
  stopFast,
} from './lib/postgres.mjs';
import { redisServerArgs } from './lib/redis.mjs';
import {
  Supervisor,
  alive,
  freePort,
  httpOk,
  portFree,
  portOpen,
  redisPing,
  waitFor,
} from './lib/supervisor.mjs';

const root = path.resolve(import.meta.dirname, '..');

const USAGE = `usage: npm run cluster -- [--servers=3] [--port=8080] [--host=127.0.0.1] [--run-dir=data/cluster]
                        [--fresh] [--follow] [--no-setup] [--sfu-workers=N] [--rtc-min=40000] [--rtc-max=49999]
                        [--rtc-listen-ip=127.0.0.1] [--announced-address=IP] [--media-nodes=M]
                        [--classrooms-per-router=N]`;

function parseArgs(argv) {
  const flags = new Set(['fresh', 'follow', 'no-setup', 'help']);
  const values = new Set([
    'servers',
    'port',
    'host',
    'run-dir',
    'sfu-workers',
    'rtc-min',
    'rtc-max',
    'rtc-listen-ip',
    'announced-address',
    'media-nodes',
    'classrooms-per-router',
  ]);
  const opts = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(flags.has(m[1]) ? m[2] === undefined : values.has(m[1]) && m[2] !== undefined))
      fail(`unknown or malformed argument ${arg}\n${USAGE}`);
    opts[m[1]] = m[2] ?? true;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name, def, min, max) => {
    const v = opts[name] === undefined ? def : Number(opts[name]);
    if (!Number.isInteger(v) || v < min || v > max)
      fail(`--${name} must be an integer from ${min} to ${max}`);
    return v;
  };
  const servers = int('servers', 3, 1, 64);
  const mediaNodes = int('media-nodes', 0, 0, 64);
  const rtcMin = int('rtc-min', 40000, 1024, 65535);
  const rtcMax = int('rtc-max', 49999, rtcMin, 65535);
  // The RTC ports are shared out among whatever runs mediasoup: the media nodes, else the servers.
  if (Math.floor((rtcMax - rtcMin + 1) / (mediaNodes || servers)) < 10)
    fail(
      `--rtc-min..--rtc-max leaves fewer than 10 media ports per ${mediaNodes ? 'media node' : 'server process'}`,
    );
  return {
    servers,
    port: int('port', 8080, 0, 65535),
    host: opts.host ?? '127.0.0.1',
    runDir: path.resolve(opts['run-dir'] ?? path.join(root, 'data', 'cluster')),
    fresh: !!opts.fresh,
    follow: !!opts.follow,
    setup: !opts['no-setup'],
    mediaNodes,
    classroomsPerRouter:
      opts['classrooms-per-router'] === undefined ? undefined : int('classrooms-per-router', 50, 1, 1000),
    sfuWorkers: int(
      'sfu-workers',
      Math.max(1, Math.floor(os.availableParallelism() / (mediaNodes || servers))),
      1,
      64,
    ),
    rtcMin,
    rtcMax,
    rtcListenIp: opts['rtc-listen-ip'] ?? '127.0.0.1',
    announcedAddress: opts['announced-address'],
  };
}

function say(message) {
  process.stdout.write(`[cluster] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[cluster] ${message}\n`);
  process.exit(2);
}

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** A secret kept in the run dir (mode 600), generated the first time. */
function keptSecret(file) {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first run: generate below
  }
  const secret = crypto.randomBytes(48).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Refuses to start over processes of an earlier run from the same run dir that are still alive. */
function refuseIfRunning(pidFile) {
  let recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(pidFile, 'utf8'));
  } catch {
    return;
  }
  const left = [
    ...(alive(recorded.supervisor) ? [{ name: 'cluster supervisor', pid: recorded.supervisor }] : []),
    ...recorded.processes.filter((p) => alive(p.pid)),
  ];
  if (left.length > 0)
    fail(
      `processes of an earlier run from ${path.dirname(pidFile)} are still alive: ` +
        `${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}; stop them (or that cluster) first`,
    );
}

/** A path relative to the working folder when it is below it, else absolute. */
function shortPath(file) {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** The last `n` lines of a log file. */
function tail(file, n = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n);
  } catch {
    return [];
  }
}

/**
 * Which lines of a process's output reach the terminal (all go to its log file): with
 * --follow every line; otherwise a server's warnings and errors (pino JSON, level ≥ 40).
 */
function echoer(follow) {
  return (name, line) => {
    if (!line.trim()) return;
    if (follow) {
      process.stdout.write(`[${name}] ${line}\n`);
      return;
    }
    if (!name.startsWith('server-') && !name.startsWith('media-')) return;
    try {
      const entry = JSON.parse(line);
      if (typeof entry.level === 'number' && entry.level >= 40)
        process.stdout.write(
          `[${name}] ${entry.level >= 50 ? 'ERROR' : 'WARN'} ${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}\n`,
        );
    } catch {
      // the server's start banner and other plain lines stay in its log
    }
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const { runDir } = opts;

  if (opts.setup) {
    say('installing what the cluster needs (scripts/setup.mjs --for-cluster)');
    const env = { ...process.env };
    delete env.MONGODB_URI; // the cluster's own FerretDB is what setup must build
    const res = spawnSync(process.execPath, [path.join(root, 'scripts', 'setup.mjs'), '--for-cluster'], {
      stdio: 'inherit',
      env,
    });
    if (res.status !== 0) fail('setup failed');
  }

  const pidFile = path.join(runDir, 'pids.json');
  refuseIfRunning(pidFile);
  if (opts.fresh && fs.existsSync(runDir)) {
    // Only a folder an earlier run made (or an empty one) is removed, never a mistyped path.
    const entries = fs.readdirSync(runDir);
    if (entries.length > 0 && !entries.includes('jwt-secret'))
      fail(`--fresh: ${runDir} does not look like a cluster run dir (no jwt-secret); not removing it`);
    say(`--fresh: removing ${runDir}`);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  fs.mkdirSync(runDir, { recursive: true });
  // First thing in a new run dir: it also marks the folder as one --fresh may remove.
  const jwtSecret = keptSecret(path.join(runDir, 'jwt-secret'));
  if (opts.port !== 0 && !(await portFree(opts.port, opts.host)))
    fail(`port ${opts.port} on ${opts.host} is in use: choose another with --port=`);

  const pg = { binDir: postgresBinDir(), dataDir: path.join(runDir, 'postgres'), user: postgresUser() };
  const logDir = path.join(runDir, 'logs');
  let stopRequested = false;
  const sup = new Supervisor({
    logDir,
    pidFile,
    echo: echoer(opts.follow),
    onUnexpectedExit: ({ name, role, pid, code, signal, log }) => {
      const lines = [
        '',
        `!!! ${name} (${role}, pid ${pid}) exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}); it is NOT restarted.`,
        `!!! last lines of ${log}:`,
        ...tail(log).map((l) => `!!!   ${l}`),
        name.startsWith('server-')
          ? '!!! HAProxy takes it out of rotation after two failed health checks; the others keep serving.'
          : '!!! the cluster cannot work without it: stop with Ctrl-C and look at the log.',
        '',
      ];
      process.stderr.write(lines.map((l) => (l ? `[cluster] ${l}` : '')).join('\n'));
    },
  });

  let stopping;
  const stopAll = () => {
    stopping ??= (async () => {
      sup.stopping = true;
      say('stopping: HAProxy, servers, media nodes, FerretDB, PostgreSQL, Redis');
      await sup.stop('haproxy', { graceMs: 5000 });
      for (const role of ['server', 'media'])
        await Promise.all(
          sup.processes.filter((p) => p.role === role).map((p) => sup.stop(p.name, { graceMs: 10_000 })),
        );
      await sup.stop('ferretdb', { graceMs: 5000 });
      await sup.stop('postgres', {
        graceMs: 15_000,
        how: async () => {
          const res = stopFast({ binDir: pg.binDir, dataDir: pg.dataDir, user: pg.user });
          if (res.status !== 0) say(`pg_ctl stop -m fast: ${res.stderr.trim() || `exit ${res.status}`}`);
        },
      });
      await sup.stop('redis', { graceMs: 5000 });
      sup.killAll();
      sup.clearPids();
      say('stopped');
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => {
      if (stopRequested) {
        say(`${signal} again: killing every process now`);
        sup.killAll();
        sup.clearPids();
        process.exit(130);
      }
      stopRequested = true;
      stopAll().then(
        () => process.exit(0),
        (error) => {
          process.stderr.write(`[cluster] error while stopping: ${error.stack ?? error}\n`);
          sup.killAll();
          process.exit(1);
        },
      );
    });
  // A closed terminal must not kill the supervisor halfway through stopping.
  process.stdout.on('error', () => undefined);

  try {
    // 1. Redis, append-only file in the run dir (durable jobs will live there too).
    const redisPort = await freePort();
    const redisDir = path.join(runDir, 'redis');
    fs.mkdirSync(redisDir, { recursive: true });
    sup.start('redis', 'redis', 'redis-server', redisServerArgs(redisPort, redisDir), { port: redisPort });
    await waitFor('redis', () => redisPing(redisPort), {
      timeoutMs: 20_000,
      gaveUp: () => sup.exited('redis'),
    });
    say(`redis ready on 127.0.0.1:${redisPort}`);

    // 2. PostgreSQL: a private cluster owned by `postgres` when we are root (it refuses root).
    const pgStarted = Date.now();
    const passwordFile = path.join(runDir, 'postgres-password');
    ensureReachable(runDir, pg.user);
    if (initCluster({ ...pg, passwordFile }))
      say(`PostgreSQL cluster created in ${pg.dataDir} (${seconds(pgStarted)})`);
    const pgPort = await freePort();
    sup.start(
      'postgres',
      'postgresql',
      path.join(pg.binDir, 'postgres'),
      postmasterArgs({ ...pg, port: pgPort }),
      {
        port: pgPort,
        cwd: pg.dataDir,
        ...(pg.user ?? {}),
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
      },
    );
    await waitFor('postgresql', async () => postgresReady({ ...pg, port: pgPort }), {
      timeoutMs: 60_000,
      gaveUp: () => sup.exited('postgres'),
    });
    const pgPassword = readPassword(passwordFile);
    ensureDatabase({ binDir: pg.binDir, port: pgPort, password: pgPassword, name: 'ferretdb' });
    say(`postgresql ready on 127.0.0.1:${pgPort} (${seconds(pgStarted)})`);

    // 3. FerretDB over PostgreSQL; the URL (with the password) goes by environment, not argv.
    const ferretPort = await freePort();
    const ferretDir = path.join(runDir, 'ferretdb');
    fs.mkdirSync(ferretDir, { recursive: true });
    const ferretBin = process.env.FERRETDB_BIN || ferretdbBinPath();
    const ferret = ferretdbOverPostgres({
      port: ferretPort,
      stateDir: ferretDir,
      pgPort,
      password: pgPassword,
    });
    sup.start('ferretdb', 'ferretdb', ferretBin, ferret.args, { port: ferretPort, env: ferret.env });
    await waitFor('ferretdb', () => portOpen(ferretPort), {
      timeoutMs: 20_000,
      gaveUp: () => sup.exited('ferretdb'),
    });
    say(`ferretdb ready on 127.0.0.1:${ferretPort}`);

    // 4. Media nodes (with --media-nodes): they report to Redis, where the servers find them.
    const mediaSecret = opts.mediaNodes ? keptSecret(path.join(runDir, 'media-node-secret')) : undefined;
    const mediaSpan = opts.mediaNodes ? Math.floor((opts.rtcMax - opts.rtcMin + 1) / opts.mediaNodes) : 0;
    const nodes = [];
    for (let i = 0; i < opts.mediaNodes; i++)
      nodes.push({ name: `media-${i + 1}`, port: await freePort(), index: i });
    await Promise.all(
      nodes.map((n) => {
        const env = {
          ...process.env,
          MEDIA_NODE_ID: n.name,
          MEDIA_NODE_HOST: '127.0.0.1',
          MEDIA_NODE_PORT: String(n.port),
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          MEDIA_NODE_SECRET: mediaSecret,
          SFU_WORKERS: String(opts.sfuWorkers),
          RTC_LISTEN_IP: opts.rtcListenIp,
          RTC_MIN_PORT: String(opts.rtcMin + n.index * mediaSpan),
          RTC_MAX_PORT: String(opts.rtcMin + (n.index + 1) * mediaSpan - 1),
        };
        if (opts.announcedAddress) env.RTC_ANNOUNCED_ADDRESS = opts.announcedAddress;
        else delete env.RTC_ANNOUNCED_ADDRESS;
        n.rtc = `${env.RTC_MIN_PORT}-${env.RTC_MAX_PORT}`;
        sup.start(n.name, 'media', process.execPath, ['--import', 'tsx', 'server/media/nodeMain.ts'], {
          cwd: root,
          env,
          port: n.port,
        });
        return waitFor(n.name, () => httpOk(`http://127.0.0.1:${n.port}/health`), {
          timeoutMs: 60_000,
          gaveUp: () => sup.exited(n.name),
        });
      }),
    );
    if (nodes.length) say(`${nodes.length} media node(s) ready`);

    // 5. Server processes. The first alone (it creates the indexes, seeds the demo and closes
    // lessons an earlier run left live); the others once it answers, finding all that done.
    const span = Math.floor((opts.rtcMax - opts.rtcMin + 1) / opts.servers);
    const servers = [];
    for (let i = 0; i < opts.servers; i++)
      servers.push({ name: `server-${i + 1}`, address: '127.0.0.1', port: await freePort(), index: i });
    const startServer = (s) => {
      const dataDir = path.join(runDir, s.name);
      fs.mkdirSync(dataDir, { recursive: true });
      const env = {
        ...process.env,
        PORT: String(s.port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        MONGODB_URI: `mongodb://127.0.0.1:${ferretPort}/sync-classroom`,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        JWT_SECRET: jwtSecret,
        DEMO_DATA: 'true',
        SFU_WORKERS: String(opts.sfuWorkers),
        RTC_LISTEN_IP: opts.rtcListenIp,
        RTC_MIN_PORT: String(opts.rtcMin + s.index * span),
        RTC_MAX_PORT: String(opts.rtcMin + (s.index + 1) * span - 1),
        ...(mediaSecret ? { MEDIA_NODES: 'true', MEDIA_NODE_SECRET: mediaSecret } : { MEDIA_NODES: 'false' }),
        ...(opts.classroomsPerRouter ? { CLASSROOMS_PER_ROUTER: String(opts.classroomsPerRouter) } : {}),
      };
      delete env.FERRETDB_BIN;
      if (opts.announcedAddress) env.RTC_ANNOUNCED_ADDRESS = opts.announcedAddress;
      else delete env.RTC_ANNOUNCED_ADDRESS;
      s.rtc = mediaSecret ? 'on media nodes' : `${env.RTC_MIN_PORT}-${env.RTC_MAX_PORT}`;
      sup.start(s.name, 'server', process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: root,
        env,
        port: s.port,
      });
      return waitFor(s.name, () => httpOk(`http://127.0.0.1:${s.port}/api/health`), {
        timeoutMs: 180_000,
        gaveUp: () => sup.exited(s.name),
      });
    };
    const firstStarted = Date.now();
    await startServer(servers[0]);
    say(
      `server-1 ready on 127.0.0.1:${servers[0].port}: indexes and demo data in place (${seconds(firstStarted)})`,
    );
    if (servers.length > 1) {
      const restStarted = Date.now();
      await Promise.all(servers.slice(1).map(startServer));
      say(`${servers.length - 1} more server process(es) ready (${seconds(restStarted)})`);
    }

    // 6. HAProxy in front.
    const haproxyDir = path.join(runDir, 'haproxy');
    fs.mkdirSync(haproxyDir, { recursive: true });
    const statsSocket = path.join(haproxyDir, 'admin.sock');
    const haproxyPort = opts.port || (await freePort());
    const cfg = path.join(haproxyDir, 'haproxy.cfg');
    fs.writeFileSync(
      cfg,
      renderHaproxyConfig({ root, bind: `${opts.host}:${haproxyPort}`, statsSocket, servers }),
    );
    checkHaproxyConfig(cfg);
    sup.start('haproxy', 'load balancer', 'haproxy', ['-db', '-f', cfg], { port: haproxyPort });
    await waitFor('haproxy', () => httpOk(`http://127.0.0.1:${haproxyPort}/api/health`), {
      timeoutMs: 20_000,
      gaveUp: () => sup.exited('haproxy'),
    });

    const shownHost = ['127.0.0.1', '0.0.0.0', '::'].includes(opts.host) ? 'localhost' : opts.host;
    const url = `http://${shownHost}:${haproxyPort}`;
    fs.writeFileSync(
      path.join(runDir, 'cluster.json'),
      `${JSON.stringify({ url, statsSocket, processes: sup.processes.map(({ name, role, pid, port, log }) => ({ name, role, pid, port, log })) }, null, 2)}\n`,
    );
    const rows = sup.processes.map((p) => {
      const s = servers.find((x) => x.name === p.name) ?? nodes.find((x) => x.name === p.name);
      return `  ${p.name.padEnd(10)} ${p.role.padEnd(14)} pid ${String(p.pid).padEnd(8)} 127.0.0.1:${String(p.port).padEnd(6)}${s ? ` media ${s.rtc}` : ''.padEnd(18)}  ${shortPath(p.log)}`;
    });
    process.stdout.write(
      [
        '',
        `  同步课堂 · ${servers.length} server processes behind HAProxy at ${url}` +
          (nodes.length ? `, lessons' media on ${nodes.length} media node(s)` : ''),
        `  Studio (teacher): ${url}/studio    Classroom kiosk: ${url}/classroom`,
        '  Demo accounts as in README ("Demo accounts"); they sign in from this machine only.',
        `  Run dir ${runDir} (${opts.fresh ? 'fresh' : 'kept between runs; --fresh starts over'}); HAProxy admin socket ${statsSocket}`,
        ...rows,
        `  Started in ${seconds(started)}. Ctrl-C stops everything.`,
        '',
        '',
      ].join('\n'),
    );
    say(`ready: ${url}`);
  } catch (error) {
    process.stderr.write(`[cluster] could not start: ${error.message}\n`);
    if (!stopRequested) {
      stopRequested = true;
      await stopAll();
      process.exit(1);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`[cluster] ${error.stack ?? error}\n`);
  process.exit(1);
});
