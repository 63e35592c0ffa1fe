/**
 * bench:scale — issue 13's benchmark: the signalling and board traffic of many simulated live
 * lessons (a teacher and 4 classrooms each, no media) through `npm run cluster` (HAProxy,
 * Redis, FerretDB over PostgreSQL, N server processes), for N = 1, 2 and 4, the same lessons
 * each time. A tenth of the teachers stream a stroke (a change every 16 ms, as the board does
 * while the pen moves). Measured: joins per second, the stroke latency teacher → classroom
 * (p50/p95/p99), CPU and heap per server process; then, on the largest N, the same with Redis
 * stopped and restarted once mid-stroke (changes lost must be 0).
 *
 * What it leaves out, honestly: media (no transports, so no RTP; see bench:sfu), and this
 * machine's 2 cores are shared by everything — the bench's own 2,500 sockets included — so
 * more processes here add no CPU: N > 1 shows the cost of the cluster's machinery (adapter,
 * leases), not its gain. The capacity model in the README divides per-process figures, it
 * does not read them off this machine.
 *
 * Usage: npm run bench:scale -- [--lessons=500] [--servers=1,2,4] [--seconds=20] [--drawing=0.1]
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { redisServerArgs } from '../scripts/lib/redis.mjs';
import { startCluster } from '../tests/helpers/cluster.ts';
import type { TestCluster } from '../tests/helpers/cluster.ts';
import { joinAll } from './lib/scale/lessonClients.ts';
import type { LessonClients } from './lib/scale/lessonClients.ts';
import { seedLessons } from './lib/scale/seed.ts';
import { drawFor } from './lib/scale/strokes.ts';
import type { StrokeRun } from './lib/scale/strokes.ts';
import { cpuPercent, groupCpuSeconds, loadAverage, serverMemory } from './lib/scale/usage.ts';
import { machine, textTable, writeResults } from './lib/results.ts';

const GOAL_P95_MS = 50;
const HEAP_GOAL_MIB = 500;

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}
const LESSONS = Number(option('lessons', '500'));
const SERVERS = option('servers', '1,2,4').split(',').map(Number);
const SECONDS = Number(option('seconds', '20'));
const DRAWING = Number(option('drawing', '0.1'));
const CLASSROOMS = 4;

interface ProcessFigures {
  name: string;
  cpuPercent: number;
  heapMiB: number;
  rssMiB: number;
}

interface ScaleRun {
  servers: number;
  lessons: number;
  sockets: number;
  joinSeconds: number;
  /** Time in each step of joining, summed over lessons, s. */
  joinSteps: Record<string, number>;
  socketsJoinedPerSecond: number;
  strokes: StrokeRun;
  /** CPU over the drawing phase, % of one core, heap and RSS at its end. */
  processes: ProcessFigures[];
  /** The rest of the cluster over the drawing phase, % of one core. */
  sharedCpuPercent: Record<string, number>;
  /**
   * CPU ms per socket joined (lesson start, join and board open included) and per board change
   * accepted (its fan-out to 4 classrooms included), by kind of process: the capacity model's
   * inputs (CPU time, not wall time: less sensitive to what else runs on the machine).
   */
  cpuMsPerSocketJoined: Record<string, number>;
  cpuMsPerChange: Record<string, number>;
  benchClientCpuPercent: number;
  loadAverage: number;
  redisRestart?: { strokes: StrokeRun; downSeconds: number };
}

/** Stops the cluster's Redis (SIGTERM: its append-only file is written) and starts it again. */
async function restartRedis(
  cluster: TestCluster,
  downMs: number,
): Promise<{ child: ChildProcess; downSeconds: number }> {
  const redis = cluster.process('redis');
  const stopped = performance.now();
  process.kill(redis.pid, 'SIGTERM');
  while (fs.existsSync(`/proc/${redis.pid}`)) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, downMs));
  const child = spawn('redis-server', redisServerArgs(redis.port, path.join(cluster.runDir, 'redis')), {
    stdio: 'ignore',
  });
  return { child, downSeconds: (performance.now() - stopped) / 1000 };
}

