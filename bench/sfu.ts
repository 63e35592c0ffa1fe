/**
 * bench:sfu — one teacher to K classrooms over real WebRTC, through the platform, beside bare
 * mediasoup in the same run.
 *
 * The teacher is the load client's publisher (bench/loadclient: wrtc, libwebrtc M106, under
 * mediasoup-client) sending a synthetic 720p camera in the product's three simulcast layers
 * (client/src/media/encodings.ts) and a microphone; the K classrooms are the load client's
 * receivers (rtcsink: pion WebRTC, ICE/DTLS/SRTP, NACK, receiver reports, transport-wide CC),
 * which count RTP without decoding. Both sign in and signal as the product's pages do.
 *
 * - platform: the real server as its own process (embedded FerretDB, one media worker), the
 *   demo lesson with K classrooms added to it, each with its own classroom account
 *   (bench/lib/benchClassrooms.ts); the platform picks each classroom's layer (budget,
 *   bandwidth estimate).
 * - bare: one mediasoup worker behind the least signaling the load client needs
 *   (bench/lib/bareSignaling.ts); mediasoup picks the layers by its own estimate.
 *
 * Each K runs on a fresh server of each path (order alternating per K). After the joins and a
 * warm-up (the platform moves a classroom up a layer after 8 s of a good estimate), a window
 * of `--seconds` is measured: what the classrooms received (bit rate, packets, loss, layer
 * from the key frames' size), CPU of the media worker and of every other process from /proc,
 * worker memory, time from each classroom's join to its first video packet.
 *
 *   npm run bench:sfu                               # K = 8, 32, 128
 *   npm run bench:sfu -- --ks 8,32,128,200 --seconds 20 --warmup 15
 *   npm run bench:sfu -- --bwe off     # no transport-wide CC from the classrooms: no link
 *                                      # estimate, every classroom on the top layer (the anchor's case)
 *
 * Goals beside the figures: LiveKit 1.13.5's anchor measured on this machine (issue #19: 128
 * subscribers of the 720p layer, 199 Mbit/s forwarded with 37.5 % of one core, 13 µs of CPU
 * per forwarded packet; 8 subscribers: 38 µs per packet), and the platform within 10 % of bare
 * mediasoup per forwarded packet. LiveKit cannot run here: its figures are printed, not
 * re-measured. Exits 1 if a classroom received nothing in the window, or never a video packet.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import * as mediasoup from 'mediasoup';
import { z } from 'zod';
import type { SfuStatsResponse } from '../server/contract/api.ts';
import { TEACHER_CAMERA_LAYERS, TEACHER_CAPTURE } from '../client/src/media/encodings.ts';
import { startMediaNode } from '../tests/helpers/mediaNode.ts';
import { startRedis } from '../tests/helpers/redis.ts';
import { startServerProcess, stopServerProcess } from '../tests/helpers/serverProcess.ts';
import { LoadClient } from './loadclient/LoadClient.ts';
import type { Account, ClassroomReport } from './loadclient/LoadClient.ts';
import { getJson, signIn } from './loadclient/signaling.ts';
import { startBareServer } from './lib/bareSignaling.ts';
import { BENCH_PASSWORD, benchClassroom, seedBenchClassrooms } from './lib/benchClassrooms.ts';
import { processMemory } from './lib/memory.ts';
import { cpuOf } from './lib/procCpu.ts';
import { percentile } from './lib/stats.ts';
import { machine, textTable, writeResults } from './lib/results.ts';

const PASSWORD = 'demo2026';
const TEACHER: Account = { username: 'teacher', password: PASSWORD };

/** LiveKit server 1.13.5 on this machine (issue #19), one publisher → K subscribers on the 720p layer. */
const LIVEKIT_ANCHOR: Record<number, { usPerPacket: number; mbps?: number; cpuPercent?: number }> = {
  8: { usPerPacket: 38 },
  128: { usPerPacket: 13, mbps: 199, cpuPercent: 37.5 },
};
/** The platform's CPU per forwarded packet may exceed bare mediasoup's by this ratio at most (issue #19). */
const PLATFORM_OVER_BARE = 1.1;

