/**
 * bench:join — the teacher presses start: how long until each classroom receives the teacher's
 * camera, step by step (issue #19 item 6, measurement only).
 *
 * The real server as its own process (one media worker), the demo lesson with `--classrooms`
 * classroom accounts added (bench/lib/benchClassrooms.ts). The classrooms are the load
 * client's receivers (rtcsink), whose signaling sockets are open before the start, as kiosks
 * waiting on the lesson's page; the teacher is the load client's publisher (wrtc, the
 * product's simulcast settings) in its own process. Each round: the teacher presses start and
 * publishes; each classroom, told by the server that the lesson is live, does what the kiosk
 * does (capabilities, lesson:join, receive transport, consume when the camera appears, DTLS
 * parameters, resume); the round ends when every classroom has its first key frame, then the
 * teacher ends the lesson (the demo schedules the next one at once).
 *
 * Per classroom, ms from the teacher's press: told (lesson:state), joined (lesson:join
 * answered), teacher's camera produced, signaled (consumers created and DTLS parameters
 * answered), ICE connected, DTLS connected, first video packet, first key frame. The baseline
 * in the same run: the same classrooms joining a lesson whose teacher already publishes
 * (join → first key frame). The goal beside it: every classroom's first frame within 1 s of
 * the press (p95), which the issue sets for decoded frames in Chromium: decoding and drawing
 * are left out here, so the figure is a lower bound.
 *
 *   npm run bench:join -- --classrooms 8 --rounds 3
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup-client';
import { z } from 'zod';
import type { CurrentLessonResponse } from '../server/contract/api.ts';
import { startServerProcess, stopServerProcess } from '../tests/helpers/serverProcess.ts';
import { receiverCapabilities } from './loadclient/capabilities.ts';
import { ClassroomReceiver } from './loadclient/ClassroomReceiver.ts';
import type { ReceiverSnapshot } from './loadclient/ClassroomReceiver.ts';
import { RemoteTeacher } from './loadclient/RemoteTeacher.ts';
import { RtcSink } from './loadclient/RtcSink.ts';
import { getJson, signIn } from './loadclient/signaling.ts';
import { BENCH_PASSWORD, benchClassroom, seedBenchClassrooms } from './lib/benchClassrooms.ts';
import { machine, textTable, writeResults } from './lib/results.ts';
import { percentile } from './lib/stats.ts';

/** The goal: every classroom's first frame within this long of the press (p95), ms (issue #19). */
const GOAL_P95_MS = 1000;
/** How long a round may take before it counts as failed, ms. */
const ROUND_LIMIT_MS = 30_000;

const Options = z.object({
  classrooms: z.coerce.number().int().min(1).max(64),
  rounds: z.coerce.number().int().min(1).max(20),
});

const STEPS = [
  'told',
  'joined',
  'teacherCamera',
  'signaled',
  'ice',
  'dtls',
  'firstPacket',
  'firstKeyFrame',
] as const;
type Step = (typeof STEPS)[number];
type Breakdown = Record<Step, number | null>;

async function fetchCaps(url: string, token: string, lessonId: string): Promise<types.RtpCapabilities> {
  const { routerRtpCapabilities } = await getJson<{ routerRtpCapabilities: types.RtpCapabilities }>(
    url,
    `/api/lessons/${lessonId}/rtp-capabilities`,
    token,
  );
  return receiverCapabilities(routerRtpCapabilities);
}

async function untilKeyFrames(sink: RtcSink, receivers: ClassroomReceiver[]): Promise<ReceiverSnapshot[]> {
  const deadline = Date.now() + ROUND_LIMIT_MS;
  for (;;) {
    const peers = new Map((await sink.stats()).map((p) => [p.pc, p]));
    const snapshots = receivers.map((r) => r.snapshot(peers));
    if (snapshots.every((s) => s.timeline.firstKeyFrameAt > 0)) return snapshots;
    if (Date.now() > deadline)
      throw new Error(
        `${snapshots.filter((s) => !s.timeline.firstKeyFrameAt).length} classrooms without a key frame after ${ROUND_LIMIT_MS / 1000} s`,
      );
    await sleep(50);
  }
}

