import { afterAll, describe, expect, it } from 'vitest';
import { connect, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';
import { login, makeDataDir, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { startServerProcess, stopServerProcess } from '../helpers/serverProcess.ts';

describe('a server killed in the middle of a live lesson loses nothing', () => {
  const dataDir = makeDataDir();
  const sockets: ClientSocket[] = [];
  let t: TestPlatform | undefined;
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
    removeDataDir(dataDir);
  });

  it('keeps the record written so far, closes what was open at the last sign of life, and ends the lesson once past due', async () => {
    const { child, url } = await startServerProcess(dataDir);
    const teacherToken = await login(url, 'teacher');
    const current = (await (
      await fetch(`${url}/api/lessons/current`, { headers: { authorization: `Bearer ${teacherToken}` } })
    ).json()) as {
      lesson: { id: string };
    };
    const lessonId = current.lesson.id;
    const teacher = await connect(url, teacherToken);
    const classroom = await connect(url, await login(url, 'classroom1'));
    sockets.push(teacher, classroom);
    expect(await request(teacher, 'lesson:start', { lessonId })).toMatchObject({ ok: true });
    const caps = (await (
      await fetch(`${url}/api/lessons/${lessonId}/rtp-capabilities`, {
        headers: { authorization: `Bearer ${teacherToken}` },
      })
    ).json()) as {
      routerRtpCapabilities: Record<string, unknown>;
    };
    expect(
      await request(teacher, 'lesson:join', { lessonId, rtpCapabilities: caps.routerRtpCapabilities }),
    ).toMatchObject({ ok: true });
    expect(
      await request(classroom, 'lesson:join', { lessonId, rtpCapabilities: caps.routerRtpCapabilities }),
    ).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = Date.now();
    // No goodbye: the whole process group (server and its FerretDB) dies at once.
    await stopServerProcess(child, 'SIGKILL');
    for (const s of sockets) s.close();

    // Restarted during the lesson: it stays live for its participants to rejoin, and their
    // open attendance is closed where it was last seen.
    t = await startPlatform({ dataDir });
    const m = t.platform.models;
    // What was written live, in time order, then what reconciliation wrote (ids from two
    // processes do not sort by time, and a reconciled leave is dated at the last sign of life).
    const events = (await m.LessonEvent.find({ lessonId }).lean()).sort(
      (a, b) => Number(a.reconciled) - Number(b.reconciled) || a.at.getTime() - b.at.getTime(),
    );
    expect(events.map((e) => `${e.kind}${e.reconciled ? '*' : ''}:${e.role ?? ''}`)).toEqual([
      'live:',
      'join:teacher',
      'join:classroom',
      'leave*:teacher',
      'leave*:classroom',
    ]);
    const joins = events.filter((e) => e.kind === 'join');
    const leaves = events.filter((e) => e.kind === 'leave');
    for (const [i, leave] of leaves.entries()) {
      expect(leave.at.getTime()).toBeGreaterThanOrEqual(joins[i]!.at.getTime());
      expect(leave.at.getTime()).toBeLessThanOrEqual(killedAt);
    }
    expect((await m.Lesson.findById(lessonId).lean())?.state).toBe('live');
    await t.close();

    // Restarted after the lesson's scheduled end: it is ended at its last sign of life, not at the restart.
    const later = Date.now() + 3 * 3600_000;
    t = await startPlatform({ dataDir, now: () => later });
    const lesson = (await t.platform.models.Lesson.findById(lessonId).lean())!;
    expect(lesson.state).toBe('ended');
    expect(lesson.endedAt!.getTime()).toBeLessThanOrEqual(killedAt);
    expect(lesson.endedAt!.getTime()).toBeGreaterThanOrEqual(lesson.startedAt!.getTime());
    const ended = await t.platform.models.LessonEvent.findOne({ lessonId, kind: 'ended' }).lean();
    expect(ended).toMatchObject({ reconciled: true });
  }, 90_000);
});
