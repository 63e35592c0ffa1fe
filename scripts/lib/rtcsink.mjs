// Builds rtcsink (bench/loadclient/rtcsink, Go on pion WebRTC): the load client's receiver,
// which holds hundreds of classrooms' WebRTC receive transports in one process and counts
// their RTP without decoding. Built from the Go module proxy, cached by a hash of its sources.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, hasCommand, log, run } from './util.mjs';

const SOURCE = path.resolve(import.meta.dirname, '..', '..', 'bench', 'loadclient', 'rtcsink');
const FILES = ['go.mod', 'go.sum', 'main.go'];

/** Where the binary of the current sources is cached. */
export function rtcsinkBinPath() {
  const hash = createHash('sha256');
  for (const file of FILES) hash.update(file).update(fs.readFileSync(path.join(SOURCE, file)));
  return path.join(cacheDir(), 'rtcsink', hash.digest('hex').slice(0, 16), 'rtcsink');
}

/** Ensures the binary of the current sources exists (building it, about a minute the first time); returns its path. */
export function ensureRtcsink() {
  const bin = rtcsinkBinPath();
  if (fs.existsSync(bin)) return bin;
  const go = hasCommand('go') ? 'go' : fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null;
  if (!go) throw new Error('the load client (rtcsink) needs Go ≥ 1.24 to build: go not found');
  const started = Date.now();
  log('rtcsink: building the load client’s receiver from the Go module proxy');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  const out = `${bin}.tmp-${process.pid}`;
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  run(go, ['build', '-trimpath', '-o', out, '.'], { cwd: SOURCE, env });
  fs.renameSync(out, bin);
  const check = spawnSync(bin, [], { input: '{"id":1,"method":"quit"}\n', timeout: 20_000 });
  if (check.status !== 0) throw new Error(`built rtcsink at ${bin} does not run`);
  log(`rtcsink: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return bin;
}
