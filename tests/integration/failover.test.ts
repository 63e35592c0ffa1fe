import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse, LessonSummary, LoginResponse } from '../../server/contract/api.ts';
import type { BoardChange, BoardOp, BoardSync } from '../../server/contract/board.ts';
import type { Json, JoinResult } from '../../server/contract/events.ts';
import { redisServerArgs } from '../../scripts/lib/redis.mjs';
import { DEMO_PASSWORD } from '../../server/seed/demo.ts';
import { processesInGroups, startCluster } from '../helpers/cluster.ts';
import type { ClusterProcess, TestCluster } from '../helpers/cluster.ts';
import { request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds (a generous deadline, not a timing claim). */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await sleep(100);
  }
}

/** The lesson's lease in Redis: the holder's name (`<hostname>:<pid>:<random>`) and its pid. */
async function leaseOf(redis: Redis, lessonId: string): Promise<{ holder: string; pid: number } | null> {
  const holder = await redis.get(`sync-classroom:lesson-lease:${lessonId}`);
  return holder ? { holder, pid: Number(holder.split(':').at(-2)) } : null;
}

/**
 * A teacher's or classroom's client as the browser runs it behind the load balancer: one
 * socket routed by the lesson id that reconnects by itself (socket.io's own backoff, capped
 * at 5 s like the app's), and after a reconnection joins again (retrying while the lesson
 * is hosted elsewhere) and reopens the board from the last change it saw.
 */
class Participant {
  readonly socket: ClientSocket;
  /** Every board change this client was given (pushed or in a reopening), in arrival order. */
  readonly received: BoardOp[] = [];
  /** Sequence number of the last change it has, all before it included. */
  lastSeq = 0;
  disconnects = 0;
  /** When the socket last connected (performance.now()), and how many times it tried again. */
  connectedAt = 0;
  reconnectAttempts = 0;

