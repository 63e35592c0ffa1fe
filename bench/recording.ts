/**
 * bench:recording — what recording a lesson costs where its media is, and how fast its MP4
 * is made (issue 14).
 *
 * A teacher camera (VP8, 1280×720, 30 fps, ~1.5 Mbit/s, a key frame every 2 s) and voice
 * (Opus) are sent into a real mediasoup router from a pre-encoded clip (so the sender costs
 * little), and recorded for `--seconds` (default 60) by the platform's recorder
 * (`LessonRecorder`: ffmpeg copying RTP into 4-s Matroska segments). Measured:
 * - the recorder's CPU (its ffmpeg's user + system time over the run) as % of one core;
 *   goal ≤ 5 % per lesson, no re-encoding;
 * - baseline in the same run: a recorder that re-encodes the same streams (ffmpeg reading
 *   the same RTP, libx264 veryfast + AAC, as Jibri-like recorders do), its CPU the same way;
 * - storage per lesson-hour of the raw segments;
 * - composition (`server/recording/compose.ts`, libx264 ultrafast at 20 fps, AAC) of the
 *   recorded lesson into one MP4, as × real time (goal ≥ 4×), with the board: a synthetic
 *   board log (a pen stroke streamed over a second every 3 s, a courseware page every
 *   minute) drawn into frames (`boardFrames.ts`, @napi-rs/canvas) beside the camera
 *   (1280×540), the drawing time included; baseline in the same run: the camera alone
 *   (960×540), as composed before the board was drawn in.
 * Left out: the teacher's screen share and the floor classroom's streams (each one more
 * copying recorder of the same kind, and one more picture to scale in composition), and
 * machines busier than this one is during the run.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LessonRoom, WorkerPool } from '../sfu/index.ts';
import { LessonRecorder } from '../sfu/recording/LessonRecorder.ts';
import { freeRecorderPort } from '../sfu/recording/RecorderProcess.ts';
import { recorderSdp } from '../sfu/recording/sdp.ts';
import { createCanvas } from '@napi-rs/canvas';
import type { BoardOp } from '../server/contract/board.ts';
import { renderBoardFrames } from '../server/recording/boardFrames.ts';
import { compose } from '../server/recording/compose.ts';
import { machine, textTable, writeResults } from './lib/results.ts';

const SECONDS = Number(process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 60);
const VIDEO_RTP = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc: 22222222 }],
};
const AUDIO_RTP = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 11111111 }],
};

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A 20-s clip of the teacher's camera and voice, encoded once (VP8 720p + Opus in WebM). */
function clip(dir: string): string {
  const file = path.join(dir, 'teacher.webm');
  const res = spawnSync('ffmpeg', [
    ...[
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30:duration=20',
    ],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=20'],
    ...['-c:v', 'libvpx', '-b:v', '1500k', '-g', '60', '-deadline', 'realtime', '-cpu-used', '8'],
    ...['-c:a', 'libopus', '-b:a', '32k', '-ac', '2', file],
  ]);
  if (res.status !== 0) throw new Error(`clip not made: ${res.stderr.toString()}`);
  return file;
}

/** Sends the clip's video and audio, looped, as RTP to two plain transports (copied, not encoded). */
/**
 * A teacher's board over `ms`: a pen stroke every 3 s, streamed as a browser sends it (a
 * `draw`, an `extend` every 100 ms for a second, a `finish`), and a courseware page added
 * (turned to) every minute.
 */
function boardLog(ms: number): BoardOp[] {
  const ops: BoardOp[] = [];
  const by = { role: 'teacher' as const, refId: 'bench' };
  let seq = 0;
  let page = 'p1';
  for (let t = 1000, n = 0; t < ms; t += 3000, n++) {
    if (n > 0 && n % 20 === 0) {
      page = `deck-${n}`;
      ops.push({
        seq: ++seq,
        at: t,
        by,
        change: { t: 'addPages', pages: [{ id: page, background: 'deck' }], after: null },
      });
    }
    const id = `s${n}`;
    const x = 100 + ((n * 137) % 1300);
    const y = 100 + ((n * 89) % 700);
    const point = (k: number): number[] => [x + k * 12, y + 20 * Math.sin(k / 2), 0.5];
    ops.push({
      seq: ++seq,
      at: t,
      by,
      change: { t: 'draw', id, page, tool: 'pen', color: '#1e6fd9', width: 6, points: point(0) },
    });
    for (let k = 1; k <= 10; k++)
      ops.push({
        seq: ++seq,
        at: t + k * 100,
        by,
        change: { t: 'extend', id, points: [...point(2 * k - 1), ...point(2 * k)] },
      });
    ops.push({ seq: ++seq, at: t + 1100, by, change: { t: 'finish', id } });
  }
  return ops;
}

