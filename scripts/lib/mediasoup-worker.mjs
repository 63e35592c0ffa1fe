// Provides a working mediasoup-worker binary without internet access.
//
// Order of preference:
//   1. MEDIASOUP_WORKER_BIN, when set and runnable;
//   2. the binary already in node_modules/mediasoup/worker/out/Release (mediasoup's own
//      prebuilt on a machine with internet, or one we placed there earlier);
//   3. our cache, keyed by mediasoup version, outside node_modules;
//   4. mediasoup's own prebuilt download (only succeeds where GitHub is reachable);
//   5. a build from the npm package's own worker sources against Debian's system libraries
//      (OpenSSL 3, libuv, libsrtp2, usrsctp, abseil, flatbuffers), with meson + ninja.
//
// The build copies the worker sources to a scratch folder, rewrites its meson files to use
// dependency() on system libraries instead of subproject() wraps (which would download),
// and force-includes a small shim for the libsrtp 2.5 API. mediasoup's sources stay as
// they are.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, log, run } from './util.mjs';

const ABSL_DEPS = [
  'absl_flat_hash_map',
  'absl_flat_hash_set',
  'absl_inlined_vector',
  'absl_btree',
  'absl_strings',
  'absl_optional',
  'absl_memory',
];

/**
 * Revision of our source build: bump it whenever the patches below change, so that caches
 * and node_modules copies of an older build are rebuilt.
 */
export const BUILD_REVISION = 2;
const STAMP = '.sync-classroom-build';

/** Debian packages the source build needs. */
export const WORKER_BUILD_PACKAGES = [
  'build-essential',
  'pkg-config',
  'ninja-build',
  'meson',
  'python3',
  'libssl-dev',
  'libuv1-dev',
  'libabsl-dev',
  'libsrtp2-dev',
  'libusrsctp-dev',
  'flatbuffers-compiler',
  'libflatbuffers-dev',
];

/** Debian packages the built binary links against at run time. */
export const WORKER_RUNTIME_PACKAGES = ['libssl3', 'libuv1', 'libsrtp2-1', 'libusrsctp2'];

/**
 * mediasoup-worker exits with code 41 when started without its MEDIASOUP_VERSION env:
 * that proves the binary loads and runs on this host (the same check mediasoup makes).
 */
export function workerRuns(bin) {
  if (!bin || !fs.existsSync(bin)) return false;
  const res = spawnSync(bin, [], { env: {}, stdio: 'ignore', timeout: 10_000 });
  return res.status === 41;
}

/**
 * Ensures node_modules/mediasoup/worker/out/Release/mediasoup-worker exists and runs.
 * @returns {string} path of the binary
 */
