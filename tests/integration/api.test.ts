import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CurrentLessonResponse,
  LessonLinksResponse,
  LessonSummary,
  SfuStatsResponse,
  UserView,
} from '../../server/contract/api.ts';
import { SECOND_COUNTY_ACCOUNTS } from '../../server/seed/anxiang.ts';
import { DEMO_ACCOUNTS } from '../../server/seed/demo.ts';
import { RESEARCH_DEMO_ACCOUNTS } from '../../server/seed/research.ts';
import { login, makeDataDir, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

async function get<T>(url: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as T };
}

describe('HTTP API on the real server (embedded FerretDB, real workers)', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startPlatform();
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('POST /api/auth/login sets an httpOnly cookie and returns the token and the user', async () => {
    const res = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Teacher', password: 'demo2026' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/sc_access=.+HttpOnly/i);
    const body = (await res.json()) as { token: string; user: UserView };
    expect(body.user).toMatchObject({ username: 'teacher', role: 'teacher' });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const me = await fetch(`${t.url}/api/auth/me`, { headers: { cookie } });
    expect(((await me.json()) as UserView).username).toBe('teacher');
  });

  it('login answers 401 alike for a wrong password and an unknown user, and 400 with field issues for bad bodies', async () => {
    const attempt = (body: unknown) =>
      fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const wrong = await attempt({ username: 'teacher', password: 'nope' });
    const unknown = await attempt({ username: 'nobody', password: 'nope' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());
    const bad = await attempt({ username: '' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { issues: { path: string }[] } };
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(['password', 'username']);
  });

  it('every lesson route needs a valid token', async () => {
    expect((await get(`${t.url}/api/lessons/current`)).status).toBe(401);
    expect((await get(`${t.url}/api/lessons/current`, 'forged.token.here')).status).toBe(401);
    expect((await get(`${t.url}/api/admin/sfu`)).status).toBe(401);
  });

  it('the demo teacher and each demo classroom see the lesson happening now', async () => {
    const teacher = await get<CurrentLessonResponse>(
      `${t.url}/api/lessons/current`,
      await login(t.url, 'teacher'),
    );
    expect(teacher.body.lesson?.state).toBe('scheduled');
    expect(teacher.body.lesson!.classrooms).toHaveLength(4);
    for (const n of [1, 2, 3, 4]) {
      const c = await get<CurrentLessonResponse>(
        `${t.url}/api/lessons/current`,
        await login(t.url, `classroom${n}`),
      );
      expect(c.body.lesson?.id).toBe(teacher.body.lesson!.id);
    }
  });

  it('a classroom outside a lesson gets 404 for it, a malformed id 400, and its own lesson’s rtp-capabilities before it is live (to wait in its media room)', async () => {
    const { Lesson, Classroom, School } = t.platform.models;
    const demo = await Lesson.findOne().lean();
    const school = await School.create({
      name: '外校',
      regionCode: '430725',
      kind: 'rural',
      downlinkMbps: 4,
      uplinkMbps: 1,
    });
    const other = await Classroom.create({ schoolId: school._id, name: '一年级', kind: 'receiving' });
    const foreign = await Lesson.create({
      ...demo,
      _id: undefined,
      classroomIds: [other._id],
      title: '别的课',
    });
    const c1 = await login(t.url, 'classroom1');
    expect((await get(`${t.url}/api/lessons/${foreign._id.toString()}`, c1)).status).toBe(404);
    expect((await get(`${t.url}/api/lessons/not-an-id`, c1)).status).toBe(400);
    const own = await get<LessonSummary>(`${t.url}/api/lessons/${demo!._id.toString()}`, c1);
    expect(own.status).toBe(200);
    expect((await get(`${t.url}/api/lessons/${demo!._id.toString()}/rtp-capabilities`, c1)).status).toBe(200);
  });

  it('GET /api/lessons/:id/links gives each participant’s link minute by minute, the teacher first, in kbit/s', async () => {
    const { body: current } = await get<CurrentLessonResponse>(
      `${t.url}/api/lessons/current`,
      await login(t.url, 'teacher'),
    );
    const lesson = current.lesson!;
    const room = lesson.classrooms[1]!;
    const minute = (i: number): Date => new Date(Date.parse(lesson.scheduledStart) + i * 60_000);
    const sample = { lessonId: lesson.id, connection: 'connected' };
    // Written out of order, as two processes might: the series come back in minute order.
    await t.platform.models.LinkSample.insertMany([
      {
        ...sample,
        minute: minute(1),
        role: 'classroom',
        refId: room.id,
        rttMs: 80,
        lossPct: 3,
        recvBitrate: 640_400,
        sendBitrate: 200_000,
      },
      {
        ...sample,
        minute: minute(0),
        role: 'classroom',
        refId: room.id,
        rttMs: null,
        lossPct: null,
        recvBitrate: 1_000_000,
        sendBitrate: 0,
      },
      {
        ...sample,
        minute: minute(0),
        role: 'teacher',
        refId: lesson.teacherId,
        rttMs: 5,
        lossPct: 0,
        recvBitrate: 600_000,
        sendBitrate: 1_800_000,
      },
    ]);
    const coordinator = await login(t.url, 'coordinator');
    const { status, body } = await get<LessonLinksResponse>(
      `${t.url}/api/lessons/${lesson.id}/links`,
      coordinator,
    );
    expect(status).toBe(200);
    expect(body.series.map((s) => [s.role, s.name])).toEqual([
      ['teacher', lesson.teacherName],
      ['classroom', `${room.schoolName} · ${room.name}`],
    ]);
    expect(body.series[1]!.minutes).toEqual([
      {
        minute: minute(0).toISOString(),
        connection: 'connected',
        rttMs: null,
        lossPct: null,
        recvKbps: 1000,
        sendKbps: 0,
      },
      {
        minute: minute(1).toISOString(),
        connection: 'connected',
        rttMs: 80,
        lossPct: 3,
        recvKbps: 640,
        sendKbps: 200,
      },
    ]);
    expect((await get(`${t.url}/api/lessons/not-an-id/links`, coordinator)).status).toBe(400);
  });

  it('GET /api/admin/sfu is for admins and coordinators only', async () => {
    expect((await get(`${t.url}/api/admin/sfu`, await login(t.url, 'teacher'))).status).toBe(403);
    const stats = await get<SfuStatsResponse>(`${t.url}/api/admin/sfu`, await login(t.url, 'coordinator'));
    expect(stats.status).toBe(200);
    expect(stats.body.workers).toHaveLength(1);
  });

  it('unknown API routes answer 404 as JSON, and pages fall back to the browser app', async () => {
    const res = await get<{ error: { name: string } }>(`${t.url}/api/nope`);
    expect(res).toMatchObject({ status: 404, body: { error: { name: 'NotFoundError' } } });
    const page = await fetch(`${t.url}/studio`);
    expect([200, 503]).toContain(page.status);
  });
});

describe('persistence', () => {
  it('data survives a restart of the platform on the same data folder', async () => {
    const dataDir = makeDataDir();
    try {
      const first = await startPlatform({ dataDir });
      const token = await login(first.url, 'teacher');
      const lesson = (await get<CurrentLessonResponse>(`${first.url}/api/lessons/current`, token)).body
        .lesson!;
      await first.platform.lessons.start(
        { userId: lesson.teacherId, role: 'teacher', displayName: '王丽', classroomId: null },
        lesson.id,
      );
      await first.close();

      const second = await startPlatform({ dataDir });
      try {
        const again = await get<CurrentLessonResponse>(
          `${second.url}/api/lessons/current`,
          await login(second.url, 'teacher'),
        );
        expect(again.body.lesson).toMatchObject({ id: lesson.id, state: 'live' });
        expect(await second.platform.models.User.countDocuments()).toBe(
          DEMO_ACCOUNTS.length + RESEARCH_DEMO_ACCOUNTS.length + SECOND_COUNTY_ACCOUNTS.length,
        );
        // The token signed before the restart is still valid: the secret lives in the data folder.
        expect((await get(`${second.url}/api/auth/me`, token)).status).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      removeDataDir(dataDir);
    }
  });
});
