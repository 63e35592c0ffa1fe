import fs from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo.ts';
import { haproxyCommand, processesInGroups, startCluster } from '../helpers/cluster.ts';
import type { ClusterInfo, TestCluster } from '../helpers/cluster.ts';

/**
 * `scripts/cluster.mjs --servers=2` as the user runs it (npm test's setup has installed
 * HAProxy, PostgreSQL and Redis, so the test skips setup): Redis, a private PostgreSQL
 * cluster with FerretDB over it, two server processes and HAProxy, every request below
 * going through HAProxy unless it names a server's own port.
 */
describe('npm run cluster: two server processes behind HAProxy on PostgreSQL and Redis', () => {
  let cluster: TestCluster;
  let url: string;
  let info: ClusterInfo;

  beforeAll(async () => {
    cluster = await startCluster({ servers: 2, sfuWorkers: 1 });
    ({ url, info } = cluster);
  }, 300_000);

  afterAll(async () => {
    await cluster?.close();
  }, 90_000);

  const login = (base: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username: 'teacher', password: DEMO_PASSWORD }),
    });
  const serverUrl = (name: string): string => `http://127.0.0.1:${cluster.process(name).port}`;

  it('starts Redis, PostgreSQL, FerretDB, two servers and HAProxy, each with its own port and log', () => {
    expect(info.processes.map((p) => p.role).sort()).toEqual(
      ['ferretdb', 'load balancer', 'postgresql', 'redis', 'server', 'server'].sort(),
    );
    expect(new Set(info.processes.map((p) => p.port)).size).toBe(6);
    for (const p of info.processes) expect(fs.existsSync(p.log)).toBe(true);
  });

  it('signs a demo user in through HAProxy from this machine', async () => {
    const res = await login(url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: { username: string } };
    expect(body.user.username).toBe('teacher');
  });

  it('refuses a demo sign-in that HAProxy forwards for another address (X-Forwarded-For is trusted from loopback)', async () => {
    const res = await login(url, { 'x-forwarded-for': '203.0.113.9' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DEMO_ACCOUNT_LOCAL_ONLY');
  });

  it('answers /api/health from both servers in turn, and HAProxy sees both up', async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${url}/api/health`);
      expect(res.status).toBe(200);
      servedBy.add(res.headers.get('x-served-by') ?? '');
    }
    expect([...servedBy].sort()).toEqual(['server-1', 'server-2']);
    const stat = await haproxyCommand(info.statsSocket, 'show stat');
    const rows = stat.split('\n').filter((l) => l.startsWith('api,server-'));
    expect(rows.map((r) => r.split(',')[17])).toEqual(['UP', 'UP']);
  });

  it('reads through one server what was written through the other', async () => {
    const signIn = (await (await login(serverUrl('server-1'))).json()) as {
      token: string;
      user: { id: string };
    };
    const created = await fetch(`${serverUrl('server-1')}/api/calendar-feeds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${signIn.token}` },
      body: JSON.stringify({ kind: 'teacher', subjectId: signIn.user.id }),
    });
    expect(created.status).toBe(201);
    const feed = (await created.json()) as { url: string };
    const read = await fetch(`${serverUrl('server-2')}${feed.url}`);
    expect(read.status).toBe(200);
    expect(await read.text()).toContain('BEGIN:VCALENDAR');
    // The token server-1 signed is good on server-2 (one JWT secret, sessions in the database).
    const mine = await fetch(`${serverUrl('server-2')}/api/calendar-feeds`, {
      headers: { authorization: `Bearer ${signIn.token}` },
    });
    expect(mine.status).toBe(200);
  });

  it('sends every socket.io request with one route to one server, and different routes to both', async () => {
    const handshake = async (route: string): Promise<string> => {
      const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling&route=${route}`);
      expect(res.status).toBe(200);
      await res.text();
      return res.headers.get('x-served-by') ?? '';
    };
    const same = new Set<string>();
    for (let i = 0; i < 4; i++) same.add(await handshake('lesson-6650f0c2a1b2c3d4e5f60718'));
    expect(same.size).toBe(1);
    const spread = new Set<string>();
    for (let i = 0; i < 24; i++) spread.add(await handshake(`page-${i}`));
    expect([...spread].sort()).toEqual(['server-1', 'server-2']);
  });

  it('connects socket.io through HAProxy with a route parameter, long-polling first then upgrading', async () => {
    const { token } = (await (await login(url)).json()) as { token: string };
    const socket = io(url, {
      auth: { token },
      query: { route: 'page-cluster-test' },
      transports: ['polling', 'websocket'],
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      await new Promise<void>((resolve) => {
        if (socket.io.engine.transport.name === 'websocket') resolve();
        else socket.io.engine.once('upgrade', () => resolve());
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('stops every process it started on SIGINT', async () => {
    const groups = info.processes.map((p) => p.pid);
    expect(processesInGroups(groups).length).toBeGreaterThan(0);
    expect(await cluster.stop()).toBe(0);
    // Each child led a process group of its own: nothing of any group (workers, backends) is left.
    expect(processesInGroups(groups)).toEqual([]);
    expect(cluster.output()).toContain('[cluster] stopped');
    expect(fs.existsSync(path.join(cluster.runDir, 'pids.json'))).toBe(false);
  }, 60_000);
});