export async function ensureMediasoupWorker(root) {
  const pkgDir = path.join(root, 'node_modules', 'mediasoup');
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const target = path.join(pkgDir, 'worker', 'out', 'Release', 'mediasoup-worker');
  const cached = path.join(
    cacheDir(),
    'mediasoup-worker',
    `${version}-r${BUILD_REVISION}`,
    'mediasoup-worker',
  );
  const stamp = path.join(path.dirname(target), STAMP);
  // A binary without our stamp is mediasoup's own prebuilt one; one with an old stamp is ours, outdated.
  const targetCurrent =
    !fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8').trim() === String(BUILD_REVISION);
  const installOurs = (from) => {
    install(from, target);
    fs.writeFileSync(stamp, `${BUILD_REVISION}\n`);
  };

  const fromEnv = process.env.MEDIASOUP_WORKER_BIN;
  if (fromEnv) {
    if (workerRuns(fromEnv)) {
      log(`mediasoup-worker: using MEDIASOUP_WORKER_BIN=${fromEnv}`);
      return fromEnv;
    }
    throw new Error(`MEDIASOUP_WORKER_BIN=${fromEnv} does not run on this host`);
  }
  if (targetCurrent && workerRuns(target)) {
    log(`mediasoup-worker ${version}: present in node_modules`);
    return target;
  }
  if (workerRuns(cached)) {
    installOurs(cached);
    log(`mediasoup-worker ${version}: from cache ${cached}`);
    return target;
  }
  if (await downloadPrebuilt(pkgDir, version, target)) {
    install(target, cached);
    log(`mediasoup-worker ${version}: mediasoup's prebuilt binary`);
    return target;
  }
  const started = Date.now();
  buildFromSource(pkgDir, version, cached);
  installOurs(cached);
  log(`mediasoup-worker ${version}: built from source in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return target;
}

function install(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  fs.copyFileSync(from, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, to);
}

/** Tries mediasoup's GitHub release asset, as its own postinstall would. */
async function downloadPrebuilt(pkgDir, version, target) {
  if (process.env.SYNC_CLASSROOM_SKIP_PREBUILT === '1') return false;
  let name = `mediasoup-worker-${version}-${os.platform()}-${os.arch()}`;
  if (os.platform() === 'linux') name += `-kernel${Number(os.release().split('.')[0])}`;
  const url = `https://github.com/versatica/mediasoup/releases/download/${version}/${name}.tgz`;
  let res;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  } catch {
    log('mediasoup-worker: no prebuilt binary reachable (offline); building from source');
    return false;
  }
  if (!res.ok) {
    log(`mediasoup-worker: prebuilt download answered ${res.status}; building from source`);
    return false;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-prebuilt-'));
  const tgz = path.join(dir, 'worker.tgz');
  fs.writeFileSync(tgz, Buffer.from(await res.arrayBuffer()));
  execFileSync('tar', ['xzf', tgz, '-C', dir]);
  const bin = path.join(dir, 'mediasoup-worker');
  if (!workerRuns(bin)) return false;
  install(bin, target);
  fs.rmSync(path.join(path.dirname(target), STAMP), { force: true });
  return true;
}

function buildFromSource(pkgDir, version, outBin) {
  const work = path.join(cacheDir(), 'mediasoup-worker', version, 'build');
  const src = path.join(work, 'worker');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  fs.cpSync(path.join(pkgDir, 'worker'), src, { recursive: true });
  patchMesonFiles(src);
  patchSources(src);

  const shim = path.resolve(import.meta.dirname, '..', 'mediasoup-worker', 'srtp2-shim.h');
  const cppArgs = [`-I/usr/include/srtp2`, `-include`, shim].map((a) => `'${a}'`).join(',');
  const buildDir = path.join(work, 'out');
  log(`mediasoup-worker ${version}: building from source in ${work} (about 6-10 minutes on 2 cores)`);
  run('meson', [
    'setup',
    buildDir,
    src,
    '--buildtype=release',
    '-Db_ndebug=true',
    '-Dms_disable_liburing=true',
    '--wrap-mode=nodownload',
    `-Dcpp_args=[${cppArgs}]`,
  ]);
  run('ninja', ['-C', buildDir, 'mediasoup-worker']);
  const built = path.join(buildDir, 'mediasoup-worker');
  if (!workerRuns(built)) throw new Error(`built ${built} does not run`);
  execFileSync('strip', [built]);
  install(built, outBin);
  fs.rmSync(work, { recursive: true, force: true });
}

/**
 * Source fixes for linking against Debian's shared OpenSSL.
 *
 * DtlsTransport's BIO callback answers every "after" notification other than a plain
 * BIO_CB_RETURN with 1, so BIO_ctrl() on the outgoing BIO returns 1 for every query. With
 * mediasoup's bundled OpenSSL (built without kTLS) nothing asks; Debian's OpenSSL is built
 * with kTLS, asks BIO_get_ktls_send(), gets 1, allocates no write buffer, and the worker
 * crashes (SIGSEGV writing the first DTLS record). Returning the operation's own result for
 * every BIO_CB_RETURN notification fixes it.
 */
export function patchSources(src) {
  const file = path.join(src, 'src', 'RTC', 'DtlsTransport.cpp');
  const code = fs.readFileSync(file, 'utf8');
  const buggy = '(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1';
  if (!code.includes(buggy))
    throw new Error('DtlsTransport.cpp: BIO callback not found (mediasoup changed?)');
  fs.writeFileSync(file, code.replace(buggy, '(operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1'));
}

/** Replaces a `NAME = subproject(...)` block (multi-line, closed by a lone `)`) with nothing. */
function dropSubproject(text, variable) {
  const re = new RegExp(`^${variable} = subproject\\([\\s\\S]*?^\\)\\n`, 'm');
  if (!re.test(text)) throw new Error(`meson.build: no subproject block for ${variable}`);
  return text.replace(re, '');
}

function replaceOrFail(text, from, to) {
  if (!text.includes(from)) throw new Error(`meson.build: expected to find ${from}`);
  return text.split(from).join(to);
}

/** Rewrites the worker's meson files in `src` (a copy) to build against system libraries. */
export function patchMesonFiles(src) {
  const top = path.join(src, 'meson.build');
  let m = fs.readFileSync(top, 'utf8');
  // Debian 12's meson is 1.0.1; nothing the worker uses needs 1.1.
  m = m.replace(/meson_version: '>= 1\.1\.0'/, "meson_version: '>= 1.0.0'");
  for (const p of [
    'openssl_proj',
    'libuv_proj',
    'libsrtp2_proj',
    'usrsctp_proj',
    'abseil_cpp_proj',
    'catch2_proj',
  ]) {
    m = dropSubproject(m, p);
  }
  const systemDeps = [
    "sys_openssl = dependency('openssl')",
    "sys_libuv = dependency('libuv')",
    "sys_libsrtp2 = dependency('libsrtp2')",
    "sys_usrsctp = dependency('usrsctp')",
    "sys_flatbuffers = dependency('flatbuffers')",
    `sys_absl = [${ABSL_DEPS.map((d) => `dependency('${d}')`).join(', ')}]`,
    '',
  ].join('\n');
  m = m.replace(/^flatbuffers_proj = subproject\([\s\S]*?^\)\n/m, systemDeps);
  const deps = {
    "abseil_cpp_proj.get_variable('absl_container_dep')": 'sys_absl',
    "openssl_proj.get_variable('openssl_dep')": 'sys_openssl',
    "libuv_proj.get_variable('libuv_dep')": 'sys_libuv',
    "libsrtp2_proj.get_variable('libsrtp2_dep')": 'sys_libsrtp2',
    "usrsctp_proj.get_variable('usrsctp_dep')": 'sys_usrsctp',
    "flatbuffers_proj.get_variable('flatbuffers_dep')": 'sys_flatbuffers',
  };
  for (const [from, to] of Object.entries(deps)) m = replaceOrFail(m, from, to);
  // Only libwebrtc is linked whole; everything else is a shared system library.
  m = m.replace(/^link_whole = \[[\s\S]*?^\]\n/m, 'link_whole = [\n  libwebrtc,\n]\n');
  // Tests and fuzzers need catch2 (a wrap); they are not part of the product binary.
  const testsAt = m.indexOf('\ntest_sources = [');
  if (testsAt < 0) throw new Error('meson.build: test section not found');
  m = m.slice(0, testsAt + 1);
  fs.writeFileSync(top, m);

  const webrtc = path.join(src, 'deps', 'libwebrtc', 'meson.build');
  let w = fs.readFileSync(webrtc, 'utf8');
  w = dropSubproject(w, 'abseil_cpp_proj');
  w = replaceOrFail(w, "abseil_cpp_proj.get_variable('absl_strings_dep')", 'sys_absl');
  w = replaceOrFail(w, "abseil_cpp_proj.get_variable('absl_types_dep'),\n", '');
  w = replaceOrFail(
    w,
    "flatbuffers_proj.get_variable('flatbuffers_dep')",
    'sys_flatbuffers,\n    flatbuffers_generator_dep',
  );
  w = replaceOrFail(w, "openssl_proj.get_variable('openssl_dep')", 'sys_openssl');
  w = replaceOrFail(w, "libuv_proj.get_variable('libuv_dep')", 'sys_libuv');
  fs.writeFileSync(webrtc, w);

  // Make the generated FBS headers a real dependency, so a fresh build folder compiles in order.
  const fbs = path.join(src, 'fbs', 'meson.build');
  let f = fs.readFileSync(fbs, 'utf8');
  f = replaceOrFail(
    f,
    "flatbuffers_generator_dep = declare_dependency(\n  include_directories: '.',",
    "flatbuffers_generator_dep = declare_dependency(\n  include_directories: '.',\n  sources: flatbuffers_generator,",
  );
  fs.writeFileSync(fbs, f);
}
