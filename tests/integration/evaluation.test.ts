import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../server/contract/reports.ts';
import type {
  EvaluableLesson,
  EvaluationView,
  ResearchSessionView,
  SummaryView,
} from '../../server/contract/research.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { DEMO_ALLIANCES, DEMO_RUBRIC } from '../../server/seed/research.ts';
import { foreignSide, unique } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

/** Scores every item of the demo rubric (4 levels) with `score`. */
const allScores = (score: number) =>
  ['design', 'interaction', 'technology', 'remote'].map((key) => ({ key, score }));

describe('听课评课 and 网络教研 over the API (real FerretDB)', () => {
  let t: TestPlatform;
  let outside: Side;
  const tokens: Record<string, string> = {};
  let lessonId: string;
  let rubricId: string;

  const call = async <T = Record<string, unknown>>(
    who: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[who]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      body: (type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer())) as T,
    };
  };

  beforeAll(async () => {
    t = await startPlatform();
    const m = t.platform.models;
    outside = await foreignSide(m);
    // A bureau of the neighbouring county (430721): outside everything the demo holds.
    await m.User.create({
      username: 'bureau.ax',
      passwordHash: await hashPassword('foreign-pass'),
      realName: '安乡县教育局',
      role: 'bureau',
      regionCode: outside.regionCode,
    });
    for (const who of ['bureau', 'coordinator', 'teacher', 'teacher2', 'teacher3', 'teacher4'])
      tokens[who] = await login(t.url, who);
    tokens['bureau.ax'] = await login(t.url, 'bureau.ax', 'foreign-pass');
    // The demo's lesson of now (not one of its term's missed lessons, left scheduled).
    const lesson = (await m.Lesson.findOne({
      state: 'scheduled',
      scheduledEnd: { $gt: new Date() },
    }).lean())!;
    lessonId = lesson._id.toString();
    // The lesson is live (started over the socket in the e2e test; here its state is set).
    await m.Lesson.updateOne(
      { _id: lesson._id },
      { state: 'live', startedAt: new Date(Date.now() - 600_000) },
    );
    rubricId = (await m.Rubric.findOne({ name: DEMO_RUBRIC }).lean())!._id.toString();
  }, 60_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('refuses a rubric whose weights do not sum to 100 or whose descriptors miss a level, with a 400 that writes nothing', async () => {
    const m = t.platform.models;
    const before = await m.Rubric.countDocuments();
    const item = (key: string, weight: number, descriptors: string[] = []) => ({
      key,
      name: key,
      weight,
      descriptors,
    });
    const bad = await call<{ error: { issues: { path: string; message: string }[] } }>(
      'bureau',
      'POST',
      '/api/rubrics',
      { name: unique('量表'), regionCode: '430725', levels: 3, items: [item('a', 50), item('b', 40)] },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toContainEqual(
      expect.objectContaining({ path: 'items', message: 'weights sum to 90, not 100' }),
    );
    const levels = await call('bureau', 'POST', '/api/rubrics', {
      name: unique('量表'),
      regionCode: '430725',
      levels: 3,
      items: [item('a', 60, ['差', '好']), item('b', 40)],
    });
    expect(levels.status).toBe(400);
    expect(await m.Rubric.countDocuments()).toBe(before);
    // An update that would break the sum: refused, the stored rubric unchanged.
    const stored = JSON.stringify(await m.Rubric.findById(rubricId).lean());
    const patch = await call('bureau', 'PATCH', `/api/rubrics/${rubricId}`, {
      items: [item('design', 30)],
    });
    expect(patch.status).toBe(400);
    expect(JSON.stringify(await m.Rubric.findById(rubricId).lean())).toBe(stored);
    // A good one is stored; a foreign bureau may not write one for this county.
    const good = await call('bureau', 'POST', '/api/rubrics', {
      name: unique('量表'),
      regionCode: '430725',
      levels: 3,
      items: [item('a', 60, ['差', '中', '好']), item('b', 40)],
    });
    expect(good.status).toBe(201);
    const foreign = await call('bureau.ax', 'POST', '/api/rubrics', {
      name: unique('量表'),
      regionCode: '430725',
      levels: 2,
      items: [item('a', 100)],
    });
    expect(foreign.status).toBe(403);
  });

  it('an evaluation saved live reaches the teacher once submitted, with its time-stamped comments and weighted total', async () => {
    const started = await call<EvaluationView>('bureau', 'POST', '/api/evaluations', {
      lessonId,
      rubricId,
      mode: 'live',
      scores: [{ key: 'design', score: 4 }],
      comments: [{ atSeconds: 95, text: '导入环节照顾到了村小学生' }],
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ state: 'draft', total: null, mode: 'live' });
    // A draft is the evaluator's own: the teacher sees nothing yet.
    const none = await call<EvaluationView[]>('teacher', 'GET', '/api/evaluations');
    expect(none.body.filter((e) => e.id === started.body.id)).toEqual([]);
    // Submitting with items unscored: 400, nothing changed.
    const m = t.platform.models;
    const snapshot = JSON.stringify(await m.Evaluation.findById(started.body.id).lean());
    const incomplete = await call('bureau', 'PUT', `/api/evaluations/${started.body.id}`, { submit: true });
    expect(incomplete.status).toBe(400);
    expect(JSON.stringify(await m.Evaluation.findById(started.body.id).lean())).toBe(snapshot);
    // A score above the rubric's 4 levels, or an item it does not have: 400.
    for (const scores of [[{ key: 'design', score: 5 }], [{ key: 'nope', score: 1 }]])
      expect((await call('bureau', 'PUT', `/api/evaluations/${started.body.id}`, { scores })).status).toBe(
        400,
      );

    const submitted = await call<EvaluationView>('bureau', 'PUT', `/api/evaluations/${started.body.id}`, {
      scores: [
        { key: 'design', score: 4 },
        { key: 'interaction', score: 3 },
        { key: 'technology', score: 2 },
        { key: 'remote', score: 4 },
      ],
      comments: [
        { atSeconds: 95, text: '导入环节照顾到了村小学生' },
        { atSeconds: 410, text: '请牛车河教学点回答时等待时间偏短' },
      ],
      submit: true,
    });
    expect(submitted.status).toBe(200);
    // 25×4/4 + 30×3/4 + 20×2/4 + 25×4/4 = 25 + 22.5 + 10 + 25
    expect(submitted.body.total).toBe(82.5);
    const seen = await call<EvaluationView[]>('teacher', 'GET', '/api/evaluations');
    const feedback = seen.body.find((e) => e.id === started.body.id);
    expect(feedback).toMatchObject({
      state: 'submitted',
      total: 82.5,
      evaluator: { name: '赵强（桃源县教育局）' },
      comments: [{ atSeconds: 95 }, { atSeconds: 410 }],
    });
    // The teacher reads it but does not change it; a second evaluation by the same evaluator is refused.
    expect(
      (await call('teacher', 'PUT', `/api/evaluations/${started.body.id}`, { summary: 'x' })).status,
    ).toBe(403);
    expect(
      (await call('bureau', 'POST', '/api/evaluations', { lessonId, rubricId, mode: 'recording' })).status,
    ).toBe(409);
  });

  it('teachers evaluate only when invited; overseers of another county get 404', async () => {
    expect(
      (await call('teacher3', 'POST', '/api/evaluations', { lessonId, rubricId, mode: 'live' })).status,
    ).toBe(404);
    const teacher3 = (await t.platform.models.User.findOne({ username: 'teacher3' }).lean())!;
    const invited = await call<EvaluationView>(
      'coordinator',
      'POST',
      `/api/lessons/${lessonId}/evaluation-invites`,
      {
        rubricId,
        teacherId: teacher3._id.toString(),
      },
    );
    expect(invited.status).toBe(201);
    expect(invited.body.state).toBe('invited');
    const mine = await call<EvaluationView[]>('teacher3', 'GET', '/api/evaluations?mine=1');
    expect(mine.body.map((e) => e.id)).toEqual([invited.body.id]);
    const done = await call<EvaluationView>('teacher3', 'PUT', `/api/evaluations/${invited.body.id}`, {
      scores: allScores(2),
      submit: true,
    });
    expect(done.body).toMatchObject({ state: 'submitted', total: 50 });
    // The lesson's own teacher is never invited to evaluate it.
    const self = (await t.platform.models.User.findOne({ username: 'teacher' }).lean())!;
    expect(
      (
        await call('coordinator', 'POST', `/api/lessons/${lessonId}/evaluation-invites`, {
          rubricId,
          teacherId: self._id.toString(),
        })
      ).status,
    ).toBe(403);
    // Another county's bureau: the lesson, the evaluations and the rubric do not exist for it.
    expect((await call('bureau.ax', 'GET', `/api/evaluations/${invited.body.id}`)).status).toBe(404);
    expect((await call('bureau.ax', 'GET', `/api/rubrics/${rubricId}`)).status).toBe(404);
    expect(
      (await call('bureau.ax', 'POST', '/api/evaluations', { lessonId, rubricId, mode: 'live' })).status,
    ).toBe(404);
    const list = await call<EvaluationView[]>('bureau.ax', 'GET', '/api/evaluations');
    expect(list.body).toEqual([]);
  });

  it("an invited evaluator opens that lesson's recording and board read-only; another teacher gets 404", async () => {
    const m = t.platform.models;
    const live = (await m.Lesson.findById(lessonId).lean())!;
    /** An ended lesson like the live one, recorded (composed MP4 on disk). */
    const recorded = async (title: string): Promise<string> => {
      const { _id: _, ...rest } = live;
      const start = new Date(Date.now() - 2 * 86_400_000);
      const end = new Date(start.getTime() + 40 * 60_000);
      const lesson = await m.Lesson.create({
        ...rest,
        title,
        state: 'ended',
        scheduledStart: start,
        scheduledEnd: end,
        startedAt: start,
        endedAt: end,
      });
      const id = lesson._id.toString();
      await m.Recording.create({
        lessonId: id,
        clusterId: live.clusterId,
        teacherId: live.teacherId,
        schoolIds: [],
        title,
        subject: live.subject,
        grade: live.grade,
        state: 'ready',
        liveStartedAt: start,
        liveEndedAt: end,
        runs: [],
        gaps: [],
        rawBytes: 0,
        mp4Bytes: 64,
      });
      fs.mkdirSync(path.join(t.dataDir, 'recordings', id), { recursive: true });
      fs.writeFileSync(path.join(t.dataDir, 'recordings', id, 'lesson.mp4'), Buffer.alloc(64, 7));
      return id;
    };
    const evaluated = await recorded(unique('评课录像'));
    const other = await recorded(unique('同一教师的另一节'));
    const teacher2 = (await m.User.findOne({ username: 'teacher2' }).lean())!;
    const invite = await call('coordinator', 'POST', `/api/lessons/${evaluated}/evaluation-invites`, {
      rubricId,
      teacherId: teacher2._id.toString(),
    });
    expect(invite.status).toBe(201);

    const view = await call<{ id: string; shareable: boolean; deletable: boolean }>(
      'teacher2',
      'GET',
      `/api/library/recordings/${evaluated}`,
    );
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ id: evaluated, shareable: false, deletable: false });
    const video = await call<Buffer>('teacher2', 'GET', `/api/library/recordings/${evaluated}/video`);
    expect(video.status).toBe(200);
    expect(video.body.length).toBe(64);
    expect((await call('teacher2', 'GET', `/api/lessons/${evaluated}/board`)).status).toBe(200);
    // Read only, and only that recording: not shared, not deleted, not listed, no other lesson.
    const share = await call('teacher2', 'PUT', `/api/library/recordings/${evaluated}/share`, {
      shared: true,
    });
    expect(share.status).toBe(403);
    expect((await call('teacher2', 'DELETE', `/api/library/recordings/${evaluated}`)).status).toBe(403);
    expect((await m.Recording.findOne({ lessonId: evaluated }).lean())?.sharedRegion ?? null).toBeNull();
    expect((await call('teacher2', 'GET', `/api/library/recordings/${other}`)).status).toBe(404);
    expect((await call('teacher2', 'GET', `/api/lessons/${other}/board`)).status).toBe(404);
    const listed = await call<{ recordings: { id: string }[] }>('teacher2', 'GET', '/api/library/recordings');
    expect(listed.body.recordings.map((r) => r.id)).not.toContain(evaluated);
    // A teacher not invited: the recording, its video and its board do not exist.
    for (const path of [
      `/api/library/recordings/${evaluated}`,
      `/api/library/recordings/${evaluated}/video`,
      `/api/lessons/${evaluated}/board`,
    ])
      expect((await call('teacher4', 'GET', path)).status).toBe(404);
  });

  it('lists the lessons an overseer may evaluate (live or lately ended), marking those it evaluates', async () => {
    // The lesson live now first, then the demo's lessons ended in the last 14 days, in scope only.
    const m = t.platform.models;
    const endedSince = async (county: string) => {
      const clusters = await m.Cluster.find({ regionCode: county }, { _id: 1 }).lean();
      return (
        await m.Lesson.find({
          clusterId: { $in: clusters.map((c) => c._id) },
          state: 'ended',
          endedAt: { $gte: new Date(Date.now() - 14 * 86_400_000) },
        }).lean()
      ).map((l) => l._id.toString());
    };
    const mine = await call<EvaluableLesson[]>('bureau', 'GET', '/api/evaluations/lessons');
    const ended = await endedSince('430725');
    expect(mine.body.map((l) => [l.state, l.mine])).toEqual([
      ['live', true],
      ...ended.map(() => ['ended', false]),
    ]);
    expect(mine.body[0]?.id).toBe(lessonId);
    expect(mine.body.slice(1).map((l) => l.id)).toEqual(expect.arrayContaining(ended));
    const foreign = await call<EvaluableLesson[]>('bureau.ax', 'GET', '/api/evaluations/lessons');
    expect(foreign.body.map((l) => l.id).sort()).toEqual((await endedSince('430721')).sort());
    expect((await call('teacher', 'GET', '/api/evaluations/lessons')).status).toBe(403);
  });

  it('aggregates submitted evaluations per teacher, cluster and region, and exports them to Excel', async () => {
    const byTeacher = await call<SummaryView>('bureau', 'GET', '/api/evaluations/summary?by=teacher');
    expect(byTeacher.body.rows).toEqual([
      {
        id: expect.any(String) as string,
        name: '王丽（英语）',
        evaluations: 2,
        meanTotal: 66.3,
        items: { 教学设计: 3, 课堂互动: 2.5, 技术运用: 2, 远端学生关注度: 3 },
      },
    ]);
    const byRegion = await call<SummaryView>('coordinator', 'GET', '/api/evaluations/summary?by=region');
    expect(byRegion.body.rows.map((r) => [r.name, r.evaluations])).toEqual([['桃源县', 2]]);
    const byCluster = await call<SummaryView>('bureau', 'GET', '/api/evaluations/summary?by=cluster');
    expect(byCluster.body.rows.map((r) => [r.name, r.meanTotal])).toEqual([
      ['桃源县漳江小学英语联校群', 66.3],
    ]);
    // Another county sees none of it.
    expect((await call<SummaryView>('bureau.ax', 'GET', '/api/evaluations/summary')).body.rows).toEqual([]);
    // Teachers do not read the aggregation.
    expect((await call('teacher', 'GET', '/api/evaluations/summary')).status).toBe(403);

    const file = await call<Buffer>('bureau', 'GET', '/api/evaluations/export?by=teacher&format=xlsx');
    expect(file.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('教师');
    expect([
      sheet.getRow(2).getCell(1).value,
      sheet.getRow(2).getCell(2).value,
      sheet.getRow(2).getCell(3).value,
    ]).toEqual(['王丽（英语）', 2, 66.3]);

    const en = await call<Buffer>('bureau', 'GET', '/api/evaluations/export?by=teacher&format=xlsx&lang=en');
    const english = new ExcelJS.Workbook();
    await english.xlsx.load(en.body as unknown as ArrayBuffer);
    expect(english.worksheets[0]!.name).toBe('Lesson evaluations');
    const head = english.worksheets[0]!.getRow(1).values as unknown[];
    expect(head.slice(1, 4)).toEqual(['Teacher', 'Evaluations', 'Mean total']);
    expect(head.slice(4).every((h) => typeof h === 'string' && h.endsWith(' (mean)'))).toBe(true);
  });

  it('a research alliance’s teachers see it and its sessions; joining makes the session held and counts the teacher', async () => {
    const m = t.platform.models;
    const alliance = (await m.Alliance.findOne({ name: DEMO_ALLIANCES[0] }).lean())!;
    const session = (await m.ResearchSession.findOne({ allianceId: alliance._id }).lean())!;
    const seen = await call<{ items: { id: string }[] }>('teacher4', 'GET', '/api/alliances');
    expect(seen.body.items.map((a) => a.id)).toEqual([alliance._id.toString()]);
    // teacher2 leads the arts alliance only: the English one's session is not found for it.
    expect(
      (await call('teacher2', 'GET', `/api/research-sessions/${session._id.toString()}/view`)).status,
    ).toBe(404);
    const joined = await call<ResearchSessionView>(
      'teacher4',
      'POST',
      `/api/research-sessions/${session._id.toString()}/join`,
    );
    expect(joined.status).toBe(200);
    expect(joined.body.state).toBe('live');
    expect(joined.body.members).toHaveLength(5);
    expect(joined.body.members[0]).toMatchObject({ name: '王丽（英语）', lead: true });
    const teacher4 = (await m.User.findOne({ username: 'teacher4' }).lean())!;
    expect(joined.body.attendeeIds).toEqual([teacher4._id.toString()]);
    // A member does not end it; its leader does; a session that went live is not moved.
    const path = `/api/research-sessions/${session._id.toString()}`;
    expect((await call('teacher4', 'POST', `${path}/end`)).status).toBe(403);
    expect((await call('teacher', 'PATCH', path, { title: '改' })).status).toBe(409);
    expect((await call<ResearchSessionView>('teacher', 'POST', `${path}/end`)).body.state).toBe('ended');
    expect((await call('teacher3', 'POST', `${path}/join`)).status).toBe(409);
    // An alliance at a city code must say so.
    const wrong = await call('bureau', 'POST', '/api/alliances', {
      name: unique('联盟'),
      level: 'city',
      regionCode: '430725',
      subject: '英语',
      stage: 'primary',
      leadTeacherId: teacher4._id.toString(),
    });
    expect(wrong.status).toBe(400);
  });

  it('counts alliances, sessions held and rural teachers taking part in the reports (dashboard figures and Excel)', async () => {
    const county = await call<ReportView>('bureau', 'GET', '/api/reports/figures?region=430725&period=year');
    expect(county.status).toBe(200);
    // The English alliance (county); its session held, joined by one of the four village teachers.
    expect(county.body.figures.research).toEqual({
      alliances: { province: 0, city: 0, county: 1 },
      sessionsPlanned: 1,
      sessionsHeld: 1,
      ruralTeachers: 4,
      ruralTeachersTakingPart: 1,
    });
    expect(county.body.targets.alliances).toEqual({ province: 200, city: 500, county: 1300 });
    // Per term, as the pilot judges regions: the same session and teachers this term.
    const term = await call<ReportView>('bureau', 'GET', '/api/reports/figures?region=430725&period=term');
    expect(term.body.period.label.zh).toMatch(/^\d{4}-\d{4}学年第[一二]学期$/);
    expect(term.body.period.label.en).toMatch(/^\d{4}–\d{4} (first|second) term$/);
    expect(term.body.figures.research).toMatchObject({ sessionsHeld: 1, ruralTeachersTakingPart: 1 });
    // The neighbouring county: its own alliance only.
    const anxiang = await call<ReportView>(
      'bureau.ax',
      'GET',
      '/api/reports/figures?region=430721&period=year',
    );
    expect(anxiang.body.figures.research?.alliances).toEqual({ province: 0, city: 0, county: 1 });
    // The city: its own arts alliance (no row), the two counties' alliances through their rows.
    tokens['admin'] = await login(t.url, 'admin');
    const changde = await call<ReportView>('admin', 'GET', '/api/reports/figures?region=430700&period=year');
    expect(changde.body.figures.research?.alliances).toEqual({ province: 0, city: 1, county: 2 });
    const rows = changde.body.rows.filter((r) => r.kind === 'region');
    expect(rows.reduce((n, r) => n + (r.figures.research?.alliances.county ?? 0), 0)).toBe(2);
  });
});
