import ExcelJS from 'exceljs';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDays } from '../../scheduler/calendar.ts';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import type { CheckResponse, SolveJobView, TimetableView } from '../../server/contract/timetable.ts';
import type { WireError } from '../../server/contract/errors.ts';
import { demoTerm } from '../../server/seed/term.ts';
import { demoSide, foreignSide } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { connect, next } from '../helpers/socket.ts';

/** 08:00 in Beijing on the first day of the autumn term 2026 (a Tuesday): a fixed clock. */
const NOW = Date.parse('2026-09-01T00:00:00Z');
const TERM = demoTerm(new Date(NOW));

describe('joint timetable: solve, edit, lock, publish, export, subscribe', () => {
  let t: TestPlatform;
  let coordinator: string;
  let demo: Side;
  let foreign: Side;
  let base: string;

  const call = async <T>(method: string, path: string, body?: unknown, token = coordinator) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      body: (type.includes('json') ? await res.json() : await res.arrayBuffer()) as T,
    };
  };
  const solve = async (): Promise<TimetableView> => {
    const started = await call<SolveJobView>('POST', `${base}/solve`, { timeLimitMs: 500, seed: 7 });
    expect(started.status).toBe(202);
    let job = started.body;
    for (let i = 0; i < 100 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await call<SolveJobView>('GET', `/api/solve-jobs/${job.id}`)).body;
    }
    expect(job).toMatchObject({ state: 'done', placed: 5, wanted: 5, error: null });
    return (await call<TimetableView>('GET', base)).body;
  };
  const englishOf = (view: TimetableView) => view.offerings.find((o) => o.name.zh.startsWith('英语'))!;

  beforeAll(async () => {
    t = await startPlatform({ now: () => NOW });
    demo = await demoSide(t.platform.models);
    foreign = await foreignSide(t.platform.models);
    coordinator = await login(t.url, 'coordinator');
    base = `/api/timetables/${demo.clusterId}/${TERM.term}`;
  }, 60_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('solves the demo cluster in a worker thread: every session where hub teacher and all four classes are free', async () => {
    const before = await call<TimetableView>('GET', base);
    expect(before.body).toMatchObject({ state: 'none', sessions: [] });
    expect(before.body.offerings.map((o) => o.periodsPerWeek)).toEqual([2, 2, 1]);

    const view = await solve();
    expect(view.state).toBe('draft');
    expect(view.sessions).toHaveLength(5);
    expect(view.unplaced).toEqual([]);
    // The demo classes have their own lessons in periods 1 and 2 and in period 3 or 6: only 4 and 5 are free for all.
    for (const s of view.sessions) expect([4, 5]).toContain(s.period);
    for (const s of view.sessions) expect(s.receiving).toHaveLength(4);
    // English twice, on days apart.
    const english = view.sessions.filter((s) => s.offeringId === englishOf(view).id).map((s) => s.weekday);
    expect(Math.abs(english[0]! - english[1]!)).toBeGreaterThanOrEqual(2);
  });

  it('checks a drag at once, refuses a move that breaks a hard rule, and takes a free one', async () => {
    const view = (await call<TimetableView>('GET', base)).body;
    const english = view.sessions.find((s) => s.offeringId === englishOf(view).id)!;
    const from = { weekday: english.weekday, period: english.period };
    // The English teacher teaches locally in period 3 on Monday, Wednesday and Friday.
    const busy = await call<CheckResponse>('POST', `${base}/check`, {
      offeringId: english.offeringId,
      from,
      to: { weekday: 1, period: 3 },
    });
    expect(busy.status).toBe(200);
    expect(busy.body.conflicts.map((c) => c.constraint)).toContain('teacher-busy');

    const refused = await call<{ error: WireError }>('POST', `${base}/edit`, {
      offeringId: english.offeringId,
      from,
      to: { weekday: 1, period: 3 },
    });
    expect(refused.status).toBe(409);
    // The refusal in both languages: an English-mode user reads the English sentence alone.
    expect(refused.body.error.code).toBe('CONFLICT');
    expect(refused.body.error.text?.en).toMatch(/^teacher .+ is busy on Mon period 3/);
    expect(refused.body.error.text?.zh).toMatch(/^教师 .+ 周一第3节不可用/);
    expect(refused.body.error.message).toBe(
      `${refused.body.error.text?.zh} (${refused.body.error.text?.en})`,
    );
    expect((await call<TimetableView>('GET', base)).body.sessions).toEqual(view.sessions);

    // The other English session's slot is the offering's own: adding there is refused too.
    const twin = view.sessions.find((s) => s.offeringId === english.offeringId && s !== english)!;
    const doubled = await call<CheckResponse>('POST', `${base}/check`, {
      offeringId: english.offeringId,
      to: { weekday: twin.weekday, period: twin.period },
    });
    expect(doubled.body.conflicts[0]?.message.en).toMatch(/^.+ already has this slot$/);
    expect(doubled.body.conflicts[0]?.message.zh).toMatch(/^.+ 在这一节已经有课$/);

    const taken = new Set(view.sessions.map((s) => `${s.weekday}/${s.period}`));
    const english2 = view.sessions
      .filter((s) => s.offeringId === english.offeringId)
      .find((s) => s !== english)!;
    const free = [1, 2, 3, 4, 5]
      .flatMap((weekday) => [4, 5].map((period) => ({ weekday, period })))
      .find((s) => !taken.has(`${s.weekday}/${s.period}`) && s.weekday !== english2.weekday)!;
    const ok = await call<CheckResponse>('POST', `${base}/check`, {
      offeringId: english.offeringId,
      from,
      to: free,
    });
    expect(ok.body.conflicts).toEqual([]);
    const moved = await call<TimetableView>('POST', `${base}/edit`, {
      offeringId: english.offeringId,
      from,
      to: free,
    });
    expect(moved.status).toBe(200);
    expect(
      moved.body.sessions.some(
        (s) => s.offeringId === english.offeringId && s.weekday === free.weekday && s.period === free.period,
      ),
    ).toBe(true);
  });

  it('keeps a locked session when solving again', async () => {
    const view = (await call<TimetableView>('GET', base)).body;
    const target = view.sessions[0]!;
    const locked = await call<TimetableView>('POST', `${base}/lock`, {
      offeringId: target.offeringId,
      weekday: target.weekday,
      period: target.period,
      locked: true,
    });
    expect(locked.body.sessions.find((s) => s.locked)).toMatchObject({
      weekday: target.weekday,
      period: target.period,
    });
    const again = await solve();
    expect(again.sessions.find((s) => s.locked)).toMatchObject({
      offeringId: target.offeringId,
      weekday: target.weekday,
      period: target.period,
    });
  });

  it('publishes dated lessons over the term, none on holidays, and the make-up Saturday follows Friday', async () => {
    const view = (await call<TimetableView>('GET', base)).body;
    const published = await call<{ lessons: number }>('POST', `${base}/publish`);
    expect(published.status).toBe(200);
    const days = schoolDays(TERM);
    const expected = view.sessions.reduce(
      (n, s) => n + days.filter((d) => d.weekday === s.weekday).length,
      0,
    );
    expect(published.body.lessons).toBe(expected);

    const m = t.platform.models;
    const lessons = await m.Lesson.find({
      clusterId: demo.clusterId,
      offeringId: { $ne: null },
      scheduledStart: { $gte: new Date(NOW) },
    }).lean();
    const dates = new Set(
      lessons.map((l) => new Date(l.scheduledStart.getTime() + 8 * 3600_000).toISOString().slice(0, 10)),
    );
    for (const holiday of ['2026-10-01', '2026-10-05', '2027-01-01']) expect(dates.has(holiday)).toBe(false);
    const fridays = view.sessions.filter((s) => s.weekday === 5).length;
    expect(
      lessons.filter((l) =>
        new Date(l.scheduledStart.getTime() + 8 * 3600_000).toISOString().startsWith('2026-10-10'),
      ),
    ).toHaveLength(fridays);
    expect((await call<TimetableView>('GET', base)).body).toMatchObject({
      state: 'published',
      publishedLessons: expected,
    });

    // Publishing again replaces the future lessons instead of adding to them, and the
    // cluster's kiosks and teachers are told to ask for their lessons again.
    const kiosk = await connect(t.url, await login(t.url, 'classroom1'));
    const teacherPage = await connect(t.url, await login(t.url, 'teacher'));
    const told = Promise.all([next(kiosk, 'lessons:changed'), next(teacherPage, 'lessons:changed')]);
    await call('POST', `${base}/publish`);
    expect(await told).toEqual([{}, {}]);
    kiosk.close();
    teacherPage.close();
    expect(
      await m.Lesson.countDocuments({
        clusterId: demo.clusterId,
        offeringId: { $ne: null },
        scheduledStart: { $gte: new Date(NOW) },
      }),
    ).toBe(lessons.length);

    // A classroom device sees the next lesson of the published timetable.
    const classroom = await login(t.url, 'classroom1');
    const current = await call<{ next: { title: string; scheduledStart: string } | null }>(
      'GET',
      '/api/lessons/current',
      undefined,
      classroom,
    );
    expect(current.body.next?.title).toMatch(/^(英语|音乐|美术)（4年级）$/);
    // Asked again when the clock changes the answer: by the next lesson's join window at the latest.
    const { changesAt, serverTime, next: coming } = current.body as CurrentLessonResponse;
    expect(changesAt).not.toBeNull();
    // Timed by the server's clock (here months behind this test's own, as a kiosk's may be off).
    expect(serverTime).toBe(new Date(NOW).toISOString());
    expect(Date.parse(changesAt!)).toBeGreaterThan(NOW);
    expect(Date.parse(changesAt!)).toBeLessThanOrEqual(Date.parse(coming!.scheduledStart) - 15 * 60_000);
  });

  it('exports the week grid to Excel, a sheet per school and per hub teacher', async () => {
    const res = await call<ArrayBuffer>('GET', `${base}/export`);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    expect(wb.worksheets.map((w) => w.name)).toContain('桃源县漳江小学');
    expect(wb.worksheets.some((w) => w.name.startsWith('教师 '))).toBe(true);
    const hub = wb.getWorksheet('桃源县漳江小学')!;
    const text = hub
      .getSheetValues()
      .flat()
      .filter((v) => typeof v === 'string')
      .join(' ');
    expect(text).toContain('英语（4年级）');
    expect(hub.getRow(1).values).toEqual([undefined, '节次', '周一', '周二', '周三', '周四', '周五']);

    // In English: titles, weekdays and period labels; names stay as they are.
    const en = await call<ArrayBuffer>('GET', `${base}/export?lang=en`);
    const english = new ExcelJS.Workbook();
    await english.xlsx.load(en.body);
    expect(english.worksheets.some((w) => w.name.startsWith('Teacher '))).toBe(true);
    const enHub = english.getWorksheet('桃源县漳江小学')!;
    expect(enHub.getRow(1).values).toEqual([undefined, 'Period', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri']);
    expect(enHub.getRow(2).getCell(1).text).toMatch(/^Period 1 \d\d:\d\d-\d\d:\d\d$/);
  });

  it('serves a teacher’s lessons as an iCal feed that a calendar parser reads, until revoked', async () => {
    const teacher = await login(t.url, 'teacher');
    const me = (await call<{ id: string }>('GET', '/api/auth/me', undefined, teacher)).body;
    const created = await call<{ id: string; url: string }>(
      'POST',
      '/api/calendar-feeds',
      { kind: 'teacher', subjectId: me.id },
      teacher,
    );
    expect(created.status).toBe(201);
    const res = await fetch(`${t.url}${created.body.url}`);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const calendar = new ICAL.Component(ICAL.parse(await res.text()) as unknown[]);
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const m = t.platform.models;
    expect(events).toHaveLength(await m.Lesson.countDocuments({ teacherId: me.id }));
    expect(events.every((e) => e.summary.startsWith('同步课堂：'))).toBe(true);
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);

    // Someone else's lessons are not the teacher's to subscribe to.
    const other = await call(
      'POST',
      '/api/calendar-feeds',
      { kind: 'cluster', subjectId: demo.clusterId },
      teacher,
    );
    expect(other.status).toBe(403);

    expect((await call('DELETE', `/api/calendar-feeds/${created.body.id}`, undefined, teacher)).status).toBe(
      204,
    );
    expect((await fetch(`${t.url}${created.body.url}`)).status).toBe(404);
  });

  it('keeps other clusters out of reach', async () => {
    expect((await call('GET', `/api/timetables/${foreign.clusterId}/${TERM.term}`)).status).toBe(404);
    expect((await call('POST', `/api/timetables/${foreign.clusterId}/${TERM.term}/publish`)).status).toBe(
      404,
    );
  });
});
