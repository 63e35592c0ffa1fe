/**
 * bench:join — the teacher presses start: how long until each classroom receives the teacher's
 * camera, step by step (issue #19 item 6), by two paths in the same run.
 *
 * The real server as its own process (one media worker), the demo lesson with `--classrooms`
 * classroom accounts added (bench/lib/benchClassrooms.ts). The classrooms are the load
 * client's receivers (rtcsink), whose signaling sockets are open before the start, as kiosks
 * waiting on the lesson's page; the teacher is the load client's publisher (wrtc, the
 * product's simulcast settings) in its own process. Each round runs both paths, one lesson each
 * (the teacher ends it; the demo schedules the next one at once):
 *
 * - waiting room (the product now): before the start the teacher joins and publishes and every
 *   classroom joins, creates its receive transport, consumes the camera and connects (DTLS), as
 *   the studio and the kiosks do from 15 minutes before the lesson; the teacher presses start
 *   and the server admits them all, resuming every consumer at once with a key frame request;
 * - after the start (the path before the waiting room, the baseline): the teacher presses start
 *   and publishes; each classroom, told that the lesson is live, does what the kiosk did
 *   (capabilities, lesson:join, receive transport, consume, DTLS parameters, resume).
 *
 * A round ends when every classroom has its first key frame.
 *
 * Per classroom, ms from the teacher's press: told (lesson:state), joined (lesson:join
 * answered), teacher's camera produced, signaled (consumers created and DTLS parameters
 * answered), ICE connected, DTLS connected, first video packet, first key frame (steps done
 * before the press read "before"). Also in the same run: the same classrooms joining a lesson
 * whose teacher already publishes (join → first key frame). The goal beside each path: every
 * classroom's first frame within 1 s of the press (p95), which the issue sets for decoded
 * frames in Chromium: decoding and drawing are left out here, so the figure is a lower bound.
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

/** The breakdown of every classroom, ms from the press (null: not seen; negative: before it). */
function breakdowns(
  snapshots: ReceiverSnapshot[],
  toldAt: number[],
  teacher: RemoteTeacher,
  start: number,
): Breakdown[] {
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
}

/**
 * One round by the waiting room: teacher and classrooms set up before the start, then the
 * teacher presses it; the breakdown per classroom.
 */
async function waitingRound(url: string, sink: RtcSink, tokens: string[], n: number): Promise<Breakdown[]> {
  const current = await getJson<CurrentLessonResponse>(url, '/api/lessons/current', tokens[0]!);
  const lessonId = current.lesson?.id;
  if (!lessonId || current.lesson?.state !== 'scheduled') throw new Error('no scheduled lesson to wait for');
  const receivers = tokens.map((_, i) => new ClassroomReceiver(sink, `w${n}-c${i}`, benchClassroom(i)));
  await Promise.all(receivers.map((r, i) => r.connect(url, tokens[i]!, lessonId)));
  const teacher = await RemoteTeacher.start(url, 'teacher', BENCH_PASSWORD, { startLater: true });
  try {
    await Promise.all(
      receivers.map(async (r, i) =>
        r.join(url, tokens[i]!, lessonId, await fetchCaps(url, tokens[i]!, lessonId)),
      ),
    );
    await untilConnected(sink, receivers);
    const told = receivers.map((r) => r.untilLive());
    const start = await teacher.pressStart();
    const toldAt = await Promise.all(told);
    return breakdowns(await untilKeyFrames(sink, receivers), toldAt, teacher, start);
  } finally {
    await Promise.all(receivers.map((r) => r.leave()));
    await teacher.stop({ end: true });
  }
}

/** Waits until every classroom's receive transport is connected (ICE and DTLS), as kiosks waiting are. */
async function untilConnected(sink: RtcSink, receivers: ClassroomReceiver[]): Promise<void> {
  const deadline = Date.now() + ROUND_LIMIT_MS;
  for (;;) {
    const peers = new Map((await sink.stats()).map((p) => [p.pc, p]));
    if (receivers.every((r) => r.snapshot(peers).timeline.dtlsAt > 0)) return;
    if (Date.now() > deadline) throw new Error(`classrooms not connected after ${ROUND_LIMIT_MS / 1000} s`);
    await sleep(50);
  }
}

/** One round by the path before the waiting room: the teacher presses start, then everyone joins. */
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
    return breakdowns(await untilKeyFrames(sink, receivers), toldAt, teacher, teacher.publishing.startedAt);
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
    const waitingRounds: Breakdown[][] = [];
    for (let n = 0; n < options.rounds; n++) {
      process.stderr.write(`round ${n + 1}/${options.rounds}: waiting room\n`);
      waitingRounds.push(await waitingRound(url, sink, tokens, n));
      await sleep(2000);
      process.stderr.write(`round ${n + 1}/${options.rounds}: joining after the start (baseline)\n`);
      rounds.push(await round(url, sink, tokens, n));
      await sleep(2000);
    }
    process.stderr.write('baseline: the teacher publishes first\n');
    const warm = await warmJoins(url, sink, tokens);
    const stats =
      (all: Breakdown[]) =>
      (step: Step, p: number): number =>
        percentile(all.map((b) => b[step] ?? NaN).filter(Number.isFinite), p);
    const waitingStat = stats(waitingRounds.flat());
    const afterStat = stats(rounds.flat());
    const cell = (v: number): string => (Number.isNaN(v) ? '–' : v < 0 ? 'before' : v.toFixed(0));
    console.log(
      `Teacher presses start → ${options.classrooms} classrooms receive the camera (${options.rounds} rounds per path, ms from the press; ` +
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${os.availableParallelism()} cores)\n`,
    );
    console.log(
      textTable(
        ['step', 'waiting room p50', 'p95', 'max', 'after the start p50', 'p95', 'max'],
        STEPS.map((step) => [
          step,
          ...[waitingStat, afterStat].flatMap((stat) => [50, 95, 100].map((p) => cell(stat(step, p)))),
        ]),
      ).join('\n'),
    );
    const p95 = waitingStat('firstKeyFrame', 95);
    const baselineP95 = afterStat('firstKeyFrame', 95);
    const verdict = (v: number): string => (v < GOAL_P95_MS ? 'ok' : 'short');
    console.log(
      `\nfirst key frame p95, goal < ${GOAL_P95_MS} ms (decoded in Chromium; here undecoded, a lower bound):\n` +
        `  waiting room (now)               ${p95.toFixed(0)} ms — ${verdict(p95)}\n` +
        `  joining after the start (before) ${baselineP95.toFixed(0)} ms — ${verdict(baselineP95)}`,
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
      paths: Object.fromEntries(
        (
          [
            ['waitingRoom', waitingStat],
            ['joinAfterStart', afterStat],
          ] as const
        ).map(([name, stat]) => [
          name,
          Object.fromEntries(
            STEPS.map((s) => [s, { p50: stat(s, 50), p95: stat(s, 95), max: stat(s, 100) }]),
          ),
        ]),
      ),
      teacherAlreadyPublishing: { joinToFirstKeyFrameMs: warm },
      rounds: { waitingRoom: waitingRounds, joinAfterStart: rounds },
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
