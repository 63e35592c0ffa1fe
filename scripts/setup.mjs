#!/usr/bin/env node
// Installs everything the platform needs on a fresh Debian 12 machine without internet
// (package registries only), then returns quickly on later runs:
//   1. Debian packages (build tools and libraries for the mediasoup worker; Chromium and
//      ffmpeg, iproute2, iptables and python3 for tests with --for-tests: shaped links; Redis for
//      the tests of several server processes);
//   2. npm dependencies (install scripts are off in .npmrc);
//   3. the mediasoup worker (cached by version outside node_modules);
//   4. FerretDB, the embedded database (unless MONGODB_URI is set);
//   5. the browser app (Vite build), when its sources changed;
//   6. with --for-tests, schemathesis from PyPI in a cached venv (the HTTP fuzz test);
//   7. with --for-tests or --for-bench, rtcsink (Go, pion), the load client's receiver.
// With --for-cluster (and --for-tests) also HAProxy, PostgreSQL and Redis from Debian, for
// `npm run cluster` (scripts/cluster.mjs): several server processes on one machine.
// Usage: node scripts/setup.mjs [--for-tests] [--for-cluster]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureFerretdb } from './lib/ferretdb.mjs';
import {
  WORKER_BUILD_PACKAGES,
  WORKER_RUNTIME_PACKAGES,
  ensureMediasoupWorker,
  workerRuns,
} from './lib/mediasoup-worker.mjs';
import { ensureRtcsink } from './lib/rtcsink.mjs';
import { SCHEMATHESIS_PACKAGES, ensureSchemathesis } from './lib/schemathesis.mjs';
import { log, run } from './lib/util.mjs';

const root = path.resolve(import.meta.dirname, '..');
const forTests = process.argv.includes('--for-tests');
const forCluster = forTests || process.argv.includes('--for-cluster');

/** Packages the end-to-end tests and benchmarks use. */
const TEST_PACKAGES = [
  'chromium',
  'ffmpeg',
  'iproute2',
  'iptables',
  'python3',
  'fonts-noto-cjk',
  'redis-server',
];

/** Packages every lesson's recording needs: the recorder and the composer (ffmpeg, ffprobe). */
const RECORDING_PACKAGES = ['ffmpeg'];

/** Packages `npm run cluster` runs: the load balancer, FerretDB's PostgreSQL and the shared Redis. */
const CLUSTER_PACKAGES = ['haproxy', 'postgresql', 'redis-server'];

function missingDebianPackages(names) {
  const res = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...names], { encoding: 'utf8' });
  const installed = new Set(
    (res.stdout || '')
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0]),
  );
  return names.filter((n) => !installed.has(n));
}

function ensureDebianPackages(names) {
  if (!fs.existsSync('/usr/bin/dpkg-query')) {
    log(`not a Debian system: make sure these are installed: ${names.join(' ')}`);
    return;
  }
  const missing = missingDebianPackages(names);
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? [] : ['sudo', '-n'];
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = prefix.length ? prefix : ['apt-get'];
  const aptArgs = (args) => (prefix.length ? [...pre, 'apt-get', ...args] : args);
  try {
    run(cmd, aptArgs(['update', '-qq']), { env });
    run(cmd, aptArgs(['install', '-y', '-qq', '--no-install-recommends', ...missing]), { env });
  } catch (error) {
    throw new Error(`could not install ${missing.join(' ')}; install them as root and run again`, {
      cause: error,
    });
  }
}

function npmDependenciesCurrent() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(marker)) return false;
  const lock = path.join(root, 'package-lock.json');
  return fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs;
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function clientBuildCurrent() {
  const built = path.join(root, 'client', 'dist', 'index.html');
  if (!fs.existsSync(built)) return false;
  const contractNewest = newestMtime(path.join(root, 'server', 'contract'));
  return fs.statSync(built).mtimeMs >= Math.max(newestMtime(path.join(root, 'client')), contractNewest);
}

async function main() {
  const started = Date.now();
  const workerCached = (() => {
    try {
      const version = JSON.parse(
        fs.readFileSync(path.join(root, 'node_modules', 'mediasoup', 'package.json'), 'utf8'),
      ).version;
      return (
        workerRuns(
          path.join(root, 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker'),
        ) && !!version
      );
    } catch {
      return false;
    }
  })();
  ensureDebianPackages([
    ...WORKER_RUNTIME_PACKAGES,
    ...RECORDING_PACKAGES,
    ...(workerCached ? [] : WORKER_BUILD_PACKAGES),
    ...(forTests ? [...TEST_PACKAGES, ...SCHEMATHESIS_PACKAGES] : []),
    ...(forCluster ? CLUSTER_PACKAGES : []),
  ]);
  if (!npmDependenciesCurrent()) {
    log('installing npm dependencies');
    run(
      'npm',
      [fs.existsSync(path.join(root, 'node_modules')) ? 'install' : 'ci', '--no-audit', '--no-fund'],
      { cwd: root },
    );
  }
  await ensureMediasoupWorker(root);
  if (!process.env.MONGODB_URI) ensureFerretdb();
  if (!clientBuildCurrent()) {
    log('building the browser app');
    run('npx', ['vite', 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], { cwd: root });
  }
  if (forTests) ensureSchemathesis();
  // The load client's receiver (Go): its test and bench:sfu.
  if (forTests || process.argv.includes('--for-bench')) ensureRtcsink();
  log(`ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((error) => {
  process.stderr.write(`[setup] failed: ${error.message}\n`);
  process.exit(1);
});
