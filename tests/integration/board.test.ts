import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse, LessonSummary } from '../../server/contract/api.ts';
import { applyOp, foldOps } from '../../server/contract/board.ts';
import type { BoardChange, BoardOp, BoardState, BoardSync } from '../../server/contract/board.ts';
import { TEST_VIDEO_RTP, waitFor } from '../helpers/media.ts';
import { login, makeDataDir, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { connect, next, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

/** A participant's copy of the board, kept the way the browser keeps it. */
class Replica {
  state: BoardState | null = null;
  readonly #early: BoardOp[] = [];

  constructor(readonly socket: ClientSocket) {
    socket.on('board:ops', ({ ops }) => {
      if (!this.state) this.#early.push(...ops);
      else for (const op of ops) if (op.seq === this.state.seq + 1) applyOp(this.state, op);
    });
  }

  async open(lessonId: string): Promise<void> {
    const sync = await request(this.socket, 'board:open', { lessonId, since: this.state?.seq ?? null });
    if (!sync.ok) throw new Error(`${sync.error.name}: ${sync.error.message}`);
    this.load(sync.data);
  }

  load(sync: BoardSync): void {
    if (sync.kind === 'state') this.state = sync.state;
    else for (const op of sync.ops) if (op.seq === this.state!.seq + 1) applyOp(this.state!, op);
    for (const op of this.#early.splice(0)) if (op.seq === this.state!.seq + 1) applyOp(this.state!, op);
  }
}

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('the lesson board on the real server', () => {
  const dataDir = makeDataDir();
  let t: TestPlatform;
  let lesson: LessonSummary;
  let rtpCapabilities: Record<string, unknown>;
  const sockets: ClientSocket[] = [];
  const open = async (username: string): Promise<ClientSocket> => {
    const s = await connect(t.url, await login(t.url, username));
    sockets.push(s);
    return s;
  };
  const change = async (s: ClientSocket, c: BoardChange) =>
    request(s, 'board:change', { lessonId: lesson.id, change: c });
  const ok = async (s: ClientSocket, c: BoardChange): Promise<number> => {
    const r = await change(s, c);
    if (!r.ok) throw new Error(`${r.error.name}: ${r.error.message}`);
    return r.data.seq;
  };
  const serverState = async (): Promise<BoardState> => foldOps(await t.platform.boards.history(lesson.id));

  beforeAll(async () => {
    t = await startPlatform({ dataDir });
    const token = await login(t.url, 'teacher');
    const res = await fetch(`${t.url}/api/lessons/current`, {
      headers: { authorization: `Bearer ${token}` },
    });
    lesson = ((await res.json()) as CurrentLessonResponse).lesson!;
    const room = await t.platform.rooms.getOrCreate('caps');
    rtpCapabilities = room.rtpCapabilities;
    room.close();
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await t.close();
    removeDataDir(dataDir);
  });

  it('the teacher prepares the board before the lesson; classrooms open it once it is live', async () => {
    const teacher = new Replica(await open('teacher'));
    await teacher.open(lesson.id);
    expect(teacher.state).toMatchObject({ seq: 0, pages: [{ id: 'p1' }], page: 'p1' });
    await ok(teacher.socket, { t: 'addPages', pages: [{ id: 'p2', background: null }], after: null });
    const c1 = await open('classroom1');
    expect(await request(c1, 'board:open', { lessonId: lesson.id, since: null })).toMatchObject({
      ok: false,
      error: { name: 'InvalidStateError' },
    });
    await waitFor(() => teacher.state?.seq === 1, 5000);
    expect(teacher.state?.page).toBe('p2');
    expect(await request(teacher.socket, 'lesson:start', { lessonId: lesson.id })).toMatchObject({
      ok: true,
    });
  });

  it('streams a stroke while it is drawn, in order, to every classroom; they all end identical', async () => {
    const teacher = new Replica(await open('teacher'));
    const c1 = new Replica(await open('classroom1'));
    const c2 = new Replica(await open('classroom2'));
    for (const r of [teacher, c1, c2]) await r.open(lesson.id);
    const seen: string[] = [];
    c1.socket.on('board:ops', ({ ops }) => seen.push(...ops.map((o) => o.change.t)));
    await ok(teacher.socket, { t: 'page', page: 'p1' });
    await ok(teacher.socket, {
      t: 'draw',
      id: 's1',
      page: 'p1',
      tool: 'pen',
      color: '#d32f2f',
      width: 4,
      points: [10, 10, 0.5],
    });
    // Streamed without waiting for each acknowledgement, as the browser does.
    await Promise.all(
      [1, 2, 3].map((i) => ok(teacher.socket, { t: 'extend', id: 's1', points: [10 + i * 10, 10 + i, 0.6] })),
    );
    const last = await ok(teacher.socket, { t: 'finish', id: 's1' });
    await waitFor(
      () => c1.state?.seq === last && c2.state?.seq === last && teacher.state?.seq === last,
      5000,
    );
    expect(seen).toEqual(['page', 'draw', 'extend', 'extend', 'extend', 'finish']);
    const server = await serverState();
    for (const r of [teacher, c1, c2]) expect(r.state).toEqual(server);
    expect(server.items[0]).toMatchObject({
      points: [10, 10, 0.5, 20, 11, 0.6, 30, 12, 0.6, 40, 13, 0.6],
      done: true,
    });
  });

  it('a stroke streamed for 2 s, past the session re-checks (each second one waits for the database), is taken whole and in order', async () => {
    const teacher = await open('teacher');
    expect(await request(teacher, 'board:open', { lessonId: lesson.id, since: null })).toMatchObject({
      ok: true,
    });
    const changes: BoardChange[] = [
      { t: 'draw', id: 'long', page: 'p1', tool: 'pen', color: '#1565c0', width: 3, points: [5, 5, 0.5] },
      ...Array.from({ length: 130 }, (_, i): BoardChange => ({
        t: 'extend',
        id: 'long',
        points: [6 + i, 5, 0.5],
      })),
      { t: 'finish', id: 'long' },
    ];
    // As the browser streams a stroke: one change a frame, none waiting for the one before.
    const acks: Promise<Awaited<ReturnType<typeof change>>>[] = [];
    for (const c of changes) {
      acks.push(change(teacher, c));
      await new Promise((r) => setTimeout(r, 15));
    }
    const answers = await Promise.all(acks);
    const refused = answers.flatMap((a) => (a.ok ? [] : [a.error.message]));
    expect(refused).toEqual([]);
    const seqs = answers.map((a) => (a.ok ? a.data.seq : 0));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const item = (await serverState()).items.find((i) => i.id === 'long')!;
    expect(item).toMatchObject({ done: true });
    expect(item.points).toHaveLength(3 * 131);
  });

  it('a classroom without the pen is refused on the server and changes nothing; with the pen it draws and the teacher sees it', async () => {
    const teacher = new Replica(await open('teacher'));
    const c1 = new Replica(await open('classroom1'));
    const c2 = new Replica(await open('classroom2'));
    for (const r of [teacher, c1, c2]) await r.open(lesson.id);
    const before = (await serverState()).seq;
    const stroke: BoardChange = {
      t: 'draw',
      id: 'c1s',
      page: 'p1',
      tool: 'pen',
      color: '#000000',
      width: 3,
      points: [1, 1, 1],
    };
    expect(await change(c1.socket, stroke)).toMatchObject({ ok: false, error: { name: 'ForbiddenError' } });
    expect(await change(c1.socket, { t: 'erase', ids: ['s1'] })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });
    expect((await serverState()).seq).toBe(before);

    await ok(teacher.socket, { t: 'pen', holder: lesson.classrooms[0]!.id });
    const drawn = await ok(c1.socket, stroke);
    await ok(c1.socket, { t: 'finish', id: 'c1s' });
    await waitFor(() => teacher.state?.items.some((i) => i.id === 'c1s' && i.done) ?? false, 5000);
    expect(teacher.state!.items.find((i) => i.id === 'c1s')?.author).toBe(
      `classroom:${lesson.classrooms[0]!.id}`,
    );
    expect(drawn).toBeGreaterThan(before);
    // The pen is for the board, not for the lesson: no page turns, no clearing, not someone else's stroke.
    expect(await change(c1.socket, { t: 'page', page: 'p2' })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });
    expect(await change(c1.socket, { t: 'extend', id: 's1', points: [1, 1, 1] })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });
    expect(await change(c2.socket, { ...stroke, id: 'c2s' })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });
    await ok(teacher.socket, { t: 'pen', holder: null });
    expect(await change(c1.socket, { ...stroke, id: 'c1s2' })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });
  });

  it('refuses malformed changes with a clear error', async () => {
    const teacher = await open('teacher');
    await request(teacher, 'board:open', { lessonId: lesson.id, since: null });
    const before = (await serverState()).seq;
    expect(
      await change(teacher, {
        t: 'draw',
        id: 'x',
        page: 'nope',
        tool: 'pen',
        color: '#000000',
        width: 2,
        points: [],
      }),
    ).toMatchObject({
      ok: false,
      error: { name: 'TypeError', message: 'page nope does not exist' },
    });
    expect(
      await change(teacher, {
        t: 'draw',
        id: 'x',
        page: 'p1',
        tool: 'rect',
        color: '#000000',
        width: 2,
        points: [1, 2],
      }),
    ).toMatchObject({
      ok: false,
      error: { name: 'TypeError' },
    });
    expect(
      await request(teacher, 'board:change', {
        lessonId: lesson.id,
        change: { t: 'draw', id: 'bad id!', page: 'p1' },
      }),
    ).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    expect(await change(teacher, { t: 'extend', id: 's1', points: [1, 1, 1] })).toMatchObject({
      ok: false,
      error: { name: 'TypeError', message: 'item s1 is finished' },
    });
    expect((await serverState()).seq).toBe(before);
  });

  it('a late joiner and a classroom whose connection was cut end identical to the teacher', async () => {
    const teacher = new Replica(await open('teacher'));
    const c2 = new Replica(await open('classroom2'));
    await teacher.open(lesson.id);
    await c2.open(lesson.id);
    c2.socket.disconnect();
    for (let i = 0; i < 5; i++) {
      await ok(teacher.socket, {
        t: 'draw',
        id: `cut${i}`,
        page: 'p1',
        tool: 'line',
        color: '#1565c0',
        width: 2,
        points: [0, i, 100, i],
      });
    }
    await ok(teacher.socket, { t: 'erase', ids: ['cut1'] });
    await ok(teacher.socket, { t: 'undo' });
    // Reconnected: only what it missed comes back.
    c2.socket.connect();
    await waitFor(() => c2.socket.connected, 5000);
    const missed = await request(c2.socket, 'board:open', { lessonId: lesson.id, since: c2.state!.seq });
    expect(missed).toMatchObject({ ok: true, data: { kind: 'ops' } });
    if (missed.ok) c2.load(missed.data);
    const late = new Replica(await open('classroom3'));
    await late.open(lesson.id);
    const server = await serverState();
    await waitFor(() => teacher.state?.seq === server.seq, 5000);
    for (const r of [teacher, c2, late]) expect(r.state).toEqual(server);
    expect(server.items.find((i) => i.id === 'cut1')?.hidden).toBe(false);
  });

  it('courseware images: only the teacher uploads, only images are taken, pages must use this lesson’s images', async () => {
    const teacherToken = await login(t.url, 'teacher');
    const upload = (token: string, body: Buffer) =>
      fetch(`${t.url}/api/lessons/${lesson.id}/board/assets?width=1&height=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(body),
      });
    const notImage = await upload(teacherToken, Buffer.from('%PDF-1.7 not an image'));
    expect(notImage.status).toBe(400);
    expect((await upload(await login(t.url, 'classroom1'), PNG_1X1)).status).toBe(403);
    const res = await upload(teacherToken, PNG_1X1);
    expect(res.status).toBe(201);
    const { assetId } = (await res.json()) as { assetId: string };
    const got = await fetch(`${t.url}/api/lessons/${lesson.id}/board/assets/${assetId}`, {
      headers: { authorization: `Bearer ${await login(t.url, 'classroom2')}` },
    });
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG_1X1)).toBe(true);

    const teacher = await open('teacher');
    await request(teacher, 'board:open', { lessonId: lesson.id, since: null });
    expect(
      await change(teacher, {
        t: 'addPages',
        pages: [{ id: 'cw1', background: '0123456789abcdef01234567' }],
        after: null,
      }),
    ).toMatchObject({ ok: false, error: { name: 'TypeError' } });
    await ok(teacher, { t: 'addPages', pages: [{ id: 'cw1', background: assetId }], after: 'p1' });
    const state = await serverState();
    expect(state.pages.map((p) => p.id)).toEqual(['p1', 'cw1', 'p2']);
    expect(state.page).toBe('cw1');
  });

  it('raise hand → the teacher sees the queue → the floor: another classroom receives that classroom, until it is taken back; only the teacher rules', async () => {
    const teacher = await open('teacher');
    const c1 = await open('classroom1');
    const c2 = await open('classroom2');
    for (const s of [teacher, c1, c2]) {
      const joined = await request(s, 'lesson:join', { lessonId: lesson.id, rtpCapabilities });
      if (!joined.ok) throw new Error(joined.error.message);
    }
    const up = await request(c1, 'transport:create', { lessonId: lesson.id, direction: 'send' });
    if (!up.ok) throw new Error(up.error.message);
    const cam = await request(c1, 'produce', {
      lessonId: lesson.id,
      transportId: up.data.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: { ...TEST_VIDEO_RTP, encodings: [{ ssrc: 4444 }] },
    });
    if (!cam.ok) throw new Error(cam.error.message);
    await request(c2, 'transport:create', { lessonId: lesson.id, direction: 'recv' });
    expect(
      await request(c2, 'consume', { lessonId: lesson.id, producerId: cam.data.producerId }),
    ).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });

    const seen = next(teacher, 'lesson:interaction');
    await request(c1, 'hand:set', { lessonId: lesson.id, raised: true });
    expect((await seen).interaction.hands.map((h) => h.classroomId)).toEqual([lesson.classrooms[0]!.id]);
    expect(
      await request(c1, 'floor:set', { lessonId: lesson.id, classroomId: lesson.classrooms[0]!.id }),
    ).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });

    const announced = next(c2, 'producer:new');
    const floor = await request(teacher, 'floor:set', {
      lessonId: lesson.id,
      classroomId: lesson.classrooms[0]!.id,
    });
    expect(floor).toMatchObject({ ok: true, data: { floor: lesson.classrooms[0]!.id, hands: [] } });
    expect(await announced).toMatchObject({ producerId: cam.data.producerId });
    const consumed = await request(c2, 'consume', { lessonId: lesson.id, producerId: cam.data.producerId });
    expect(consumed).toMatchObject({ ok: true });

    const closed = next(c2, 'consumer:closed');
    await request(teacher, 'floor:set', { lessonId: lesson.id, classroomId: null });
    if (consumed.ok) expect(await closed).toEqual({ consumerId: consumed.data.id });

    expect(
      await request(teacher, 'mute:set', {
        lessonId: lesson.id,
        classroomId: lesson.classrooms[0]!.id,
        muted: true,
      }),
    ).toMatchObject({
      ok: true,
      data: { muted: [lesson.classrooms[0]!.id] },
    });
    expect(
      await request(teacher, 'spotlight:set', {
        lessonId: lesson.id,
        classroomId: '0123456789abcdef01234567',
      }),
    ).toMatchObject({
      ok: false,
      error: { name: 'NotFoundError' },
    });
  });

  it('keeps the board across a restart, and the log replays to the same board', async () => {
    const before = await serverState();
    await t.close();
    t = await startPlatform({ dataDir });
    const token = await login(t.url, 'coordinator');
    const res = await fetch(`${t.url}/api/lessons/${lesson.id}/board`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { ops } = (await res.json()) as { ops: BoardOp[] };
    expect(foldOps(ops)).toEqual(before);
    expect(ops.map((o) => o.seq)).toEqual(ops.map((_, i) => i + 1));
  });
});
