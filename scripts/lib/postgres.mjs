// A private PostgreSQL cluster (Debian's server binaries, not the system service) in a
// folder of its own, on its own loopback port, for FerretDB in `npm run cluster`.
// PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
// system user that Debian's package creates; otherwise to the user running the script.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Folder of the newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<ver>/bin). */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error(
      'PostgreSQL server not found under /usr/lib/postgresql: run "node scripts/setup.mjs --for-cluster"',
    );
  return path.join(base, versions[0], 'bin');
}

/** The user the cluster runs as: `{ uid, gid }` of `postgres` when we are root, else undefined (ourselves). */
export function postgresUser() {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function runAs(user, cmd, args, options = {}) {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    ...options,
    env: { ...process.env, LC_ALL: 'C.UTF-8', ...options.env },
  });
  if (res.error) throw new Error(`${cmd}: ${res.error.message}`);
  return res;
}

/**
 * Makes `runDir` traversable by the cluster's user (o+x, no listing) and checks that every
 * folder above it is too: as root the cluster belongs to `postgres`, which must reach it.
 */
export function ensureReachable(runDir, user) {
  if (!user) return;
  const mode = fs.statSync(runDir).mode;
  if ((mode & 0o001) === 0) fs.chmodSync(runDir, (mode & 0o777) | 0o011);
  for (let dir = path.dirname(runDir); ; dir = path.dirname(dir)) {
    const st = fs.statSync(dir);
    const reachable =
      st.uid === user.uid || (st.mode & 0o001) !== 0 || (st.gid === user.gid && st.mode & 0o010);
    if (!reachable)
      throw new Error(
        `PostgreSQL runs as user postgres, which cannot reach ${dir} (mode ${(st.mode & 0o777).toString(8)}): ` +
          'choose a --run-dir under a folder others can traverse, or chmod o+x that folder',
      );
    if (dir === path.dirname(dir)) return;
  }
}

/**
 * Creates the cluster in `dataDir` unless one is there: superuser `postgres` with a random
 * password (kept in `passwordFile`, mode 600), password authentication over TCP only.
 * Returns whether it was created now.
 */
export function initCluster({ binDir, dataDir, passwordFile, user }) {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return false;
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const password = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  // initdb reads the password from a file its own user can read; gone right after.
  const pwfile = path.join(dataDir, '..', `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) {
    fs.chownSync(dataDir, user.uid, user.gid);
    fs.chownSync(pwfile, user.uid, user.gid);
  }
  try {
    const res = runAs(user, path.join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      // No fsync of its ~1,500 files: a busy disk made initdb take 45 s; the server itself syncs.
      '--no-sync',
      '--auth-host=scram-sha-256',
      '--auth-local=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
    ]);
    if (res.status !== 0) throw new Error(`initdb failed:\n${res.stdout}${res.stderr}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  return true;
}

/** The superuser's password kept at init. */
export function readPassword(passwordFile) {
  return fs.readFileSync(passwordFile, 'utf8').trim();
}

/**
 * Arguments of the postmaster run in the foreground (the supervisor's child): TCP on
 * 127.0.0.1:`port` only, no Unix socket (so the system service's /var/run/postgresql is
 * left alone), logs to stderr.
 */
export function postmasterArgs({ dataDir, port }) {
  return [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'logging_collector=off',
    '-c',
    'max_connections=200',
  ];
}

/** Whether the server on `port` accepts connections (pg_isready). */
export function ready({ binDir, port }) {
  const res = spawnSync(path.join(binDir, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
  return res.status === 0;
}

/** Creates database `name` unless it exists. */
export function ensureDatabase({ binDir, port, password, name }) {
  const env = { ...process.env, PGPASSWORD: password };
  const common = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
  const exists = spawnSync(
    path.join(binDir, 'psql'),
    [...common, '-d', 'postgres', '-tAc', `SELECT 1 FROM pg_database WHERE datname = '${name}'`],
    { env, encoding: 'utf8' },
  );
  if (exists.status !== 0) throw new Error(`psql failed: ${exists.stderr}`);
  if (exists.stdout.trim() === '1') return false;
  const res = spawnSync(path.join(binDir, 'createdb'), [...common, name], { env, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`createdb ${name} failed: ${res.stderr}`);
  return true;
}

/** `pg_ctl stop -m fast`: disconnects clients, checkpoints and exits; waits up to `seconds`. */
export function stopFast({ binDir, dataDir, user, seconds = 15 }) {
  return runAs(user, path.join(binDir, 'pg_ctl'), [
    'stop',
    '-D',
    dataDir,
    '-m',
    'fast',
    '-w',
    '-t',
    String(seconds),
  ]);
}

/**
 * FerretDB 1.x over this PostgreSQL: its arguments (on loopback `port`, state in `stateDir`)
 * and its environment (the PostgreSQL URL carries the password: by environment, not argv).
 * One definition for `npm run cluster` and the benches that start the same pair.
 */
export function ferretdbOverPostgres({ port, stateDir, pgPort, password }) {
  return {
    args: [
      '--handler=postgresql',
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${stateDir}`,
      '--telemetry=disable',
      '--log-level=warn',
      '--debug-addr=-',
    ],
    env: {
      ...process.env,
      FERRETDB_POSTGRESQL_URL: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/ferretdb`,
    },
  };
}