  constructor(
    readonly name: string,
    readonly user: LoginResponse['user'],
    url: string,
    token: string,
    lessonId: string,
  ) {
    this.socket = io(url, {
      auth: { token },
      query: { route: lessonId },
      transports: ['websocket'],
      reconnectionDelayMax: 5000,
      forceNew: true,
    });
    this.socket.on('board:ops', ({ ops }) => this.#take(ops));
    this.socket.on('disconnect', () => this.disconnects++);
    this.socket.on('connect', () => (this.connectedAt = performance.now()));
    this.socket.io.on('reconnect_attempt', () => this.reconnectAttempts++);
  }

  #take(ops: BoardOp[]): void {
    this.received.push(...ops);
    for (const op of ops) if (op.seq === this.lastSeq + 1) this.lastSeq = op.seq;
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  /** `lesson:join`, again every 250 ms while another process still holds the lesson. */
  async join(lessonId: string, rtpCapabilities: Json): Promise<{ data: JoinResult; elsewhere: number }> {
    let elsewhere = 0;
    for (;;) {
      await this.connected();
      const res = await request(this.socket, 'lesson:join', { lessonId, rtpCapabilities }).catch(
        (error: Error) => ({ ok: false as const, error: { name: 'Timeout', message: error.message } }),
      );
      if (res.ok) return { data: res.data, elsewhere };
      if (res.error.name !== 'Timeout' && 'code' in res.error && res.error.code === 'LESSON_ELSEWHERE')
        elsewhere++;
      else if (res.error.name !== 'Timeout')
        throw new Error(`${this.name}: lesson:join: ${res.error.name}: ${res.error.message}`);
      await sleep(250);
    }
  }

  /** `board:open` from the last change it has; answers what the server sent. */
  async openBoard(lessonId: string): Promise<BoardSync> {
    const res = await request(this.socket, 'board:open', { lessonId, since: this.lastSeq });
    if (!res.ok) throw new Error(`${this.name}: board:open: ${res.error.name}: ${res.error.message}`);
    if (res.data.kind === 'ops') this.#take(res.data.ops);
    return res.data;
  }

  async change(lessonId: string, change: BoardChange): Promise<number> {
    const res = await request(this.socket, 'board:change', { lessonId, change });
    if (!res.ok) throw new Error(`${this.name}: board:change: ${res.error.name}: ${res.error.message}`);
    return res.data.seq;
  }

  /** How many times it was given the change `seq`. */
  count(seq: number): number {
    return this.received.filter((op) => op.seq === seq).length;
  }
}

const rect = (id: string, x: number): BoardChange => ({
  t: 'draw',
  id,
  page: 'p1',
  tool: 'rect',
  color: '#1565c0',
  width: 3,
  points: [x, 100, x + 40, 160],
});

/**
 * issue 13, item 2, through `npm run cluster`: two server processes behind HAProxy, a live
 * lesson's teacher and two classrooms connected with route = the lesson id (so all on one
 * process, which hosts the lesson), and the host killed with SIGKILL mid-lesson; then the
 * cluster's Redis stopped and started again under the lesson. Timings are printed, not
 * asserted (a benchmark's job, and this machine is busy).
 */
describe('a live lesson survives the death of the process that hosts it (2 servers behind HAProxy)', () => {
  let cluster: TestCluster;
  let redis: Redis;
  let lesson: LessonSummary;
  let caps: Json;
  let teacher: Participant;
  let first: Participant;
  let second: Participant;
  let everyone: Participant[];
  /** Every change the board acknowledged: seq → the change. */
  const acked = new Map<number, BoardChange>();
  /** The redis-server this test starts in place of the cluster's, if it gets that far. */
  let ownRedis: ChildProcess | undefined;

  const signIn = async (username: string): Promise<LoginResponse> => {
    const res = await fetch(`${cluster.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
    return (await res.json()) as LoginResponse;
  };
  const participant = async (name: string): Promise<Participant> => {
    const { token, user } = await signIn(name);
    const p = new Participant(name, user, cluster.url, token, lesson.id);
    await p.connected();
    return p;
  };
  const ok = async <T>(
    pending: Promise<{ ok: true; data: T } | { ok: false; error: { name: string; message: string } }>,
  ): Promise<T> => {
    const res = await pending;
    if (!res.ok) throw new Error(`${res.error.name}: ${res.error.message}`);
    return res.data;
  };
  const serverNamed = (pid: number): ClusterProcess => {
    const p = cluster.info.processes.find((x) => x.role === 'server' && x.pid === pid);
    if (!p) throw new Error(`no server process with pid ${pid}`);
    return p;
  };

  beforeAll(async () => {
    cluster = await startCluster({ servers: 2, sfuWorkers: 1 });
    redis = new Redis(`redis://127.0.0.1:${cluster.process('redis').port}`, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    const { token } = await signIn('teacher');
    const current = await fetch(`${cluster.url}/api/lessons/current`, {
      headers: { authorization: `Bearer ${token}` },
    });
    lesson = ((await current.json()) as CurrentLessonResponse).lesson!;
    teacher = await participant('teacher');
    first = await participant('classroom1');
    second = await participant('classroom2');
    everyone = [teacher, first, second];
    await ok(request(teacher.socket, 'lesson:start', { lessonId: lesson.id }));
    const res = await fetch(`${cluster.url}/api/lessons/${lesson.id}/rtp-capabilities`, {
      headers: { authorization: `Bearer ${token}` },
    });
    caps = ((await res.json()) as { routerRtpCapabilities: Json }).routerRtpCapabilities;
  }, 300_000);

  afterAll(async () => {
    for (const p of everyone ?? []) p.socket.close();
    redis?.disconnect();
    await cluster?.stop();
    if (ownRedis && ownRedis.exitCode === null && ownRedis.signalCode === null) {
      const gone = new Promise((r) => ownRedis!.once('exit', r));
      ownRedis.kill('SIGTERM');
      await gone;
    }
    await cluster?.close();
  }, 90_000);

  it('the classrooms rejoin on the surviving process with the floor and the mutes, and the board has every acknowledged change once, in order', async () => {
    const c1 = first.user.classroomId!;
    const c2 = second.user.classroomId!;
    expect(lesson.classrooms.map((c) => c.id)).toEqual(expect.arrayContaining([c1, c2]));

    // Everyone joins and opens the board on the process the balancer sends the lesson to.
    for (const p of everyone) {
      await p.join(lesson.id, caps);
      const sync = await ok(request(p.socket, 'board:open', { lessonId: lesson.id, since: null }));
      expect(sync.kind).toBe('state');
      if (sync.kind === 'state') p.lastSeq = sync.state.seq;
    }
    const base = teacher.lastSeq;
    expect(everyone.map((p) => p.lastSeq)).toEqual([base, base, base]);

    await ok(request(teacher.socket, 'floor:set', { lessonId: lesson.id, classroomId: c1 }));
    await ok(request(teacher.socket, 'mute:set', { lessonId: lesson.id, classroomId: c2, muted: true }));
    await ok(request(second.socket, 'hand:set', { lessonId: lesson.id, raised: true }));
    await ok(request(teacher.socket, 'spotlight:set', { lessonId: lesson.id, classroomId: c2 }));
    const changes: [Participant, BoardChange][] = [
      [teacher, { t: 'addPages', pages: [{ id: 'p2', background: null }], after: null }],
      [teacher, { t: 'page', page: 'p1' }],
      [teacher, rect('t1', 100)],
      [teacher, { t: 'pen', holder: c1 }],
      [first, rect('c1-1', 300)],
    ];
    for (const [p, change] of changes) acked.set(await p.change(lesson.id, change), change);
    await until(() => everyone.every((p) => p.lastSeq === base + changes.length), 'the changes everywhere');

    const lease = await leaseOf(redis, lesson.id);
    expect(lease).not.toBeNull();
    const host = serverNamed(lease!.pid);
    const survivor = cluster.info.processes.find((p) => p.role === 'server' && p.pid !== host.pid)!;
    const fence = Number(await redis.get(`sync-classroom:lesson-fence:${lesson.id}`));

    // A burst of changes still in flight when the host dies: those acknowledged must survive.
    const burst = [1, 2, 3, 4, 5].map((i) => {
      const change = rect(`burst-${i}`, 500 + i * 50);
      return teacher.change(lesson.id, change).then(
        (seq) => !!acked.set(seq, change),
        () => false,
      );
    });
    const disconnects = everyone.map((p) => p.disconnects);
    const killedAt = performance.now();
    process.kill(host.pid, 'SIGKILL');
    const burstAcked = (await Promise.all(burst)).filter(Boolean).length;

    const rejoined = await Promise.all(
      everyone.map(async (p, i) => {
        await until(() => p.disconnects > disconnects[i]!, `${p.name} to notice the kill`);
        await p.connected();
        const reconnectMs = p.connectedAt - killedAt;
        const { data, elsewhere } = await p.join(lesson.id, caps);
        const joinedMs = performance.now() - killedAt;
        const since = p.lastSeq;
        const sync = await p.openBoard(lesson.id);
        return { p, data, elsewhere, reconnectMs, joinedMs, since, sync };
      }),
    );
    const lastMs = Math.max(...rejoined.map((r) => r.joinedMs));
    console.log(
      `[failover] SIGKILL of ${host.name} (pid ${host.pid}) → last client rejoined on ${survivor.name}: ` +
        `${(lastMs / 1000).toFixed(2)} s\n` +
        rejoined
          .map(
            (r) =>
              `[failover]   ${r.p.name.padEnd(10)} socket back ${(r.reconnectMs / 1000).toFixed(2)} s ` +
              `(${r.p.reconnectAttempts} attempt(s)), joined ${(r.joinedMs / 1000).toFixed(2)} s ` +
              `(${r.elsewhere} LESSON_ELSEWHERE answer(s)), board reopened since seq ${r.since}: ` +
              `${r.sync.kind === 'ops' ? `${r.sync.ops.length} change(s) it had missed` : 'the whole state'}`,
          )
          .join('\n'),
    );

    // The lesson moved to the survivor, with a new fencing token.
    const moved = await leaseOf(redis, lesson.id);
    expect(moved?.pid).toBe(survivor.pid);
    expect(Number(await redis.get(`sync-classroom:lesson-fence:${lesson.id}`))).toBeGreaterThan(fence);
    // Floor, mutes, hands and spotlight as they were.
    for (const r of rejoined)
      expect(r.data.interaction).toMatchObject({
        floor: c1,
        muted: [c2],
        spotlight: c2,
        hands: [{ classroomId: c2 }],
      });
    expect(Math.max(...rejoined.map((r) => r.data.peers.length))).toBe(2);

    // Every board reopened with changes after what it had (never the whole state again), and
    // each client now has every change the server kept exactly once, in order; every
    // acknowledged change is among them, as it was acknowledged.
    for (const r of rejoined) expect(r.sync.kind).toBe('ops');
    const kept = await ok(request(teacher.socket, 'board:open', { lessonId: lesson.id, since: base }));
    if (kept.kind !== 'ops') throw new Error('the reopened board lost changes the client had');
    const last = kept.ops.at(-1)?.seq ?? base;
    expect(kept.ops.map((op) => op.seq)).toEqual(Array.from({ length: last - base }, (_, i) => base + 1 + i));
    for (const [seq, change] of acked) expect(kept.ops.find((op) => op.seq === seq)?.change).toEqual(change);
    expect(last).toBeGreaterThanOrEqual(base + changes.length);
    for (const p of everyone) expect(p.received).toEqual(kept.ops);
    const burstKept = kept.ops.filter((op) => 'id' in op.change && op.change.id.startsWith('burst-')).length;
    console.log(
      `[failover] changes in flight at the kill: ${burstAcked} of 5 acknowledged, ${burstKept} kept`,
    );

    // A change after the failover (the classroom still holds the pen) gets the next number and
    // reaches each of the others once.
    const next = await first.change(lesson.id, rect('after', 900));
    expect(next).toBe(last + 1);
    acked.set(next, rect('after', 900));
    await until(() => everyone.every((p) => p.lastSeq === next), 'the change after the failover everywhere');
    await sleep(500);
    expect(everyone.map((p) => p.count(next))).toEqual([1, 1, 1]);

    // The killed server's mediasoup worker does not outlive it.
    await until(
      () => processesInGroups([host.pid]).length === 0,
      `nothing left of ${host.name}'s group`,
      15_000,
    );
  }, 90_000);

  it('the lesson goes on when Redis is restarted mid-lesson: the host claims its lease again and board changes are accepted', async () => {
    const redisProcess = cluster.process('redis');
    const host = serverNamed((await leaseOf(redis, lesson.id))!.pid);
    const disconnectsBefore = everyone.map((p) => p.disconnects);
    const seqBefore = teacher.lastSeq;

    // The cluster's redis-server stops (SIGTERM: the append-only file is written out) and the
    // same one starts again on the same port and data dir after longer than a lease's life.
    process.kill(redisProcess.pid, 'SIGTERM');
    await until(() => processesInGroups([redisProcess.pid]).length === 0, 'redis-server stopped', 15_000);
    const stoppedAt = performance.now();
    await sleep(4000);
    const log = fs.openSync(path.join(cluster.runDir, 'logs', 'redis-restarted.log'), 'a');
    ownRedis = spawn('redis-server', redisServerArgs(redisProcess.port, path.join(cluster.runDir, 'redis')), {
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    await until(
      async () => (await redis.ping().catch(() => '')) === 'PONG',
      'redis-server answering',
      15_000,
    );
    const backAt = performance.now();

    // The host renews its lease again (the one the append-only file had ran out meanwhile).
    await until(async () => (await leaseOf(redis, lesson.id))?.pid === host.pid, 'the lease renewed', 15_000);
    const leaseMs = performance.now() - backAt;

    const seq = await teacher.change(lesson.id, rect('after-redis', 1100));
    expect(seq).toBe(seqBefore + 1);
    await until(() => everyone.every((p) => p.lastSeq === seq), 'the change after the restart everywhere');
    await sleep(500);
    expect(everyone.map((p) => p.count(seq))).toEqual([1, 1, 1]);
    const lowered = await ok(
      request(teacher.socket, 'hand:set', {
        lessonId: lesson.id,
        raised: false,
        classroomId: second.user.classroomId!,
      }),
    );
    expect(lowered).toMatchObject({
      hands: [],
      floor: first.user.classroomId,
      muted: [second.user.classroomId],
    });
    // Redis going away did not cost any client its socket.
    expect(everyone.map((p) => p.disconnects)).toEqual(disconnectsBefore);
    console.log(
      `[failover] Redis down ${((backAt - stoppedAt) / 1000).toFixed(1)} s; lease renewed by ${host.name} ` +
        `${(leaseMs / 1000).toFixed(2)} s after Redis answered; board change accepted as seq ${seq}`,
    );
  }, 60_000);
});
