import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse, LessonLinksResponse } from '../../server/contract/api.ts';
import type { ExportJobView, ReportView } from '../../server/contract/reports.ts';
import type { Lesson } from '../../server/models/index.ts';
import { SECOND_CLUSTER } from '../../server/seed/anxiang.ts';
import { login, makeDataDir, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

/** The platform as a new user starts it: the demo with its term so far. */
const HISTORY = { DEMO_HISTORY: 'true' };

/** Friday 20 November 2026, 14:00 in Beijing: a fixed clock. */
const NOW = Date.parse('2026-11-20T06:00:00Z');
/** The half-year from 1 August (China time): the reports' term. */
const TERM_FROM = Date.parse('2026-08-01T00:00:00+08:00');
const MONTH_FROM = Date.parse('2026-11-01T00:00:00+08:00');
const COUNTIES = { '430725': '桃源县', '430721': '安乡县' } as const;

/** What a seeded lesson is, in a form two databases can be compared by. */
const shape = (l: Lesson) => ({
  title: l.title,
  start: l.scheduledStart.toISOString(),
  state: l.state,
  startedAt: l.startedAt?.toISOString() ?? null,
  verdict: (l.delivery as { verdict?: string } | null)?.verdict ?? null,
});

describe('the demo’s term so far, seeded on first start', () => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const get = async <T>(who: string, path: string) => {
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
    return { status: res.status, body: (await res.json()) as T };
  };
  /** Seeded lessons of a county (by their cluster's region) scheduled in [from, NOW). */
  const seeded = async (county: string, from: number) => {
    const m = t.platform.models;
    const clusters = await m.Cluster.find({ regionCode: county }, { _id: 1 }).lean();
    return m.Lesson.find({
      clusterId: { $in: clusters.map((c) => c._id) },
      scheduledStart: { $gte: new Date(from), $lt: new Date(NOW) },
    }).lean<Lesson[]>();
  };

  beforeAll(async () => {
    t = await startPlatform({ now: () => NOW, env: HISTORY });
    for (const who of ['admin', 'bureau', 'coordinator', 'teacher']) tokens[who] = await login(t.url, who);
  }, 120_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('has a term of past lessons in both counties, most delivered, some missed or cut short, with varied attendance', async () => {
    for (const county of Object.keys(COUNTIES)) {
      const lessons = await seeded(county, TERM_FROM);
      const verdicts = lessons.map((l) => shape(l).verdict);
      const delivered = verdicts.filter((v) => v === 'delivered').length;
      expect(lessons.length).toBeGreaterThan(30);
      expect(delivered / lessons.length).toBeGreaterThan(0.8);
      // Never taught: left scheduled (missed by the clock), with no record.
      const missed = lessons.filter((l) => l.state === 'scheduled');
      expect(missed.length).toBeGreaterThan(0);
      expect(await t.platform.models.LessonEvent.countDocuments({ lessonId: missed[0]!._id })).toBe(0);
      expect(verdicts).toContain('not-delivered');
    }
    const statuses = new Set(
      (await seeded('430725', TERM_FROM)).flatMap(
        (l) =>
          (l.delivery as { classrooms?: { status: string }[] } | null)?.classrooms?.map((c) => c.status) ??
          [],
      ),
    );
    expect([...statuses].sort()).toEqual(['absent', 'late', 'partial', 'present']);
  });

  it('the city’s term report counts each county’s seeded lessons, and the county dashboard this month’s', async () => {
    const city = await get<ReportView>('admin', '/api/reports/figures?region=430700&period=term');
    expect(city.status).toBe(200);
    for (const [code, name] of Object.entries(COUNTIES)) {
      const lessons = await seeded(code, TERM_FROM);
      const row = city.body.rows.find((r) => r.id === code);
      expect(row?.name).toBe(name);
      const count = (verdict: string) => lessons.filter((l) => shape(l).verdict === verdict).length;
      expect(row!.figures.sessions).toMatchObject({
        delivered: count('delivered'),
        notDelivered: count('not-delivered'),
        missed: lessons.filter((l) => l.state === 'scheduled').length,
      });
      expect(row!.figures.attendance.due).toBeGreaterThan(0);
      expect(row!.figures.offeringsSynchronized).toBeGreaterThan(0);
    }
    // The trend has the months of the term so far (each labelled by its first day, YYYY-MM-DD).
    expect(city.body.trend.filter((b) => b.delivered > 0).map((b) => b.label.slice(5))).toEqual([
      '09-01',
      '10-01',
      '11-01',
    ]);

    // The county bureau's dashboard as it opens (its county, this month), down to the cluster and its sessions.
    const county = await get<ReportView>('bureau', '/api/reports/figures');
    expect(county.body.scope).toMatchObject({ id: '430725', name: '桃源县' });
    const month = await seeded('430725', MONTH_FROM);
    expect(county.body.figures.sessions.delivered).toBe(
      month.filter((l) => shape(l).verdict === 'delivered').length,
    );
    expect(county.body.figures.sessions.delivered).toBeGreaterThan(0);
    const clusterRow = county.body.rows.find((r) => r.kind === 'cluster')!;
    const cluster = await get<ReportView>('bureau', `/api/reports/figures?clusterId=${clusterRow.id}`);
    expect(cluster.body.figures.sessions).toEqual(clusterRow.figures.sessions);
    // The demo lesson of now is upcoming; every seeded one of the month is listed with its verdict.
    expect(cluster.body.sessions.filter((s) => s.verdict !== 'upcoming')).toHaveLength(month.length);
    expect(cluster.body.sessions.some((s) => s.classrooms.some((c) => c.headcount !== null))).toBe(true);
  });

  it('stores each judgement as the report service makes it from the lesson’s records', async () => {
    const path = '/api/reports/figures?region=430000&period=term';
    const before = (await get<ReportView>('admin', path)).body.figures;
    // Judgements dropped: the reports judge every ended lesson again from its events.
    const m = t.platform.models;
    const ended = await m.Lesson.find({ state: 'ended', delivery: { $ne: null } }).lean<Lesson[]>();
    await m.Lesson.updateMany({ state: 'ended' }, { $set: { delivery: null } });
    const after = (await get<ReportView>('admin', path)).body.figures;
    expect(after.sessions).toEqual(before.sessions);
    expect(after.attendance).toEqual(before.attendance);
    const rejudged = new Map(
      (await m.Lesson.find({ state: 'ended' }).lean<Lesson[]>()).map((l) => [l._id.toString(), l.delivery]),
    );
    for (const l of ended)
      expect(rejudged.get(l._id.toString()), l.title).toMatchObject({
        verdict: (l.delivery as { verdict: string }).verdict,
        classrooms: (l.delivery as { classrooms: { classroomId: unknown; status: string }[] }).classrooms.map(
          (c) => ({ classroomId: String(c.classroomId), status: c.status }),
        ),
      });
  });

  it('exports the county’s term report with the dashboard’s figures', async () => {
    const query = 'region=430725&period=term';
    const figures = (await get<ReportView>('bureau', `/api/reports/figures?${query}`)).body.figures;
    const res = await fetch(`${t.url}/api/reports/exports?${query}&format=xlsx`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['bureau']}` },
    });
    expect(res.status).toBe(202);
    let job = (await res.json()) as ExportJobView;
    for (let i = 0; i < 100 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await get<ExportJobView>('bureau', `/api/report-exports/${job.id}`)).body;
    }
    expect(job.state).toBe('done');
    const file = await fetch(`${t.url}/api/report-exports/${job.id}/file`, {
      headers: { authorization: `Bearer ${tokens['bureau']}` },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await file.arrayBuffer());
    const sheet = wb.getWorksheet('汇总')!;
    const header = sheet.getRow(1).values as unknown[];
    const total = sheet.getRow(2).values as unknown[];
    expect(total[header.indexOf('已开课节数')]).toBe(figures.sessions.delivered);
    expect(total[header.indexOf('缺课节数')]).toBe(figures.sessions.missed);
    expect(figures.sessions.delivered).toBeGreaterThan(30);
  });

  it('a recent past lesson’s link chart has a sample a minute for the teacher and each classroom there', async () => {
    const m = t.platform.models;
    const cluster = (await m.Cluster.findOne({ name: SECOND_CLUSTER }).lean())!;
    const lesson = (await m.Lesson.findOne({
      clusterId: cluster._id,
      state: 'ended',
      'delivery.verdict': 'delivered',
      scheduledStart: { $gte: new Date(MONTH_FROM) },
    }).lean<Lesson>())!;
    const admin = await get<LessonLinksResponse>('admin', `/api/lessons/${lesson._id.toString()}/links`);
    expect(admin.status).toBe(200);
    const [teacher, ...rooms] = admin.body.series;
    expect(teacher?.role).toBe('teacher');
    expect(teacher!.minutes.length).toBeGreaterThanOrEqual(35);
    const present = (lesson.delivery as { classrooms: { status: string }[] }).classrooms.filter(
      (c) => c.status !== 'absent',
    );
    expect(rooms).toHaveLength(present.length);
    for (const room of rooms) {
      expect(room.minutes.length).toBeGreaterThan(5);
      for (const minute of room.minutes) {
        expect(minute.recvKbps).toBeGreaterThan(0);
        expect(minute.rttMs).toBeGreaterThan(0);
      }
    }
    // The teaching point's thin link shows: a longer round trip than the town school's.
    const rtt = (i: number) =>
      rooms[i]!.minutes.reduce((n, x) => n + (x.rttMs ?? 0), 0) / rooms[i]!.minutes.length;
    const names = rooms.map((r) => r.name);
    const point = names.findIndex((n) => n.includes('教学点'));
    const town = names.findIndex((n) => n.includes('黄山头镇'));
    if (point >= 0 && town >= 0) expect(rtt(point)).toBeGreaterThan(rtt(town));
  });

  it('keeps the demo lesson of now ready to teach, and is the same on another first start', async () => {
    const current = await get<CurrentLessonResponse>('teacher', '/api/lessons/current');
    expect(current.body.lesson).toMatchObject({ state: 'scheduled', title: '英语 Unit 3 · My Friends' });
    expect(Date.parse(current.body.lesson!.scheduledStart)).toBe(NOW);
    expect(current.body.lesson!.classrooms).toHaveLength(4);

    const dataDir = makeDataDir();
    const other = await startPlatform({ now: () => NOW, dataDir, env: HISTORY });
    try {
      const all = async (p: TestPlatform) =>
        (await p.platform.models.Lesson.find({ scheduledStart: { $lt: new Date(NOW) } }).lean<Lesson[]>())
          .map(shape)
          .sort((a, b) => a.start.localeCompare(b.start) || a.title.localeCompare(b.title));
      expect(await all(other)).toEqual(await all(t));
      expect(await other.platform.models.LinkSample.countDocuments()).toBe(
        await t.platform.models.LinkSample.countDocuments(),
      );
    } finally {
      await other.close();
      removeDataDir(dataDir);
    }
  }, 120_000);
});
