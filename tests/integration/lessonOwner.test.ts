import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import { waitFor } from '../helpers/media.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { startSharedStack } from '../helpers/sharedStack.ts';
import type { SharedStack } from '../helpers/sharedStack.ts';
import { connect, next, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

/** A scheduled copy of the demo lesson (its own id, so that tests do not share media or interactions). */
async function scheduledLesson(t: TestPlatform): Promise<{ id: string; classrooms: string[] }> {
  const token = await login(t.url, 'teacher');
  const res = await fetch(`${t.url}/api/lessons/current`, { headers: { authorization: `Bearer ${token}` } });
  const demoId = ((await res.json()) as CurrentLessonResponse).lesson!.id;
  const { Lesson } = t.platform.models;
  const demo = await Lesson.findById(demoId).lean();
  const fresh = await Lesson.create({
    ...demo,
    _id: undefined,
    state: 'scheduled',
    startedAt: null,
    endedAt: null,
  });
  return { id: fresh._id.toString(), classrooms: demo!.classroomIds.map(String) };
}

/** A live copy of the demo lesson. */
async function liveLesson(
  t: TestPlatform,
  teacher: ClientSocket,
): Promise<{ id: string; classrooms: string[] }> {
  const lesson = await scheduledLesson(t);
  expect(await request(teacher, 'lesson:start', { lessonId: lesson.id })).toMatchObject({ ok: true });
  return lesson;
}

const MIC_RTP = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 11111111 }],
};

describe('one place for a live lesson’s floor, mutes, hands and spotlight', () => {
  let t: TestPlatform;
  let caps: Record<string, unknown>;
  const sockets: ClientSocket[] = [];
  const open = async (username: string): Promise<ClientSocket> => {
    const s = await connect(t.url, await login(t.url, username));
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startPlatform();
    caps = await t.platform.rooms.routerCapabilities();
  });
  afterAll(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('a room rebuilt after its worker died carries out the floor and the mutes, and hands and spotlight stay', async () => {
    const teacher = await open('teacher');
    const c1 = await open('classroom1');
    const c2 = await open('classroom2');
    const { id, classrooms } = await liveLesson(t, teacher);
    const [first, second] = classrooms as [string, string];
    for (const s of [teacher, c1, c2])
      expect(await request(s, 'lesson:join', { lessonId: id, rtpCapabilities: caps })).toMatchObject({
        ok: true,
      });
    expect(await request(c2, 'hand:set', { lessonId: id, raised: true })).toMatchObject({ ok: true });
    expect(await request(teacher, 'floor:set', { lessonId: id, classroomId: first })).toMatchObject({
      ok: true,
    });
    expect(
      await request(teacher, 'mute:set', { lessonId: id, classroomId: second, muted: true }),
    ).toMatchObject({
      ok: true,
    });
    expect(await request(teacher, 'spotlight:set', { lessonId: id, classroomId: second })).toMatchObject({
      ok: true,
    });
    const before = t.platform.rooms.get(id)!;
    expect({ floor: before.floor, muted: before.muted }).toEqual({ floor: first, muted: [second] });

    const reset = next(c2, 'lesson:media-reset');
    process.kill(t.platform.pool.pids[0]!, 'SIGKILL');
    expect(await reset).toEqual({ lessonId: id, reason: 'worker-died' });
    expect(await waitFor(() => t.platform.pool.pids.length === 1)).toBe(true);

    const rejoined = await request(c2, 'lesson:join', { lessonId: id, rtpCapabilities: caps });
    if (!rejoined.ok) throw new Error(rejoined.error.message);
    expect(rejoined.data.interaction).toMatchObject({
      floor: first,
      muted: [second],
      spotlight: second,
      hands: [{ classroomId: second }],
    });
    const rebuilt = t.platform.rooms.get(id)!;
    expect(rebuilt).not.toBe(before);
    expect({ floor: rebuilt.floor, muted: rebuilt.muted }).toEqual({ floor: first, muted: [second] });
    // The muted classroom's microphone, sent again to the new room, arrives paused.
    const send = await request(c2, 'transport:create', { lessonId: id, direction: 'send' });
    if (!send.ok) throw new Error(send.error.message);
    const mic = await request(c2, 'produce', {
      lessonId: id,
      transportId: send.data.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: MIC_RTP,
    });
    expect(mic).toMatchObject({ ok: true });
    expect(await request(teacher, 'lesson:join', { lessonId: id, rtpCapabilities: caps })).toMatchObject({
      ok: true,
    });
    const health = await rebuilt.health();
    expect(health.find((p) => p.refId === second)).toBeDefined();
    expect(await request(teacher, 'lesson:end', { lessonId: id })).toMatchObject({ ok: true });
    expect(
      await waitFor(async () => !(await t.platform.models.LessonInteraction.exists({ lessonId: id }))),
    ).toBe(true);
  });
});

