import { Queue } from 'bullmq';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJobView } from '../../server/contract/reports.ts';
import type { SolveJobView, TimetableView } from '../../server/contract/timetable.ts';
import { BullMqJobs, InProcessJobs } from '../../server/jobs/index.ts';
import type { JobBackend, JobKind, JobQueue } from '../../server/jobs/index.ts';
import { createLogger } from '../../server/logger.ts';
import { demoTerm } from '../../server/seed/term.ts';
import { demoSide, foreignSide } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { startRedis } from '../helpers/redis.ts';
import type { TestRedis } from '../helpers/redis.ts';
import { startSharedStack } from '../helpers/sharedStack.ts';
import type { SharedStack } from '../helpers/sharedStack.ts';

const logger = createLogger('silent');

/** Polls `read` until `done` holds of its value (a generous deadline, not a timing claim). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A job kind that runs until the test opens its gate, reporting one step of progress first. */
function gatedKind(): {
  kind: JobKind<{ n: number }, { step: number }, { doubled: number }>;
  open: () => void;
} {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    open,
    kind: {
      name: 'test-gated',
      keepMs: 60_000,
      run: async ({ n }, { progress }) => {
        progress({ step: 1 });
        await gate;
        return { doubled: n * 2 };
      },
    },
  };
}

describe('the job abstraction on both back ends', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it('BullMQ: one unfinished job per key whichever process asks; progress, result and the key’s state seen by both', async () => {
    const { kind, open } = gatedKind();
    const backends: JobBackend[] = [];
    try {
      for (let i = 0; i < 2; i++)
        backends.push(await BullMqJobs.connect(redis.url, logger, { prefix: 'test-jobs' }));
      const [a, b] = backends.map((backend) => backend.queue(kind)) as [
        JobQueue<{ n: number }, { step: number }, { doubled: number }>,
        JobQueue<{ n: number }, { step: number }, { doubled: number }>,
      ];
      const first = await a.add({ n: 21 }, { key: 'cluster/term' });
      const second = await b.add({ n: 99 }, { key: 'cluster/term' });
      expect(second.id).toBe(first.id);
      expect(second.data).toEqual({ n: 21 });
      expect(a.isRunning('cluster/term')).toBe(true);
      await until(
        () => Promise.resolve(b.isRunning('cluster/term')),
        (running) => running,
        'the other process to hear of the job',
      );
      const running = await until(
        () => b.get(first.id),
        (job) => job?.progress?.step === 1,
        'progress on the other process',
      );
      expect(running).toMatchObject({ state: 'running', result: null, error: null });
      // Two more: one worker per process, so one runs and one waits, whoever is asked.
      await a.add({ n: 7 });
      await b.add({ n: 8 });
      const stats = await until(
        () => b.stats(),
        (s) => s.running === 2 && s.waiting === 1,
        'two running and one waiting',
      );
      expect(stats.oldestWaitingMs).not.toBeNull();
      expect(await a.stats()).toMatchObject({ running: 2, waiting: 1 });
      open();
      for (const queue of [a, b]) {
        const done = await until(
          () => queue.get(first.id),
          (job) => job?.state === 'done',
          'the job to finish',
        );
        expect(done).toMatchObject({ id: first.id, result: { doubled: 42 }, data: { n: 21 } });
        await until(
          () => Promise.resolve(queue.isRunning('cluster/term')),
          (still) => !still,
          'the key to be free',
        );
      }
      // The key is free again: a new start is a new job.
      expect((await b.add({ n: 1 }, { key: 'cluster/term' })).id).not.toBe(first.id);
      // Ids that are not this queue's jobs are unknown, malformed ones included.
      for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', '1:logs', '../x', `${first.id}:lock`])
        expect(await a.get(id)).toBeNull();
    } finally {
      for (const backend of backends) await backend.close();
    }
  });

  it('BullMQ: a process that stops puts its running job back in the queue, and another process finishes it', async () => {
    const { kind, open } = gatedKind();
    const prefix = 'test-handover';
    const leaving = await BullMqJobs.connect(redis.url, logger, { prefix });
    const job = await leaving.queue(kind).add({ n: 5 });
    const probe = new Queue(kind.name, {
      connection: { host: '127.0.0.1', port: Number(new URL(redis.url).port) },
      prefix,
    });
    let staying: JobBackend | undefined;
    try {
      await until(
        () => probe.getJobState(job.id),
        (state) => state === 'active',
        'the job to run in the first process',
      );
      await leaving.close();
      // Back in the queue at once, not left active until its lock expires.
      expect(await probe.getJobState(job.id)).toBe('waiting');
      open();
      staying = await BullMqJobs.connect(redis.url, logger, { prefix });
      const queue = staying.queue(kind);
      const done = await until(
        () => queue.get(job.id),
        (snapshot) => snapshot?.state === 'done',
        'the other process to finish the job',
      );
      expect(done?.result).toEqual({ doubled: 10 });
    } finally {
      await leaving.close();
      await staying?.close();
      await probe.close();
    }
  });

  it('in process: one unfinished job per key, and unknown or malformed ids are null', async () => {
    const { kind, open } = gatedKind();
    const backend = new InProcessJobs(logger);
    const queue = backend.queue(kind);
    const first = await queue.add({ n: 2 }, { key: 'k' });
    expect((await queue.add({ n: 3 }, { key: 'k' })).id).toBe(first.id);
    expect(queue.isRunning('k')).toBe(true);
    expect((await queue.get(first.id))?.progress).toEqual({ step: 1 });
    expect(await queue.stats()).toEqual({ waiting: 0, running: 1, oldestWaitingMs: null });
    expect(backend.queues.get(kind.name)).toBe(queue);
    open();
    const done = await until(
      () => queue.get(first.id),
      (job) => job?.state === 'done',
      'the job to finish',
    );
    expect(done?.result).toEqual({ doubled: 4 });
    expect(queue.isRunning('k')).toBe(false);
    expect(await queue.get('nope')).toBeNull();
    await backend.close();
  });
});

