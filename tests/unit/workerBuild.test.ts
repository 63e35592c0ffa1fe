import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs install script without type declarations
import { patchMesonFiles, patchSources } from '../../scripts/lib/mediasoup-worker.mjs';

const worker = path.resolve('node_modules/mediasoup/worker');

describe('mediasoup worker build against Debian libraries', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-meson-'));
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  it('rewrites every subproject() wrap into a system dependency() and keeps the worker target', () => {
    for (const file of ['meson.build', 'deps/libwebrtc/meson.build', 'fbs/meson.build']) {
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(path.join(worker, file), path.join(copy, file));
    }
    (patchMesonFiles as (dir: string) => void)(copy);
    const top = fs.readFileSync(path.join(copy, 'meson.build'), 'utf8');
    const webrtc = fs.readFileSync(path.join(copy, 'deps/libwebrtc/meson.build'), 'utf8');
    const fbs = fs.readFileSync(path.join(copy, 'fbs/meson.build'), 'utf8');
    // Only the Windows-only getopt and the switched-off liburing wraps may remain.
    const left = [...top.matchAll(/subproject\(\s*'([\w-]+)'/g)].map((m) => m[1]).sort();
    expect(left).toEqual(['liburing', 'wingetopt']);
    expect(webrtc).not.toMatch(/subproject\(/);
    for (const dep of ['openssl', 'libuv', 'libsrtp2', 'usrsctp', 'flatbuffers', 'absl_flat_hash_map']) {
      expect(top).toContain(`dependency('${dep}')`);
    }
    expect(top).toMatch(/executable\(\s*'mediasoup-worker'/);
    expect(top).not.toContain('catch2');
    expect(fbs).toContain('sources: flatbuffers_generator');
  });

  it('fails loudly when the sources no longer look as expected', () => {
    const odd = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-meson-odd-'));
    try {
      fs.mkdirSync(path.join(odd, 'deps/libwebrtc'), { recursive: true });
      fs.mkdirSync(path.join(odd, 'fbs'));
      fs.writeFileSync(path.join(odd, 'meson.build'), "project('x')\n");
      expect(() => (patchMesonFiles as (dir: string) => void)(odd)).toThrow(/no subproject block/);
    } finally {
      fs.rmSync(odd, { recursive: true, force: true });
    }
  });
});

describe('mediasoup worker source fix for kTLS-enabled OpenSSL', () => {
  it('makes the DTLS BIO callback return the operation result for every BIO_CB_RETURN notification', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-src-'));
    try {
      const file = path.join(copy, 'src/RTC/DtlsTransport.cpp');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.copyFileSync(path.join(worker, 'src/RTC/DtlsTransport.cpp'), file);
      (patchSources as (dir: string) => void)(copy);
      const code = fs.readFileSync(file, 'utf8');
      expect(code).toContain('(operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1');
      expect(code).not.toContain('(operationType == BIO_CB_RETURN)');
      expect(() => (patchSources as (dir: string) => void)(copy)).toThrow(/BIO callback not found/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
