import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { Platform } from '../../server/Platform.ts';
import { makeDataDir, removeDataDir } from '../helpers/platform.ts';
import { connect } from '../helpers/socket.ts';

interface Tokens {
  token: string;
  refreshToken: string;
}

describe('sessions: short access tokens, rotating refresh tokens, logout, login throttling', () => {
  let platform: Platform;
  let dataDir: string;
  let now = Date.now();
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${platform.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const me = (token: string) =>
    fetch(`${platform.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  const loginAs = async (username: string): Promise<Tokens> =>
    (await (await post('/api/auth/login', { username, password: 'demo2026' })).json()) as Tokens;

  beforeAll(async () => {
    dataDir = makeDataDir();
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SFU_WORKERS: '1',
      LOG_LEVEL: 'silent',
      ACCESS_TOKEN_TTL_SECONDS: '60',
      LOGIN_RATE_LIMIT: '5',
    });
    platform = await Platform.start({ config, logger: createLogger('silent'), now: () => now });
  });
  afterAll(async () => {
    await platform.close();
    removeDataDir(dataDir);
  });

  it('an expired access token is refused with 401 "session expired" (real JWT expiry)', async () => {
    const jwt = await import('jsonwebtoken');
    const { token } = await loginAs('teacher');
    const claims = jwt.default.decode(token) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(60);
    const secret = loadConfig({ DATA_DIR: dataDir }).jwtSecret;
    const { iat: _iat, ...rest } = claims;
    const expired = jwt.default.sign({ ...rest, exp: Math.floor(Date.now() / 1000) - 1 }, secret);
    const res = await me(expired);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('session expired');
  });

  it('refresh rotates: the new pair works, and reusing the old refresh token revokes the whole session', async () => {
    const first = await loginAs('coordinator');
    const second = (await (
      await post('/api/auth/refresh', { refreshToken: first.refreshToken })
    ).json()) as Tokens;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.token)).status).toBe(200);

    const replay = await post('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    // The thief's replay ended the session for the legitimate holder too.
    expect((await post('/api/auth/refresh', { refreshToken: second.refreshToken })).status).toBe(401);
    expect((await me(second.token)).status).toBe(401);
  });

  it('a refresh token past its lifetime is refused', async () => {
    const { refreshToken } = await loginAs('admin');
    now += 31 * 24 * 3600 * 1000;
    try {
      expect((await post('/api/auth/refresh', { refreshToken })).status).toBe(401);
    } finally {
      now = Date.now();
    }
  });

  it('logout revokes at once: the access token, the refresh token and new sockets are refused', async () => {
    const { token, refreshToken } = await loginAs('classroom1');
    const socket = await connect(platform.url, token);
    socket.close();
    expect((await post('/api/auth/logout', { refreshToken })).status).toBe(204);
    expect((await me(token)).status).toBe(401);
    expect((await post('/api/auth/refresh', { refreshToken })).status).toBe(401);
    await expect(connect(platform.url, token)).rejects.toThrow('session ended');
  });

  it('the browser flow works on cookies alone: login sets both, refresh reads the refresh cookie', async () => {
    const res = await post('/api/auth/login', { username: 'teacher', password: 'demo2026' });
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('sc_refresh='))).toMatch(/Path=\/api\/auth;.*HttpOnly/i);
    const refreshCookie = cookies.find((c) => c.startsWith('sc_refresh='))!.split(';')[0]!;
    // A cookie alone does not change state (a cross-site form could send it): the browser app
    // adds X-Requested-With, which a cross-site form cannot.
    const forged = await fetch(`${platform.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { cookie: refreshCookie },
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('CSRF');
    const renewed = await fetch(`${platform.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { cookie: refreshCookie, 'x-requested-with': 'sync-classroom' },
    });
    expect(renewed.status).toBe(200);
    expect(renewed.headers.getSetCookie().some((c) => c.startsWith('sc_access='))).toBe(true);
  });

  it('login attempts are throttled per address and username with 429, and other usernames are unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await post('/api/auth/login', { username: 'bureau', password: 'wrong' })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Even the right password waits out the window…
    expect((await post('/api/auth/login', { username: 'bureau', password: 'demo2026' })).status).toBe(429);
    // …while another account on the same address still logs in.
    expect((await post('/api/auth/login', { username: 'classroom2', password: 'demo2026' })).status).toBe(
      200,
    );
  });
});
