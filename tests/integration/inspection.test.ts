import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import type { InspectionNoteView, WallPage } from '../../server/contract/inspection.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { attendanceSoFar } from '../../server/inspection/InspectionService.ts';
import { TEST_VIDEO_RTP, waitFor } from '../helpers/media.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { connect, next, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

describe('巡课: watching a live lesson receive-only, unlisted and uncounted', () => {
  let t: TestPlatform;
  let lessonId: string;
  let rtpCapabilities: Record<string, unknown>;
  let teacher: ClientSocket;
  let classroom: ClientSocket;
  let teacherCamera: string;
  let classroomCamera: string;
  let inspectorToken: string;
  let foreignToken: string;
  const sockets: ClientSocket[] = [];
  const open = async (token: string): Promise<ClientSocket> => {
    const s = await connect(t.url, token);
    sockets.push(s);
    return s;
  };
  const get = async <T>(token: string, path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as T };
  };
  const send = async <T>(
    token: string,
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  /** Joins, creates a send transport and produces TEST_VIDEO_RTP as the camera. */
  const publish = async (s: ClientSocket): Promise<string> => {
    const up = await request(s, 'transport:create', { lessonId, direction: 'send' });
    if (!up.ok) throw new Error(up.error.message);
    const produced = await request(s, 'produce', {
      lessonId,
      transportId: up.data.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: TEST_VIDEO_RTP,
    });
    if (!produced.ok) throw new Error(produced.error.message);
    return produced.data.producerId;
  };

  beforeAll(async () => {
    t = await startPlatform();
    const m = t.platform.models;
    const teacherToken = await login(t.url, 'teacher');
    lessonId = (await get<CurrentLessonResponse>(teacherToken, '/api/lessons/current')).body.lesson!.id;
    const caps = await t.platform.rooms.getOrCreate('caps');
    rtpCapabilities = caps.rtpCapabilities;
    caps.close();
    // An inspector of the neighbouring county: the demo lesson is outside its scope.
    await m.User.create({
      username: 'inspector.anxiang',
      passwordHash: await hashPassword('foreign-pass'),
      realName: '安乡县巡课员',
      role: 'inspector',
      regionCode: '430721',
    });
    foreignToken = await login(t.url, 'inspector.anxiang', 'foreign-pass');
    inspectorToken = await login(t.url, 'inspector');

    teacher = await open(teacherToken);
    classroom = await open(await login(t.url, 'classroom1'));
    expect(await request(teacher, 'lesson:start', { lessonId })).toMatchObject({ ok: true });
    expect(await request(teacher, 'lesson:join', { lessonId, rtpCapabilities })).toMatchObject({ ok: true });
    teacherCamera = await publish(teacher);
    expect(await request(classroom, 'lesson:join', { lessonId, rtpCapabilities })).toMatchObject({
      ok: true,
    });
    await request(classroom, 'transport:create', { lessonId, direction: 'recv' });
    classroomCamera = await publish(classroom);
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('a wall tile receives the teacher’s camera alone under its budget; nobody in the lesson hears of it', async () => {
    const room = t.platform.rooms.get(lessonId)!;
    const peersBefore = room.peers.map((p) => p.peerId).sort();
    const heard: string[] = [];
    // Besides the lesson's own pushes (its health every few seconds, its recording's runs and
    // gaps as the recorder writes them), which come whether or not anyone watches.
    const own = new Set(['lesson:health', 'lesson:recording']);
    for (const s of [teacher, classroom]) s.onAny((event: string) => own.has(event) || heard.push(event));
    const joins = (): Promise<number> =>
      t.platform.models.LessonEvent.countDocuments({ lessonId, kind: 'join' });
    // The teacher's and the classroom's joins, written as they happened.
    await waitFor(async () => (await joins()) === 2);

    const inspector = await open(inspectorToken);
    const joined = await request(inspector, 'watch:join', { lessonId, rtpCapabilities, mode: 'tile' });
    if (!joined.ok) throw new Error(joined.error.message);
    expect(joined.data.producers.map((p) => p.producerId)).toEqual([teacherCamera]);
    expect(joined.data.peers.map((p) => p.role).sort()).toEqual(['classroom', 'teacher']);
    expect(joined.data.notice).toBe(false);
    expect(joined.data.transport.id).toBeTruthy();

    // A tile may not take a classroom's camera; the teacher's it may, at the lowest layer.
    expect(
      await request(inspector, 'watch:consume', { lessonId, producerId: classroomCamera }),
    ).toMatchObject({ ok: false, error: { name: 'ForbiddenError' } });
    const consumed = await request(inspector, 'watch:consume', { lessonId, producerId: teacherCamera });
    expect(consumed).toMatchObject({ ok: true, data: { producerId: teacherCamera, kind: 'video' } });

    // Not a participant: not listed, not in the health pushed to the lesson, not in attendance.
    expect(room.peers.map((p) => p.peerId).sort()).toEqual(peersBefore);
    expect((await room.health()).map((h) => h.peerId).sort()).toEqual(peersBefore);
    expect(room.stats().consumers).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(heard).toEqual([]);
    expect(await request(inspector, 'watch:leave', { lessonId })).toEqual({ ok: true, data: null });
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual([]);
    // Attendance writes what the room announces, at once: give a wrongly announced join time to land.
    await new Promise((r) => setTimeout(r, 300));
    expect(await joins()).toBe(2);
    const me = (await t.platform.models.User.findOne({ username: 'inspector' }).lean())!;
    expect(await t.platform.models.LessonEvent.countDocuments({ refId: me._id.toString() })).toBe(0);
    for (const s of [teacher, classroom]) s.offAny();
  });

  it('an opened lesson receives what the teacher receives, and nothing can be sent on it', async () => {
    const inspector = await open(inspectorToken);
    const joined = await request(inspector, 'watch:join', { lessonId, rtpCapabilities, mode: 'full' });
    if (!joined.ok) throw new Error(joined.error.message);
    expect(joined.data.producers.map((p) => p.producerId).sort()).toEqual(
      [teacherCamera, classroomCamera].sort(),
    );
    expect(
      await request(inspector, 'watch:consume', { lessonId, producerId: classroomCamera }),
    ).toMatchObject({ ok: true });
    // The participants' events refuse a watcher: it has no send transport and joined no lesson.
    expect(await request(inspector, 'transport:create', { lessonId, direction: 'send' })).toMatchObject({
      ok: false,
      error: { name: 'InvalidStateError' },
    });
    expect(
      await request(inspector, 'produce', {
        lessonId,
        transportId: joined.data.transport.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: TEST_VIDEO_RTP,
      }),
    ).toMatchObject({ ok: false, error: { name: 'InvalidStateError' } });
    // The board, read-only: its state now, then its changes as they are made.
    const board = await request(inspector, 'watch:board', { lessonId, since: null });
    expect(board).toMatchObject({ ok: true, data: { kind: 'state' } });
    expect(await request(teacher, 'board:open', { lessonId, since: null })).toMatchObject({ ok: true });
    const ops = next(inspector, 'board:ops');
    expect(
      await request(teacher, 'board:change', {
        lessonId,
        change: {
          t: 'draw',
          id: 'w1',
          page: 'p1',
          tool: 'pen',
          color: '#000000',
          width: 2,
          points: [1, 2, 0.5],
        },
      }),
    ).toMatchObject({ ok: true });
    expect(await ops).toMatchObject({ lessonId, ops: [{ change: { t: 'draw', id: 'w1' } }] });
    // It writes nothing: the participants' board events refuse it.
    expect(
      await request(inspector, 'board:change', {
        lessonId,
        change: {
          t: 'draw',
          id: 'w2',
          page: 'p1',
          tool: 'pen',
          color: '#000000',
          width: 2,
          points: [1, 2, 0.5],
        },
      }),
    ).toMatchObject({ ok: false, error: { name: 'InvalidStateError' } });
    inspector.close();
    await waitFor(() => t.platform.rooms.get(lessonId)!.stats().peers === 2);
  });

  it('only watchers in scope: a teacher is refused, an inspector of another county gets 404', async () => {
    expect(await request(teacher, 'watch:join', { lessonId, rtpCapabilities, mode: 'tile' })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });
    const foreign = await open(foreignToken);
    expect(await request(foreign, 'watch:join', { lessonId, rtpCapabilities, mode: 'tile' })).toMatchObject({
      ok: false,
      error: { name: 'NotFoundError' },
    });
    const wall = await get<WallPage>(foreignToken, '/api/inspection/live');
    expect(wall).toMatchObject({ status: 200, body: { total: 0, tiles: [] } });
    expect((await get(foreignToken, `/api/inspection/lessons/${lessonId}/notes`)).status).toBe(404);
    expect(
      (await send(foreignToken, 'POST', `/api/inspection/lessons/${lessonId}/notes`, { text: 'x' })).status,
    ).toBe(404);
  });

  it('the wall shows the live lesson with its classrooms connected, filtered and paged', async () => {
    const { status, body } = await get<WallPage>(inspectorToken, '/api/inspection/live');
    expect(status).toBe(200);
    expect(body).toMatchObject({ page: 1, pageSize: 16, total: 1 });
    const tile = body.tiles[0]!;
    expect(tile).toMatchObject({ id: lessonId, subject: '英语', countyCode: '430725', countyName: '桃源县' });
    expect(tile.classrooms).toHaveLength(4);
    const connected = tile.classrooms.filter((c) => c.connected);
    expect(connected).toHaveLength(1);
    expect(connected[0]!.link).toMatchObject({ source: 'live' });
    expect(body.facets.subjects).toEqual([{ value: '英语', label: '英语', count: 1 }]);
    expect((await get<WallPage>(inspectorToken, '/api/inspection/live?subject=音乐')).body.total).toBe(0);
    expect((await get<WallPage>(inspectorToken, '/api/inspection/live?county=430721')).body.total).toBe(0);
    const bad = await get(inspectorToken, '/api/inspection/live?county=abc');
    expect(bad.status).toBe(400);
    expect((await get(await login(t.url, 'teacher'), '/api/inspection/live')).status).toBe(403);
  });

  it('notes are stamped with the moment of the lesson and listed in its order', async () => {
    const path = `/api/inspection/lessons/${lessonId}/notes`;
    const first = await send<InspectionNoteView>(inspectorToken, 'POST', path, { text: '教师板书清晰' });
    expect(first).toMatchObject({ status: 201, body: { text: '教师板书清晰', mine: true } });
    expect(first.body.offsetSeconds).toBeGreaterThanOrEqual(0);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await send(inspectorToken, 'POST', path, { text: '未来', at: future })).status).toBe(400);
    expect((await send(inspectorToken, 'POST', path, { text: '  ' })).status).toBe(400);
    const bureau = await login(t.url, 'bureau');
    await send(bureau, 'POST', path, { text: '远端互动较少' });
    const list = await get<InspectionNoteView[]>(bureau, path);
    expect(list.body.map((n) => [n.text, n.mine])).toEqual([
      ['教师板书清晰', false],
      ['远端互动较少', true],
    ]);
  });

  it('where the region shows it, the lesson is told 巡课中 while watched, and a classroom joining meanwhile too', async () => {
    const admin = await login(t.url, 'admin');
    const bureau = await login(t.url, 'bureau');
    const city = '/api/inspection/regions/430700/policy';
    expect(await send(admin, 'PUT', city, { showNotice: true })).toMatchObject({
      status: 200,
      body: { regionCode: '430700', regionName: '常德市', showNotice: true, setBy: '430700' },
    });
    // The county follows its city until it sets its own rule; a county bureau cannot set the city's.
    expect((await get(inspectorToken, '/api/inspection/regions/430725/policy')).body).toMatchObject({
      showNotice: true,
      setBy: '430700',
    });
    expect((await send(bureau, 'PUT', city, { showNotice: false })).status).toBe(404);
    expect(
      (await send(inspectorToken, 'PUT', '/api/inspection/regions/430725/policy', { showNotice: false }))
        .status,
    ).toBe(403);
    expect((await get(foreignToken, '/api/inspection/regions/430725/policy')).status).toBe(404);

    const told = next(classroom, 'lesson:inspection');
    const inspector = await open(inspectorToken);
    const joined = await request(inspector, 'watch:join', { lessonId, rtpCapabilities, mode: 'tile' });
    expect(joined).toMatchObject({ ok: true, data: { notice: true } });
    expect(await told).toEqual({ lessonId, watched: true });

    const late = await open(await login(t.url, 'classroom2'));
    const lateTold = next(late, 'lesson:inspection');
    await request(late, 'lesson:join', { lessonId, rtpCapabilities });
    expect(await lateTold).toEqual({ lessonId, watched: true });

    const over = next(classroom, 'lesson:inspection');
    inspector.close();
    expect(await over).toEqual({ lessonId, watched: false });
    await send(admin, 'PUT', city, { showNotice: false });
  });
  it('a watcher that leaves while its join is under way leaves nothing behind in the lesson', async () => {
    const room = t.platform.rooms.get(lessonId)!;
    const peers = room.stats().peers;
    // The join's checks read the database: a disconnect a few ms after the request arrives
    // while they run (sooner, the request is refused; later, the join is done).
    const classroom4 = await login(t.url, 'classroom4');
    for (let delayMs = 0; delayMs <= 40; delayMs += 4) {
      const watcher = await open(inspectorToken);
      const participant = await open(classroom4);
      watcher.emit('watch:join', { lessonId, rtpCapabilities, mode: 'tile' }, () => undefined);
      participant.emit('lesson:join', { lessonId, rtpCapabilities }, () => undefined);
      await new Promise((r) => setTimeout(r, delayMs));
      watcher.disconnect();
      participant.disconnect();
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect(room.stats().peers).toBe(peers);
  });
});

describe('attendanceSoFar', () => {
  const at = (s: number): Date => new Date(s * 1000);
  it('adds up every stretch connected, the open one up to now, and keeps the last head count', () => {
    expect(
      attendanceSoFar(
        [
          { kind: 'join', at: at(0), count: null },
          { kind: 'headcount', at: at(5), count: 30 },
          { kind: 'leave', at: at(60), count: null },
          { kind: 'join', at: at(100), count: null },
          { kind: 'headcount', at: at(110), count: 31 },
        ],
        150_000,
      ),
    ).toEqual({ connected: true, connectedSeconds: 110, headcount: 31 });
    expect(attendanceSoFar([], 0)).toEqual({ connected: false, connectedSeconds: 0, headcount: null });
  });
});
