import fs from 'node:fs';
import mongoose from 'mongoose';
import type { ChildProcess } from 'node:child_process';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../server/auth/tokens.ts';
import type { LibraryListResponse, RecordingStatus, RecordingView } from '../../server/contract/library.ts';
import type { Recording } from '../../server/models/index.ts';
import { TEST_VIDEO_RTP, waitFor } from '../helpers/media.ts';
import { login, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { connect, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';
import {
  TEST_AUDIO_RTP,
  colourAt,
  frameAt,
  probe,
  recorderPid,
  sendKeyedTestVideo,
  sendTestAudio,
} from '../helpers/recordingMedia.ts';

/** The fraction of an RGB picture's pixels that are not black. */
function litFraction(rgb: Buffer): number {
  let lit = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i]! + rgb[i + 1]! + rgb[i + 2]! > 60) lit++;
  return lit / (rgb.length / 3);
}

describe('recording: a live lesson recorded where its media is, composed into one MP4', () => {
  let t: TestPlatform;
  let lessonId: string;
  let teacher: Identity;
  const senders: ChildProcess[] = [];
  const sockets: ClientSocket[] = [];
  /** The demo teacher's next lesson (the demo schedules one once the last has ended). */
  const nextLesson = async (): Promise<string | undefined> => {
    let next: string | undefined;
    await waitFor(async () => {
      next = (
        await t.platform.models.Lesson.findOne({ teacherId: teacher.userId, state: 'scheduled' }).lean()
      )?._id.toString();
      return !!next;
    });
    return next;
  };

  beforeAll(async () => {
    t = await startPlatform();
    const m = t.platform.models;
    const user = (await m.User.findOne({ username: 'teacher' }).lean())!;
    teacher = {
      userId: user._id.toString(),
      role: 'teacher',
      displayName: user.realName ?? '',
      classroomId: null,
    };
    lessonId = (await m.Lesson.findOne({ teacherId: user._id, state: 'scheduled' }).lean())!._id.toString();
  }, 60_000);
  afterAll(async () => {
    for (const s of senders) s.kill('SIGKILL');
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('records camera, voice and the floor classroom; a killed recorder is restarted and its gap recorded; the MP4 is as long as the lesson', async () => {
    const { platform } = t;
    const m = platform.models;
    await platform.lessons.start(teacher, lessonId);
    const room = await platform.rooms.getOrCreate(lessonId);
    room.addPeer(
      { peerId: 'p-teacher', role: 'teacher', refId: teacher.userId, displayName: '王丽' },
      room.rtpCapabilities,
    );
    const video = await room.createPlainTransport('p-teacher', 'send', { comedia: true, rtcpMux: false });
    await room.produce('p-teacher', video.id, 'video', 'camera', TEST_VIDEO_RTP);
    const audio = await room.createPlainTransport('p-teacher', 'send', { comedia: true, rtcpMux: false });
    await room.produce('p-teacher', audio.id, 'audio', 'mic', TEST_AUDIO_RTP);
    senders.push(
      sendKeyedTestVideo(video.port, video.rtcpPort!, 60),
      sendTestAudio(audio.port, audio.rtcpPort!, 60),
    );
    // A classroom with the floor: its voice is recorded too.
    const lesson = (await m.Lesson.findById(lessonId).lean())!;
    const classroomId = lesson.classroomIds[0]!.toString();
    room.addPeer(
      { peerId: 'p-c1', role: 'classroom', refId: classroomId, displayName: '教室1' },
      room.rtpCapabilities,
    );
    const floorAudio = await room.createPlainTransport('p-c1', 'send', { comedia: true, rtcpMux: false });
    await room.produce('p-c1', floorAudio.id, 'audio', 'mic', TEST_AUDIO_RTP);
    senders.push(sendTestAudio(floorAudio.port, floorAudio.rtcpPort!, 60, 880));
    room.setFloor(classroomId);

    const recording = async () => (await m.Recording.findOne({ lessonId }).lean<Recording>())!;
    expect(
      await waitFor(
        async () => (await recording())?.runs?.some((r) => r.group === 'teacher') ?? false,
        15_000,
      ),
    ).toBe(true);
    const first = (await recording()).runs.find((r) => r.group === 'teacher')!;
    expect(first.streams.map((s) => s.source).sort()).toEqual(['camera', 'mic']);
    expect(await waitFor(async () => (await recording()).runs.some((r) => r.group === 'floor'), 10_000)).toBe(
      true,
    );
    const status = await platform.recordings.status({ id: lessonId });
    expect(status).toMatchObject({
      clusterEnabled: true,
      lessonEnabled: true,
      recordingNow: true,
      state: 'recording',
    });

    // Segments are written as the lesson goes.
    const dir = `${t.dataDir}/recordings/${lessonId}/${first.dir}`;
    expect(await waitFor(() => fs.readdirSync(dir).length >= 2, 20_000)).toBe(true);
    const pid = recorderPid(dir);
    expect(pid).not.toBeNull();
    process.kill(pid!, 'SIGKILL');
    expect(
      await waitFor(async () => {
        const rec = await recording();
        return (
          rec.gaps.some((g) => g.reason === 'recorder-died') &&
          rec.runs.filter((r) => r.group === 'teacher').length === 2
        );
      }, 15_000),
    ).toBe(true);
    const afterKill = await recording();
    // The gap runs from the death to the restarted run's start (however long a loaded machine
    // took to start it). It is the last one: a recorder that failed to start on a loaded
    // machine before the first run has its own gap, ending where that run starts.
    const died = afterKill.runs.find((r) => r.dir === first.dir)!;
    const restarted = afterKill.runs.filter((r) => r.group === 'teacher')[1]!;
    const gap = afterKill.gaps.filter((g) => g.reason === 'recorder-died').at(-1)!;
    expect(gap.group).toBe('teacher');
    expect(died).toMatchObject({ end: 'died' });
    expect(gap.from.getTime()).toBeGreaterThan(died.startedAt.getTime());
    expect(gap.from.getTime()).toBeLessThanOrEqual(died.endedAt!.getTime());
    expect(gap.to.getTime()).toBe(restarted.startedAt.getTime());
    await new Promise((r) => setTimeout(r, 5000));

    await platform.lessons.end(teacher, lessonId);
    // Composition starts once every recorder has stopped and its run's end is written: the
    // runs still going at the end were stopped, not taken for dead.
    let composing: Recording | null = null;
    expect(
      await waitFor(
        async () => {
          const rec = await recording();
          if (rec.state === 'recording') return false;
          composing ??= rec;
          return ['ready', 'failed'].includes(rec.state);
        },
        120_000,
        100,
      ),
    ).toBe(true);
    expect(composing!.runs.every((r) => r.endedAt !== null)).toBe(true);
    expect(composing!.runs.filter((r) => r.dir !== first.dir).map((r) => r.end)).toEqual(
      composing!.runs.filter((r) => r.dir !== first.dir).map(() => 'stopped'),
    );
    const done = await recording();
    expect(done.error).toBeNull();
    expect(done.state).toBe('ready');
    const live = done.liveEndedAt!.getTime() - done.liveStartedAt!.getTime();
    const mp4 = probe(`${t.dataDir}/recordings/${lessonId}/lesson.mp4`);
    expect(Math.abs(mp4.duration * 1000 - live)).toBeLessThan(1000);
    expect(mp4.streams.filter((s) => s.codec_type === 'video').map((s) => s.codec_name)).toEqual(['h264']);
    expect(mp4.streams.filter((s) => s.codec_type === 'audio').map((s) => s.codec_name)).toEqual(['aac']);
    expect(done.rawBytes).toBeGreaterThan(0);
    expect(done.mp4Bytes).toBeGreaterThan(0);
    // The camera was recorded to the end: its last segment, cut off by the lesson's end with
    // no media left to wake its recorder, is kept (not lost, black, as when the recorder was
    // killed with its segment still in memory).
    const tail = frameAt(`${t.dataDir}/recordings/${lessonId}/lesson.mp4`, mp4.duration - 2, 960, 540);
    expect(litFraction(tail)).toBeGreaterThan(0.3);

    // The library: listed for the teacher, incomplete with its gap, the MP4 served in ranges.
    const token = await login(t.url, 'teacher');
    const auth = { authorization: `Bearer ${token}` };
    const list = (await (
      await fetch(`${t.url}/api/library/recordings`, { headers: auth })
    ).json()) as LibraryListResponse;
    const item = list.recordings.find((r) => r.id === lessonId) as RecordingView;
    expect(item).toMatchObject({ state: 'ready', incomplete: true });
    expect(item.gaps.some((g) => g.reason === 'recorder-died' && g.toMs > g.fromMs)).toBe(true);
    const ranged = await fetch(`${t.url}/api/library/recordings/${lessonId}/video`, {
      headers: { ...auth, range: 'bytes=0-99' },
    });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-99/${done.mp4Bytes}`);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    const outside = await fetch(`${t.url}/api/library/recordings/${lessonId}/video`, {
      headers: { ...auth, range: `bytes=${done.mp4Bytes + 10}-` },
    });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${done.mp4Bytes}`);
    expect(((await outside.json()) as { code: string }).code).toBe('RANGE_NOT_SATISFIABLE');

    // Other scopes: another teacher does not find it; a bad id is a clear 400; a classroom has no library.
    const as = async (username: string) => ({ authorization: `Bearer ${await login(t.url, username)}` });
    const other = await as('teacher2');
    expect((await fetch(`${t.url}/api/library/recordings/${lessonId}`, { headers: other })).status).toBe(404);
    expect(
      (await fetch(`${t.url}/api/library/recordings/${lessonId}/video`, { headers: other })).status,
    ).toBe(404);
    const otherList = (await (
      await fetch(`${t.url}/api/library/recordings`, { headers: other })
    ).json()) as LibraryListResponse;
    expect(otherList.recordings.map((r) => r.id)).not.toContain(lessonId);
    expect((await fetch(`${t.url}/api/library/recordings/not-an-id`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${t.url}/api/library/recordings`, { headers: await as('classroom1') })).status).toBe(
      403,
    );
    // Deletion: not by the teacher; by the coordinator, with its files and an audit entry.
    expect(
      (await fetch(`${t.url}/api/library/recordings/${lessonId}`, { method: 'DELETE', headers: auth }))
        .status,
    ).toBe(403);
    const coordinator = await as('coordinator');
    const storage = (await (
      await fetch(`${t.url}/api/library/storage`, { headers: coordinator })
    ).json()) as {
      bytes: number;
    }[];
    expect(storage.reduce((n, c) => n + c.bytes, 0)).toBe(done.rawBytes + done.mp4Bytes);
    const removed = await fetch(`${t.url}/api/library/recordings/${lessonId}`, {
      method: 'DELETE',
      headers: coordinator,
    });
    expect(removed.status).toBe(204);
    expect(fs.existsSync(`${t.dataDir}/recordings/${lessonId}`)).toBe(false);
    expect(await m.Recording.countDocuments({ lessonId })).toBe(0);
    expect(
      await m.AuditEntry.countDocuments({ entity: 'recording', entityId: lessonId, action: 'delete' }),
    ).toBe(1);
  }, 240_000);

  it('the teacher’s switch stops the recorders and starts them again, told to the lesson’s pages (not another lesson’s); the time off is marked, not counted as a fault', async () => {
    const { platform } = t;
    const m = platform.models;
    // The demo data gives the teacher a new lesson once the last one ended.
    const next = await nextLesson();
    expect(next).toBeDefined();
    await platform.lessons.start(teacher, next!);
    const room = await platform.rooms.getOrCreate(next!);
    room.addPeer(
      { peerId: 'p-t2', role: 'teacher', refId: teacher.userId, displayName: '王丽' },
      room.rtpCapabilities,
    );
    const audio = await room.createPlainTransport('p-t2', 'send', { comedia: true, rtcpMux: false });
    await room.produce('p-t2', audio.id, 'audio', 'mic', TEST_AUDIO_RTP);
    senders.push(sendTestAudio(audio.port, audio.rtcpPort!, 60));
    const auth = {
      authorization: `Bearer ${await login(t.url, 'teacher')}`,
      'content-type': 'application/json',
    };
    const status = async (): Promise<RecordingStatus> =>
      (await (
        await fetch(`${t.url}/api/lessons/${next}/recording`, { headers: auth })
      ).json()) as RecordingStatus;
    expect(await waitFor(async () => (await status()).recordingNow, 15_000)).toBe(true);
    // The pages follow the recording by its pushes (no polling): a classroom joined to the
    // lesson is told each change; a socket waiting in another lesson is told nothing of it.
    const lesson = (await m.Lesson.findById(next).lean())!;
    const kioskUser = (await m.User.findOne({
      role: 'classroom',
      classroomId: { $in: lesson.classroomIds },
    }).lean())!;
    const kiosk = await connect(t.url, await login(t.url, kioskUser.username));
    const elsewhere = await connect(t.url, await login(t.url, 'teacher'));
    sockets.push(kiosk, elsewhere);
    const { rtpCapabilities } = room;
    expect(await request(kiosk, 'lesson:join', { lessonId: next, rtpCapabilities })).toMatchObject({
      ok: true,
    });
    // Another lesson of the teacher, not live yet: the teacher's second page waits in it.
    const other = await m.Lesson.create({
      ...lesson,
      _id: undefined,
      state: 'scheduled',
      startedAt: null,
      endedAt: null,
    });
    const otherId = other._id.toString();
    expect(await request(elsewhere, 'lesson:join', { lessonId: otherId, rtpCapabilities })).toMatchObject({
      ok: true,
      data: { lesson: { state: 'scheduled' } },
    });
    const pushed: RecordingStatus[] = [];
    const strayed: RecordingStatus[] = [];
    kiosk.on('lesson:recording', (s) => pushed.push(s));
    elsewhere.on('lesson:recording', (s) => strayed.push(s));
    const off = await fetch(`${t.url}/api/lessons/${next}/recording`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ enabled: false }),
    });
    expect(await off.json()).toMatchObject({ lessonEnabled: false, recordingNow: false });
    // Told once the recorders stopped and the time off began (its gap).
    const offNow = (s: RecordingStatus): boolean => !s.lessonEnabled && !s.recordingNow && s.gaps > 0;
    expect(await waitFor(() => pushed.some(offNow), 15_000)).toBe(true);
    expect(pushed.find(offNow)).toMatchObject({
      lessonId: next,
      clusterEnabled: true,
      state: 'recording',
      offReason: null,
    });
    await new Promise((r) => setTimeout(r, 2000));
    const on = await fetch(`${t.url}/api/lessons/${next}/recording`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ enabled: true }),
    });
    expect(on.status).toBe(200);
    // Told once the recorder runs again: the route's status, pushed.
    const onNow = (s: RecordingStatus): boolean => s.lessonEnabled && s.recordingNow;
    const offAt = pushed.findIndex(offNow);
    expect(await waitFor(() => pushed.slice(offAt).some(onNow), 15_000)).toBe(true);
    const told = pushed.slice(offAt).find(onNow)!;
    expect(told).toMatchObject({ lessonId: next, clusterEnabled: true, state: 'recording', offReason: null });
    expect(Object.keys(told).sort()).toEqual(Object.keys(await status()).sort());
    expect(pushed.every((s) => s.lessonId === next)).toBe(true);
    // Its pushes went out before this leave is answered: none reached the other lesson.
    expect(await request(elsewhere, 'lesson:leave', { lessonId: otherId })).toEqual({ ok: true, data: null });
    expect(strayed).toEqual([]);
    // Its waiting room closes; the lesson goes, so the demo's next lesson is the one found next.
    expect(await waitFor(() => platform.rooms.get(otherId) === undefined)).toBe(true);
    await m.Lesson.deleteOne({ _id: other._id });
    // A courseware page (all blue) uploaded and turned to: drawn into the MP4 from the lesson's assets.
    const deck = createCanvas(800, 450);
    const dctx = deck.getContext('2d');
    dctx.fillStyle = '#0000ff';
    dctx.fillRect(0, 0, 800, 450);
    const data = await deck.encode('png');
    const asset = await m.BoardAsset.create({
      lessonId: next,
      mediaType: 'image/png',
      width: 800,
      height: 450,
      data,
      bytes: data.length,
      createdAt: new Date(),
      createdBy: teacher.userId,
    });
    await platform.boards.change(
      next!,
      { role: 'teacher', refId: teacher.userId },
      { t: 'addPages', pages: [{ id: 'deck-1', background: asset._id.toString() }], after: null },
    );
    await new Promise((r) => setTimeout(r, 1500));
    await platform.lessons.end(teacher, next!);
    const rec = async () => (await m.Recording.findOne({ lessonId: next }).lean<Recording>())!;
    expect(await waitFor(async () => ['ready', 'failed'].includes((await rec()).state), 120_000, 500)).toBe(
      true,
    );
    const done = await rec();
    expect(done.state).toBe('ready');
    expect(done.runs).toHaveLength(2);
    const gap = done.gaps.find((g) => g.reason === 'switched-off')!;
    expect(gap.to.getTime() - gap.from.getTime()).toBeGreaterThanOrEqual(1500);
    const view = (await (
      await fetch(`${t.url}/api/library/recordings/${next}`, { headers: auth })
    ).json()) as RecordingView;
    expect(view).toMatchObject({ state: 'ready', incomplete: false });
    // The board with its courseware page fills the left of the video at the end; the cameras'
    // column beside it is black (no camera was sent).
    const mp4 = `${t.dataDir}/recordings/${next}/lesson.mp4`;
    const last = frameAt(mp4, done.durationMs! / 1000 - 0.3, 1280, 540);
    expect(colourAt(last, 1280, 480, 270)).toBe('blue');
    expect(colourAt(last, 1280, 1120, 90)).toBe('black');
    // The reports count it from its lesson: recorded, playable, complete.
    expect((await m.Lesson.findById(next).lean())?.recording).toEqual({
      state: 'ready',
      incomplete: false,
      shared: false,
    });
  }, 240_000);

  it('stops recording a live lesson whose cluster reaches its quota, says why, and keeps what was recorded', async () => {
    const { platform } = t;
    const m = platform.models;
    const next = await nextLesson();
    expect(next).toBeDefined();
    const lesson = (await m.Lesson.findById(next).lean())!;
    const coordinator = {
      authorization: `Bearer ${await login(t.url, 'coordinator')}`,
      'content-type': 'application/json',
    };
    const storage = async () =>
      (
        (await (await fetch(`${t.url}/api/library/storage`, { headers: coordinator })).json()) as {
          clusterId: string;
          bytes: number;
          quotaBytes: number | null;
        }[]
      ).find((c) => c.clusterId === lesson.clusterId.toString())!;
    // A quota of 0.1 GB, all but 150 kB of it taken by the cluster's other recordings.
    const settings = await fetch(`${t.url}/api/library/clusters/${lesson.clusterId.toString()}/settings`, {
      method: 'PUT',
      headers: coordinator,
      body: JSON.stringify({ enabled: true, quotaGb: 0.1, retentionDays: null }),
    });
    expect(settings.status).toBe(200);
    const { bytes, quotaBytes } = await storage();
    const earlier = await m.Recording.create({
      lessonId: new mongoose.Types.ObjectId(),
      clusterId: lesson.clusterId,
      teacherId: lesson.teacherId,
      schoolIds: [],
      title: '之前的录像',
      subject: lesson.subject,
      grade: lesson.grade,
      state: 'ready',
      rawBytes: quotaBytes! - bytes - 150_000,
      mp4Bytes: 0,
    });

    await platform.lessons.start(teacher, next!);
    const room = await platform.rooms.getOrCreate(next!);
    room.addPeer(
      { peerId: 'p-t3', role: 'teacher', refId: teacher.userId, displayName: '王丽' },
      room.rtpCapabilities,
    );
    const video = await room.createPlainTransport('p-t3', 'send', { comedia: true, rtcpMux: false });
    await room.produce('p-t3', video.id, 'video', 'camera', TEST_VIDEO_RTP);
    senders.push(sendKeyedTestVideo(video.port, video.rtcpPort!, 60));
    const auth = { authorization: `Bearer ${await login(t.url, 'teacher')}` };
    const status = async (): Promise<RecordingStatus> =>
      (await (
        await fetch(`${t.url}/api/lessons/${next}/recording`, { headers: auth })
      ).json()) as RecordingStatus;
    const rec = async () => (await m.Recording.findOne({ lessonId: next }).lean<Recording>())!;
    // It records (under the quota at its start); its bytes are counted as they grow …
    expect(await waitFor(async () => (await status()).recordingNow, 15_000)).toBe(true);
    expect(await waitFor(async () => (await rec()).rawBytes > 0, 20_000)).toBe(true);
    // … until the cluster reaches its quota: its recorders stop, and the teacher is told why.
    expect(
      await waitFor(async () => {
        const s = await status();
        return s.offReason === 'over-quota' && !s.recordingNow;
      }, 60_000),
    ).toBe(true);
    expect(await status()).toMatchObject({
      state: 'recording',
      lessonEnabled: true,
      offReason: 'over-quota',
    });
    expect((await storage()).bytes).toBeGreaterThanOrEqual(quotaBytes!);
    const stopped = await rec();
    expect(stopped.runs.every((r) => r.endedAt !== null && r.end === 'stopped')).toBe(true);
    expect(stopped.gaps.filter((g) => g.reason === 'over-quota')).toHaveLength(1);
    const listed = (await (
      await fetch(`${t.url}/api/library/recordings/${next}`, { headers: coordinator })
    ).json()) as RecordingView;
    expect(listed).toMatchObject({ state: 'recording', offReason: 'over-quota' });
    // Switching it on again while still over the quota records nothing.
    const again = await fetch(`${t.url}/api/lessons/${next}/recording`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    expect(await again.json()).toMatchObject({ recordingNow: false, offReason: 'over-quota' });

    // After the lesson: what was recorded is composed; the time after the stop is marked.
    await platform.lessons.end(teacher, next!);
    expect(await waitFor(async () => ['ready', 'failed'].includes((await rec()).state), 120_000, 500)).toBe(
      true,
    );
    const done = await rec();
    expect(done).toMatchObject({ state: 'ready', offReason: 'over-quota' });
    const gap = done.gaps.find((g) => g.reason === 'over-quota')!;
    expect(gap.to.getTime()).toBe(done.liveEndedAt!.getTime());
    expect(gap.from.getTime()).toBeLessThan(gap.to.getTime());
    await m.Recording.deleteOne({ _id: earlier._id });
  }, 240_000);
});