/** One round: classrooms waiting, the teacher presses start; the breakdown per classroom. */
async function round(url: string, sink: RtcSink, tokens: string[], n: number): Promise<Breakdown[]> {
  const current = await getJson<CurrentLessonResponse>(url, '/api/lessons/current', tokens[0]!);
  const lessonId = current.lesson?.id;
  if (!lessonId) throw new Error('no lesson to start');
  const receivers = tokens.map((_, i) => new ClassroomReceiver(sink, `r${n}-c${i}`, benchClassroom(i)));
  await Promise.all(receivers.map((r, i) => r.connect(url, tokens[i]!, lessonId)));
  const told = receivers.map((r) => r.untilLive());
  const joins = receivers.map(async (r, i) => {
    const at = await told[i]!;
    await r.join(url, tokens[i]!, lessonId, await fetchCaps(url, tokens[i]!, lessonId));
    return at;
  });
  const teacher = await RemoteTeacher.start(url, 'teacher', BENCH_PASSWORD);
  try {
    const toldAt = await Promise.all(joins);
    const snapshots = await untilKeyFrames(sink, receivers);
    const start = teacher.publishing.startedAt;
    const since = (t: number): number | null => (t > 0 ? t - start : null);
    return snapshots.map((s, i) => ({
      told: toldAt[i]! - start,
      joined: since(s.timeline.joinedAt),
      teacherCamera: teacher.publishing.readyAt - start,
      signaled: since(s.timeline.signaledAt),
      ice: since(s.timeline.iceAt),
      dtls: since(s.timeline.dtlsAt),
      firstPacket: since(s.timeline.firstVideoAt),
      firstKeyFrame: since(s.timeline.firstKeyFrameAt),
    }));
  } finally {
    await Promise.all(receivers.map((r) => r.leave()));
    await teacher.stop({ end: true });
  }
}

/** The baseline: the teacher publishes first, then the classrooms join; join → first key frame, ms. */
async function warmJoins(url: string, sink: RtcSink, tokens: string[]): Promise<number[]> {
  const teacher = await RemoteTeacher.start(url, 'teacher', BENCH_PASSWORD);
  const receivers = tokens.map((_, i) => new ClassroomReceiver(sink, `warm-c${i}`, benchClassroom(i)));
  try {
    const lessonId = teacher.publishing.lessonId;
    await Promise.all(
      receivers.map(async (r, i) =>
        r.join(url, tokens[i]!, lessonId, await fetchCaps(url, tokens[i]!, lessonId)),
      ),
    );
    const snapshots = await untilKeyFrames(sink, receivers);
    return snapshots.map((s) => s.timeline.firstKeyFrameAt - s.timeline.startedAt);
  } finally {
    await Promise.all(receivers.map((r) => r.leave()));
    await teacher.stop({ end: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { classrooms: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' } },
  });
  const options = Options.parse(values);
  const date = new Date();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-join-'));
  await seedBenchClassrooms(dataDir, options.classrooms);
  const { child, url } = await startServerProcess(dataDir, { SFU_WORKERS: '1', DEMO_LESSON_MINUTES: '120' });
  const sink = RtcSink.start();
  try {
    const tokens: string[] = [];
    for (let i = 0; i < options.classrooms; i++)
      tokens.push(await signIn(url, benchClassroom(i), BENCH_PASSWORD));
    const rounds: Breakdown[][] = [];
    for (let n = 0; n < options.rounds; n++) {
      process.stderr.write(`round ${n + 1}/${options.rounds}\n`);
      rounds.push(await round(url, sink, tokens, n));
      await sleep(2000);
    }
    process.stderr.write('baseline: the teacher publishes first\n');
    const warm = await warmJoins(url, sink, tokens);
    const all = rounds.flat();
    const stat = (step: Step, p: number): number =>
      percentile(all.map((b) => b[step] ?? NaN).filter(Number.isFinite), p);
    console.log(
      `Teacher presses start → ${options.classrooms} classrooms receive the camera (${options.rounds} rounds, ms from the press; ` +
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${os.availableParallelism()} cores)\n`,
    );
    console.log(
      textTable(
        ['step', 'p50 ms', 'p95 ms', 'max ms'],
        STEPS.map((step) => [
          step,
          '',
          stat(step, 50).toFixed(0),
          stat(step, 95).toFixed(0),
          stat(step, 100).toFixed(0),
        ]),
      ).join('\n'),
    );
    const p95 = stat('firstKeyFrame', 95);
    console.log(
      `\nfirst key frame p95 ${p95.toFixed(0)} ms vs goal < ${GOAL_P95_MS} ms (decoded in Chromium; here undecoded, a lower bound) — ${p95 < GOAL_P95_MS ? 'ok' : 'short'}`,
    );
    console.log(
      `baseline, teacher already publishing: join → first key frame p50 ${percentile(warm, 50).toFixed(0)} ms, p95 ${percentile(warm, 95).toFixed(0)} ms`,
    );
    console.log(
      '\nLeft out: decoding and drawing the frame (the issue counts a decoded frame in Chromium); the kiosk page’s own ' +
        'work (its REST calls for the lesson, mediasoup-client’s device load); shaped links; the load client shares the cores.',
    );
    await writeResults('join', date, {
      date: date.toISOString(),
      environment: { ...machine(), loadAverage: os.loadavg() },
      settings: options,
      goal: { firstKeyFrameP95Ms: GOAL_P95_MS },
      steps: Object.fromEntries(
        STEPS.map((s) => [s, { p50: stat(s, 50), p95: stat(s, 95), max: stat(s, 100) }]),
      ),
      baseline: { joinToFirstKeyFrameMs: warm },
      rounds,
    });
  } finally {
    await sink.quit();
    await stopServerProcess(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
