import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../server/auth/Scope.ts';
import type { ExportJobView, Figures, ReportView } from '../../server/contract/reports.ts';
import { EmbeddedFerretDb, defaultFerretdbBin } from '../../server/db/EmbeddedFerretDb.ts';
import { createLogger } from '../../server/logger.ts';
import { createModels } from '../../server/models/index.ts';
import { Directory } from '../../server/reports/Directory.ts';
import { FactRollUp } from '../../server/reports/FactRollUp.ts';
import type { LessonFact } from '../../server/reports/lessonFacts.ts';
import { ReportService } from '../../server/reports/ReportService.ts';
import { demoSide } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, makeDataDir, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

/** Friday 20 November 2026, 14:00 in Beijing: a fixed clock. */
const NOW = Date.parse('2026-11-20T06:00:00Z');
const MIN = 60_000;
/** Monday 16 November 2026, 08:00 in Beijing. */
const MONDAY = Date.parse('2026-11-16T00:00:00Z');

/** The additive parts of figures (ratios are recomputed from these). */
const additive = (f: Figures) => ({
  sessions: f.sessions,
  attendance: f.attendance,
  offerings: [f.offeringsPlanned, f.offeringsSynchronized],
  clusters: f.clusters,
});

describe('delivery, attendance and reports from the lessons’ own records', () => {
  let t: TestPlatform;
  let demo: Side;
  let rooms: string[];
  let offeringId: string;
  /** The cluster's figures for the month before this test's lessons: the demo's term so far. */
  let seeded: Figures;
  const tokens: Record<string, string> = {};
  const get = async <T>(who: string, path: string) => {
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
    return { status: res.status, body: (await res.json()) as T };
  };

  /** A lesson of the demo cluster and its events, as the recorder writes them. */
  async function lesson(
    start: number,
    live: [number, number] | null,
    intervals: Record<number, [number, number][]>,
    headcount?: [number, number],
  ) {
    const m = t.platform.models;
    const doc = await m.Lesson.create({
      clusterId: demo.clusterId,
      offeringId,
      title: '英语（4年级）',
      subject: '英语',
      grade: 4,
      teacherId: demo.teacherId,
      hubClassroomId: demo.hubClassroomId,
      classroomIds: rooms,
      scheduledStart: new Date(start),
      scheduledEnd: new Date(start + 40 * MIN),
      state: live ? 'ended' : 'scheduled',
      startedAt: live ? new Date(start + live[0]) : null,
      endedAt: live ? new Date(start + live[1]) : null,
    });
    const events = [];
    for (const [room, spans] of Object.entries(intervals))
      for (const [a, b] of spans)
        events.push(
          {
            lessonId: doc._id,
            at: new Date(start + a),
            kind: 'join',
            role: 'classroom',
            refId: rooms[Number(room)],
          },
          {
            lessonId: doc._id,
            at: new Date(start + b),
            kind: 'leave',
            role: 'classroom',
            refId: rooms[Number(room)],
          },
        );
    if (headcount)
      events.push({
        lessonId: doc._id,
        at: new Date(start + MIN),
        kind: 'headcount',
        role: 'classroom',
        refId: rooms[headcount[0]],
        count: headcount[1],
      });
    if (events.length) await m.LessonEvent.insertMany(events);
    return doc._id.toString();
  }

  beforeAll(async () => {
    // On top of the demo's term so far: the figures must add up with it.
    t = await startPlatform({ now: () => NOW, env: { DEMO_HISTORY: 'true' } });
    demo = await demoSide(t.platform.models);
    const m = t.platform.models;
    offeringId = (await m.Offering.findOne({
      clusterId: demo.clusterId,
      subject: '英语',
    }).lean())!._id.toString();
    const cluster = (await m.Cluster.findById(demo.clusterId).lean())!;
    rooms = (
      await m.Classroom.find({ schoolId: { $in: cluster.memberSchoolIds } })
        .sort({ _id: 1 })
        .lean()
    ).map((r) => r._id.toString());
    for (const who of ['admin', 'bureau', 'coordinator', 'teacher']) tokens[who] = await login(t.url, who);
    seeded = (
      await get<ReportView>('coordinator', `/api/reports/figures?clusterId=${demo.clusterId}&period=month`)
    ).body.figures;
    // Live for exactly 80 % of the schedule; room 1 reconnects three times (overlapping), room 2 is late, room 3 never comes.
    await lesson(
      MONDAY,
      [0, 32 * MIN],
      {
        0: [[0, 32 * MIN]],
        1: [
          [0, 10 * MIN],
          [9 * MIN, 20 * MIN],
          [21 * MIN, 32 * MIN],
        ],
        2: [[6 * MIN, 32 * MIN]],
      },
      [0, 38],
    );
    // Live for 79.9 %: not delivered, though every room was there.
    const short = 0.799 * 40 * MIN;
    await lesson(MONDAY + 24 * 3600_000, [0, short], {
      0: [[0, short]],
      1: [[0, short]],
      2: [[0, short]],
      3: [[0, short]],
    });
    // Never went live.
    await lesson(MONDAY + 2 * 24 * 3600_000, null, {});
    // Ended after 10 minutes: room 0 was there all along.
    await lesson(MONDAY + 3 * 24 * 3600_000, [0, 10 * MIN], { 0: [[0, 10 * MIN]] });
    // Next week: upcoming.
    await lesson(MONDAY + 7 * 24 * 3600_000, null, {});
  }, 60_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('judges each session by the rules and names every classroom’s attendance', async () => {
    const { status, body } = await get<ReportView>(
      'coordinator',
      `/api/reports/figures?clusterId=${demo.clusterId}&period=month`,
    );
    expect(status).toBe(200);
    expect(body.period.label).toEqual({ zh: '2026年11月', en: 'November 2026' });
    const ours = body.sessions.filter((s) => s.title === '英语（4年级）');
    expect(ours.map((s) => s.verdict)).toEqual([
      'delivered',
      'not-delivered',
      'missed',
      'not-delivered',
      'upcoming',
    ]);
    expect(ours[0]!.classrooms.map((c) => c.status)).toEqual(['present', 'present', 'late', 'absent']);
    expect(ours[0]!.classrooms[0]!.headcount).toBe(38);
    expect(ours[1]!.reasons[0]?.en).toContain('live 79.9 % of the scheduled time');
    expect(ours[1]!.reasons[0]?.zh).toContain('不足 80%');
    expect(ours[3]!.classrooms.map((c) => c.status)).toEqual(['present', 'absent', 'absent', 'absent']);
    // On top of the demo's month so far (its own lesson, starting now, upcoming, not missed).
    const s = seeded.sessions;
    expect(s.upcoming).toBe(1);
    expect(body.figures.sessions).toEqual({
      planned: s.planned + 5,
      delivered: s.delivered + 1,
      notDelivered: s.notDelivered + 2,
      missed: s.missed + 1,
      upcoming: s.upcoming + 1,
      live: 0,
    });
    // A missed lesson is not held against its classrooms: 3 lessons × 4 classrooms were due.
    const a = seeded.attendance;
    expect(body.figures.attendance).toEqual({
      due: a.due + 12,
      present: a.present + 7,
      late: a.late + 1,
      partial: a.partial,
      absent: a.absent + 4,
    });
    // The demo's month has delivered each of the cluster's three offerings already.
    expect(seeded.offeringsSynchronized).toBe(3);
    expect(body.figures.offeringsSynchronized).toBe(3);
    // Hub teachers' periods in November: their local lessons on each school day (English
    // teacher Mon/Wed/Fri: 13; music teacher Tue/Thu: 8) plus the synchronized sessions.
    expect(seeded.teacherPeriods.total).toBe(21 + s.planned);
    expect(body.figures.teacherPeriods).toEqual({
      online: seeded.teacherPeriods.online + 1,
      total: 21 + s.planned + 5,
    });
    expect(body.rules.map((r) => r.zh).join(' ')).toContain('80%');
    expect(body.rules.map((r) => r.en).join(' ')).toContain('80 %');
    // Judged once over, and kept with the lesson.
    const stored = await t.platform.models.Lesson.findOne({ scheduledStart: new Date(MONDAY) }).lean();
    expect(stored?.delivery).toMatchObject({ verdict: 'delivered' });
  });

  it('adds drill-down rows up to the totals at county, city and province level', async () => {
    for (const [who, region] of [
      ['bureau', '430725'],
      ['admin', '430700'],
      ['admin', '430000'],
    ] as const) {
      const { status, body } = await get<ReportView>(
        who,
        `/api/reports/figures?region=${region}&period=month`,
      );
      expect(status).toBe(200);
      expect(body.rows.length).toBeGreaterThan(0);
      // Counts that follow the cluster (sessions, attendance, offerings, clusters) add up over
      // the region and cluster rows; school rows carry the counts that follow the school.
      const sum = body.rows
        .filter((r) => r.kind !== 'school')
        .reduce(
          (acc, r) => {
            const a = additive(r.figures);
            for (const k of Object.keys(a.sessions) as (keyof typeof a.sessions)[])
              acc.sessions[k] += a.sessions[k];
            for (const k of Object.keys(a.attendance) as (keyof typeof a.attendance)[])
              acc.attendance[k] += a.attendance[k];
            acc.offerings = [acc.offerings[0]! + a.offerings[0]!, acc.offerings[1]! + a.offerings[1]!];
            for (const k of ['province', 'city', 'county'] as const) acc.clusters[k] += a.clusters[k];
            return acc;
          },
          additive({
            ...body.figures,
            sessions: { planned: 0, delivered: 0, notDelivered: 0, missed: 0, upcoming: 0, live: 0 },
            attendance: { due: 0, present: 0, late: 0, partial: 0, absent: 0 },
            offeringsPlanned: 0,
            offeringsSynchronized: 0,
            clusters: { province: 0, city: 0, county: 0 },
          }),
        );
      expect(sum).toEqual(additive(body.figures));
      const schoolSide = body.rows.filter((r) => r.kind !== 'cluster');
      expect(schoolSide.reduce((n, r) => n + r.figures.ruralSchools, 0)).toBe(body.figures.ruralSchools);
      expect(schoolSide.reduce((n, r) => n + r.figures.ruralSchoolsInCluster, 0)).toBe(
        body.figures.ruralSchoolsInCluster,
      );
      expect(body.figures.sessions.delivered).toBeGreaterThanOrEqual(1);
    }
    // A county bureau cannot look at the city above it.
    expect((await get('bureau', '/api/reports/figures?region=430700')).status).toBe(404);
    expect((await get('teacher', '/api/reports/figures')).status).toBe(403);
  });

  it('exports the month’s report to Excel with the dashboard’s figures, with progress', async () => {
    const res = await fetch(
      `${t.url}/api/reports/exports?clusterId=${demo.clusterId}&period=month&format=xlsx`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens['coordinator']}` },
      },
    );
    expect(res.status).toBe(202);
    let job = (await res.json()) as ExportJobView;
    for (let i = 0; i < 50 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await get<ExportJobView>('coordinator', `/api/report-exports/${job.id}`)).body;
    }
    expect(job).toMatchObject({ state: 'done', fraction: 1 });
    // Someone else cannot fetch it.
    expect(
      (
        await fetch(`${t.url}/api/report-exports/${job.id}/file`, {
          headers: { authorization: `Bearer ${tokens['admin']}` },
        })
      ).status,
    ).toBe(404);
    const file = await fetch(`${t.url}/api/report-exports/${job.id}/file`, {
      headers: { authorization: `Bearer ${tokens['coordinator']}` },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await file.arrayBuffer());
    const sheet = wb.getWorksheet('汇总')!;
    const header = sheet.getRow(1).values as unknown[];
    const total = sheet.getRow(2).values as unknown[];
    const col = (name: string): unknown => total[header.indexOf(name)];
    const a = seeded.attendance;
    expect(col('已开课节数')).toBe(seeded.sessions.delivered + 1);
    expect(col('缺课节数')).toBe(seeded.sessions.missed + 1);
    expect(col('出勤率(%)')).toBe(Math.round(((a.present + a.late + 8) / (a.due + 12)) * 1000) / 10);
    expect(wb.getWorksheet('课时')!.rowCount).toBe(seeded.sessions.planned + 5 + 1);
    expect(wb.getWorksheet('统计口径')!.getRow(2).getCell(1).text).toContain('80%');
  });

  it('writes the export in the language asked for: ?lang=en, else Accept-Language, Chinese by default', async () => {
    const exported = async (lang: string, headers: Record<string, string> = {}) => {
      const res = await fetch(
        `${t.url}/api/reports/exports?clusterId=${demo.clusterId}&period=month&format=xlsx${lang}`,
        { method: 'POST', headers: { authorization: `Bearer ${tokens['coordinator']}`, ...headers } },
      );
      expect(res.status).toBe(202);
      let job = (await res.json()) as ExportJobView;
      for (let i = 0; i < 50 && job.state === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = (await get<ExportJobView>('coordinator', `/api/report-exports/${job.id}`)).body;
      }
      expect(job.state).toBe('done');
      const file = await fetch(`${t.url}/api/report-exports/${job.id}/file`, {
        headers: { authorization: `Bearer ${tokens['coordinator']}` },
      });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(await file.arrayBuffer());
      return { wb, disposition: decodeURIComponent(file.headers.get('content-disposition') ?? '') };
    };
    const english = await exported('&lang=en');
    expect(english.wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Sessions', 'Rules']);
    const header = english.wb.getWorksheet('Summary')!.getRow(1).values as unknown[];
    expect(header).toContain('Sessions delivered');
    expect(header).toContain('Attendance (%)');
    expect(header.some((h) => typeof h === 'string' && /[\u4e00-\u9fff]/u.test(h))).toBe(false);
    const rules = english.wb.getWorksheet('Rules')!;
    expect(rules.getRow(1).getCell(1).text).toContain('November 2026');
    expect(rules.getRow(2).getCell(1).text).toMatch(/^[^\u4e00-\u9fff]*80 %[^\u4e00-\u9fff]*$/u);
    const reasons = english.wb.getWorksheet('Sessions')!.getColumn(7).values.slice(2) as string[];
    expect(reasons.join(' ')).toContain('receiving classrooms:');
    expect(english.disposition).toContain('November 2026-synchronized-classroom-report.xlsx');

    const byHeader = await exported('', { 'accept-language': 'en-GB,en;q=0.9' });
    expect(byHeader.wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Sessions', 'Rules']);
    // The client's language wins over the browser's.
    const chinese = await exported('&lang=zh', { 'accept-language': 'en-GB,en;q=0.9' });
    expect(chinese.wb.worksheets.map((w) => w.name)).toEqual(['汇总', '课时', '统计口径']);
    expect(chinese.disposition).toContain('2026年11月-同步课堂报表.xlsx');
  });
  it('shows a lesson judged, a lesson added and a school edited in the next report, whichever server process wrote them', async () => {
    const m = t.platform.models;
    const province = '/api/reports/figures?region=430000&period=month';
    const before = (await get<ReportView>('admin', province)).body.figures;

    // Another server process on the same database: its own connection, models and report service.
    const db = m.Lesson.db;
    const other = await mongoose.createConnection(`mongodb://${db.host}:${db.port}/${db.name}`).asPromise();
    try {
      const models = createModels(other);
      const reports = new ReportService(models, { now: () => NOW });
      const admin = await Scope.resolve(models, {
        role: 'admin',
        userId: new mongoose.Types.ObjectId().toString(),
        displayName: 'other',
      } as never);
      const elsewhere = async () =>
        (await reports.view(admin, null, { region: '430000', period: 'month' })).figures;
      expect(await elsewhere()).toEqual(before);

      // Written here (the test's process): an ended lesson, judged when the report reads it…
      await lesson(MONDAY + 4 * 24 * 3600_000, [0, 40 * MIN], { 0: [[0, 40 * MIN]], 1: [[0, 40 * MIN]] });
      const judged = (await get<ReportView>('admin', province)).body.figures;
      expect(judged.sessions).toEqual({
        ...before.sessions,
        planned: before.sessions.planned + 1,
        delivered: before.sessions.delivered + 1,
      });
      expect(judged.attendance).toEqual({
        due: before.attendance.due + 4,
        present: before.attendance.present + 2,
        late: before.attendance.late,
        partial: before.attendance.partial,
        absent: before.attendance.absent + 2,
      });
      // …and seen by the other process, whose figures were computed before.
      expect(await elsewhere()).toEqual(judged);

      // Written by the other process: a lesson added (it never went live: missed) and a rural
      // school recorded as a hub school; the platform's next report has both.
      await models.Lesson.create({
        clusterId: demo.clusterId,
        offeringId,
        title: '英语（4年级）',
        subject: '英语',
        grade: 4,
        teacherId: demo.teacherId,
        hubClassroomId: demo.hubClassroomId,
        classroomIds: rooms,
        scheduledStart: new Date(MONDAY + 3 * 3600_000),
        scheduledEnd: new Date(MONDAY + 3 * 3600_000 + 40 * MIN),
      });
      const rural = (await models.School.findOne({ kind: 'rural' }).lean())!;
      await models.School.updateOne({ _id: rural._id }, { $set: { kind: 'hub' } });
      const after = (await get<ReportView>('admin', province)).body.figures;
      expect(after.sessions).toEqual({
        ...judged.sessions,
        planned: judged.sessions.planned + 1,
        missed: judged.sessions.missed + 1,
      });
      expect(after.ruralSchools).toBe(judged.ruralSchools - 1);
      expect(after).toEqual(await elsewhere());
      await models.School.updateOne({ _id: rural._id }, { $set: { kind: 'rural' } });
      expect((await get<ReportView>('admin', province)).body.figures.ruralSchools).toBe(judged.ruralSchools);

      // A process that starts now (roll-up and journal read afresh) has the same figures.
      const fresh = new ReportService(models, { now: () => NOW });
      expect((await fresh.view(admin, null, { region: '430000', period: 'month' })).figures).toEqual(
        (await get<ReportView>('admin', province)).body.figures,
      );
      await fresh.close();
      await reports.close();
    } finally {
      await other.close();
    }

    // The cluster's own report (read from its lessons) agrees with its row in the county's.
    const cluster = (
      await get<ReportView>('coordinator', `/api/reports/figures?clusterId=${demo.clusterId}&period=month`)
    ).body.figures;
    const row = (
      await get<ReportView>('bureau', '/api/reports/figures?region=430725&period=month')
    ).body.rows.find((r) => r.kind === 'cluster' && r.id === demo.clusterId);
    expect(additive(row!.figures)).toEqual(additive(cluster));
  });
});

describe('the report facts and directory shared by several server processes', () => {
  let ferret: EmbeddedFerretDb;
  let dataDir: string;
  const connections: mongoose.Connection[] = [];
  const connect = async () => {
    const c = await mongoose.createConnection(ferret.uri).asPromise();
    connections.push(c);
    return createModels(c);
  };
  beforeAll(async () => {
    dataDir = makeDataDir();
    ferret = await EmbeddedFerretDb.start({
      bin: defaultFerretdbBin(),
      dataDir,
      logger: createLogger('silent'),
    });
  }, 60_000);
  afterAll(async () => {
    for (const c of connections) await c.close();
    await ferret.stop();
    removeDataDir(dataDir);
  });

  const YEAR = { from: Date.parse('2026-01-01T00:00:00+08:00'), to: Date.parse('2027-01-01T00:00:00+08:00') };

  it('every process streams every lesson as it is, from one roll-up in the database, whichever process wrote it or rolled it up', async () => {
    const [a, b] = [await connect(), await connect()];
    const clusterId = new mongoose.Types.ObjectId();
    const add = (models: typeof a, day: number) =>
      models.Lesson.create({
        clusterId,
        title: '英语',
        subject: '英语',
        grade: 4,
        teacherId: new mongoose.Types.ObjectId(),
        hubClassroomId: new mongoose.Types.ObjectId(),
        classroomIds: [new mongoose.Types.ObjectId()],
        // Across a month's end: two partitions of the roll-up.
        scheduledStart: new Date(MONDAY + day * 7 * 86_400_000),
        scheduledEnd: new Date(MONDAY + day * 7 * 86_400_000 + 40 * MIN),
      });
    const facts = async (rollUp: FactRollUp) => {
      const out: LessonFact[] = [];
      await rollUp.each(YEAR, (f) => out.push(f));
      return out.sort((x, y) => (x.id < y.id ? -1 : 1));
    };
    // A rolls up after every 2 journal entries; B never does.
    const first = new FactRollUp(a, { compactAfter: 2, chunkFacts: 2 });
    const other = new FactRollUp(b, { compactAfter: 1000, chunkFacts: 2 });
    await add(a, 0);
    // No roll-up yet: the first read builds it from every lesson.
    expect(await facts(other)).toHaveLength(1);
    for (let round = 1; round <= 4; round++) {
      const l = await add(a, round);
      await b.Lesson.updateOne({ _id: l._id }, { $set: { state: 'live', startedAt: new Date(MONDAY) } });
      expect(await facts(other)).toEqual(await facts(first));
      await first.flush();
    }
    // Rolled up by A, the entries it folded in deleted: B reads A's roll-up.
    expect(await a.Lesson.db.collection('changejournal').countDocuments()).toBeLessThan(2);
    const truth = await facts(first);
    expect(truth).toHaveLength(5);
    expect(truth.filter((f) => f.state === 'live')).toHaveLength(4);
    expect(await facts(other)).toEqual(truth);
    // A lesson changed in December: only December's chunks are written anew.
    const months = async () =>
      (
        (await a.Lesson.db.collection('reportfactstate').findOne({ _id: 'pointer' as never })) as unknown as {
          months: { month: string; gen: string }[];
        }
      ).months;
    const held = await months();
    const december = truth.find((f) => f.scheduledStart >= Date.parse('2026-12-01T00:00:00+08:00'))!;
    await b.Lesson.updateOne({ _id: december.id }, { $set: { state: 'ended', endedAt: new Date(MONDAY) } });
    await b.Lesson.updateOne({ _id: december.id }, { $set: { state: 'live', endedAt: null } });
    await facts(first);
    await first.flush();
    const now = await months();
    expect(now.map((m) => m.month)).toEqual(['2026-11', '2026-12']);
    expect(now[0]!.gen).toBe(held[0]!.gen);
    expect(now[1]!.gen).not.toBe(held[1]!.gen);
    expect(await facts(other)).toEqual(truth);
    // A lesson deleted is gone from every reader at once, and from the next roll-up.
    await b.Lesson.deleteOne({ _id: truth[0]!.id });
    expect(await facts(first)).toEqual(truth.slice(1));
    await first.flush();
    expect(await facts(new FactRollUp(await connect()))).toEqual(truth.slice(1));
    // Only the months of the period are read, and only its lessons visited.
    const november = {
      from: Date.parse('2026-11-01T00:00:00+08:00'),
      to: Date.parse('2026-12-01T00:00:00+08:00'),
    };
    const inNovember = truth.slice(1).filter((f) => f.scheduledStart < november.to);
    const seen: LessonFact[] = [];
    await other.each(november, (f) => seen.push(f));
    expect(seen.map((f) => f.id).sort()).toEqual(inNovember.map((f) => f.id).sort());
    for (const r of [first, other]) await r.close();
  });

  it('the directory keeps the rows it holds until their collection is written, then reads that collection again', async () => {
    const models = await connect();
    const directory = new Directory(models);
    // Never written through the models: no counter yet, and nothing to read again.
    await models.School.collection.insertOne({ name: '直写学校', regionCode: '430725', kind: 'rural' });
    const held = await directory.rows();
    expect([...held.schools.values()].map((s) => s.name)).toContain('直写学校');
    const again = await directory.rows();
    expect(again.clusters).toBe(held.clusters);
    expect(again.schools).toBe(held.schools);
    await models.Cluster.create({
      name: '新联校群',
      level: 'county',
      mode: '1+N',
      regionCode: '430725',
      hubSchoolIds: [],
      memberSchoolIds: [],
    });
    const after = await directory.rows();
    expect(after.clusters.map((c) => c.name)).toContain('新联校群');
    expect(after.schools).toBe(held.schools);
    await directory.close();
  });
});