async function measure(servers: number, restart: boolean): Promise<ScaleRun> {
  console.log(`\n== ${servers} server process${servers > 1 ? 'es' : ''}: starting the cluster…`);
  const cluster = await startCluster({ servers, sfuWorkers: 1 });
  let ownRedis: ChildProcess | null = null;
  let clients: LessonClients[] = [];
  try {
    const mongoUri = `mongodb://127.0.0.1:${cluster.process('ferretdb').port}/sync-classroom`;
    const lessons = await seedLessons(mongoUri, cluster.runDir, LESSONS, CLASSROOMS);
    console.log(`   ${LESSONS} lessons seeded; joining ${LESSONS * (1 + CLASSROOMS)} sockets…`);
    const groups = cluster.info.processes.map((p) => p.pid);
    const joinCpuBefore = groupCpuSeconds(groups);
    const joined = await joinAll(cluster.url, lessons, 10);
    const joinCpu = groupCpuSeconds(groups);
    clients = joined.clients;
    const sockets = LESSONS * (1 + CLASSROOMS);
    console.log(`   joined in ${joined.seconds.toFixed(1)} s; drawing for ${SECONDS} s…`);

    const serverProcs = cluster.info.processes.filter((p) => p.role === 'server');
    const shared = cluster.info.processes.filter((p) => p.role !== 'server');
    const drawers = clients.slice(0, Math.max(1, Math.round(LESSONS * DRAWING)));
    const cpuBefore = groupCpuSeconds(groups);
    const benchBefore = process.cpuUsage();
    const t0 = performance.now();
    const strokes = await drawFor(drawers, SECONDS, 16);
    const wall = (performance.now() - t0) / 1000;
    const cpuAfter = groupCpuSeconds(groups);
    const cpu = cpuPercent(cpuBefore, cpuAfter, wall);
    /** CPU ms of each kind of process per unit of work, over the whole cluster's processes of that kind. */
    const costPer = (before: Map<number, number>, after: Map<number, number>, units: number) =>
      Object.fromEntries(
        ['server', ...shared.map((p) => p.name)].map((kind) => {
          const pids = cluster.info.processes.filter((p) =>
            kind === 'server' ? p.role === 'server' : p.name === kind,
          );
          const seconds = pids.reduce((n, p) => n + (after.get(p.pid) ?? 0) - (before.get(p.pid) ?? 0), 0);
          return [kind, (1000 * seconds) / units];
        }),
      );
    const bench = process.cpuUsage(benchBefore);
    const processes: ProcessFigures[] = [];
    for (const p of serverProcs)
      processes.push({ name: p.name, cpuPercent: cpu.get(p.pid) ?? NaN, ...(await serverMemory(p.port)) });
    const run: ScaleRun = {
      servers,
      lessons: LESSONS,
      sockets,
      joinSeconds: joined.seconds,
      joinSteps: joined.steps,
      socketsJoinedPerSecond: sockets / joined.seconds,
      strokes,
      processes,
      sharedCpuPercent: Object.fromEntries(shared.map((p) => [p.name, cpu.get(p.pid) ?? NaN])),
      cpuMsPerSocketJoined: costPer(joinCpuBefore, joinCpu, sockets),
      cpuMsPerChange: costPer(cpuBefore, cpuAfter, Math.max(1, strokes.accepted)),
      benchClientCpuPercent: (100 * (bench.user + bench.system)) / 1e6 / wall,
      loadAverage: loadAverage(),
    };
    if (restart) {
      console.log('   drawing again, Redis stopped for 3 s and restarted meanwhile…');
      let downSeconds = 0;
      const again = await drawFor(drawers, SECONDS, 16, async () => {
        await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 4));
        const restarted = await restartRedis(cluster, 3000);
        ownRedis = restarted.child;
        downSeconds = restarted.downSeconds;
      });
      run.redisRestart = { strokes: again, downSeconds };
    }
    return run;
  } finally {
    for (const c of clients) [c.teacher, ...c.classrooms].forEach((p) => p.close());
    await cluster.close();
    (ownRedis as ChildProcess | null)?.kill('SIGTERM');
  }
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'short');
const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '—');