const Options = z.object({
  ks: z
    .string()
    .transform((s) => s.split(',').map((k) => Number(k.trim())))
    .pipe(z.array(z.number().int().min(1).max(400)).min(1)),
  seconds: z.coerce.number().min(5).max(600),
  warmup: z.coerce.number().min(2).max(120),
  paths: z
    .string()
    .transform((s) => s.split(',').map((p) => p.trim()))
    .pipe(z.array(z.enum(['platform', 'bare', 'nodes'])).min(1)),
  bwe: z.enum(['on', 'off']),
  concurrency: z.coerce.number().int().min(1).max(64),
});
/** platform: one server process with its own worker; nodes: the lesson as a broadcast over 2 media nodes; bare: mediasoup alone. */
type Path = 'platform' | 'bare' | 'nodes';

function parseOptions(): z.infer<typeof Options> {
  const { values } = parseArgs({
    options: {
      ks: { type: 'string', default: '8,32,128' },
      seconds: { type: 'string', default: process.env['BENCH_SECONDS'] ?? '20' },
      warmup: { type: 'string', default: '15' },
      paths: { type: 'string', default: 'platform,bare' },
      bwe: { type: 'string', default: 'on' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  return Options.parse(values);
}

/** One run: one path at one K. CPU in % of one core over the window. */
interface Run {
  k: number;
  path: Path;
  seconds: number;
  /** Time for all K classrooms to join (16 at a time), s. */
  joinSeconds: number;
  /** Received by all classrooms: RTP bit rate (headers included), packets per second. */
  mbps: number;
  packetsPerSecond: number;
  /** Media workers (summed over the nodes' for a broadcast): CPU %, CPU per received packet (µs), RSS and peak RSS at the end (MiB). */
  workers: number;
  workerCpuPercent: number;
  usPerPacket: number;
  workerRssMiB: number;
  workerPeakRssMiB: number;
  /** The server's Node process (signaling, health, attendance; platform only), %. */
  serverCpuPercent: number | null;
  /** The load client on the same cores: the teacher (three VP8 encodes), rtcsink, this bench. */
  teacherCpuPercent: number;
  sinkCpuPercent: number;
  benchCpuPercent: number;
  /** Packets that never arrived, % of those expected (all classrooms). */
  lossPct: number;
  /** From each classroom's join to its first video packet, ms. */
  firstPacketP50Ms: number;
  firstPacketP95Ms: number;
  /** Classrooms per layer received at the window's end (key frame size), lowest first. */
  layers: number[];
  /** Classrooms that received no video in the window (sound only: their link estimate is below the lowest layer). */
  videoPaused: number;
  /** What the teacher's encoder sent per simulcast layer in the window (its stats, 1 s apart), kbit/s. */
  teacherSendsKbps: number[];
  /** Classrooms below the top layer at the end, by the SFU's own account (platform only). */
  serverBelowTop: number | null;
  classrooms: Omit<ClassroomReport, 'snapshot'>[];
}

function progress(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/** A target of the load: where the classrooms connect, and which processes to read. */
interface Target {
  url: string;
  serverPid: number | null;
  /** The media workers carrying the lesson (one; two for a broadcast over two nodes). */
  workerPids(): Promise<number[]>;
  stop(): Promise<void>;
}

async function startPlatform(k: number, env: Record<string, string> = {}): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sfu-'));
  await seedBenchClassrooms(dataDir, k);
  const { child, url } = await startServerProcess(dataDir, {
    SFU_WORKERS: '1',
    DEMO_LESSON_MINUTES: '120',
    ...env,
  });
  return {
    url,
    serverPid: child.pid!,
    async workerPids() {
      const token = await signIn(url, 'admin', PASSWORD);
      const sfu = await getJson<SfuStatsResponse>(url, '/api/admin/sfu', token);
      const busy = sfu.workers.filter((w) => w.routers > 0);
      const workers = busy.length ? busy : sfu.workers.slice(0, 1);
      if (!workers.length) throw new Error('the server has no media worker');
      return workers.map((w) => w.pid);
    },
    async stop() {
      await stopServerProcess(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The product's broadcast path: Redis, two media node processes (one worker each) and the
 * server with MEDIA_NODES=true; with ⌈K/2⌉ classrooms per router the lesson is two rooms, one on
 * each node, piped together.
 */
async function startNodes(k: number): Promise<Target> {
  const redis = await startRedis();
  const secret = 'bench-media-node-secret-0123456789abcdef';
  const env = { REDIS_URL: redis.url, MEDIA_NODE_SECRET: secret };
  const nodes = await Promise.all([
    startMediaNode('bench-node-1', {
      ...env,
      RTC_MIN_PORT: '42000',
      RTC_MAX_PORT: '45999',
      LOG_LEVEL: 'warn',
      // The product's report interval (the tests' helper reports every 0.5 s).
      MEDIA_NODE_REPORT_MS: '2000',
    }),
    startMediaNode('bench-node-2', {
      ...env,
      RTC_MIN_PORT: '46000',
      RTC_MAX_PORT: '49999',
      LOG_LEVEL: 'warn',
      // The product's report interval (the tests' helper reports every 0.5 s).
      MEDIA_NODE_REPORT_MS: '2000',
    }),
  ]);
  try {
    const platform = await startPlatform(k, {
      ...env,
      MEDIA_NODES: 'true',
      CLASSROOMS_PER_ROUTER: String(Math.max(1, Math.ceil(k / 2))),
    });
    return {
      ...platform,
      async stop() {
        await platform.stop();
        await Promise.all(nodes.map((n) => n.stop()));
        await redis.stop();
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    await redis.stop();
    throw error;
  }
}

async function startBare(): Promise<Target> {
  const bare = await startBareServer();
  return {
    url: bare.url,
    serverPid: null,
    workerPids: () => Promise.resolve([bare.workerPid]),
    stop: () => bare.close(),
  };
}

async function runOnce(k: number, which: Path, options: z.infer<typeof Options>): Promise<Run> {
  const target =
    which === 'platform'
      ? await startPlatform(k)
      : which === 'nodes'
        ? await startNodes(k)
        : await startBare();
  const classrooms: Account[] = Array.from({ length: k }, (_, i) => ({
    username: benchClassroom(i),
    password: BENCH_PASSWORD,
  }));
  let load: LoadClient | null = null;
  try {
    load = await LoadClient.teach({ url: target.url, teacher: TEACHER });
    const joinStart = performance.now();
    await load.join({
      url: target.url,
      teacher: TEACHER,
      classrooms,
      seats: k,
      bandwidthEstimation: options.bwe === 'on',
      concurrency: options.concurrency,
    });
    const joinSeconds = (performance.now() - joinStart) / 1000;
    await sleep(options.warmup * 1000);
    const workerPids = await target.workerPids();
    const pids: Record<string, number> = {
      ...Object.fromEntries(workerPids.map((pid, i) => [`worker${i}`, pid])),
      teacher: load.teacher.pid,
      sink: load.sink.pid,
      bench: process.pid,
      ...(target.serverPid ? { server: target.serverPid } : {}),
    };
    const sentBefore = load.teacher.layers;
    const cpuBefore = await cpuOf(pids);
    const started = performance.now();
    const reports = await load.measure(options.seconds * 1000);
    const cpuAfter = await cpuOf(pids);
    const seconds = (performance.now() - started) / 1000;
    const sentAfter = load.teacher.layers;
    const memories = await Promise.all(workerPids.map((pid) => processMemory(pid)));
    const memory = {
      rssKiB: memories.reduce((n, m) => n + m.rssKiB, 0),
      peakRssKiB: memories.reduce((n, m) => n + m.peakRssKiB, 0),
    };
    const workerCpuMs = workerPids.reduce(
      (n, _, i) => n + cpuAfter[`worker${i}`]! - cpuBefore[`worker${i}`]!,
      0,
    );
    const percent = (name: string): number => ((cpuAfter[name]! - cpuBefore[name]!) / seconds / 1000) * 100;
    // Broken, not slow: a classroom that received nothing, or never a video packet. (Video alone
    // may stop in a window: below the lowest layer's need, the SFU keeps a classroom on sound.)
    const silent = reports.filter((r) => r.kbps === 0 || r.firstPacketMs === null);
    if (silent.length > 0)
      throw new Error(
        `${which}, K=${k}: ${silent.length} classrooms received no media (${silent[0]!.seat}…)`,
      );
    const packets = reports.reduce((n, r) => n + r.packets, 0);
    const first = reports.map((r) => r.firstPacketMs ?? NaN).filter(Number.isFinite);
    const layers = TEACHER_CAMERA_LAYERS.map((_, i) => reports.filter((r) => r.layer === i).length);
    const top = TEACHER_CAMERA_LAYERS.length - 1;
    const cpuMs = workerCpuMs;
    return {
      k,
      path: which,
      seconds,
      joinSeconds,
      mbps: reports.reduce((n, r) => n + r.kbps, 0) / 1000,
      packetsPerSecond: packets / seconds,
      workerCpuPercent: (workerCpuMs / seconds / 1000) * 100,
      workers: workerPids.length,
      usPerPacket: packets > 0 ? (cpuMs * 1000) / packets : NaN,
      workerRssMiB: memory.rssKiB / 1024,
      workerPeakRssMiB: memory.peakRssKiB / 1024,
      serverCpuPercent: target.serverPid ? percent('server') : null,
      teacherCpuPercent: percent('teacher'),
      sinkCpuPercent: percent('sink'),
      benchCpuPercent: percent('bench'),
      lossPct: weightedLoss(reports),
      firstPacketP50Ms: percentile(first, 50),
      firstPacketP95Ms: percentile(first, 95),
      layers,
      videoPaused: reports.filter((r) => r.videoKbps === 0).length,
      teacherSendsKbps: sentAfter.map((l) => {
        const before = sentBefore.find((b) => b.rid === l.rid)?.bytesSent ?? 0;
        return ((l.bytesSent - before) * 8) / seconds / 1000;
      }),
      serverBelowTop: which === 'bare' ? null : reports.filter((r) => (r.serverLayer ?? -1) < top).length,
      classrooms: reports.map(({ snapshot: _snapshot, ...rest }) => rest),
    };
  } finally {
    await load?.stop({ end: which !== 'bare' }).catch(() => undefined);
    await target.stop();
  }
}

/** Loss over all classrooms: packets lost over packets expected in the window, %. */
function weightedLoss(reports: ClassroomReport[]): number {
  const expected = reports.reduce((n, r) => n + r.expected, 0);
  return expected > 0 ? (reports.reduce((n, r) => n + r.lost, 0) / expected) * 100 : 0;
}

function formatRuns(runs: Run[]): string {
  const header = [
    'K',
    'path',
    'Mbit/s',
    'pkt/s',
    'worker CPU %',
    'µs/pkt',
    'worker RSS MiB',
    'loss %',
    '1st pkt p50/p95 ms',
    `layers ${TEACHER_CAMERA_LAYERS.map((e) => `${TEACHER_CAPTURE.height / (e.scaleResolutionDownBy ?? 1)}p`).join('/')}`,
    'video paused',
    'teacher sends kbit/s',
    'server CPU %',
    'load client CPU % (teacher+sink+bench)',
    'join s',
  ];
  const rows = runs.map((r) => [
    String(r.k),
    r.path,
    r.mbps.toFixed(1),
    r.packetsPerSecond.toFixed(0),
    r.workerCpuPercent.toFixed(1),
    r.usPerPacket.toFixed(1),
    `${r.workerRssMiB.toFixed(0)} (peak ${r.workerPeakRssMiB.toFixed(0)})`,
    r.lossPct.toFixed(2),
    `${r.firstPacketP50Ms.toFixed(0)}/${r.firstPacketP95Ms.toFixed(0)}`,
    r.layers.join('/'),
    String(r.videoPaused),
    r.teacherSendsKbps.map((k) => k.toFixed(0)).join('/'),
    r.serverCpuPercent === null ? '—' : r.serverCpuPercent.toFixed(1),
    `${r.teacherCpuPercent.toFixed(0)}+${r.sinkCpuPercent.toFixed(0)}+${r.benchCpuPercent.toFixed(0)}`,
    r.joinSeconds.toFixed(1),
  ]);
  return textTable(header, rows).join('\n');
}

/** Goal lines: each goal beside the measured figure, ok or short. */
function formatGoals(runs: Run[]): { lines: string[]; goals: Record<string, unknown>[] } {
  const lines: string[] = [];
  const goals: Record<string, unknown>[] = [];
  const verdict = (ok: boolean): string => (ok ? 'ok' : 'short');
  for (const k of [...new Set(runs.map((r) => r.k))]) {
    const platform = runs.find((r) => r.k === k && r.path === 'platform');
    const bare = runs.find((r) => r.k === k && r.path === 'bare');
    const anchor = LIVEKIT_ANCHOR[k];
    if (platform && anchor) {
      const ok = platform.usPerPacket <= anchor.usPerPacket;
      goals.push({
        k,
        goal: 'µs per forwarded packet ≤ LiveKit',
        measured: platform.usPerPacket,
        anchor: anchor.usPerPacket,
        ok,
      });
      lines.push(
        `K=${k}: platform ${platform.usPerPacket.toFixed(1)} µs/packet vs LiveKit ${anchor.usPerPacket} µs — ${verdict(ok)}` +
          (anchor.mbps
            ? ` (LiveKit: ${anchor.mbps} Mbit/s with ${anchor.cpuPercent} % of a core; platform: ${platform.mbps.toFixed(0)} Mbit/s with ${platform.workerCpuPercent.toFixed(1)} %)`
            : ''),
      );
    }
    if (platform && bare) {
      const ratio = platform.usPerPacket / bare.usPerPacket;
      const ok = ratio <= PLATFORM_OVER_BARE;
      goals.push({ k, goal: 'platform / bare µs per packet ≤ 1.10', measured: ratio, ok });
      lines.push(
        `K=${k}: platform/bare CPU per packet ${ratio.toFixed(2)} (platform ${platform.usPerPacket.toFixed(1)}, bare ${bare.usPerPacket.toFixed(1)} µs; goal ≤ ${PLATFORM_OVER_BARE}) — ${verdict(ok)}`,
      );
    }
  }
  return { lines, goals };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const date = new Date();
  const loadBefore = os.loadavg();
  const budgetMs = options.ks.length * options.paths.length * (options.warmup + options.seconds + 240) * 1000;
  setTimeout(() => {
    process.stderr.write(`bench exceeded its time budget (${budgetMs / 1000} s)\n`);
    process.exit(1);
  }, budgetMs).unref();
  const runs: Run[] = [];
  // A run that fails (the server stops answering, a classroom gets nothing) is a finding too:
  // reported and written with the others; the bench then exits 1.
  const failures: { k: number; path: Path; error: string }[] = [];
  for (const [i, k] of options.ks.entries()) {
    const paths = i % 2 === 0 ? options.paths : [...options.paths].reverse();
    for (const which of paths) {
      progress(`K=${k} ${which}: start, join, ${options.warmup} s warm-up, ${options.seconds} s window`);
      try {
        const run = await runOnce(k, which, options);
        progress(
          `K=${k} ${which}: ${run.mbps.toFixed(1)} Mbit/s, worker ${run.workerCpuPercent.toFixed(1)} %, ${run.usPerPacket.toFixed(1)} µs/packet`,
        );
        runs.push(run);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        progress(`K=${k} ${which}: failed: ${message}`);
        failures.push({ k, path: which, error: message });
      }
    }
  }
  const { lines, goals } = formatGoals(runs);
  console.log(
    `SFU fan-out over WebRTC: one teacher (wrtc, ${TEACHER_CAPTURE.width}x${TEACHER_CAPTURE.height}@${TEACHER_CAPTURE.frameRate}, ` +
      `simulcast ${TEACHER_CAMERA_LAYERS.map((e) => (e.maxBitrate ?? 0) / 1000).join('/')} kbit/s + Opus) → K classrooms (rtcsink, undecoded), ` +
      `${options.seconds} s windows after ${options.warmup} s warm-up, bandwidth estimation ${options.bwe}; load average before ${loadBefore.map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores\n`,
  );
  console.log(formatRuns(runs));
  console.log('');
  for (const line of lines) console.log(line);
  for (const f of failures) console.log(`K=${f.k} ${f.path}: FAILED — ${f.error}`);
  console.log(
    '\nLeft out: the load client (teacher encoder, rtcsink, this process) and the server run on the same cores as the worker ' +
      '(their CPU is in the table); no link is shaped (loopback); LiveKit’s figures are the issue’s, not re-measured, and its ' +
      'top layer was 1.5 Mbit/s (ours 1.2); platform and bare: one worker; nodes: two media node processes with one worker ' +
      'each, the lesson split over them by a pipe (its worker CPU includes forwarding down the pipe; the Mbit/s are what ' +
      'the classrooms received); the classrooms receive ' +
      'but send nothing back.',
  );
  await writeResults('sfu', date, {
    date: date.toISOString(),
    environment: { ...machine(), mediasoup: mediasoup.version, loadAverageBefore: loadBefore },
    settings: { ...options, teacher: { capture: TEACHER_CAPTURE, layers: TEACHER_CAMERA_LAYERS } },
    anchor: { livekit: LIVEKIT_ANCHOR, platformOverBare: PLATFORM_OVER_BARE },
    goals,
    runs,
    failures,
  });
  if (failures.length > 0) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
