import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { ValidationError } from '../../server/errors.ts';
import { makeDataDir, removeDataDir } from '../helpers/platform.ts';

describe('loadConfig', () => {
  const dirs: string[] = [];
  const dataDir = (): string => {
    const d = makeDataDir();
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach(removeDataDir));

  it('gives the documented defaults', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.port).toBe(3000);
    expect(config.mongodbUri).toBeUndefined();
    expect(config.rtc).toMatchObject({ listenIp: '127.0.0.1', minPort: 40000, maxPort: 49999 });
    expect(config.demoData).toBe(true);
  });

  it('rejects bad values with a ValidationError naming each field', () => {
    const attempt = (): unknown =>
      loadConfig({
        DATA_DIR: dataDir(),
        PORT: 'eighty',
        MONGODB_URI: 'http://x',
        JWT_SECRET: 'short',
        RTC_MIN_PORT: '50000',
        RTC_MAX_PORT: '40000',
      });
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      const paths = (error as ValidationError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['PORT', 'MONGODB_URI', 'JWT_SECRET']));
    }
  });

  it('generates a JWT secret once and keeps it in the data folder across restarts', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(first);
    expect(fs.readFileSync(path.join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first);
  });

  it('listens on loopback with demo data unless HOST is set, on every interface without demo data', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).host).toBe('127.0.0.1');
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ DATA_DIR: dataDir(), DEMO_DATA: 'false' }).host).toBe('0.0.0.0');
  });

  it('refuses a production start with demo data on a non-loopback host, naming DEMO_DATA', () => {
    const env = { DATA_DIR: dataDir(), NODE_ENV: 'production' };
    expect(() => loadConfig({ ...env, HOST: '0.0.0.0' })).toThrow(/DEMO_DATA/);
    expect(() => loadConfig({ ...env, HOST: '10.1.2.3', DEMO_DATA: 'true' })).toThrow(ValidationError);
    expect(loadConfig({ ...env, HOST: '127.0.0.1' }).demoData).toBe(true);
    expect(loadConfig({ ...env, HOST: '0.0.0.0', DEMO_DATA: 'false' }).host).toBe('0.0.0.0');
  });

  it('reads ALLOWED_ORIGINS as origins and rejects what is not an http(s) URL', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      ALLOWED_ORIGINS: 'https://edu.example.cn/, http://10.0.0.5:8080',
    });
    expect(config.allowedOrigins).toEqual(['https://edu.example.cn', 'http://10.0.0.5:8080']);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ALLOWED_ORIGINS: 'javascript:alert(1)' })).toThrow(
      /ALLOWED_ORIGINS/,
    );
  });

  it('reads TRUST_PROXY as addresses, CIDR ranges and named ranges, and names a bad entry', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).trustProxy).toEqual(['loopback']);
    expect(
      loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: '10.0.0.7, 10.1.0.0/16,fd00::/8,uniquelocal' })
        .trustProxy,
    ).toEqual(['10.0.0.7', '10.1.0.0/16', 'fd00::/8', 'uniquelocal']);
    for (const bad of ['10.0.0.0/33', 'haproxy.local', '10.0.0.1/8/1', ' , '])
      expect(() => loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
  });
});
