import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordingView } from '../../server/contract/library.ts';
import type { Recording } from '../../server/models/index.ts';
import { waitFor } from '../helpers/media.ts';
import { demoSide } from '../helpers/fixtures.ts';
import { login, makeDataDir, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { ffmpegPids, probe } from '../helpers/recordingMedia.ts';

/** The lesson's length: its composition takes seconds (time to catch its ffmpeg). */
const LESSON_S = 90;

/** A recorder's raw segments, as it writes them: VP8 + Opus in Matroska segments of 4 s. */
function writeSegments(dir: string, seconds: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const res = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
      ...['-i', `testsrc2=size=160x120:rate=15:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
      ...['-c:v', 'libvpx', '-b:v', '100k', '-g', '15', '-deadline', 'realtime', '-cpu-used', '8'],
      ...['-c:a', 'libopus', '-b:a', '32k', '-ac', '2'],
      ...['-f', 'segment', '-segment_time', '4', '-segment_format', 'matroska', `${dir}/%05d.mkv`],
    ],
    { encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`segments not written: ${res.stderr}`);
}

describe('a composition that outlives its bound fails, its ffmpeg killed; a manager composes it again', () => {
  const dataDir = makeDataDir();
  let t: TestPlatform | undefined;
  afterAll(async () => {
    await t?.close();
    removeDataDir(dataDir);
  });

  it('stops a composition past its bound as failed with the reason, shows it, and a manager’s retry (audited) makes it ready', async () => {
    // A process whose compositions may run 15 s whatever the lesson's length.
    t = await startPlatform({
      dataDir,
      env: { RECORDING_COMPOSE_MIN_SECONDS: '15', RECORDING_COMPOSE_PER_LESSON: '0' },
    });
    const m = t.platform.models;
    const demo = await demoSide(m);
    // A lesson that ended, its recording left `recording` by a process that stopped (as
    // after a crash): the next start finishes and composes it.
    const end = Date.now() - 60_000;
    const start = end - LESSON_S * 1000;
    const lesson = await m.Lesson.create({
      clusterId: demo.clusterId,
      offeringId: demo.offeringId,
      title: '英语 合成超时',
      subject: '英语',
      grade: 4,
      teacherId: demo.teacherId,
      hubClassroomId: demo.hubClassroomId,
      classroomIds: [demo.classroomId],
      scheduledStart: new Date(start),
      scheduledEnd: new Date(end),
      state: 'ended',
      startedAt: new Date(start),
      endedAt: new Date(end),
    });
    const lessonId = lesson._id.toString();
    const lessonDir = path.join(dataDir, 'recordings', lessonId);
    writeSegments(path.join(lessonDir, '000-teacher'), LESSON_S);
    await m.Recording.create({
      lessonId,
      clusterId: demo.clusterId,
      teacherId: demo.teacherId,
      schoolIds: [demo.hubSchoolId],
      title: lesson.title,
      subject: '英语',
      grade: 4,
      state: 'recording',
      liveStartedAt: lesson.startedAt,
      runs: [
        {
          group: 'teacher',
          dir: '000-teacher',
          streams: [
            { source: 'camera', kind: 'video', mimeType: 'video/VP8' },
            { source: 'mic', kind: 'audio', mimeType: 'audio/opus' },
          ],
          startedAt: new Date(start),
          endedAt: null,
          end: null,
        },
      ],
    });
    const recording = async () => (await m.Recording.findOne({ lessonId }).lean<Recording>())!;

    await t.platform.recordings.reconcile();
    // The composition's ffmpeg starts; it hangs (frozen: SIGSTOP) …
    let hung: number[] = [];
    expect(await waitFor(() => (hung = ffmpegPids(lessonDir)).length > 0, 30_000, 20)).toBe(true);
    for (const pid of hung) process.kill(pid, 'SIGSTOP');
    expect((await recording()).state).toBe('composing');
    // … and is stopped at the bound: the recording fails, saying why; no ffmpeg is left.
    expect(await waitFor(async () => (await recording()).state !== 'composing', 60_000, 200)).toBe(true);
    const failed = await recording();
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(
      /^composition stopped after 15 s, the longest allowed for a 1\.5 min lesson/,
    );
    expect(await waitFor(() => ffmpegPids(lessonDir).length === 0, 5000, 50)).toBe(true);
    expect(fs.existsSync(path.join(lessonDir, 'lesson.mp4'))).toBe(false);
    // The reports (the dashboard) count it as failed.
    expect((await m.Lesson.findById(lessonId).lean())?.recording).toMatchObject({ state: 'failed' });

    // The library shows it failed with the reason; a manager may compose it again, its teacher not.
    const as = async (username: string) => ({
      authorization: `Bearer ${await login(t!.url, username)}`,
      'x-requested-with': 'fetch',
    });
    const coordinator = await as('coordinator');
    const teacher = await as('teacher');
    const view = (await (
      await fetch(`${t.url}/api/library/recordings/${lessonId}`, { headers: coordinator })
    ).json()) as RecordingView;
    expect(view).toMatchObject({ state: 'failed', retryable: true, error: failed.error });
    const teachers = (await (
      await fetch(`${t.url}/api/library/recordings/${lessonId}`, { headers: teacher })
    ).json()) as RecordingView;
    expect(teachers).toMatchObject({ state: 'failed', retryable: false });
    const compose = (headers: Record<string, string>) =>
      fetch(`${t!.url}/api/library/recordings/${lessonId}/compose`, { method: 'POST', headers });
    expect((await compose(teacher)).status).toBe(403);
    expect(await m.AuditEntry.countDocuments({ entity: 'recording', entityId: lessonId })).toBe(0);

    // The operator gives compositions their default bound (a restart); the coordinator retries.
    await t.close();
    t = await startPlatform({ dataDir });
    const again = await compose(await as('coordinator'));
    expect(again.status).toBe(200);
    expect(((await again.json()) as RecordingView).state).toBe('composing');
    // Once is enough: a second retry while it composes is refused.
    expect((await compose(await as('coordinator'))).status).toBe(409);
    const recordingNow = async () =>
      (await t!.platform.models.Recording.findOne({ lessonId }).lean<Recording>())!;
    expect(await waitFor(async () => (await recordingNow()).state !== 'composing', 180_000, 500)).toBe(true);
    const done = await recordingNow();
    expect(done).toMatchObject({ state: 'ready', error: null });
    expect(Math.abs(probe(path.join(lessonDir, 'lesson.mp4')).duration - LESSON_S)).toBeLessThan(1);
    const audit = await t.platform.models.AuditEntry.find({ entity: 'recording', entityId: lessonId }).lean();
    expect(audit.map((a) => a.action)).toEqual(['update']);
    expect(audit[0]).toMatchObject({
      before: { state: 'failed', error: failed.error },
      after: { state: 'composing' },
    });
  }, 300_000);
});