/**
 * Two server processes' worth of platform on one database and one real Redis (as in
 * processes.test.ts), and a one-box platform without Redis: jobs accepted by one process are
 * read, and their files downloaded, from the other; forged ids answer 404 on both back ends.
 */
describe('jobs across two server processes on one database and one Redis', () => {
  let stack: SharedStack;
  let a: TestPlatform;
  let b: TestPlatform;
  /** One box, no Redis: the in-process back end. */
  let solo: TestPlatform;
  /** The demo cluster of A and B's database. */
  let clusterId: string;
  /** The demo cluster, by platform (the one box has its own database). */
  const clusterOf = new Map<TestPlatform, string>();
  /** A coordinator of another cluster, by platform. */
  const foreignCoordinator = new Map<TestPlatform, string>();
  const term = demoTerm(new Date()).term;

  beforeAll(async () => {
    stack = await startSharedStack();
    // One after the other: the first seeds the demo, the second finds it.
    a = await stack.platform();
    b = await stack.platform();
    solo = await startPlatform();
    clusterId = (await demoSide(a.platform.models)).clusterId;
    clusterOf
      .set(a, clusterId)
      .set(b, clusterId)
      .set(solo, (await demoSide(solo.platform.models)).clusterId);
    // A coordinator of another cluster, on both databases.
    for (const p of [a, solo]) {
      const { clusterId: foreignCluster } = await foreignSide(p.platform.models);
      const cluster = await p.platform.models.Cluster.findById(foreignCluster).lean();
      const user = await p.platform.models.User.findById(cluster!.coordinatorIds[0]).lean();
      foreignCoordinator.set(p, user!.username);
    }
  }, 120_000);
  afterAll(async () => {
    await solo?.close();
    if (solo) removeDataDir(solo.dataDir);
    await stack?.stop();
  });

  const call = async <T>(base: string, token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      body: (type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer())) as T,
    };
  };

  const startExport = async (p: TestPlatform, token: string): Promise<ExportJobView> => {
    const res = await call<ExportJobView>(
      p.url,
      token,
      'POST',
      `/api/reports/exports?clusterId=${clusterOf.get(p)}&period=month&format=xlsx`,
    );
    expect(res.status).toBe(202);
    return res.body;
  };

  it('an export accepted by process A is polled and downloaded from process B', async () => {
    const token = await login(a.url, 'coordinator');
    const accepted = await startExport(a, token);
    expect(accepted.state).toBe('running');
    const done = await until(
      async () => (await call<ExportJobView>(b.url, token, 'GET', `/api/report-exports/${accepted.id}`)).body,
      (job) => job.state !== 'running',
      'the export',
    );
    expect(done).toEqual({ id: accepted.id, state: 'done', fraction: 1, error: null });
    const fromB = await fetch(`${b.url}/api/report-exports/${accepted.id}/file`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(fromB.status).toBe(200);
    expect(fromB.headers.get('content-disposition')).toContain('.xlsx');
    const bytes = Buffer.from(await fromB.arrayBuffer());
    const fromA = await call<Buffer>(a.url, token, 'GET', `/api/report-exports/${accepted.id}/file`);
    expect(fromA.body.equals(bytes)).toBe(true);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('汇总')).toBeDefined();
  });

  it('a solve accepted by process A shows the same progress and result on A and B, and its draft is saved', async () => {
    const token = await login(b.url, 'coordinator');
    const base = `/api/timetables/${clusterId}/${term}`;
    const started = await call<SolveJobView>(a.url, token, 'POST', `${base}/solve`, {
      timeLimitMs: 1500,
      seed: 3,
    });
    expect(started.status).toBe(202);
    const seen: SolveJobView[] = [started.body];
    for (let i = 0; seen.at(-1)!.state === 'running'; i++) {
      if (i > 600) throw new Error(`solve still running: ${JSON.stringify(seen.at(-1))}`);
      await new Promise((r) => setTimeout(r, 50));
      const from = i % 2 ? a : b;
      seen.push(
        (await call<SolveJobView>(from.url, token, 'GET', `/api/solve-jobs/${started.body.id}`)).body,
      );
    }
    // Whichever process is asked, the one job, its progress never going back.
    expect(new Set(seen.map((job) => job.id))).toEqual(new Set([started.body.id]));
    const fractions = seen.map((job) => job.fraction);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ state: 'done', fraction: 1, placed: 5, wanted: 5, error: null });
    for (const p of [a, b])
      expect((await call<SolveJobView>(p.url, token, 'GET', `/api/solve-jobs/${last.id}`)).body).toEqual(
        last,
      );
    const view = (await call<TimetableView>(b.url, token, 'GET', base)).body;
    expect(view.state).toBe('draft');
    expect(view.sessions).toHaveLength(5);
  });

  it('answers 404 for someone else’s export, another cluster’s solve, a malformed id and the other kind’s id, on both back ends', async () => {
    for (const [accepting, reading] of [
      [a, b],
      [solo, solo],
    ] as const) {
      const coordinator = await login(accepting.url, 'coordinator');
      const admin = await login(accepting.url, 'admin');
      const foreign = await login(accepting.url, foreignCoordinator.get(accepting)!, 'foreign-pass');
      const exported = await startExport(accepting, coordinator);
      const solving = (
        await call<SolveJobView>(
          accepting.url,
          coordinator,
          'POST',
          `/api/timetables/${clusterOf.get(accepting)}/${term}/solve`,
          {
            timeLimitMs: 200,
          },
        )
      ).body;
      const get = async (token: string, path: string) => (await call(reading.url, token, 'GET', path)).status;

      // The owner reads both.
      expect(await get(coordinator, `/api/report-exports/${exported.id}`)).toBe(200);
      expect(await get(coordinator, `/api/solve-jobs/${solving.id}`)).toBe(200);
      // Someone else's export, even the admin's asking; another cluster's solve.
      for (const token of [admin, foreign]) {
        expect(await get(token, `/api/report-exports/${exported.id}`)).toBe(404);
        expect(await get(token, `/api/report-exports/${exported.id}/file`)).toBe(404);
      }
      expect(await get(foreign, `/api/solve-jobs/${solving.id}`)).toBe(404);
      // The other kind's id.
      expect(await get(coordinator, `/api/solve-jobs/${exported.id}`)).toBe(404);
      expect(await get(coordinator, `/api/report-exports/${solving.id}`)).toBe(404);
      expect(await get(coordinator, `/api/report-exports/${solving.id}/file`)).toBe(404);
      // Forged and malformed ids.
      for (const id of [
        '00000000-0000-4000-8000-000000000000',
        'not-a-job',
        '1:logs',
        `${exported.id}:lock`,
        'x'.repeat(500),
        encodeURIComponent('{"$gt":""}'),
      ]) {
        expect(await get(coordinator, `/api/report-exports/${id}`)).toBe(404);
        expect(await get(coordinator, `/api/report-exports/${id}/file`)).toBe(404);
        expect(await get(coordinator, `/api/solve-jobs/${id}`)).toBe(404);
      }
      // Let the solve finish before the next round (one solve per cluster and term).
      await until(
        async () =>
          (await call<SolveJobView>(reading.url, coordinator, 'GET', `/api/solve-jobs/${solving.id}`)).body
            .state,
        (state) => state !== 'running',
        'the solve',
      );
    }
  });
});