function sendClip(
  file: string,
  video: { port: number; rtcpPort: number },
  audio: { port: number; rtcpPort: number },
) {
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file],
      ...['-map', '0:v', '-c', 'copy', '-payload_type', '101', '-ssrc', '22222222', '-f', 'rtp'],
      `rtp://127.0.0.1:${video.port}?rtcpport=${video.rtcpPort}&pkt_size=1200`,
      ...['-map', '0:a', '-c', 'copy', '-payload_type', '100', '-ssrc', '11111111', '-f', 'rtp'],
      `rtp://127.0.0.1:${audio.port}?rtcpport=${audio.rtcpPort}&pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-recording-'));
  const pool = await WorkerPool.create({ numWorkers: 1 });
  const room = await LessonRoom.create(pool, { lessonId: 'bench' });
  room.addPeer({ peerId: 't', role: 'teacher', refId: 'u', displayName: 'T' }, room.rtpCapabilities);
  const vin = await room.createPlainTransport('t', 'send', { comedia: true, rtcpMux: false });
  const ain = await room.createPlainTransport('t', 'send', { comedia: true, rtcpMux: false });
  const videoId = await room.produce('t', vin.id, 'video', 'camera', VIDEO_RTP);
  const audioId = await room.produce('t', ain.id, 'audio', 'mic', AUDIO_RTP);
  console.log(
    `bench:recording — ${SECONDS} s of a 720p teacher camera + voice, recorded on ${os.availableParallelism()} cores`,
  );
  const sender = sendClip(
    clip(work),
    { port: vin.port, rtcpPort: vin.rtcpPort! },
    { port: ain.port, rtcpPort: ain.rtcpPort! },
  );
  try {
    // The platform's recorder: copies.
    const recorder = new LessonRecorder(room, { dir: path.join(work, 'copy'), segmentSeconds: 4 });
    await new Promise((r) => setTimeout(r, 3000));
    const run = recorder.activeRuns[0];
    if (!run?.pid) throw new Error('the recorder did not start');
    const cpu0 = cpuSeconds(run.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const copyCpu = (cpuSeconds(run.pid) - cpu0) / ((performance.now() - t0) / 1000);
    const startedAt = run.startedAt;
    await recorder.stop();
    const liveMs = (run.endedAt ?? Date.now()) - startedAt;
    const segDir = path.join(work, 'copy', run.dir);
    const rawBytes = fs.readdirSync(segDir).reduce((n, f) => n + fs.statSync(path.join(segDir, f)).size, 0);

    // Baseline: the same streams re-encoded as they arrive.
    const ports = [await freeRecorderPort(), 0];
    ports[1] = await freeRecorderPort(undefined, new Set([ports[0]!, ports[0]! + 1]));
    const taps = [
      await room.tap(videoId, { ip: '127.0.0.1', port: ports[0]! }),
      await room.tap(audioId, { ip: '127.0.0.1', port: ports[1] }),
    ];
    const encoder = spawn(
      'ffmpeg',
      [
        ...[
          '-hide_banner',
          '-loglevel',
          'error',
          '-protocol_whitelist',
          'pipe,udp,rtp',
          '-f',
          'sdp',
          '-i',
          'pipe:0',
        ],
        ...[
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-c:a',
          'aac',
          '-f',
          'matroska',
          '-y',
          path.join(work, 'encoded.mkv'),
        ],
      ],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    encoder.stdin.end(
      recorderSdp(
        taps.map((tap, i) => ({
          kind: tap.consumer.kind,
          rtpParameters: tap.consumer.rtpParameters,
          port: ports[i]!,
        })),
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all(taps.map((t) => t.resume()));
    const keyFrames = setInterval(() => void taps[0]!.requestKeyFrame().catch(() => undefined), 2000);
    await new Promise((r) => setTimeout(r, 3000));
    const e0 = cpuSeconds(encoder.pid!);
    const e1t = performance.now();
    await new Promise((r) => setTimeout(r, Math.min(SECONDS, 30) * 1000));
    const encodeCpu = (cpuSeconds(encoder.pid!) - e0) / ((performance.now() - e1t) / 1000);
    clearInterval(keyFrames);
    encoder.kill('SIGINT');
    for (const tap of taps) tap.close();

    // Composition of the copied recording: the camera alone (baseline), then with the board.
    const runs = [{ group: 'teacher' as const, dir: segDir, offsetMs: 0, hasVideo: true, hasAudio: true }];
    const cameraOnly = await compose({ runs, durationMs: liveMs, output: path.join(work, 'camera.mp4') });
    const deck = createCanvas(1600, 900);
    const dctx = deck.getContext('2d');
    dctx.fillStyle = '#f4efe0';
    dctx.fillRect(0, 0, 1600, 900);
    dctx.fillStyle = '#2b4c7e';
    dctx.font = '80px sans-serif';
    dctx.fillText('Unit 3 · Animals', 200, 200);
    const deckImage = { data: await deck.encode('jpeg', 85), width: 1600, height: 900 };
    const output = path.join(work, 'lesson.mp4');
    const t1 = performance.now();
    const board = await renderBoardFrames({
      ops: boardLog(liveMs),
      startMs: 0,
      durationMs: liveMs,
      dir: path.join(work, 'frames'),
      image: () => Promise.resolve(deckImage),
    });
    await compose({ runs, durationMs: liveMs, output, boardList: board!.list });
    const elapsedMs = performance.now() - t1;
    const speed = liveMs / elapsedMs;
    const mp4Bytes = fs.statSync(output).size;
    const hour = 3600_000 / liveMs;
    const figures = {
      recorderCpuPctOfCore: Math.round(copyCpu * 1000) / 10,
      reencodingRecorderCpuPctOfCore: Math.round(encodeCpu * 1000) / 10,
      rawMbPerLessonHour: Math.round((rawBytes * hour) / 1e6),
      mp4MbPerLessonHour: Math.round((mp4Bytes * hour) / 1e6),
      compositionTimesRealTime: Math.round(speed * 10) / 10,
      cameraOnlyCompositionTimesRealTime: Math.round((liveMs / cameraOnly.elapsedMs) * 10) / 10,
      boardFrames: board!.frames,
      boardDrawingSeconds: Math.round(board!.renderMs / 100) / 10,
      recordedSeconds: Math.round(liveMs / 100) / 10,
      compositionSeconds: Math.round(elapsedMs / 100) / 10,
    };
    const ok = (good: boolean): string => (good ? 'ok' : 'short');
    console.log(
      textTable(
        ['figure', 'goal', 'measured', ''],
        [
          [
            'recorder CPU per lesson (copy)',
            '≤ 5 % of a core',
            `${figures.recorderCpuPctOfCore} %`,
            ok(figures.recorderCpuPctOfCore <= 5),
          ],
          [
            'baseline: re-encoding recorder',
            '(for comparison)',
            `${figures.reencodingRecorderCpuPctOfCore} %`,
            '',
          ],
          ['raw storage per lesson-hour', '(reported)', `${figures.rawMbPerLessonHour} MB`, ''],
          ['MP4 per lesson-hour', '(reported)', `${figures.mp4MbPerLessonHour} MB`, ''],
          [
            'composition speed, board + camera (1280×540)',
            '≥ 4× real time',
            `${figures.compositionTimesRealTime}×`,
            ok(figures.compositionTimesRealTime >= 4),
          ],
          [
            '  of which drawing the board',
            '(reported)',
            `${figures.boardDrawingSeconds} s, ${figures.boardFrames} frames`,
            '',
          ],
          [
            'baseline: camera alone (960×540)',
            '(for comparison)',
            `${figures.cameraOnlyCompositionTimesRealTime}×`,
            '',
          ],
        ],
      ).join('\n'),
    );
    console.log(
      `load average during the run: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other work on this machine slows composition)`,
    );
    await writeResults('recording', new Date(), {
      machine: machine(),
      seconds: SECONDS,
      loadAverage: os.loadavg(),
      figures,
      goals: { recorderCpuPctOfCore: 5, compositionTimesRealTime: 4 },
      leftOut: ['screen share and floor classroom recorders and their pictures in composition'],
    });
  } finally {
    sender.kill('SIGKILL');
    room.close();
    pool.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
