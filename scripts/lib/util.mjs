// Small helpers shared by the install scripts. Node built-ins only: these run before
// `npm install` has put anything in node_modules.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/** Cache folder that outlives node_modules: $SYNC_CLASSROOM_CACHE, else ~/.cache/sync-classroom. */
export function cacheDir() {
  if (process.env.SYNC_CLASSROOM_CACHE) return path.resolve(process.env.SYNC_CLASSROOM_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'sync-classroom');
}

export function log(message) {
  process.stdout.write(`[setup] ${message}\n`);
}

/** Runs a command with inherited output; throws with the command line on failure. */
export function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (res.error) throw new Error(`${cmd}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status}`);
}

/** True when `cmd` is on PATH. */
export function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
