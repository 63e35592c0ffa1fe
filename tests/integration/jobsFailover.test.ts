import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJobView } from '../../server/contract/reports.ts';
import type { SolveJobView, TimetableView } from '../../server/contract/timetable.ts';
import { EmbeddedFerretDb, defaultFerretdbBin } from '../../server/db/EmbeddedFerretDb.ts';
import { createLogger } from '../../server/logger.ts';
import { demoTerm } from '../../server/seed/term.ts';
import { login, makeDataDir, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { startRedis } from '../helpers/redis.ts';
import type { TestRedis } from '../helpers/redis.ts';
import { startServerProcess, stopServerProcess } from '../helpers/serverProcess.ts';

/** Polls `read` until `done` holds of its value (a generous deadline, not a timing claim). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A real kill: server process A (its own OS process, sharing the database, Redis and token
 * secret) accepts a solve and an export and is killed with SIGKILL while the solve runs;
 * process B, started afterwards, finishes both (BullMQ's stalled-job recovery) and saves the
 * solve's draft. The demo cluster solves in well under a second, so A's solver thread is
 * held (by a module loaded into A only) until A is killed: the solve is certainly running in
 * A, not finished, when A dies.
 */
describe('a job accepted by a server process that is then killed completes in another', () => {
  let redis: TestRedis;
  let ferret: EmbeddedFerretDb;
  const dirs: string[] = [];
  let b: TestPlatform | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    dirs.push(makeDataDir());
    ferret = await EmbeddedFerretDb.start({
      bin: defaultFerretdbBin(),
      dataDir: dirs[0]!,
      logger: createLogger('silent'),
    });
  }, 60_000);
  afterAll(async () => {
    if (b) {
      await b.close();
      removeDataDir(b.dataDir);
    }
    await ferret?.stop();
    await redis?.stop();
    for (const dir of dirs) removeDataDir(dir);
  });

  it('a solve running in the killed process is run again, saved and read as done from B; its export completes too', async () => {
    const env = {
      REDIS_URL: redis.url,
      MONGODB_URI: ferret.uri,
      JWT_SECRET: 'a-secret-shared-by-every-process-of-the-test',
    };
    const work = makeDataDir();
    dirs.push(work);
    const marker = path.join(work, 'solving');
    // Loaded by A's main thread and every thread it starts: a solver thread says it has
    // started, then waits far longer than the test, until the kill.
    const hold = path.join(work, 'hold-solver.mjs');
    fs.writeFileSync(
      hold,
      [
        "import fs from 'node:fs';",
        "import { isMainThread, workerData } from 'node:worker_threads';",
        "if (!isMainThread && String(workerData?.entry ?? '').endsWith('/timetable/worker/solve.ts')) {",
        `  fs.writeFileSync(${JSON.stringify(marker)}, String(process.pid));`,
        '  await new Promise((resolve) => setTimeout(resolve, 600_000));',
        '}',
      ].join('\n'),
    );
    const a = await startServerProcess(makeDataDirIn(dirs), env, { imports: [hold] });
    let solve: SolveJobView;
    let exported: ExportJobView;
    let token: string;
    let base: string;
    try {
      token = await login(a.url, 'coordinator');
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const clusters = (await (await fetch(`${a.url}/api/clusters`, { headers })).json()) as {
        items: { id: string }[];
      };
      const clusterId = clusters.items[0]!.id;
      base = `/api/timetables/${clusterId}/${demoTerm(new Date()).term}`;
      const accepted = await fetch(`${a.url}${base}/solve`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ timeLimitMs: 1000, seed: 5 }),
      });
      expect(accepted.status).toBe(202);
      solve = (await accepted.json()) as SolveJobView;
      await until(
        () => Promise.resolve(fs.existsSync(marker)),
        (started) => started,
        'the solve to start in process A',
      );
      const exportRes = await fetch(
        `${a.url}/api/reports/exports?clusterId=${clusterId}&period=month&format=xlsx`,
        { method: 'POST', headers },
      );
      expect(exportRes.status).toBe(202);
      exported = (await exportRes.json()) as ExportJobView;
    } finally {
      await stopServerProcess(a.child, 'SIGKILL');
    }

    // B starts after A is dead: only B's workers are left to finish A's jobs.
    b = await startPlatform({ env });
    const read = async <T>(p: string): Promise<T> =>
      (await (await fetch(`${b!.url}${p}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
    const solved = await until(
      () => read<SolveJobView>(`/api/solve-jobs/${solve.id}`),
      (job) => job.state !== 'running',
      'the solve to finish in process B',
    );
    expect(solved).toMatchObject({
      id: solve.id,
      state: 'done',
      fraction: 1,
      placed: 5,
      wanted: 5,
      error: null,
    });
    const view = await read<TimetableView>(base);
    expect(view.state).toBe('draft');
    expect(view.sessions).toHaveLength(5);

    const done = await until(
      () => read<ExportJobView>(`/api/report-exports/${exported.id}`),
      (job) => job.state !== 'running',
      'the export to finish',
    );
    expect(done).toEqual({ id: exported.id, state: 'done', fraction: 1, error: null });
    const file = await fetch(`${b.url}/api/report-exports/${exported.id}/file`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(file.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await file.arrayBuffer());
    expect(workbook.getWorksheet('汇总')).toBeDefined();
  }, 240_000);
});

/** A fresh data folder, remembered for removal. */
function makeDataDirIn(dirs: string[]): string {
  const dir = makeDataDir();
  dirs.push(dir);
  return dir;
}
