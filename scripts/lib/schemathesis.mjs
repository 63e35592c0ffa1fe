// Installs schemathesis (PyPI; fuzzes the HTTP API from its OpenAPI document) into a
// virtual environment under the cache folder, for `npm test`. The machine reaches PyPI
// but not the internet, so pip from a venv is the whole story; Debian's python3 needs
// `python3-venv` for `python -m venv` (setup installs it with the test packages).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, log, run } from './util.mjs';

/** schemathesis release the fuzz test is written against (its CLI changed a lot in 4.0). */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** Debian packages the venv needs (python3 itself is among the test packages). */
export const SCHEMATHESIS_PACKAGES = ['python3', 'python3-venv'];

/** Folder of the virtual environment, by version. */
export function schemathesisVenv() {
  return path.join(cacheDir(), 'schemathesis', SCHEMATHESIS_VERSION);
}

/** The `schemathesis` command inside the venv. */
export function schemathesisBin() {
  return path.join(schemathesisVenv(), 'bin', 'schemathesis');
}

function installedVersion(bin) {
  if (!fs.existsSync(bin)) return null;
  const res = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) return null;
  return /version\s+(\S+)/.exec(res.stdout)?.[1] ?? null;
}

/** Debian's python when present (its venv module comes from python3-venv), else the one on PATH. */
function python() {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Ensures the pinned schemathesis runs from the cache; returns the path of its command. */
export function ensureSchemathesis() {
  const bin = schemathesisBin();
  if (installedVersion(bin) === SCHEMATHESIS_VERSION) {
    log(`schemathesis ${SCHEMATHESIS_VERSION}: cached at ${bin}`);
    return bin;
  }
  const started = Date.now();
  const venv = schemathesisVenv();
  // A half-done install fails the version check above and is redone from scratch.
  fs.rmSync(venv, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  log(`schemathesis ${SCHEMATHESIS_VERSION}: installing from PyPI into ${venv}`);
  run(python(), ['-m', 'venv', venv]);
  run(path.join(venv, 'bin', 'python'), [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    `schemathesis==${SCHEMATHESIS_VERSION}`,
  ]);
  const version = installedVersion(bin);
  if (version !== SCHEMATHESIS_VERSION)
    throw new Error(`schemathesis in ${venv} does not run (found ${version ?? 'nothing'})`);
  log(`schemathesis ${SCHEMATHESIS_VERSION}: installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return bin;
}
