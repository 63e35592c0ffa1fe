import type { ChildProcess } from 'node:child_process';
import jwt from 'jsonwebtoken';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { NodePlacement } from '../../server/media/NodePlacement.ts';
import { NodeReports } from '../../server/media/NodeReports.ts';
import { RemoteRoom } from '../../server/media/RemoteRoom.ts';
import { BroadcastRoom, RoomRegistry } from '../../sfu/index.ts';
import { MEDIA_RPC_PATH, REPORT_AUDIENCE, RPC_AUDIENCE } from '../../server/media/protocol.ts';
import { TEST_VIDEO_RTP, sendTestVideo, udpSink, waitFor } from '../helpers/media.ts';
import { sendKeyedTestVideo } from '../helpers/recordingMedia.ts';
import { startMediaNode } from '../helpers/mediaNode.ts';
import type { TestMediaNode } from '../helpers/mediaNode.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { startRedis } from '../helpers/redis.ts';
import type { TestRedis } from '../helpers/redis.ts';
import { connect, next, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

const SECRET = 'media-node-secret-for-tests-only-0123456789';
const silent = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');

/**
 * Two media node processes and one server process on loopback, sharing a real Redis: lessons
 * are placed on a node, their media crosses it, and a node that dies has its lessons placed
 * again on the other one.
 */
describe('media nodes: lessons on other processes, through the RPC', () => {
  let redis: TestRedis;
  let t: TestPlatform;
  const nodes = new Map<string, TestMediaNode>();
  const cleanups: (() => void)[] = [];
  let lessonId: string;
  let rtpCapabilities: object;
  let teacher: ClientSocket;
  let classroom: ClientSocket;

  const open = async (username: string): Promise<ClientSocket> => {
    const s = await connect(t.url, await login(t.url, username));
    cleanups.push(() => s.close());
    return s;
  };
  const roomOf = (id: string): RemoteRoom => {
    const room = t.platform.rooms.get(id);
    if (!(room instanceof RemoteRoom)) throw new Error('the lesson has no room on a media node');
    return room;
  };

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, MEDIA_NODE_SECRET: SECRET };
    const [x, y] = await Promise.all([
      startMediaNode('node-x', { ...env, RTC_MIN_PORT: '42000', RTC_MAX_PORT: '42999' }),
      startMediaNode('node-y', { ...env, RTC_MIN_PORT: '43000', RTC_MAX_PORT: '43999' }),
    ]);
    nodes.set(x.nodeId, x);
    nodes.set(y.nodeId, y);
    t = await startPlatform({
      env: { REDIS_URL: redis.url, MEDIA_NODES: 'true', MEDIA_NODE_SECRET: SECRET },
    });
    const token = await login(t.url, 'teacher');
    const current = (await (
      await fetch(`${t.url}/api/lessons/current`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { lesson: { id: string } };
    lessonId = current.lesson.id;
    // The browser's capabilities would come from mediasoup-client; the routers' own are a valid stand-in.
    expect(await waitFor(() => t.platform.pool.pids.length === 2, 10_000)).toBe(true);
    rtpCapabilities = await t.platform.rooms.routerCapabilities();
    teacher = await open('teacher');
    classroom = await open('classroom1');
  }, 180_000);

  afterAll(async () => {
    cleanups.splice(0).forEach((f) => f());
    await t?.close();
    await Promise.all([...nodes.values()].map((n) => n.stop('SIGKILL')));
    await redis?.stop();
    if (t) removeDataDir(t.dataDir);
  });

  /** The teacher sends test video into the lesson's room; the classroom receives it on a UDP sink. */
  async function mediaFlows(): Promise<{ packets: () => number; stop: () => void }> {
    const room = roomOf(lessonId);
    const [teacherPeer] = room.peers.filter((p) => p.role === 'teacher');
    const [classroomPeer] = room.peers.filter((p) => p.role === 'classroom');
    const ingest = await room.createPlainTransport(teacherPeer!.peerId, 'send', {
      comedia: true,
      rtcpMux: false,
    });
    const producerId = await room.produce(teacherPeer!.peerId, ingest.id, 'video', 'camera', TEST_VIDEO_RTP);
    const sink = await udpSink();
    const out = await room.createPlainTransport(classroomPeer!.peerId, 'recv');
    await room.connectPlainTransport(classroomPeer!.peerId, out.id, { ip: '127.0.0.1', port: sink.port });
    const consumer = await room.consume(classroomPeer!.peerId, producerId);
    await room.resumeConsumer(classroomPeer!.peerId, consumer.id);
    const ffmpeg: ChildProcess = sendTestVideo(ingest.port, ingest.rtcpPort!);
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      ffmpeg.kill('SIGKILL');
      sink.close();
    };
    cleanups.push(stop);
    return { packets: sink.packets, stop };
  }

  it('before the start, a page is told the lesson is not live and no node room is opened (remote rooms do not wait)', async () => {
    const early = await request(classroom, 'lesson:join', { lessonId, rtpCapabilities });
    expect(early).toMatchObject({ ok: false, error: { code: 'LESSON_NOT_LIVE' } });
    // Refused before any room was opened (one opened and closed again would still be here).
    expect(t.platform.rooms.get(lessonId)).toBeUndefined();
  });

  it('places a live lesson on a reporting node; its media crosses that node', async () => {
    expect(await request(teacher, 'lesson:start', { lessonId })).toMatchObject({ ok: true });
    expect(await request(teacher, 'lesson:join', { lessonId, rtpCapabilities })).toMatchObject({ ok: true });
    const joined = await request(classroom, 'lesson:join', { lessonId, rtpCapabilities });
    expect(joined).toMatchObject({ ok: true, data: { peers: [{ role: 'teacher' }] } });
    const room = roomOf(lessonId);
    expect(nodes.has(room.nodeId)).toBe(true);
    // The WebRTC transport is the node's: its ICE candidates are in the node's own port range.
    const transport = await request(teacher, 'transport:create', { lessonId, direction: 'send' });
    if (!transport.ok) throw new Error(transport.error.message);
    const range = room.nodeId === 'node-x' ? [42000, 42999] : [43000, 43999];
    expect(transport.data.iceCandidates[0]!.port).toBeGreaterThanOrEqual(range[0]!);
    expect(transport.data.iceCandidates[0]!.port).toBeLessThanOrEqual(range[1]!);
    // A lost link's ICE restart reaches the node: new credentials for the same transport.
    const restarted = await request(teacher, 'transport:restart-ice', {
      lessonId,
      transportId: transport.data.id,
    });
    if (!restarted.ok) throw new Error(restarted.error.message);
    const before = transport.data.iceParameters as { usernameFragment: string };
    const after = restarted.data.iceParameters as { usernameFragment: string };
    expect(after.usernameFragment.length).toBeGreaterThan(0);
    expect(after.usernameFragment).not.toBe(before.usernameFragment);

    const flow = await mediaFlows();
    expect(await waitFor(() => flow.packets() > 30, 15_000)).toBe(true);
    flow.stop();
    // Health comes from the node, per participant.
    const health = await room.health();
    expect(health.map((h) => h.refId).sort()).toHaveLength(2);
  });

  it('a broadcast spans both nodes: the teacher is piped to every room, classrooms back to the teacher, the floor to all', async () => {
    // A second control plane in this process, as another server process would be, one classroom per router.
    const redisClient = new Redis(redis.url);
    cleanups.push(() => redisClient.disconnect());
    const placement = new NodePlacement({
      reports: new NodeReports(redisClient, SECRET, silent),
      secret: SECRET,
      processName: 'broadcast-test',
      logger: silent,
    });
    cleanups.push(() => placement.close());
    expect(await waitFor(() => placement.pids.length === 2, 10_000)).toBe(true);
    const registry = new RoomRegistry(placement, { classroomsPerRoom: 1 });
    const room = await registry.getOrCreate('broadcast', { classrooms: 3 });
    cleanups.push(() => room.close());
    expect(room).toBeInstanceOf(BroadcastRoom);
    const caps = await registry.routerCapabilities();
    const teacherPeer = { peerId: 'b-teacher', role: 'teacher' as const, refId: 'u-t', displayName: '名师' };
    const classroomPeer = (n: number) => ({
      peerId: `b-c${n}`,
      role: 'classroom' as const,
      refId: `c${n}`,
      displayName: `教室${n}`,
    });
    await room.addPeer(teacherPeer, caps);
    // Joining together, as kiosks do when the lesson starts: they spread over the rooms all the same.
    await Promise.all([1, 2, 3].map((n) => room.addPeer(classroomPeer(n), caps)));
    const rooms = (room as BroadcastRoom).rooms as RemoteRoom[];
    expect(rooms).toHaveLength(3);
    expect(new Set(rooms.map((r) => r.nodeId))).toEqual(new Set(['node-x', 'node-y']));
    expect(room.peers.map((p) => p.peerId).sort()).toEqual(['b-c1', 'b-c2', 'b-c3', 'b-teacher']);

    /** `viewer` consumes `producerId` into a UDP sink of its own. */
    const receive = async (viewer: string, producerId: string) => {
      const sink = await udpSink();
      cleanups.push(sink.close);
      const out = await room.createPlainTransport(viewer, 'recv');
      await room.connectPlainTransport(viewer, out.id, { ip: '127.0.0.1', port: sink.port });
      const consumer = await room.consume(viewer, producerId);
      await room.resumeConsumer(viewer, consumer.id);
      return { packets: sink.packets, consumerId: consumer.id };
    };
    const send = async (peerId: string) => {
      const ingest = await room.createPlainTransport(peerId, 'send', { comedia: true, rtcpMux: false });
      const producerId = await room.produce(peerId, ingest.id, 'video', 'camera', TEST_VIDEO_RTP);
      // A key frame every second (ffmpeg ignores PLI): a consumer created later starts within 1 s.
      const ffmpeg = sendKeyedTestVideo(ingest.port, ingest.rtcpPort!);
      const stop = (): boolean => ffmpeg.kill('SIGKILL');
      cleanups.push(stop);
      return { producerId, stop };
    };

    // The teacher's camera reaches a classroom in the last edge room, through the pipes.
    const { producerId: teacherCamera, stop: stopTeacher } = await send('b-teacher');
    expect(
      await waitFor(
        async () => (await room.producersFor('b-c3')).some((p) => p.producerId === teacherCamera),
        10_000,
      ),
    ).toBe(true);
    const atC3 = await receive('b-c3', teacherCamera);
    expect(await waitFor(() => atC3.packets() > 30, 15_000)).toBe(true);
    // A classroom's camera (in an edge room) reaches the teacher (in the origin).
    const { producerId: c2Camera } = await send('b-c2');
    expect(
      await waitFor(
        async () => (await room.producersFor('b-teacher')).some((p) => p.producerId === c2Camera),
        10_000,
      ),
    ).toBe(true);
    const atTeacher = await receive('b-teacher', c2Camera);
    expect(await waitFor(() => atTeacher.packets() > 30, 15_000)).toBe(true);
    // The teacher pages classroom 2 out of view: its camera stops reaching the teacher (the
    // consumer is closed on the node that hosts it); back in view, it flows again.
    await room.closeConsumer('b-teacher', atTeacher.consumerId);
    await new Promise((r) => setTimeout(r, 300));
    const stopped = atTeacher.packets();
    await new Promise((r) => setTimeout(r, 1000));
    expect(atTeacher.packets()).toBe(stopped);
    await expect(room.closeConsumer('b-teacher', atTeacher.consumerId)).rejects.toThrow(/not found/);
    const again = await room.consume('b-teacher', c2Camera);
    await room.resumeConsumer('b-teacher', again.id);
    expect(await waitFor(() => atTeacher.packets() > stopped + 30, 15_000)).toBe(true);
    // Classroom 3 does not receive classroom 2 until classroom 2 has the floor; then it does.
    await expect(room.consume('b-c3', c2Camera)).rejects.toThrow();
    room.setFloor('c2');
    expect(
      await waitFor(
        async () => (await room.producersFor('b-c3')).some((p) => p.producerId === c2Camera),
        10_000,
      ),
    ).toBe(true);
    // Into classroom 3's one receive transport: with the teacher's sender stopped, what arrives is classroom 2's.
    stopTeacher();
    await new Promise((r) => setTimeout(r, 500));
    const before = atC3.packets();
    const floorConsumer = await room.consume('b-c3', c2Camera);
    expect(floorConsumer.producerId).toBe(c2Camera);
    await room.resumeConsumer('b-c3', floorConsumer.id);
    expect(await waitFor(() => atC3.packets() > before + 30, 15_000)).toBe(true);
    // One participant list, one health row per participant, wherever each is.
    expect((await room.health()).map((h) => h.refId).sort()).toEqual(['c1', 'c2', 'c3', 'u-t']);
    room.close('ended');
    expect(rooms.every((r) => r.closed)).toBe(true);
  });

  it('a node that dies: its lessons are placed on the other node and media flows again, no reload', async () => {
    const before = roomOf(lessonId).nodeId;
    const reset = next(classroom, 'lesson:media-reset');
    await nodes.get(before)!.stop('SIGKILL');
    expect(await reset).toEqual({ lessonId, reason: 'node-died' });
    // The same sockets join again (as the browser does on media-reset).
    expect(await request(teacher, 'lesson:join', { lessonId, rtpCapabilities })).toMatchObject({ ok: true });
    expect(await request(classroom, 'lesson:join', { lessonId, rtpCapabilities })).toMatchObject({
      ok: true,
    });
    const after = roomOf(lessonId).nodeId;
    expect(after).not.toBe(before);
    const flow = await mediaFlows();
    expect(await waitFor(() => flow.packets() > 30, 15_000)).toBe(true);
    flow.stop();
  });

  it('refuses an RPC connection not signed with the secret, and bad arguments with a clear error', async () => {
    const live = [...nodes.values()].find((n) => n.child.exitCode === null && !n.child.signalCode)!;
    const connectWith = (token: string) =>
      new Promise<string>((resolve) => {
        const socket = io(live.url, {
          path: MEDIA_RPC_PATH,
          transports: ['websocket'],
          reconnection: false,
          auth: { token },
        });
        socket.once('connect', () => {
          cleanups.push(() => socket.close());
          resolve('connected');
        });
        socket.once('connect_error', (error) => {
          socket.close();
          resolve(error.message);
        });
      });
    const forged = jwt.sign({ sub: 'intruder' }, 'not-the-secret-not-the-secret-not-the', {
      audience: RPC_AUDIENCE,
    });
    expect(await connectWith(forged)).toBe('unauthorized');
    expect(await connectWith('garbage')).toBe('unauthorized');

    const token = jwt.sign({ sub: 'test' }, SECRET, { audience: RPC_AUDIENCE, expiresIn: 60 });
    const socket = io(live.url, {
      path: MEDIA_RPC_PATH,
      transports: ['websocket'],
      reconnection: false,
      auth: { token },
    });
    cleanups.push(() => socket.close());
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const refused = (await socket.emitWithAck('open', { lessonId: 42 })) as {
      ok: boolean;
      error: { name: string; message: string };
    };
    expect(refused).toMatchObject({ ok: false, error: { name: 'TypeError' } });
    expect(refused.error.message).toContain('lessonId');
    expect(await socket.emitWithAck('open', { lessonId: 'rpc-test' })).toMatchObject({ ok: true });
    expect(
      await socket.emitWithAck('call', { lessonId: 'rpc-test', method: 'setMuted', args: ['c1', 'yes'] }),
    ).toMatchObject({ ok: false, error: { name: 'TypeError' } });
    expect(
      await socket.emitWithAck('call', { lessonId: 'rpc-test', method: 'rm -rf', args: [] }),
    ).toMatchObject({
      ok: false,
      error: { name: 'TypeError' },
    });
    // Another process's lesson is not this connection's to drive.
    expect(
      await socket.emitWithAck('call', { lessonId, method: 'removePeer', args: ['someone'] }),
    ).toMatchObject({ ok: false, error: { name: 'NotFoundError' } });
  });

  it('ignores a load report not signed with the secret, and one that is signed but garbage', async () => {
    const client = new Redis(redis.url);
    cleanups.push(() => client.disconnect());
    const good = {
      url: 'http://127.0.0.1:1',
      region: null,
      workers: [{ pid: 999_999, cpu: 0, routers: 0, transports: 0 }],
      rooms: 0,
      peers: 0,
      consumers: 0,
      egressBps: 0,
      ingressBps: 0,
    };
    const rogue = jwt.sign({ ...good, nodeId: 'rogue' }, 'not-the-secret-not-the-secret-not-the', {
      audience: REPORT_AUDIENCE,
    });
    const garbage = jwt.sign({ ...good, nodeId: 'garbage', workers: [{ pid: -1, cpu: 7 }] }, SECRET, {
      audience: REPORT_AUDIENCE,
    });
    // A well-formed report written at the same time shows when the server has read them all.
    const witness = jwt.sign(
      { ...good, nodeId: 'witness', workers: [{ ...good.workers[0], pid: 888_888 }] },
      SECRET,
      {
        audience: REPORT_AUDIENCE,
      },
    );
    await client.sadd('sync-classroom:media-nodes', 'rogue', 'garbage', 'witness');
    await client.set('sync-classroom:media-node:rogue', rogue, 'PX', 60_000);
    await client.set('sync-classroom:media-node:garbage', garbage, 'PX', 60_000);
    await client.set('sync-classroom:media-node:witness', witness, 'PX', 60_000);
    expect(await waitFor(() => t.platform.pool.pids.includes(888_888), 10_000)).toBe(true);
    // Read in the same pass as the witness: the forged one (pid 999 999) and the garbage one (pid -1) are not.
    expect(t.platform.pool.pids).not.toContain(999_999);
    expect(t.platform.pool.pids).not.toContain(-1);
  });
});
