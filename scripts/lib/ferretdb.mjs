// Builds FerretDB (a MongoDB-wire-protocol server, Apache-2.0) from the Go module proxy,
// the embedded default database of the platform when MONGODB_URI is not set.
//
// `go install …/cmd/ferretdb@v1.24.0` builds a binary that panics at start: the module
// as published lacks build/version/version.txt, which FerretDB's own build generates from
// git. So we download the module, copy it, write that file, and build from the copy.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, hasCommand, log, run } from './util.mjs';

/** FerretDB release used by the embedded default (1.x: SQLite backend). */
export const FERRETDB_VERSION = 'v1.24.0';
const MODULE = 'github.com/FerretDB/FerretDB';

/** Path where the built binary is cached. */
export function ferretdbBinPath() {
  return path.join(cacheDir(), 'ferretdb', FERRETDB_VERSION, 'ferretdb');
}

function runs(bin) {
  if (!fs.existsSync(bin)) return false;
  const res = spawnSync(bin, ['--version'], { stdio: 'ignore', timeout: 20_000 });
  return res.status === 0;
}

/** Ensures a runnable FerretDB binary exists in the cache; returns its path. */
export function ensureFerretdb() {
  const bin = ferretdbBinPath();
  if (runs(bin)) {
    log(`FerretDB ${FERRETDB_VERSION}: cached at ${bin}`);
    return bin;
  }
  // Go's official tarball installs to /usr/local/go, which a non-login shell may not have on PATH.
  const go = hasCommand('go') ? 'go' : fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null;
  if (!go) throw new Error('FerretDB needs Go ≥ 1.22 to build (go not found): install Go or set MONGODB_URI');
  const started = Date.now();
  log(`FerretDB ${FERRETDB_VERSION}: building from the Go module proxy (a few minutes the first time)`);
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  const info = JSON.parse(
    execFileSync(go, ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], {
      env,
      encoding: 'utf8',
    }),
  );
  if (!info.Dir)
    throw new Error(`go mod download gave no folder for ${MODULE}: ${info.Error ?? 'unknown error'}`);
  const work = path.join(cacheDir(), 'ferretdb', FERRETDB_VERSION, 'src');
  fs.rmSync(work, { recursive: true, force: true });
  fs.cpSync(info.Dir, work, { recursive: true });
  run('chmod', ['-R', 'u+w', work]);
  fs.writeFileSync(path.join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  fs.writeFileSync(path.join(work, 'build', 'version', 'package.txt'), 'sync-classroom\n');
  const out = `${bin}.tmp-${process.pid}`;
  run(go, ['build', '-trimpath', '-o', out, './cmd/ferretdb'], { cwd: work, env });
  fs.renameSync(out, bin);
  fs.rmSync(work, { recursive: true, force: true });
  if (!runs(bin)) throw new Error(`built FerretDB at ${bin} does not run`);
  log(`FerretDB ${FERRETDB_VERSION}: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return bin;
}
