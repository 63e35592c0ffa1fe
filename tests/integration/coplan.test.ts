import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CoPlanJobView,
  CoPlanView,
  LocalImportResponse,
  LocalTimetableView,
  TimetableView,
} from '../../server/contract/timetable.ts';
import type { Text } from '../../server/contract/text.ts';
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
  /** Waits for a co-plan job (a plan or a re-plan) and reads the plan it saved. */
  const finish = async (job: CoPlanJobView): Promise<CoPlanView> => {
    for (let i = 0; i < 300 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await call<CoPlanJobView>('GET', `/api/coplan-jobs/${job.id}`)).body;
    }
    expect(job).toMatchObject({ state: 'done', error: null });
    return (await call<CoPlanView>('GET', plan)).body;
  };
  /** A local change as the scheduler compares them (index and refusal mark left out). */
  const sig = (c: Omit<CoPlanView['localChanges'][number], 'index' | 'refused'>): string =>
    JSON.stringify([c.kind, c.schoolId, c.classId, c.subject, c.from, c.to, c.offeringId]);
  /** Every school of the plan approves its part (the demo school by its own timetabler). */
  const approveAll = async (view: CoPlanView): Promise<void> => {
    for (const s of view.schools.filter((x) => x.decision !== 'approved')) {
      const res = await call(
        'POST',
        `${plan}/schools/${s.id}/decision`,
        { approve: true },
        s.id === demo.schoolId ? school : coordinator,
      );
      expect(res.status).toBe(200);
    }
  };

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
    const res = await call<{ error: { issues: { path: string; message: string; text?: Text }[] } }>(
      'PUT',
      week(demo.schoolId),
      {
        lessons,
        revision: before.revision,
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i) => i.path)).toEqual(['lessons.15', 'lessons.16']);
    // Each problem in both languages (the English names the class as it is called).
    const [clash, bells] = res.body.error.issues.map((i) => i.text);
    expect(clash?.en).toMatch(/ already has a lesson on \w{3} period \d+ \(entry \d+\)$/);
    expect(clash?.zh).toMatch(/已有一节课/);
    expect(bells?.en).toBe("the school's bells have no Tue period 9");
    expect(bells?.zh).toBe('本校作息没有周二第9节');
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
    expect(view.alternatives[0]).toEqual({ index: 0, chosen: true, placed: 5, ...view.cost });
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

    const early = await call<{ error: { message: string; text?: Text } }>('POST', `${plan}/apply`, {});
    expect(early.status).toBe(409);
    expect(early.body.error.text?.en).toMatch(/^\d+ schools have not approved their part: /);
    expect(early.body.error.text?.zh).toMatch(/^还有 \d+ 所学校未同意：/);
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

  it('refusals are re-planned around: none comes back, what is left out names the refusal, then approve and apply', async () => {
    for (const w of seeded)
      expect((await call('PUT', week(w.school.id), { lessons: w.lessons })).status).toBe(200);
    const view = await coPlan();
    expect(view).toMatchObject({ state: 'proposed', stale: false, refusals: [], newRefusals: 0 });
    // Nothing refused yet: nothing to re-plan around.
    expect((await call('POST', `${plan}/replan`, { timeLimitMs: 1500, seed: 3 })).status).toBe(409);
    const others = view.schools.filter((s) => s.id !== demo.schoolId);
    // The demo school refuses its whole part; the coordinator refuses one change of another
    // school; a third school approves.
    const own = view.localChanges.filter((c) => c.schoolId === demo.schoolId);
    expect(own.length).toBeGreaterThan(0);
    expect(
      (
        await call(
          'POST',
          `${plan}/schools/${demo.schoolId}/decision`,
          { approve: false, note: '不调' },
          school,
        )
      ).status,
    ).toBe(200);
    const single = view.localChanges.find((c) => c.schoolId === others[0]!.id)!;
    const refused = await call<CoPlanView>('POST', `${plan}/changes`, {
      kind: 'local',
      index: single.index,
      refused: true,
    });
    expect(refused.body.newRefusals).toBe(2);
    expect(
      (await call('POST', `${plan}/schools/${others[1]!.id}/decision`, { approve: true, note: '同意' }))
        .status,
    ).toBe(200);
    // The school's timetabler cannot re-plan; the coordinator can.
    expect((await call('POST', `${plan}/replan`, {}, school)).status).toBe(403);
    const started = await call<CoPlanJobView>('POST', `${plan}/replan`, { timeLimitMs: 1500, seed: 3 });
    expect(started.status).toBe(202);
    const again = await finish(started.body);

    // The new plan records the refusals it honours: the school's whole part and the single change.
    expect(again).toMatchObject({ state: 'proposed', stale: false, newRefusals: 0, wanted: 5 });
    expect(again.refusals).toHaveLength(own.length + 1);
    expect(again.refusals.filter((r) => r.by === 'school')).toHaveLength(own.length);
    expect(again.refusals.filter((r) => r.by === 'coordinator').map((r) => sig(r.local!))).toEqual([
      sig(single),
    ]);
    // None of them is proposed again.
    const banned = new Set(again.refusals.map((r) => sig(r.local!)));
    expect(again.localChanges.filter((c) => banned.has(sig(c)))).toEqual([]);
    // Before/after rates as usual, and an account of every session not placed, naming the refusals in the way.
    expect(again.baselinePlaced).toBeGreaterThan(0);
    expect(again.placed + again.unplaced.reduce((n, u) => n + u.missing, 0)).toBe(5);
    for (const u of again.unplaced) {
      expect(u.blockedBy.length + (u.proof ? 1 : 0) + u.reasons.length).toBeGreaterThan(0);
      for (const b of u.blockedBy) for (const i of b.refusals) expect(again.refusals[i]).toBeDefined();
    }
    // Every school whose part changed decides again; the school sees only its own refusals.
    expect(again.schools.every((s) => s.decision !== 'refused')).toBe(true);
    for (const s of again.schools.filter((x) => x.kept)) expect(s.decision).toBe('approved');
    const mine = (await call<CoPlanView>('GET', plan, undefined, school)).body;
    expect(mine.refusals.every((r) => r.schoolId === demo.schoolId)).toBe(true);
    expect(mine.refusals).toHaveLength(own.length);

    await approveAll(again);
    const applied = await call<CoPlanView>('POST', `${plan}/apply`, {});
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toMatchObject({ sessions: again.placed, dropped: 0 });
    const timetable = (await call<TimetableView>('GET', `/api/timetables/${demo.clusterId}/${TERM}`)).body;
    expect(timetable.sessions).toHaveLength(again.placed);
    // Applied: no more re-planning of it.
    expect((await call('POST', `${plan}/replan`, {})).status).toBe(409);
  }, 120_000);

  it('refused bell changes are never proposed again; the sessions they were for are reported missing, naming them', async () => {
    for (const w of seeded)
      expect((await call('PUT', week(w.school.id), { lessons: w.lessons })).status).toBe(200);
    // One school rings 25 minutes late: the plan tries bell changes, each a ranked alternative.
    const bells = (await t.platform.models.BellSchedule.findById(demo.bellScheduleId).lean())!;
    const shift = (c: string): string => {
      const m = Number(c.slice(0, 2)) * 60 + Number(c.slice(3)) + 25;
      return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    };
    const late = bells.periods.map((p) => ({
      period: p.period,
      start: shift(p.start),
      end: shift(p.end),
      weekdays: p.weekdays,
    }));
    expect(
      (await call('PATCH', `/api/bell-schedules/${demo.bellScheduleId}`, { periods: late })).status,
    ).toBe(200);
    const view = await coPlan();
    expect(view.bellChanges.length).toBeGreaterThan(0);
    const bellSig = (c: { schoolId: string; period: number; to: unknown }): string =>
      JSON.stringify([c.schoolId, c.period, c.to]);
    // Refuse every bell change of the plan and re-plan, again, until the refusals leave sessions out.
    let current = view;
    const refusedSoFar: string[] = [];
    let again = view;
    for (let round = 0; round < 5 && again.placed === view.placed; round++) {
      for (const c of current.bellChanges) {
        const res = await call('POST', `${plan}/changes`, { kind: 'bell', index: c.index, refused: true });
        expect(res.status).toBe(200);
        refusedSoFar.push(bellSig(c));
      }
      again = await finish(
        (await call<CoPlanJobView>('POST', `${plan}/replan`, { timeLimitMs: 600, seed: 3 })).body,
      );
      // The new plan honours every refusal so far (this round's and the earlier plans'), and repeats none.
      expect(again.refusals.map((r) => bellSig(r.bell!)).sort()).toEqual([...refusedSoFar].sort());
      expect(again.refusals.every((r) => r.by === 'coordinator' && r.local === null)).toBe(true);
      for (const c of again.bellChanges) expect(refusedSoFar).not.toContain(bellSig(c));
      current = again;
    }
    // What the refused bells were for cannot all be placed now: each offering left short names them.
    expect(again.placed).toBeLessThan(view.placed);
    expect(again.placed + again.unplaced.reduce((n, u) => n + u.missing, 0)).toBe(again.wanted);
    expect(again.unplaced.length).toBeGreaterThan(0);
    for (const u of again.unplaced) {
      expect(u.blockedBy.length).toBeGreaterThan(0);
      for (const b of u.blockedBy) {
        expect(b.more).toBeGreaterThan(0);
        for (const i of b.refusals) expect(again.refusals[i]?.bell).toBeTruthy();
      }
    }
  }, 120_000);

  it('the coordinator chooses a ranked alternative, which is approved and applied like the best one; stale plans are refused', async () => {
    // The demo school still rings 25 minutes late (above): the plan tries bell changes, each a ranked alternative.
    const view = await coPlan();
    expect(view.alternatives.length).toBeGreaterThan(1);
    expect(view.alternatives.map((a) => a.chosen)).toEqual(view.alternatives.map((a) => a.index === 0));
    expect(view.alternatives[0]).toMatchObject({ placed: view.placed, ...view.cost });
    const other = view.alternatives[1]!;

    expect((await call('POST', `${plan}/alternative`, { index: 1 }, school)).status).toBe(403);
    expect((await call('POST', `${plan}/alternative`, { index: 99 })).status).toBe(404);
    const chosen = await call<CoPlanView>('POST', `${plan}/alternative`, { index: 1 });
    expect(chosen.status).toBe(200);
    expect(chosen.body.alternatives.find((a) => a.chosen)?.index).toBe(1);
    // Its sessions, costs and changes are the plan's now.
    expect(chosen.body).toMatchObject({
      placed: other.placed,
      cost: {
        bellChanges: other.bellChanges,
        localMoves: other.localMoves,
        schoolsTouched: other.schoolsTouched,
      },
    });
    expect(chosen.body.sessions).toHaveLength(other.placed);
    expect(chosen.body.bellChanges).toHaveLength(other.bellChanges);
    expect(chosen.body.placed + chosen.body.unplaced.reduce((n, u) => n + u.missing, 0)).toBe(view.wanted);
    expect(chosen.body.schools.every((s) => s.decision === 'pending')).toBe(true);
    const audit = await t.platform.models.AuditEntry.find({ entity: 'coplans', 'after.chosen': 1 }).lean();
    expect(audit).toHaveLength(1);

    await approveAll(chosen.body);
    const applied = await call<CoPlanView>('POST', `${plan}/apply`, {});
    expect(applied.status).toBe(200);
    expect(applied.body.applied!.sessions + applied.body.applied!.dropped).toBe(other.placed);
    expect(applied.body.applied!.bellChanges).toBe(other.bellChanges);
    const timetable = (await call<TimetableView>('GET', `/api/timetables/${demo.clusterId}/${TERM}`)).body;
    expect(timetable.sessions).toHaveLength(applied.body.applied!.sessions);

    // A fresh plan, then data changed since: choosing or re-planning on it answers STALE_PLAN.
    const fresh = await coPlan();
    const current = (await call<LocalTimetableView>('GET', week(demo.schoolId))).body;
    expect(
      (await call('PUT', week(demo.schoolId), { lessons: current.lessons.filter((l) => l.locked) })).status,
    ).toBe(200);
    for (const [path, body] of [
      ['/alternative', { index: 0 }],
      ['/replan', {}],
    ] as const) {
      const res = await call<{ error: { code: string } }>('POST', `${plan}${path}`, body);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('STALE_PLAN');
    }
    expect(fresh.state).toBe('proposed');
  }, 120_000);
});