async function main(): Promise<void> {
  const date = new Date();
  const runs: ScaleRun[] = [];
  const largest = Math.max(...SERVERS);
  for (const n of SERVERS) runs.push(await measure(n, n === largest));

  console.log(
    `\nbench:scale — ${LESSONS} lessons × (1 teacher + ${CLASSROOMS} classrooms), ${Math.round(LESSONS * DRAWING)} teachers drawing (a change every 16 ms) for ${SECONDS} s`,
  );
  const rows = runs.flatMap((r) => {
    const phases: [string, StrokeRun][] = [['steady', r.strokes]];
    if (r.redisRestart)
      phases.push([`Redis down ${r.redisRestart.downSeconds.toFixed(1)} s`, r.redisRestart.strokes]);
    return phases.map(([phase, s]) => [
      `${r.servers} process${r.servers > 1 ? 'es' : ''}`,
      phase,
      `${r.socketsJoinedPerSecond.toFixed(0)}/s`,
      `${(s.accepted / s.seconds).toFixed(0)}/s`,
      ms(s.latencyMs.p50),
      ms(s.latencyMs.p95),
      ms(s.latencyMs.p99),
      `${s.lost}`,
      `${s.reconnects}`,
      r.processes.map((p) => p.cpuPercent.toFixed(0)).join('/') + ' %',
      r.processes.map((p) => p.heapMiB.toFixed(0)).join('/') + ' MiB',
      `${r.benchClientCpuPercent.toFixed(0)} %`,
    ]);
  });
  for (const line of textTable(
    [
      'servers',
      'phase',
      'joins',
      'changes',
      'p50',
      'p95',
      'p99',
      'lost',
      'reconn.',
      'CPU/process',
      'heap/process',
      'bench CPU',
    ],
    rows,
  ))
    console.log(`  ${line}`);

  for (const r of runs) {
    const fmt = (costs: Record<string, number>): string =>
      Object.entries(costs)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ');
    console.log(`  CPU ms per socket joined, ${r.servers} process(es): ${fmt(r.cpuMsPerSocketJoined)}`);
    console.log(`  CPU ms per board change, ${r.servers} process(es): ${fmt(r.cpuMsPerChange)}`);
    const steps = Object.entries(r.joinSteps).map(
      ([k, v]) => `${k} ${((1000 * v) / r.lessons).toFixed(0)} ms`,
    );
    console.log(`  joining, per lesson, ${r.servers} process(es): ${steps.join(', ')}`);
    for (const s of [r.strokes, r.redisRestart?.strokes]) {
      // Grouped by kind (a stroke's id left out): one refused write refuses the rest of its stroke.
      const kinds = new Map<string, number>();
      for (const [why, n] of Object.entries(s?.refusals ?? {})) {
        const kind = why.replace(/item \S+/, 'item …');
        kinds.set(kind, (kinds.get(kind) ?? 0) + n);
      }
      for (const [kind, n] of kinds) console.log(`  refused ${n}×: ${kind}`);
    }
  }
  console.log('\ngoals');
  for (const r of runs) {
    const p95 = r.strokes.latencyMs.p95;
    console.log(
      `  ${r.servers} process(es): stroke p95 ${ms(p95)}  (goal < ${GOAL_P95_MS} ms)  ${verdict(p95 < GOAL_P95_MS)}`,
    );
    const heap = Math.max(...r.processes.map((p) => p.heapMiB));
    console.log(
      `  ${r.servers} process(es): heap per process ${heap.toFixed(0)} MiB  (goal < ${HEAP_GOAL_MIB} MiB)  ${verdict(heap < HEAP_GOAL_MIB)}`,
    );
    if (r.redisRestart) {
      const lost = r.redisRestart.strokes.lost;
      console.log(
        `  ${r.servers} process(es), Redis restarted: changes lost ${lost}  (goal 0)  ${verdict(lost === 0)}`,
      );
    }
  }
  console.log(
    `\nbaseline: the 1-process cluster of the same run. Load average at the end: ${runs.map((r) => r.loadAverage.toFixed(1)).join(' / ')}.` +
      "\nLeft out: media (see bench:sfu); every process shares this machine's cores with the bench's own sockets.",
  );
  await writeResults('scale', date, {
    bench: 'scale',
    date: date.toISOString(),
    machine: machine(),
    settings: {
      lessons: LESSONS,
      classroomsPerLesson: CLASSROOMS,
      drawingShare: DRAWING,
      seconds: SECONDS,
      changeEveryMs: 16,
    },
    goals: { strokeP95Ms: GOAL_P95_MS, heapPerProcessMiB: HEAP_GOAL_MIB, changesLostOnRedisRestart: 0 },
    runs,
  });
}

await main();
process.exit(0);
