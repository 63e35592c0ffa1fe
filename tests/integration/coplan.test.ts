import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CoPlanJobView,
  CoPlanView,
  LocalImportResponse,
  LocalTimetableView,
  TimetableView,
} from '../../server/contract/timetable.ts';
import { demoTerm } from '../../server/seed/term.ts';
import { demoSide, foreignSide } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

/** 08:00 in Beijing on the first day of the autumn term 2026: a fixed clock. */
const NOW = Date.parse('2026-09-01T00:00:00Z');
const TERM = demoTerm(new Date(NOW)).term;

describe('receiving schools’ own timetables and co-plans through the API', () => {
  let t: TestPlatform;
  let coordinator: string;
  let school: string;
  let demo: Side;
  let foreign: Side;
  let plan: string;
  let week: (schoolId: string) => string;
  let seeded: LocalTimetableView[];

  const call = async <T>(method: string, path: string, body?: unknown, token = coordinator) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(Buffer.isBuffer(body)
          ? { 'content-type': 'application/octet-stream' }
          : { 'content-type': 'application/json' }),
      },
      ...(body === undefined
        ? {}
        : { body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) }),
    });
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      body: (type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer())) as T,
    };
  };
  const coPlan = async (): Promise<CoPlanView> => {
    const started = await call<CoPlanJobView>('POST', plan, { timeLimitMs: 1500, seed: 3 });
    expect(started.status).toBe(202);
    let job = started.body;
    for (let i = 0; i < 200 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await call<CoPlanJobView>('GET', `/api/coplan-jobs/${job.id}`)).body;
    }
    expect(job).toMatchObject({ state: 'done', error: null });
    return (await call<CoPlanView>('GET', plan)).body;
  };
  const workbook = async (sheets: Record<string, string[][]>): Promise<Buffer> => {
    const wb = new ExcelJS.Workbook();
    for (const [name, rows] of Object.entries(sheets)) wb.addWorksheet(name).addRows(rows);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };
  const WEEK_ROW = ['节次', '周一', '周二', '周三', '周四', '周五'];

  beforeAll(async () => {
    t = await startPlatform({ now: () => NOW });
    demo = await demoSide(t.platform.models);
    foreign = await foreignSide(t.platform.models);
    coordinator = await login(t.url, 'coordinator');
    school = await login(t.url, 'school1');
    plan = `/api/timetables/${demo.clusterId}/${TERM}/coplan`;
    week = (schoolId) => `/api/local-timetables/${schoolId}/${TERM}`;
    const cluster = (await t.platform.models.Cluster.findById(demo.clusterId).lean())!;
    seeded = await Promise.all(
      cluster.memberSchoolIds.map(
        async (id) => (await call<LocalTimetableView>('GET', week(id.toString()))).body,
      ),
    );
  }, 60_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('a school’s week is read by its coordinator and its own timetabler; other schools are 404 to them', async () => {
    const own = await call<LocalTimetableView>('GET', week(demo.schoolId), undefined, school);
    expect(own.status).toBe(200);
    expect(own.body.lessons).toHaveLength(15);
    expect(
      own.body.lessons
        .filter((l) => l.locked)
        .map((l) => l.subject)
        .sort(),
    ).toEqual(['升旗', '班会']);
    expect((await call('GET', week(demo.schoolId))).status).toBe(200);
    // school1 is 茶庵铺镇中心小学's: the hub, another member and another county are not its.
    expect((await call('GET', week(demo.hubSchoolId), undefined, school)).status).toBe(404);
    expect((await call('GET', week(foreign.schoolId), undefined, school)).status).toBe(404);
    expect((await call('GET', week(foreign.schoolId))).status).toBe(404);
    // Managers' routes stay closed to it.
    expect((await call('POST', plan, {}, school)).status).toBe(403);
  });

  it('a week that breaks a rule is refused with every problem, and nothing is saved', async () => {
    const before = (await call<LocalTimetableView>('GET', week(demo.schoolId))).body;
    const lessons = [
      ...before.lessons,
      { ...before.lessons[3]!, subject: '科学' },
      { classId: demo.classId, weekday: 2, period: 9, subject: '科学', teacher: '', locked: false },
    ];
    const res = await call<{ error: { issues: { path: string; message: string }[] } }>(
      'PUT',
      week(demo.schoolId),
      {
        lessons,
        revision: before.revision,
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i) => i.path)).toEqual(['lessons.15', 'lessons.16']);
    const after = (await call<LocalTimetableView>('GET', week(demo.schoolId))).body;
    expect(after).toMatchObject({ revision: before.revision, lessons: before.lessons });
    // An edit from an older revision is refused too.
    expect(
      (await call('PUT', week(demo.schoolId), { lessons: before.lessons, revision: before.revision + 5 }))
        .status,
    ).toBe(409);
  });

  it('an Excel import with a wrong cell changes nothing and names sheet, row and column; a good one replaces the week', async () => {
    const before = (await call<LocalTimetableView>('GET', week(demo.schoolId))).body;
    const name = before.classes[0]!.name;
    const bad = await workbook({
      [name]: [
        WEEK_ROW,
        ['第1节', '升旗 锁定', '语文 李春梅', '语文 李春梅', '语文 李春梅', '语文 李春梅'],
        ['第9节', '科学 王', '', '', '', ''],
      ],
      不存在的班: [WEEK_ROW],
    });
    const refused = await call<LocalImportResponse>(
      'POST',
      `${week(demo.schoolId)}/import?dryRun=false`,
      bad,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sheet: name, row: 3, column: 'B' }),
        expect.objectContaining({ sheet: '不存在的班', row: 0 }),
      ]),
    );
    expect((await call<LocalTimetableView>('GET', week(demo.schoolId))).body.revision).toBe(before.revision);

    // The school's own export reads back as it is.
    const exported = await call<Buffer>('GET', `${week(demo.schoolId)}/export`, undefined, school);
    expect(exported.status).toBe(200);
    const dry = await call<LocalImportResponse>(
      'POST',
      `${week(demo.schoolId)}/import?dryRun=true`,
      exported.body,
      school,
    );
    expect(dry.body).toMatchObject({ dryRun: true, lessons: 15, classes: 1, errors: [] });
    const done = await call<LocalImportResponse>(
      'POST',
      `${week(demo.schoolId)}/import?dryRun=false`,
      exported.body,
      school,
    );
    expect(done.status).toBe(200);
    const after = (await call<LocalTimetableView>('GET', week(demo.schoolId))).body;
    expect(after.revision).toBe(before.revision + 1);
    expect(new Set(after.lessons.map((l) => JSON.stringify(l)))).toEqual(
      new Set(before.lessons.map((l) => JSON.stringify(l))),
    );
  });

  it('a co-plan places every session with local moves; applying waits for the schools, then writes weeks and the draft', async () => {
    const view = await coPlan();
    expect(view).toMatchObject({ state: 'proposed', stale: false, wanted: 5, placed: 5, unplaced: [] });
    // The plans tried, best first: the chosen one heads the list.
    expect(view.alternatives[0]).toEqual({ placed: 5, ...view.cost });
    // Without changes the previous solver places them in the free periods 4 and 5 too; the
    // co-plan puts them where the classes' own English, music and art lessons were.
    expect(view.localChanges.filter((c) => c.kind === 'remote')).toHaveLength(20);
    expect(view.schools).toHaveLength(4);
    expect(view.schools.every((s) => s.decision === 'pending')).toBe(true);

    // The school sees its own part only, with its week before and after.
    const mine = (await call<CoPlanView>('GET', plan, undefined, school)).body;
    expect(mine.schools.map((s) => s.id)).toEqual([demo.schoolId]);
    expect(mine.localChanges.every((c) => c.schoolId === demo.schoolId)).toBe(true);
    const part = mine.schools[0]!;
    expect(part.before).toHaveLength(15);
    expect(part.after.filter((l) => l.offeringId)).toHaveLength(5);
    // Another school's part is not its to decide.
    const other = view.schools.find((s) => s.id !== demo.schoolId)!;
    expect(
      (await call('POST', `${plan}/schools/${other.id}/decision`, { approve: true }, school)).status,
    ).toBe(404);

    const early = await call<{ error: { message: string } }>('POST', `${plan}/apply`, {});
    expect(early.status).toBe(409);
    expect(
      (await call<CoPlanView>('POST', `${plan}/schools/${demo.schoolId}/decision`, { approve: true }, school))
        .status,
    ).toBe(200);
    for (const s of view.schools.filter((x) => x.id !== demo.schoolId))
      expect(
        (await call('POST', `${plan}/schools/${s.id}/decision`, { approve: true, note: '电话确认' })).status,
      ).toBe(200);

    const applied = await call<CoPlanView>('POST', `${plan}/apply`, {});
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ state: 'applied', applied: { sessions: 5, dropped: 0 } });
    const timetable = (await call<TimetableView>('GET', `/api/timetables/${demo.clusterId}/${TERM}`)).body;
    expect(timetable).toMatchObject({ state: 'draft', unplaced: [] });
    expect(timetable.sessions).toHaveLength(5);
    // The school's own week lost the lessons the sessions teach now.
    const after = (await call<LocalTimetableView>('GET', week(demo.schoolId))).body;
    expect(after.lessons).toHaveLength(10);
    expect(after.lessons.some((l) => ['英语', '音乐', '美术'].includes(l.subject))).toBe(false);
    // Applied once only; every step audited.
    expect((await call('POST', `${plan}/apply`, {})).status).toBe(409);
    const audit = await t.platform.models.AuditEntry.find({
      entity: { $in: ['coplans', 'local-timetables'] },
    }).lean();
    expect(audit.length).toBeGreaterThanOrEqual(1 + 4 + 1 + 4);
  }, 60_000);

  it('a plan whose data changed since is refused with STALE_PLAN; the coordinator’s refusal sends a part back to its school', async () => {
    const view = await coPlan();
    if (view.localChanges.length) {
      const change = view.localChanges[0]!;
      const refused = await call<CoPlanView>('POST', `${plan}/changes`, {
        kind: 'local',
        index: change.index,
        refused: true,
      });
      expect(refused.body.localChanges.find((c) => c.index === change.index)?.refused).toBe(true);
      expect(refused.body.schools.find((s) => s.id === change.schoolId)?.decision).toBe('pending');
    }
    const current = (await call<LocalTimetableView>('GET', week(demo.schoolId))).body;
    const moved = current.lessons.map((l) =>
      l.subject === '数学' && l.weekday === 2 ? { ...l, period: 5 } : l,
    );
    expect((await call('PUT', week(demo.schoolId), { lessons: moved })).status).toBe(200);
    const stale = (await call<CoPlanView>('GET', plan)).body;
    expect(stale.stale).toBe(true);
    const decision = await call<{ error: { code: string } }>(
      'POST',
      `${plan}/schools/${demo.schoolId}/decision`,
      { approve: true },
      school,
    );
    expect(decision.status).toBe(409);
    expect(decision.body.error.code).toBe('STALE_PLAN');
    const apply = await call<{ error: { code: string } }>('POST', `${plan}/apply`, { approvedOnly: true });
    expect(apply.status).toBe(409);
    expect(apply.body.error.code).toBe('STALE_PLAN');
  }, 60_000);

  it('applying only the approved parts changes only those schools’ weeks and keeps the sessions that still fit', async () => {
    // The demo schools' weeks as seeded again (the plan applied above took their English, music and art).
    for (const w of seeded)
      expect((await call('PUT', week(w.school.id), { lessons: w.lessons })).status).toBe(200);
    const view = await coPlan();
    expect(view.schools).toHaveLength(4);
    expect(view.stale).toBe(false);
    const others = view.schools.filter((s) => s.id !== demo.schoolId);
    const before = await Promise.all(
      others.map(async (s) => (await call<LocalTimetableView>('GET', week(s.id))).body.revision),
    );
    const mine = (await call<LocalTimetableView>('GET', week(demo.schoolId))).body.revision;
    expect(
      (await call('POST', `${plan}/schools/${demo.schoolId}/decision`, { approve: true }, school)).status,
    ).toBe(200);
    expect(
      (await call('POST', `${plan}/schools/${others[0]!.id}/decision`, { approve: false, note: '教研活动' }))
        .status,
    ).toBe(200);
    const applied = await call<CoPlanView>('POST', `${plan}/apply`, { approvedOnly: true });
    expect(applied.status).toBe(200);
    const summary = applied.body.applied!;
    expect(summary.sessions + summary.dropped).toBe(view.placed);
    expect(summary.localChanges).toBe(view.localChanges.filter((c) => c.schoolId === demo.schoolId).length);
    expect((await call<LocalTimetableView>('GET', week(demo.schoolId))).body.revision).toBe(mine + 1);
    const after = await Promise.all(
      others.map(async (s) => (await call<LocalTimetableView>('GET', week(s.id))).body.revision),
    );
    expect(after).toEqual(before);
    // The schools that did not approve keep their lessons, which stand in the sessions' way:
    // those are left out, and the draft says what is missing.
    expect(summary.dropped).toBeGreaterThan(0);
    const timetable = (await call<TimetableView>('GET', `/api/timetables/${demo.clusterId}/${TERM}`)).body;
    expect(timetable.sessions).toHaveLength(summary.sessions);
    expect(timetable.unplaced.reduce((n, u) => n + u.missing, 0)).toBe(summary.dropped);
  }, 60_000);
});