describe('one process hosts each live lesson (leases in Redis)', () => {
  let stack: SharedStack;
  let a: TestPlatform;
  let b: TestPlatform;
  let caps: Record<string, unknown>;
  const sockets: ClientSocket[] = [];
  const open = async (p: TestPlatform, username: string): Promise<ClientSocket> => {
    const s = await connect(p.url, await login(p.url, username));
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    stack = await startSharedStack();
    a = await stack.platform();
    b = await stack.platform();
    caps = await a.platform.rooms.routerCapabilities();
  }, 90_000);
  afterAll(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await stack?.stop();
  });

  it('a second process refuses the lesson while the first hosts it, and takes it over, floor and board included, once the first is gone', async () => {
    const teacherA = await open(a, 'teacher');
    const classroomA = await open(a, 'classroom1');
    const { id, classrooms } = await liveLesson(a, teacherA);
    expect(await request(teacherA, 'lesson:join', { lessonId: id, rtpCapabilities: caps })).toMatchObject({
      ok: true,
    });
    expect(await request(teacherA, 'floor:set', { lessonId: id, classroomId: classrooms[0] })).toMatchObject({
      ok: true,
    });
    expect(await request(classroomA, 'board:open', { lessonId: id, since: null })).toMatchObject({
      ok: true,
    });
    expect(await request(teacherA, 'board:open', { lessonId: id, since: null })).toMatchObject({ ok: true });
    const drawn = await request(teacherA, 'board:change', {
      lessonId: id,
      change: { t: 'pen', holder: classrooms[0] },
    });

    // On the other process, the lesson is hosted elsewhere: a clear refusal, nothing opened there.
    const classroomB = await open(b, 'classroom2');
    for (const [event, payload] of [
      ['lesson:join', { lessonId: id, rtpCapabilities: caps }],
      ['board:open', { lessonId: id, since: null }],
    ] as const)
      expect(await request(classroomB, event, payload)).toMatchObject({
        ok: false,
        error: { name: 'InvalidStateError', code: 'LESSON_ELSEWHERE' },
      });
    expect(b.platform.rooms.get(id)).toBeUndefined();

    // The first process goes away; the second takes the lesson on the next claim.
    const seq = drawn.ok ? drawn.data.seq : 0;
    await a.close();
    const joined = await request(classroomB, 'lesson:join', { lessonId: id, rtpCapabilities: caps });
    if (!joined.ok) throw new Error(joined.error.message);
    expect(joined.data.interaction.floor).toBe(classrooms[0]);
    expect(b.platform.rooms.get(id)!.floor).toBe(classrooms[0]);
    const board = await request(classroomB, 'board:open', { lessonId: id, since: null });
    if (!board.ok) throw new Error(board.error.message);
    expect(board.data).toMatchObject({ kind: 'state', state: { seq } });
  });

  it('a process that starts while another hosts a live lesson leaves that lesson’s attendance alone', async () => {
    const teacher = await open(b, 'teacher');
    const classroom = await open(b, 'classroom1');
    const { id } = await liveLesson(b, teacher);
    expect(await request(classroom, 'lesson:join', { lessonId: id, rtpCapabilities: caps })).toMatchObject({
      ok: true,
    });
    const { LessonEvent } = b.platform.models;
    expect(await waitFor(async () => !!(await LessonEvent.exists({ lessonId: id, kind: 'join' })))).toBe(
      true,
    );
    // A process that starts now (stopped with the others at the end).
    await stack.platform();
    expect(await LessonEvent.exists({ lessonId: id, reconciled: true })).toBeNull();
    expect(await request(teacher, 'lesson:end', { lessonId: id })).toMatchObject({ ok: true });
  });

  it('a lease of a process that stalled (still connected to Redis) holds the lesson until it runs out, then the next claim takes it with a higher fencing token', async () => {
    const teacher = await open(b, 'teacher');
    const { id } = await liveLesson(b, teacher);
    const client = new Redis(stack.redis.url, { connectionName: 'stalled-host:1:ffff' });
    try {
      // A process that stopped renewing holding the lesson: its lease runs out by itself, and
      // the classroom it had joined was never seen to leave.
      const { LessonEvent } = b.platform.models;
      const classroom = (await b.platform.models.Lesson.findById(id).lean())!.classroomIds[0]!.toString();
      await LessonEvent.create({
        lessonId: id,
        at: new Date(Date.now() - 20_000),
        kind: 'join',
        role: 'classroom',
        refId: classroom,
      });
      await client.set(`sync-classroom:lesson-lease:${id}`, 'stalled-host:1:ffff', 'PX', 1500);
      await client.set(`sync-classroom:lesson-fence:${id}`, '7');
      // Its last renewal: the last moment it is known to have been alive.
      const lastRenewal = Date.now() - 5_000;
      await client.set(`sync-classroom:lesson-seen:${id}`, String(lastRenewal));
      expect(await request(teacher, 'lesson:join', { lessonId: id, rtpCapabilities: caps })).toMatchObject({
        ok: false,
        error: { code: 'LESSON_ELSEWHERE' },
      });
      expect(
        await waitFor(
          async () => (await request(teacher, 'lesson:join', { lessonId: id, rtpCapabilities: caps })).ok,
          10_000,
          250,
        ),
      ).toBe(true);
      expect(await client.get(`sync-classroom:lesson-fence:${id}`)).toBe('8');
      // Taking over ended the dead host's stretch for that classroom at the host's last renewal
      // (its rejoining starts a new one).
      expect(
        await waitFor(
          async () =>
            !!(await LessonEvent.exists({ lessonId: id, kind: 'leave', refId: classroom, reconciled: true })),
        ),
      ).toBe(true);
      const leave = await LessonEvent.findOne({ lessonId: id, kind: 'leave', refId: classroom }).lean();
      expect(leave!.at.getTime()).toBe(lastRenewal);
      expect(await client.get(`sync-classroom:lesson-lease:${id}`)).toMatch(/:[0-9a-f]{8}$/);
      expect(await request(teacher, 'lesson:end', { lessonId: id })).toMatchObject({ ok: true });
      // Ending gives the lesson up.
      expect(
        await waitFor(async () => (await client.exists(`sync-classroom:lesson-lease:${id}`)) === 0),
      ).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('a lease of a process gone from Redis (no connection carries its name) is taken at once', async () => {
    const teacher = await open(b, 'teacher');
    const { id } = await liveLesson(b, teacher);
    const client = new Redis(stack.redis.url);
    try {
      // Right after a start Redis has no connections yet: nobody is judged gone then.
      await waitFor(
        async () => Number(/uptime_in_seconds:(\d+)/.exec(await client.info('server'))?.[1]) >= 10,
        20_000,
        250,
      );
      await client.set(`sync-classroom:lesson-lease:${id}`, 'killed-host:2:eeee', 'PX', 60_000);
      await client.set(`sync-classroom:lesson-fence:${id}`, '3');
      expect(await request(teacher, 'lesson:join', { lessonId: id, rtpCapabilities: caps })).toMatchObject({
        ok: true,
      });
      expect(await client.get(`sync-classroom:lesson-fence:${id}`)).toBe('4');
      expect(await client.get(`sync-classroom:lesson-lease:${id}`)).toMatch(/:[0-9a-f]{8}$/);
      expect(await request(teacher, 'lesson:end', { lessonId: id })).toMatchObject({ ok: true });
    } finally {
      client.disconnect();
    }
  });

  it('a process gives up a lesson that is not live once nobody there has its board open, and keeps a live one', async () => {
    const c = await stack.platform({ LESSON_IDLE_RELEASE_SECONDS: '1' });
    const client = new Redis(stack.redis.url);
    const lease = (id: string): Promise<string | null> => client.get(`sync-classroom:lesson-lease:${id}`);
    try {
      // A teacher prepares the board of a lesson that is only scheduled: c hosts it meanwhile.
      const preparing = await open(c, 'teacher');
      const { id } = await scheduledLesson(c);
      expect(await request(preparing, 'board:open', { lessonId: id, since: null })).toMatchObject({
        ok: true,
      });
      expect(
        await request(preparing, 'board:change', { lessonId: id, change: { t: 'pen', holder: null } }),
      ).toMatchObject({ ok: true, data: { seq: 1 } });
      const elsewhere = await open(b, 'teacher');
      expect(await request(elsewhere, 'board:open', { lessonId: id, since: null })).toMatchObject({
        ok: false,
        error: { code: 'LESSON_ELSEWHERE' },
      });
      // The page closes: a second later the lesson is free, and another process serves its board
      // as written (the change made on c included).
      preparing.close();
      expect(await waitFor(async () => (await lease(id)) === null, 10_000, 100)).toBe(true);
      const reopened = await request(elsewhere, 'board:open', { lessonId: id, since: null });
      expect(reopened).toMatchObject({ ok: true, data: { kind: 'state', state: { seq: 1 } } });

      // A live lesson stays with its host when its last board closes (its end gives it up).
      const teaching = await open(c, 'teacher');
      const live = await liveLesson(c, teaching);
      expect(await request(teaching, 'board:open', { lessonId: live.id, since: null })).toMatchObject({
        ok: true,
      });
      const host = await lease(live.id);
      expect(host).not.toBeNull();
      teaching.close();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await lease(live.id)).toBe(host);
    } finally {
      client.disconnect();
    }
  });
});
