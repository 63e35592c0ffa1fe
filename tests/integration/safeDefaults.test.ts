import http from 'node:http';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ASSET_BYTES_PER_LESSON } from '../../server/http/routes/board.ts';
import type { Models } from '../../server/models/index.ts';
import { demoSide } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { connect, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

/** A session as the API hands it out. */
interface Session {
  token: string;
  refreshToken: string;
  user: { id: string };
}

/**
 * Safe defaults on the real platform: sessions that end everywhere at once, throttled
 * password guessing, origin checks, inert spreadsheet cells, one-time passwords, device
 * enrolment, method and payload hygiene.
 */
describe('safe by default', () => {
  let t: TestPlatform;
  let m: Models;
  let demo: Side;
  let admin: string;

  const api = (
    method: string,
    path: string,
    { token, body, headers = {} }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${t.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const signIn = async (username: string, password: string): Promise<Session> => {
    const res = await api('POST', '/api/auth/login', { body: { username, password } });
    expect(res.status, `sign-in of ${username}`).toBe(200);
    return (await res.json()) as Session;
  };
  /** A new teacher account of the demo's hub school, its own password set. */
  const newTeacher = async (username: string): Promise<{ id: string; session: Session }> => {
    const created = await api('POST', '/api/users', {
      token: admin,
      body: {
        username,
        realName: '测试老师',
        role: 'teacher',
        schoolId: demo.hubSchoolId,
        initialPassword: 'handed-out-1',
      },
    });
    expect(created.status).toBe(201);
    const res = await api('POST', '/api/auth/password', {
      body: { username, currentPassword: 'handed-out-1', newPassword: 'my-own-pass-1' },
    });
    expect(res.status).toBe(200);
    const session = (await res.json()) as Session;
    return { id: session.user.id, session };
  };
  /** Resolves with the ms from now until the socket is closed by the server (rejects after `within`). */
  const closedWithin = (socket: ClientSocket, within: number): Promise<{ ms: number; reason: string }> => {
    const start = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket still open after ${within} ms`)), within);
      socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve({ ms: performance.now() - start, reason });
      });
    });
  };
  /** The session is over everywhere: REST, a new socket, the refresh token. */
  const expectEnded = async (session: Session): Promise<void> => {
    expect((await api('GET', '/api/auth/me', { token: session.token })).status).toBe(401);
    await expect(connect(t.url, session.token)).rejects.toThrow('session ended');
    const refreshed = await api('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(401);
  };

  beforeAll(async () => {
    t = await startPlatform();
    m = t.platform.models;
    demo = await demoSide(m);
    admin = await login(t.url, 'admin');
  }, 60_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  describe('sessions end everywhere at once', () => {
    const cases: {
      what: string;
      end: (user: { id: string; session: Session }) => Promise<Response>;
      reason: string;
    }[] = [
      {
        what: 'logout',
        end: ({ session }) =>
          api('POST', '/api/auth/logout', { body: { refreshToken: session.refreshToken } }),
        reason: 'logout',
      },
      {
        what: 'an admin disabling the account',
        end: ({ id }) => api('PATCH', `/api/users/${id}`, { token: admin, body: { disabled: true } }),
        reason: 'disabled',
      },
      {
        what: 'an admin deleting the account',
        end: ({ id }) => api('DELETE', `/api/users/${id}`, { token: admin }),
        reason: 'deleted',
      },
      {
        what: 'an admin resetting the password',
        end: ({ id }) =>
          api('PATCH', `/api/users/${id}`, { token: admin, body: { initialPassword: 'reset-pass-9' } }),
        reason: 'password',
      },
      {
        what: 'a role change',
        end: ({ id }) => api('PATCH', `/api/users/${id}`, { token: admin, body: { role: 'assistant' } }),
        reason: 'role',
      },
    ];
    for (const [i, c] of cases.entries()) {
      it(`${c.what} closes the open socket within 1 s and voids its access and refresh tokens`, async () => {
        const user = await newTeacher(`end.${i}`);
        const socket = await connect(t.url, user.session.token);
        const told = new Promise<string>((resolve) => socket.once('session:ended', (p) => resolve(p.reason)));
        const closed = closedWithin(socket, 1000);
        expect((await c.end(user)).status).toBeLessThan(300);
        const { ms, reason } = await closed;
        expect(reason).toBe('io server disconnect');
        expect(await told).toBe(c.reason);
        console.info(`${c.what}: socket closed ${ms.toFixed(0)} ms after the request was sent`);
        await expectEnded(user.session);
      });
    }

    it('a coordinator taken off its cluster loses its open socket and its tokens (scope change)', async () => {
      const created = await api('POST', '/api/users', {
        token: admin,
        body: {
          username: 'coord.scope',
          realName: '临时管理员',
          role: 'coordinator',
          initialPassword: 'handed-out-2',
        },
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const cluster = (await m.Cluster.findById(demo.clusterId).lean())!;
      const before = cluster.coordinatorIds.map(String);
      const patch = (ids: string[]) =>
        api('PATCH', `/api/clusters/${demo.clusterId}`, { token: admin, body: { coordinatorIds: ids } });
      expect((await patch([...before, id])).status).toBe(200);
      const res = await api('POST', '/api/auth/password', {
        body: { username: 'coord.scope', currentPassword: 'handed-out-2', newPassword: 'coord-own-pass' },
      });
      const session = (await res.json()) as Session;
      const socket = await connect(t.url, session.token);
      const closed = closedWithin(socket, 1000);
      expect((await patch(before)).status).toBe(200);
      await closed;
      await expectEnded(session);
    });

    it('every socket event re-checks the session: a socket the server could not reach is refused at its next event', async () => {
      const user = await newTeacher('end.event');
      const socket = await connect(t.url, user.session.token);
      // Revoked behind the platform's back (as another process would), so no event reaches this socket.
      await m.User.updateOne({ _id: user.id }, { $inc: { authVersion: 1 } });
      await new Promise((r) => setTimeout(r, 1100)); // past the one-second revocation cache
      const closed = closedWithin(socket, 2000);
      const ack = await request(socket, 'lesson:start', { lessonId: '0'.repeat(24) });
      expect(ack).toMatchObject({ ok: false, error: { name: 'UnauthorizedError', code: 'SESSION_ENDED' } });
      await closed;
    });

    it('a socket renews its access with a fresh token of its own session, and only of its own', async () => {
      const teacher = await signIn('teacher', 'demo2026');
      const socket = await connect(t.url, teacher.token);
      const refreshed = await api('POST', '/api/auth/refresh', {
        body: { refreshToken: teacher.refreshToken },
      });
      const fresh = (await refreshed.json()) as Session;
      const renewed = await request(socket, 'session:renew', { token: fresh.token });
      expect(renewed).toMatchObject({ ok: true });
      const other = await signIn('teacher2', 'demo2026');
      const refused = await request(socket, 'session:renew', { token: other.token });
      expect(refused).toMatchObject({ ok: false, error: { name: 'ForbiddenError' } });
      socket.close();
    });
  });

  describe('accounts', () => {
    it('an admin cannot delete or disable itself, and the last enabled admin stays an enabled admin', async () => {
      const me = (await (await api('GET', '/api/auth/me', { token: admin })).json()) as { id: string };
      expect((await api('DELETE', `/api/users/${me.id}`, { token: admin })).status).toBe(403);
      expect(
        (await api('PATCH', `/api/users/${me.id}`, { token: admin, body: { disabled: true } })).status,
      ).toBe(403);
      const second = await api('POST', '/api/users', {
        token: admin,
        body: { username: 'admin2', realName: '第二管理员', role: 'admin', initialPassword: 'handed-out-3' },
      });
      const { id } = (await second.json()) as { id: string };
      // With two admins, the other may go; then the remaining one is the last.
      expect((await api('DELETE', `/api/users/${id}`, { token: admin })).status).toBe(204);
      expect(await m.User.countDocuments({ role: 'admin', disabled: { $ne: true } })).toBe(1);
      expect((await api('GET', '/api/auth/me', { token: admin })).status).toBe(200);
    });

    it('demo accounts sign in from this machine only (an address behind a proxy on loopback is not)', async () => {
      const res = await api('POST', '/api/auth/login', {
        body: { username: 'teacher', password: 'demo2026' },
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DEMO_ACCOUNT_LOCAL_ONLY');
    });

    it('a classroom device enrols once with a code, stays listed, and is revoked with its socket', async () => {
      const coordinator = await login(t.url, 'coordinator');
      const device = (await m.User.findOne({ username: 'classroom2' }).lean())!;
      const issued = await api('POST', `/api/users/${device._id.toString()}/enrolment-code`, {
        token: coordinator,
      });
      expect(issued.status).toBe(201);
      const { code } = (await issued.json()) as { code: string };
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
      // Typed on the whiteboard in lower case without the dash, it still works — once.
      const typed = code.replace('-', '').toLowerCase();
      const enrolled = await api('POST', '/api/auth/enrol', {
        body: { code: typed },
        headers: { 'user-agent': 'Whiteboard/1.0' },
      });
      expect(enrolled.status).toBe(200);
      const session = (await enrolled.json()) as Session;
      expect((await api('POST', '/api/auth/enrol', { body: { code: typed } })).status).toBe(401);
      const list = await api('GET', `/api/users/${device._id.toString()}/devices`, { token: coordinator });
      const { items } = (await list.json()) as { items: { id: string; label: string }[] };
      expect(items).toHaveLength(1);
      expect(items[0]!.label).toBe('Whiteboard/1.0');
      const socket = await connect(t.url, session.token);
      const closed = closedWithin(socket, 1000);
      const revoked = await api('DELETE', `/api/users/${device._id.toString()}/devices/${items[0]!.id}`, {
        token: coordinator,
      });
      expect(revoked.status).toBe(204);
      await closed;
      await expectEnded(session);
      // Other sessions of the account (the demo kiosk's password sign-in) are untouched.
      expect((await api('GET', '/api/auth/me', { token: await login(t.url, 'classroom2') })).status).toBe(
        200,
      );
    });
  });

  describe('throttling', () => {
    it('limits one address spraying many usernames, and never counts successful sign-ins', async () => {
      // A kiosk signing in all day is never locked out.
      for (let i = 0; i < 12; i++) await signIn('classroom3', 'demo2026');
      const sprayer = { 'x-forwarded-for': '198.51.100.7' };
      const statuses: number[] = [];
      for (let i = 0; i < 32; i++) {
        const res = await api('POST', '/api/auth/login', {
          body: { username: `guess${i}`, password: 'Password1' },
          headers: sprayer,
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(30)).toEqual([429, 429]);
      // Another address is not affected.
      expect(
        (await api('POST', '/api/auth/login', { body: { username: 'guess0', password: 'x' } })).status,
      ).toBe(401);
    });

    it('keeps a lesson’s courseware within its byte quota, and says how much is used', async () => {
      const teacher = await login(t.url, 'teacher');
      const lesson = (await m.Lesson.findOne({ state: { $ne: 'ended' } }).lean())!;
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64 * 1024)]);
      const upload = () =>
        fetch(`${t.url}/api/lessons/${lesson._id.toString()}/board/assets?width=1600&height=900`, {
          method: 'POST',
          headers: { authorization: `Bearer ${teacher}`, 'content-type': 'image/jpeg' },
          body: jpeg,
        });
      expect((await upload()).status).toBe(201);
      // Images of 199.95 MB already held (their sizes as recorded; the bytes themselves do not matter here).
      await m.BoardAsset.create({
        lessonId: lesson._id,
        mediaType: 'image/jpeg',
        width: 1,
        height: 1,
        data: Buffer.alloc(1),
        bytes: MAX_ASSET_BYTES_PER_LESSON - 50 * 1024,
        createdAt: new Date(),
        createdBy: lesson.teacherId,
      });
      const refused = await upload();
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
        /at most 200 MB/,
      );
    });

    it('gives a socket over its message budget TooManyRequests answers and keeps it connected', async () => {
      const socket = await connect(t.url, await login(t.url, 'teacher2'));
      const answers = await Promise.all(
        Array.from({ length: 170 }, () => request(socket, 'lesson:leave', { lessonId: '0'.repeat(24) })),
      );
      const refused = answers.filter((a) => !a.ok && a.error.name === 'TooManyRequestsError').length;
      expect(refused).toBe(20);
      expect(socket.connected).toBe(true);
      socket.close();
    });
  });

  describe('browsers and hostile input', () => {
    it('refuses a socket handshake and a state-changing request from a foreign Origin', async () => {
      const token = await login(t.url, 'teacher');
      const foreign = io(t.url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders: { origin: 'http://evil.example' },
      });
      const error = await new Promise<Error>((resolve) => foreign.once('connect_error', resolve));
      foreign.close();
      expect(error.message).toMatch(/websocket error|cross-origin/);
      const own = io(t.url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders: { origin: t.url },
      });
      await new Promise<void>((resolve, reject) => {
        own.once('connect', resolve);
        own.once('connect_error', reject);
      });
      own.close();
      const post = await api('POST', '/api/auth/logout', {
        body: {},
        headers: { origin: 'http://evil.example' },
      });
      expect(post.status).toBe(403);
    });

    it('sends security headers: a CSP without inline scripts, no framing, nosniff, a referrer policy', async () => {
      const res = await fetch(`${t.url}/login`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      // HSTS only over TLS: a plain-HTTP school intranet must not be pinned to HTTPS.
      expect(res.headers.get('strict-transport-security')).toBeNull();
    });

    it('answers TRACE and a wrong method on a known route with 405 and Allow', async () => {
      // fetch() refuses to send TRACE: ask with node:http.
      const trace = await new Promise<number>((resolve, reject) =>
        http
          .request(`${t.url}/api/health`, { method: 'TRACE' }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject)
          .end(),
      );
      expect(trace).toBe(405);
      const wrong = await api('PUT', '/api/auth/login', { body: {} });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST');
      expect((await api('DELETE', `/api/schools`, { token: admin })).headers.get('allow')).toBe(
        'GET, POST, HEAD',
      );
    });

    it('exports a formula typed as a name as inert text, and reads it back as typed', async () => {
      const coordinator = await login(t.url, 'coordinator');
      const name = '=HYPERLINK("http://evil.example","点我")';
      const created = await api('POST', '/api/schools', {
        token: coordinator,
        body: {
          name,
          regionCode: '430725',
          kind: 'rural',
          downlinkMbps: 6,
          uplinkMbps: 2,
          clusterId: demo.clusterId,
        },
      });
      expect(created.status).toBe(201);
      const csv = await (
        await api('GET', `/api/export/schools?clusterId=${demo.clusterId}&format=csv`, { token: coordinator })
      ).text();
      const cell = csv
        .split('\n')
        .find((line) => line.includes('HYPERLINK'))!
        .split(',')[0]!;
      expect(cell.replace(/^"/, '')).toMatch(/^'=HYPERLINK/);
      // Imported back, the apostrophe is not taken for part of the name: nothing to change.
      const back = await fetch(
        `${t.url}/api/import/schools?clusterId=${demo.clusterId}&format=csv&dryRun=true`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${coordinator}`, 'content-type': 'text/csv' },
          body: csv,
        },
      );
      expect(back.status).toBe(200);
      expect(await back.json()).toMatchObject({ created: 0, updated: 0, errors: [] });
    });

    it('refuses malformed WebRTC parameters (2,000 levels deep, operators, wrong shapes, too many) before mediasoup sees them', async () => {
      const socket = await connect(t.url, await login(t.url, 'teacher'));
      // (socket.io's own encoder overflows its stack on 5,000 levels; 2,000 is as deep as it sends.)
      let deep: unknown = {};
      for (let i = 0; i < 2000; i++) deep = { a: deep };
      const opus = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000 };
      for (const rtpCapabilities of [
        { codecs: [{ ...opus, parameters: deep }] },
        { codecs: { $gt: '' } },
        { codecs: [{ ...opus, mimeType: 42 }] },
        { codecs: Array.from({ length: 65 }, () => opus) },
      ]) {
        const ack = await request(socket, 'lesson:join', { lessonId: '0'.repeat(24), rtpCapabilities });
        expect(ack).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
      }
      expect(socket.connected).toBe(true);
      socket.close();
    });
  });
});

describe('X-Forwarded-For is believed only from the proxies TRUST_PROXY names', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    // The load balancer is on another host; this test's loopback client is not it.
    t = await startPlatform({ env: { TRUST_PROXY: '192.0.2.10', LOGIN_ADDRESS_RATE_LIMIT: '3' } });
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('counts failed sign-ins against the connection’s own address whatever X-Forwarded-For says', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        // A client rotating forged addresses would get fresh counts if they were believed.
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i + 1}` },
        body: JSON.stringify({ username: `guess${i}`, password: 'Password1' }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('takes the server’s own origin from the Host header, not from an untrusted X-Forwarded-Host', async () => {
    const res = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        'x-forwarded-host': 'evil.example',
      },
      body: JSON.stringify({ username: 'teacher', password: 'demo2026' }),
    });
    expect(res.status).toBe(403);
  });
});
