import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import { LessonRoom } from '../../sfu/index.ts';
import dgram from 'node:dgram';
import { TEST_VIDEO_RTP, sendTestVideo, waitFor } from '../helpers/media.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { connect, next, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

/**
 * A UDP socket on loopback that counts the media packets arriving: RTCP aside (RFC 5761), and
 * mediasoup's bandwidth probation padding (payload type 127).
 */
async function rtpSink(): Promise<{ port: number; packets: () => number; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  let packets = 0;
  socket.on('message', (msg) => {
    const type = msg[1] ?? 0;
    if ((type < 192 || type > 223) && (type & 0x7f) !== 127) packets++;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, packets: () => packets, close: () => socket.close() };
}

describe('socket.io signaling on the real server', () => {
  let t: TestPlatform;
  let lessonId: string;
  let rtpCapabilities: Record<string, unknown>;
  const sockets: ClientSocket[] = [];
  const open = async (username: string): Promise<ClientSocket> => {
    const s = await connect(t.url, await login(t.url, username));
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startPlatform();
    const token = await login(t.url, 'teacher');
    const res = await fetch(`${t.url}/api/lessons/current`, {
      headers: { authorization: `Bearer ${token}` },
    });
    lessonId = ((await res.json()) as CurrentLessonResponse).lesson!.id;
    // The browser's capabilities would come from mediasoup-client; the router's own are a valid stand-in.
    const room = await t.platform.rooms.getOrCreate('caps');
    rtpCapabilities = room.rtpCapabilities;
    room.close();
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('refuses a handshake without a token or with a forged one', async () => {
    await expect(connect(t.url)).rejects.toThrow('login required');
    await expect(connect(t.url, 'a.b.c')).rejects.toThrow('invalid token');
  });

  it('answers malformed payloads with a ValidationError acknowledgement and keeps the connection', async () => {
    const s = await open('classroom1');
    const bad = await request(s, 'lesson:join', { lessonId: 42 });
    expect(bad).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    const worse = await request(s, 'produce', 'not even an object');
    expect(worse).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    expect(s.connected).toBe(true);
    const before = await request(s, 'transport:create', { lessonId, direction: 'recv' });
    expect(before).toMatchObject({
      ok: false,
      error: { name: 'InvalidStateError', message: 'join the lesson first' },
    });
  });

  it('a classroom cannot start a lesson; before the start it only waits in the room (not in the lesson), and one left alone there closes it', async () => {
    const s = await open('classroom1');
    expect(await request(s, 'lesson:start', { lessonId })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });
    expect(await request(s, 'lesson:join', { lessonId, rtpCapabilities })).toMatchObject({
      ok: true,
      data: { lesson: { state: 'scheduled' }, peers: [] },
    });
    expect(t.platform.rooms.get(lessonId)?.peers).toEqual([]);
    expect(await request(s, 'lesson:leave', { lessonId })).toEqual({ ok: true, data: null });
    expect(await waitFor(() => t.platform.rooms.get(lessonId) === undefined)).toBe(true);
  });

  it('participants waiting before the start are not counted until it goes live; their transports carry media right after the start', async () => {
    const { Lesson, LessonEvent } = t.platform.models;
    const demo = await Lesson.findById(lessonId).lean();
    const fresh = await Lesson.create({
      ...demo,
      _id: undefined,
      state: 'scheduled',
      startedAt: null,
      endedAt: null,
    });
    const id = fresh._id.toString();
    const teacher = await open('teacher');
    const c1 = await open('classroom1');
    const c2 = await open('classroom2');
    const tj = await request(teacher, 'lesson:join', { lessonId: id, rtpCapabilities });
    const j1 = await request(c1, 'lesson:join', { lessonId: id, rtpCapabilities });
    expect(await request(c2, 'lesson:join', { lessonId: id, rtpCapabilities })).toMatchObject({ ok: true });
    if (!tj.ok || !j1.ok) throw new Error('waiting join refused');
    const room = t.platform.rooms.get(id);
    if (!(room instanceof LessonRoom)) throw new Error('no waiting room in this process');
    // The teacher's camera goes up before the start (a plain RTP ingest stands in for the browser).
    const ingest = await room.createPlainTransport(tj.data.peerId, 'send', { comedia: true, rtcpMux: false });
    const told = next(c1, 'producer:new');
    const produced = await request(teacher, 'produce', {
      lessonId: id,
      transportId: ingest.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: TEST_VIDEO_RTP,
    });
    if (!produced.ok) throw new Error(produced.error.message);
    expect(await told).toMatchObject({ producerId: produced.data.producerId });
    const sink = await rtpSink();
    // A key frame every second: ffmpeg does not answer the key frame request of the start.
    const ffmpeg = sendTestVideo(ingest.port, ingest.rtcpPort!, 30, 15);
    try {
      const out = await room.createPlainTransport(j1.data.peerId, 'recv');
      await room.connectPlainTransport(j1.data.peerId, out.id, { ip: '127.0.0.1', port: sink.port });
      const consumer = await request(c1, 'consume', { lessonId: id, producerId: produced.data.producerId });
      if (!consumer.ok) throw new Error(consumer.error.message);
      expect(await request(c1, 'consumer:resume', { lessonId: id, consumerId: consumer.data.id })).toEqual({
        ok: true,
        data: null,
      });
      // The camera reaches the SFU, and nothing goes down before the start; nobody is in the lesson yet.
      expect(await waitFor(async () => (await room.traffic()).recvBps > 0, 15_000)).toBe(true);
      expect(sink.packets()).toBe(0);
      expect(room.peers).toEqual([]);
      expect(await room.health()).toEqual([]);
      expect(await LessonEvent.countDocuments({ lessonId: id, kind: 'join' })).toBe(0);

      const peerTold = next(c1, 'peer:joined');
      expect(await request(teacher, 'lesson:start', { lessonId: id })).toMatchObject({ ok: true });
      expect(await peerTold).toMatchObject({ role: 'teacher' });
      expect(await waitFor(() => sink.packets() > 0, 10_000)).toBe(true);
      expect(room.peers.map((p) => p.role).sort()).toEqual(['classroom', 'classroom', 'teacher']);
      // Attendance counts from the start: every join is written after the lesson's live event.
      expect(
        await waitFor(async () => (await LessonEvent.countDocuments({ lessonId: id, kind: 'join' })) === 3),
      ).toBe(true);
      const live = await LessonEvent.findOne({ lessonId: id, kind: 'live' }).lean();
      const joins = await LessonEvent.find({ lessonId: id, kind: 'join' }).lean();
      for (const join of joins) expect(join.at.getTime()).toBeGreaterThanOrEqual(live!.at.getTime());
    } finally {
      ffmpeg.kill('SIGKILL');
      sink.close();
      expect(await request(teacher, 'lesson:end', { lessonId: id })).toMatchObject({ ok: true });
    }
    expect(await waitFor(() => t.platform.rooms.get(id) === undefined)).toBe(true);
  });

  it('runs a lesson: start → classrooms told → media negotiated → a classroom may not take another’s media → end closes every transport', async () => {
    const teacher = await open('teacher');
    const c1 = await open('classroom1');
    const c2 = await open('classroom2');
    const coordinator = await login(t.url, 'coordinator');

    const told = next(c1, 'lesson:state');
    expect(await request(teacher, 'lesson:start', { lessonId })).toMatchObject({
      ok: true,
      data: { state: 'live' },
    });
    expect(await told).toMatchObject({ lessonId, state: 'live' });

    const tj = await request(teacher, 'lesson:join', { lessonId, rtpCapabilities });
    expect(tj).toMatchObject({ ok: true, data: { peers: [], producers: [] } });
    const send = await request(teacher, 'transport:create', { lessonId, direction: 'send' });
    if (!send.ok) throw new Error(send.error.message);
    expect(send.data.iceCandidates.length).toBeGreaterThan(0);
    const produced = await request(teacher, 'produce', {
      lessonId,
      transportId: send.data.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: TEST_VIDEO_RTP,
    });
    if (!produced.ok) throw new Error(produced.error.message);

    const j1 = await request(c1, 'lesson:join', { lessonId, rtpCapabilities });
    expect(j1).toMatchObject({
      ok: true,
      data: { producers: [{ producerId: produced.data.producerId, source: 'camera' }] },
    });
    const recv = await request(c1, 'transport:create', { lessonId, direction: 'recv' });
    expect(recv.ok).toBe(true);
    const consumed = await request(c1, 'consume', { lessonId, producerId: produced.data.producerId });
    expect(consumed).toMatchObject({
      ok: true,
      data: { kind: 'video', producerId: produced.data.producerId },
    });
    if (!consumed.ok) return;
    expect(await request(c1, 'consumer:resume', { lessonId, consumerId: consumed.data.id })).toEqual({
      ok: true,
      data: null,
    });
    // A consumer the client no longer shows is closed on its word, once.
    expect(await request(c1, 'consumer:close', { lessonId, consumerId: consumed.data.id })).toEqual({
      ok: true,
      data: null,
    });
    expect(await request(c1, 'consumer:close', { lessonId, consumerId: consumed.data.id })).toMatchObject({
      ok: false,
      error: { name: 'NotFoundError', code: 'NOT_FOUND' },
    });
    const reconsumed = await request(c1, 'consume', { lessonId, producerId: produced.data.producerId });
    if (!reconsumed.ok) throw new Error(reconsumed.error.message);
    await request(c1, 'consumer:resume', { lessonId, consumerId: reconsumed.data.id });

    // classroom1 sends its camera; the teacher is told, classroom2 is not and may not consume it.
    const teacherTold = next(teacher, 'producer:new');
    let c2Told = false;
    c2.on('producer:new', () => (c2Told = true));
    await request(c2, 'lesson:join', { lessonId, rtpCapabilities });
    await request(c2, 'transport:create', { lessonId, direction: 'recv' });
    const up = await request(c1, 'transport:create', { lessonId, direction: 'send' });
    if (!up.ok) throw new Error(up.error.message);
    const c1cam = await request(c1, 'produce', {
      lessonId,
      transportId: up.data.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: { ...TEST_VIDEO_RTP, encodings: [{ ssrc: 333 }] },
    });
    if (!c1cam.ok) throw new Error(c1cam.error.message);
    expect(await teacherTold).toMatchObject({ producerId: c1cam.data.producerId, kind: 'video' });
    expect(await request(c2, 'consume', { lessonId, producerId: c1cam.data.producerId })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });
    expect(c2Told).toBe(false);

    const sfu = async () =>
      (await (
        await fetch(`${t.url}/api/admin/sfu`, { headers: { authorization: `Bearer ${coordinator}` } })
      ).json()) as {
        totals: { transports: number; routers: number };
      };
    expect((await sfu()).totals.transports).toBe(4);

    const ended = next(c2, 'lesson:state');
    expect(await request(teacher, 'lesson:end', { lessonId })).toMatchObject({
      ok: true,
      data: { state: 'ended' },
    });
    expect(await ended).toMatchObject({ state: 'ended' });
    expect(
      await waitFor(async () => (await sfu()).totals.transports === 0 && (await sfu()).totals.routers === 0),
    ).toBe(true);
    expect(await request(c1, 'lesson:join', { lessonId, rtpCapabilities })).toMatchObject({
      ok: false,
      error: { name: 'InvalidStateError' },
    });
  });

  it('pushes link health to participants and tells them to rejoin when the lesson’s worker dies', async () => {
    const { Lesson } = t.platform.models;
    const demo = await Lesson.findById(lessonId).lean();
    const fresh = await Lesson.create({
      ...demo,
      _id: undefined,
      state: 'scheduled',
      startedAt: null,
      endedAt: null,
    });
    const id = fresh._id.toString();
    const teacher = await open('teacher');
    const c3 = await open('classroom3');
    expect(await request(teacher, 'lesson:start', { lessonId: id })).toMatchObject({ ok: true });
    await request(teacher, 'lesson:join', { lessonId: id, rtpCapabilities });
    await request(c3, 'lesson:join', { lessonId: id, rtpCapabilities });
    await request(c3, 'transport:create', { lessonId: id, direction: 'recv' });

    const health = await next(teacher, 'lesson:health');
    expect(health.lessonId).toBe(id);
    const classroomHealth = health.peers.find((p) => p.refId === demo!.classroomIds[2]!.toString());
    expect(classroomHealth).toMatchObject({ connection: 'new', uplinkBitrate: 0 });

    const reset = next(c3, 'lesson:media-reset');
    process.kill(t.platform.pool.pids[0]!, 'SIGKILL');
    expect(await reset).toEqual({ lessonId: id, reason: 'worker-died' });
    // The lesson is still live: rejoining builds a new room on the replacement worker.
    expect(await waitFor(() => t.platform.pool.pids.length === 1)).toBe(true);
    expect(await request(c3, 'lesson:join', { lessonId: id, rtpCapabilities })).toMatchObject({ ok: true });
  });

  it('restarts ICE of a page’s transport asked over another socket of the same account, and of nobody else’s', async () => {
    const { Lesson } = t.platform.models;
    const demo = await Lesson.findById(lessonId).lean();
    const live = await Lesson.create({
      ...demo,
      _id: undefined,
      state: 'live',
      startedAt: new Date(),
      endedAt: null,
    });
    const id = live._id.toString();
    const page = await open('classroom1');
    const joined = await request(page, 'lesson:join', { lessonId: id, rtpCapabilities });
    if (!joined.ok) throw new Error(joined.error.message);
    const transport = await request(page, 'transport:create', { lessonId: id, direction: 'recv' });
    if (!transport.ok) throw new Error(transport.error.message);
    const ask = { lessonId: id, transportId: transport.data.id, peerId: joined.data.peerId };
    // The same kiosk on a fresh socket (its main one stalled by a cut link): new credentials.
    const side = await open('classroom1');
    const restarted = await request(side, 'transport:restart-ice', ask);
    if (!restarted.ok) throw new Error(restarted.error.message);
    const fresh = restarted.data.iceParameters as { usernameFragment: string };
    expect(fresh.usernameFragment).not.toBe(
      (transport.data.iceParameters as { usernameFragment: string }).usernameFragment,
    );
    // Another classroom of the lesson, or the side socket asking for itself: refused.
    const other = await open('classroom2');
    expect(await request(other, 'transport:restart-ice', ask)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await request(side, 'transport:restart-ice', { ...ask, peerId: undefined })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    });
    // The page's own socket may ask too; its media stays where it was.
    expect(await request(page, 'transport:restart-ice', { ...ask, peerId: undefined })).toMatchObject({
      ok: true,
    });
    expect(t.platform.rooms.get(id)?.stats()).toMatchObject({ peers: 1, transports: 1 });
    t.platform.rooms.close(id, 'closed');
  });
});
