import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from '../helpers/platform.ts';
import { startSharedStack } from '../helpers/sharedStack.ts';
import type { SharedStack } from '../helpers/sharedStack.ts';
import { connect } from '../helpers/socket.ts';

/**
 * Two server processes' worth of platform (two Platform instances, each with its own HTTP
 * port, sockets and mediasoup worker) on one database and one real Redis: what one of them
 * decides about sessions and sign-in failures holds on the other.
 */
describe('two server processes on one database and one Redis', () => {
  let stack: SharedStack;
  let a: TestPlatform;
  let b: TestPlatform;

  beforeAll(async () => {
    // Processes behind one load balancer share the database, Redis and the token secret.
    stack = await startSharedStack();
    // One after the other: the first seeds the demo, the second finds it.
    a = await stack.platform({ LOGIN_RATE_LIMIT: '10' });
    b = await stack.platform({ LOGIN_RATE_LIMIT: '10' });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const post = (base: string, path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('counts failed sign-ins of one username across processes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push(
        (await post(i % 2 ? b.url : a.url, '/api/auth/login', { username: 'bureau', password: 'x' })).status,
      );
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect((await post(a.url, '/api/auth/login', { username: 'bureau', password: 'x' })).status).toBe(429);
    expect((await post(b.url, '/api/auth/login', { username: 'bureau', password: 'demo2026' })).status).toBe(
      429,
    );
  });

  it('a logout on one process closes the session’s socket on the other within 1 s, and its token there', async () => {
    const res = await post(a.url, '/api/auth/login', { username: 'teacher2', password: 'demo2026' });
    const session = (await res.json()) as { token: string; refreshToken: string };
    const socket = await connect(b.url, session.token);
    const start = performance.now();
    const closed = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('socket on the other process still open after 1 s')),
        1000,
      );
      socket.once('disconnect', () => {
        clearTimeout(timer);
        resolve(performance.now() - start);
      });
    });
    expect((await post(a.url, '/api/auth/logout', { refreshToken: session.refreshToken })).status).toBe(204);
    console.info(
      `socket on the other process closed ${(await closed).toFixed(0)} ms after the logout was sent`,
    );
    // The other process may have vouched for the token up to a second ago.
    await new Promise((r) => setTimeout(r, 1100));
    const me = await fetch(`${b.url}/api/auth/me`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(me.status).toBe(401);
  });

  it('an account disabled through one process loses its socket on the other', async () => {
    const admin = (await (
      await post(b.url, '/api/auth/login', { username: 'admin', password: 'demo2026' })
    ).json()) as {
      token: string;
    };
    const teacher = (await (
      await post(b.url, '/api/auth/login', { username: 'teacher', password: 'demo2026' })
    ).json()) as {
      token: string;
      user: { id: string };
    };
    const socket = await connect(a.url, teacher.token);
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const res = await fetch(`${b.url}/api/users/${teacher.user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ disabled: true }),
    });
    expect(res.status).toBe(200);
    await closed;
  });
});
