import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  ForbiddenError,
  InvalidStateError,
  LessonRoom,
  LocalPlacement,
  NotFoundError,
  layerForBudget,
  RoomRegistry,
  WorkerPool,
} from '../../sfu/index.ts';
import { TEST_VIDEO_RTP, sendTestVideo, udpSink, waitFor } from '../helpers/media.ts';

const teacher = { peerId: 'p-teacher', role: 'teacher' as const, refId: 'u1', displayName: '王老师' };
const classroom = (n: number) => ({
  peerId: `p-c${n}`,
  role: 'classroom' as const,
  refId: `c${n}`,
  displayName: `教室${n}`,
});

describe('sfu: WorkerPool and LessonRoom on real mediasoup workers', () => {
  let pool: WorkerPool;
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    pool = await WorkerPool.create({ numWorkers: 2, respawnDelayMs: 50 });
  });
  afterEach(() => cleanups.splice(0).forEach((f) => f()));
  afterAll(() => pool.close());

  it('forwards the teacher’s RTP to a classroom consumer, and stops when the teacher leaves', async () => {
    const room = await LessonRoom.create(pool, { lessonId: 'media' });
    cleanups.push(() => room.close());
    room.addPeer(teacher, room.rtpCapabilities);
    room.addPeer(classroom(1), room.rtpCapabilities);
    const ingest = await room.createPlainTransport(teacher.peerId, 'send', { comedia: true, rtcpMux: false });
    const producerId = await room.produce(teacher.peerId, ingest.id, 'video', 'camera', TEST_VIDEO_RTP);
    const sink = await udpSink();
    cleanups.push(sink.close);
    const out = await room.createPlainTransport(classroom(1).peerId, 'recv');
    await room.connectPlainTransport(classroom(1).peerId, out.id, { ip: '127.0.0.1', port: sink.port });
    const consumer = await room.consume(classroom(1).peerId, producerId);
    expect(consumer).toMatchObject({ producerId, peerId: teacher.peerId, kind: 'video', source: 'camera' });
    await room.resumeConsumer(classroom(1).peerId, consumer.id);

    const ffmpeg: ChildProcess = sendTestVideo(ingest.port, ingest.rtcpPort!);
    cleanups.push(() => ffmpeg.kill('SIGKILL'));
    expect(await waitFor(() => sink.packets() > 30, 15_000)).toBe(true);

    const closed: string[] = [];
    room.on('consumerclosed', ({ consumerId }) => closed.push(consumerId));
    room.removePeer(teacher.peerId);
    expect(await waitFor(() => closed.length === 1)).toBe(true);
    expect(room.stats()).toMatchObject({ peers: 1, producers: 0, consumers: 0 });
  });

  it('gives each classroom the teacher’s simulcast layer its link can take, with room for audio', async () => {
    const room = await LessonRoom.create(pool, { lessonId: 'budgets' });
    cleanups.push(() => room.close());
    room.addPeer(teacher, room.rtpCapabilities);
    const layers = [150_000, 500_000, 1_200_000];
    const ingest = await room.createPlainTransport(teacher.peerId, 'send', { comedia: true });
    const producerId = await room.produce(teacher.peerId, ingest.id, 'video', 'camera', {
      ...TEST_VIDEO_RTP,
      encodings: layers.map((maxBitrate, i) => ({ ssrc: 33330000 + i, maxBitrate })),
    });
    // A 6 Mbit/s school's share, a 1 Mbit/s teaching point's, and a link below the lowest layer.
    const budgets = [3600, 600, 200];
    const chosen: (number | null)[] = [];
    for (const [i, downlinkKbps] of budgets.entries()) {
      room.addPeer({ ...classroom(i + 1), downlinkKbps }, room.rtpCapabilities);
      await room.createPlainTransport(classroom(i + 1).peerId, 'recv');
      chosen.push((await room.consume(classroom(i + 1).peerId, producerId)).spatialLayer);
    }
    expect(chosen).toEqual([2, 1, 0]);
    // Without a budget (the teacher's own link is not limited) the top layer.
    expect(
      layerForBudget(
        layers.map((maxBitrate) => ({ maxBitrate })),
        undefined,
      ),
    ).toBe(2);
    expect(
      layerForBudget(
        layers.map((maxBitrate) => ({ maxBitrate })),
        564,
      ),
    ).toBe(1);
    expect(
      layerForBudget(
        layers.map((maxBitrate) => ({ maxBitrate })),
        563,
      ),
    ).toBe(0);
  });

  it('consume() rejects with ForbiddenError for a classroom asking for another classroom’s media', async () => {
    const room = await LessonRoom.create(pool, { lessonId: 'policy' });
    cleanups.push(() => room.close());
    room.addPeer(classroom(1), room.rtpCapabilities);
    room.addPeer(classroom(2), room.rtpCapabilities);
    room.addPeer(teacher, room.rtpCapabilities);
    const up = await room.createPlainTransport(classroom(1).peerId, 'send', { comedia: true });
    const producerId = await room.produce(classroom(1).peerId, up.id, 'video', 'camera', TEST_VIDEO_RTP);
    await room.createPlainTransport(classroom(2).peerId, 'recv');
    await room.createPlainTransport(teacher.peerId, 'recv');
    await expect(room.consume(classroom(2).peerId, producerId)).rejects.toThrow(ForbiddenError);
    await expect(room.consume(teacher.peerId, producerId)).resolves.toMatchObject({ producerId });
    await expect(room.consume(teacher.peerId, 'nope')).rejects.toThrow(NotFoundError);
    expect(room.producersFor(classroom(2).peerId)).toEqual([]);
    expect(room.producersFor(teacher.peerId).map((p) => p.producerId)).toEqual([producerId]);
  });

  it('produce() refuses a screen share from a classroom and a mic track labelled video', async () => {
    const room = await LessonRoom.create(pool, { lessonId: 'produce-rules' });
    cleanups.push(() => room.close());
    room.addPeer(classroom(1), room.rtpCapabilities);
    const up = await room.createPlainTransport(classroom(1).peerId, 'send', { comedia: true });
    await expect(
      room.produce(classroom(1).peerId, up.id, 'video', 'screen', TEST_VIDEO_RTP as never),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      room.produce(classroom(1).peerId, up.id, 'video', 'mic', TEST_VIDEO_RTP as never),
    ).rejects.toThrow(TypeError);
    expect(room.stats().producers).toBe(0);
  });

  it('restartIce() gives a WebRTC transport new ICE credentials, and refuses a plain or unknown transport', async () => {
    const room = await LessonRoom.create(pool, { lessonId: 'ice-restart' });
    cleanups.push(() => room.close());
    room.addPeer(classroom(1), room.rtpCapabilities);
    const recv = await room.createTransport(classroom(1).peerId, 'recv');
    const again = await room.restartIce(classroom(1).peerId, recv.id);
    expect(again.usernameFragment).not.toBe(recv.iceParameters.usernameFragment);
    expect(again.password).not.toBe(recv.iceParameters.password);
    expect(room.stats().transports).toBe(1);
    const plain = await room.createPlainTransport(classroom(1).peerId, 'recv');
    await expect(room.restartIce(classroom(1).peerId, plain.id)).rejects.toThrow(ArgumentError);
    await expect(room.restartIce(classroom(1).peerId, 'nope')).rejects.toThrow(NotFoundError);
  });

  it('a rejoining classroom replaces its earlier peer, whose transports close', async () => {
    const room = await LessonRoom.create(pool, { lessonId: 'rejoin' });
    cleanups.push(() => room.close());
    room.addPeer(classroom(1), room.rtpCapabilities);
    await room.createPlainTransport(classroom(1).peerId, 'recv');
    room.addPeer({ ...classroom(1), peerId: 'p-c1-again' }, room.rtpCapabilities);
    expect(room.peers.map((p) => p.peerId)).toEqual(['p-c1-again']);
    expect(room.stats().transports).toBe(0);
  });

  it('close() cascades: every transport and the router close, and later calls fail with InvalidStateError', async () => {
    const registry = new RoomRegistry(new LocalPlacement(pool));
    const [a, b] = await Promise.all([registry.getOrCreate('cascade'), registry.getOrCreate('cascade')]);
    expect(a).toBe(b); // creation is serialized
    a.addPeer(teacher, a.rtpCapabilities);
    a.addPeer(classroom(1), a.rtpCapabilities);
    await a.createPlainTransport(teacher.peerId, 'send', { comedia: true });
    await a.createPlainTransport(classroom(1).peerId, 'recv');
    const before = pool.stats().reduce((n, w) => n + w.transports, 0);
    expect(before).toBeGreaterThanOrEqual(2);
    const reasons: string[] = [];
    a.on('close', (r) => reasons.push(r));
    registry.close('cascade', 'ended');
    expect(reasons).toEqual(['ended']);
    expect(registry.get('cascade')).toBeUndefined();
    expect(await waitFor(() => pool.stats().every((w) => w.transports === 0 && w.routers === 0))).toBe(true);
    expect(() => a.addPeer(classroom(2), a.rtpCapabilities)).toThrow(InvalidStateError);
  });

  it('a worker that dies closes its lessons with reason "worker-died" and is replaced', async () => {
    const room = await LessonRoom.create(pool, { lessonId: 'doomed' });
    const reasons: string[] = [];
    room.on('close', (r) => reasons.push(r));
    const died: number[] = [];
    pool.on('workerdied', ({ pid }) => died.push(pid));
    const replaced = new Promise<{ deadPid: number; pid: number }>((resolve) =>
      pool.once('workerreplaced', resolve),
    );
    const victim = pool.stats().find((w) => w.routers > 0)!.pid;
    process.kill(victim, 'SIGKILL');
    const { deadPid, pid } = await replaced;
    expect(deadPid).toBe(victim);
    expect(died).toEqual([victim]);
    expect(reasons).toEqual(['worker-died']);
    expect(pool.pids).toHaveLength(2);
    expect(pool.pids).toContain(pid);
    await expect(
      LessonRoom.create(pool, { lessonId: 'after' }).then((r) => r.close()),
    ).resolves.toBeUndefined();
  });
});
