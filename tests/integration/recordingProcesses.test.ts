import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import type { RecordingStatus } from '../../server/contract/library.ts';
import { waitFor } from '../helpers/media.ts';
import { login } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { TEST_AUDIO_RTP, recorderPid, sendTestAudio } from '../helpers/recordingMedia.ts';
import { startSharedStack } from '../helpers/sharedStack.ts';
import type { SharedStack } from '../helpers/sharedStack.ts';
import { connect, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

/**
 * Two server processes on one database and one Redis. A switch is a request, and the load
 * balancer sends requests to any process; the lesson's recorder runs on the process hosting
 * its media. The switch must reach it: a teacher who turns recording off is not recorded.
 */
describe('recording switches across server processes', () => {
  let stack: SharedStack;
  let a: TestPlatform;
  let b: TestPlatform;
  const sockets: ClientSocket[] = [];
  const senders: ChildProcess[] = [];

  beforeAll(async () => {
    stack = await startSharedStack();
    a = await stack.platform();
    b = await stack.platform();
  }, 90_000);
  afterAll(async () => {
    for (const s of senders) s.kill('SIGKILL');
    sockets.splice(0).forEach((s) => s.close());
    await stack?.stop();
  });

  it('a teacher’s switch and a cluster’s policy written through another process stop the recorder where the lesson is, and start it again', async () => {
    // A live copy of the demo lesson, hosted by process A (the teacher joined there), with the
    // teacher's voice sent to it.
    const teacherToken = await login(a.url, 'teacher');
    const current = (await (
      await fetch(`${a.url}/api/lessons/current`, { headers: { authorization: `Bearer ${teacherToken}` } })
    ).json()) as CurrentLessonResponse;
    const { Lesson } = a.platform.models;
    const demo = (await Lesson.findById(current.lesson!.id).lean())!;
    const lesson = await Lesson.create({
      ...demo,
      _id: undefined,
      state: 'scheduled',
      startedAt: null,
      endedAt: null,
    });
    const id = lesson._id.toString();
    const teacher = await connect(a.url, teacherToken);
    sockets.push(teacher);
    expect(await request(teacher, 'lesson:start', { lessonId: id })).toMatchObject({ ok: true });
    const caps = await a.platform.rooms.routerCapabilities();
    expect(await request(teacher, 'lesson:join', { lessonId: id, rtpCapabilities: caps })).toMatchObject({
      ok: true,
    });
    const room = a.platform.rooms.get(id)!;
    room.addPeer(
      { peerId: 'mic', role: 'teacher', refId: demo.teacherId.toString(), displayName: '王丽' },
      room.rtpCapabilities,
    );
    const audio = await room.createPlainTransport('mic', 'send', { comedia: true, rtcpMux: false });
    await room.produce('mic', audio.id, 'audio', 'mic', TEST_AUDIO_RTP);
    senders.push(sendTestAudio(audio.port, audio.rtcpPort!, 120));

    // Every request below goes to process B, which hosts nothing.
    const json = (token: string): Record<string, string> => ({
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    });
    const asTeacher = json(await login(b.url, 'teacher'));
    const asCoordinator = json(await login(b.url, 'coordinator'));
    const status = async (): Promise<RecordingStatus> =>
      (await (
        await fetch(`${b.url}/api/lessons/${id}/recording`, { headers: asTeacher })
      ).json()) as RecordingStatus;
    const dir = `${a.dataDir}/recordings/${id}`;
    const recording = async (): Promise<boolean> =>
      (await status()).recordingNow && recorderPid(dir) !== null;
    const stopped = async (): Promise<boolean> => !(await status()).recordingNow && recorderPid(dir) === null;
    expect(await waitFor(recording, 20_000)).toBe(true);
    expect(b.platform.rooms.get(id)).toBeUndefined();

    const switchLesson = (enabled: boolean): Promise<Response> =>
      fetch(`${b.url}/api/lessons/${id}/recording`, {
        method: 'PUT',
        headers: asTeacher,
        body: JSON.stringify({ enabled }),
      });
    expect((await switchLesson(false)).status).toBe(200);
    expect(await waitFor(stopped, 10_000)).toBe(true);
    // The time off is written after the run's end (one write after the other, on process A): a
    // status read between the two has the run ended and no gap yet.
    await expect
      .poll(status, { timeout: 10_000 })
      .toMatchObject({ lessonEnabled: false, recordingNow: false, gaps: 1 });
    // Off stays off: the recorder is not started again while it is.
    await new Promise((r) => setTimeout(r, 1500));
    expect(recorderPid(dir)).toBeNull();
    expect((await switchLesson(true)).status).toBe(200);
    expect(await waitFor(recording, 15_000)).toBe(true);

    // The cluster's policy, set by its coordinator through B: off stops the live lesson too.
    const switchCluster = (enabled: boolean): Promise<Response> =>
      fetch(`${b.url}/api/library/clusters/${demo.clusterId.toString()}/settings`, {
        method: 'PUT',
        headers: asCoordinator,
        body: JSON.stringify({ enabled, quotaGb: null, retentionDays: null }),
      });
    expect((await switchCluster(false)).status).toBe(200);
    expect(await waitFor(stopped, 10_000)).toBe(true);
    expect(await status()).toMatchObject({ clusterEnabled: false, lessonEnabled: true, recordingNow: false });
    expect((await switchCluster(true)).status).toBe(200);
    expect(await waitFor(recording, 15_000)).toBe(true);

    // The time off is marked twice (the teacher's, the cluster's), each closed when it came back.
    expect(await request(teacher, 'lesson:end', { lessonId: id })).toMatchObject({ ok: true });
    const rec = await a.platform.models.Recording.findOne({ lessonId: id }).lean();
    const off = rec!.gaps.filter((g) => g.reason === 'switched-off');
    expect(off).toHaveLength(2);
    for (const gap of off) expect(gap.to.getTime() - gap.from.getTime()).toBeGreaterThan(0);
  }, 120_000);
});
