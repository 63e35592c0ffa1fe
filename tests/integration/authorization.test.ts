import crypto from 'node:crypto';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../server/http/RouteTable.ts';
import type { Models } from '../../server/models/index.ts';
import { demoSide, foreignSide, unique } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

type Who = 'anonymous' | 'admin' | 'bureau' | 'coordinator' | 'teacher' | 'classroom1' | 'inspector';
const WHO: Who[] = ['anonymous', 'admin', 'bureau', 'coordinator', 'teacher', 'classroom1', 'inspector'];
const ROLE_OF: Record<Who, string> = {
  anonymous: '-',
  admin: 'admin',
  bureau: 'bureau',
  coordinator: 'coordinator',
  teacher: 'teacher',
  classroom1: 'classroom',
  // The demo inspector of county 430725 (巡课): the other side is another county.
  inspector: 'inspector',
};

/** How to exercise one REST resource on either side of the scope line. */
interface ResourceCase {
  model: keyof Models;
  /** Regions are readable by every manager: there is no "outside" for reads. */
  scopedReads: boolean;
  create(side: Side, models: Models): Record<string, unknown> | Promise<Record<string, unknown>>;
  patch: Record<string, unknown>;
  target(side: Side): string;
  /** A record with nothing depending on it, to delete. */
  fresh(models: Models, side: Side): Promise<string>;
}

let terms = 0;
/** A term code no other test record uses (term calendars are unique per region and term). */
const nextTerm = (): string => `${2100 + terms}-${2101 + terms++}-1`;
const idOf = async (p: Promise<{ _id: { toString(): string } }>): Promise<string> => (await p)._id.toString();

/** A school of the side's cluster that has no bell schedule yet. */
async function freeSchool(m: Models, s: Side): Promise<string> {
  const school = await m.School.create({
    name: unique('作息校'),
    regionCode: s.regionCode,
    kind: 'rural',
    downlinkMbps: 4,
    uplinkMbps: 1,
  });
  await m.Cluster.updateOne({ _id: s.clusterId }, { $addToSet: { memberSchoolIds: school._id } });
  return school._id.toString();
}

const CASES: Record<string, ResourceCase> = {
  regions: {
    model: 'Region',
    scopedReads: false,
    create: () => ({
      code: String(440001 + terms++),
      name: unique('区'),
      level: 'county',
      parentCode: '430700',
    }),
    patch: { name: '改名区' },
    target: () => '',
    fresh: (m) =>
      idOf(
        m.Region.create({
          code: String(450001 + terms++),
          name: unique('r'),
          level: 'county',
        }),
      ),
  },
  clusters: {
    model: 'Cluster',
    scopedReads: true,
    create: (s) => ({
      name: unique('群'),
      level: 'county',
      mode: '1+N',
      regionCode: s.regionCode,
      hubSchoolIds: [s.hubSchoolId],
      memberSchoolIds: [s.schoolId],
    }),
    patch: { activeTerms: ['2026-2027-1', '2026-2027-2'] },
    target: (s) => s.clusterId,
    fresh: (m, s) =>
      idOf(
        m.Cluster.create({
          name: unique('空群'),
          level: 'county',
          mode: '1+N',
          regionCode: s.regionCode,
          hubSchoolIds: [s.hubSchoolId],
          memberSchoolIds: [],
        }),
      ),
  },
  schools: {
    model: 'School',
    scopedReads: true,
    create: (s) => ({
      name: unique('新学校'),
      regionCode: s.regionCode,
      kind: 'rural',
      downlinkMbps: 6,
      uplinkMbps: 2,
      clusterId: s.clusterId,
    }),
    patch: { downlinkMbps: 8 },
    target: (s) => s.schoolId,
    fresh: (m, s) =>
      idOf(
        m.School.create({
          name: unique('待删学校'),
          regionCode: s.regionCode,
          kind: 'rural',
          downlinkMbps: 4,
          uplinkMbps: 1,
        }),
      ),
  },
  classrooms: {
    model: 'Classroom',
    scopedReads: true,
    create: (s) => ({ schoolId: s.schoolId, name: unique('教室'), kind: 'receiving' }),
    patch: { hasWhiteboard: false },
    target: (s) => s.classroomId,
    fresh: (m, s) =>
      idOf(m.Classroom.create({ schoolId: s.schoolId, name: unique('待删教室'), kind: 'receiving' })),
  },
  classes: {
    model: 'TeachingClass',
    scopedReads: true,
    create: (s) => ({ schoolId: s.schoolId, grade: 5, name: unique('五年级'), size: 30 }),
    patch: { size: 31 },
    target: (s) => s.classId,
    fresh: (m, s) =>
      idOf(m.TeachingClass.create({ schoolId: s.schoolId, grade: 6, name: unique('待删班'), size: 10 })),
  },
  users: {
    model: 'User',
    scopedReads: true,
    create: (s) => ({
      username: unique('t.'),
      realName: '新老师',
      role: 'teacher',
      schoolId: s.hubSchoolId,
      subjects: ['美术'],
      initialPassword: 'a-long-password',
    }),
    patch: { realName: '改名老师' },
    target: (s) => s.teacherId,
    fresh: (m, s) =>
      idOf(
        m.User.create({
          username: unique('del.'),
          passwordHash: 'x',
          realName: '待删',
          role: 'teacher',
          schoolId: s.schoolId,
        }),
      ),
  },
  offerings: {
    model: 'Offering',
    scopedReads: true,
    create: (s) => ({
      clusterId: s.clusterId,
      term: '2026-2027-2',
      subject: '科学',
      grade: 4,
      teacherId: s.teacherId,
      hubClassroomId: s.hubClassroomId,
      receivingClassIds: [s.classId],
      periodsPerWeek: 1,
    }),
    patch: { periodsPerWeek: 3 },
    target: (s) => s.offeringId,
    fresh: (m, s) =>
      idOf(
        m.Offering.create({
          clusterId: s.clusterId,
          term: '2026-2027-2',
          subject: '删',
          grade: 4,
          teacherId: s.teacherId,
          hubClassroomId: s.hubClassroomId,
          receivingClassIds: [s.classId],
          periodsPerWeek: 1,
        }),
      ),
  },
  'bell-schedules': {
    model: 'BellSchedule',
    scopedReads: true,
    create: async (s, m) => ({
      schoolId: await freeSchool(m, s),
      name: unique('作息'),
      periods: [{ period: 1, start: '08:00', end: '08:40', weekdays: [1, 2, 3, 4, 5] }],
    }),
    patch: { name: '改名作息' },
    target: (s) => s.bellScheduleId,
    fresh: async (m, s) =>
      idOf(
        m.BellSchedule.create({
          schoolId: await freeSchool(m, s),
          name: '待删',
          periods: [{ period: 1, start: '08:00', end: '08:40', weekdays: [1] }],
        }),
      ),
  },
  rubrics: {
    model: 'Rubric',
    scopedReads: true,
    create: (s) => ({
      name: unique('评价表'),
      regionCode: s.regionCode,
      levels: 2,
      items: [{ key: 'design', name: '教学设计', weight: 100, descriptors: [] }],
    }),
    patch: { active: true },
    target: (s) => s.rubricId,
    fresh: (m, s) =>
      idOf(
        m.Rubric.create({
          name: unique('待删评价表'),
          regionCode: s.regionCode,
          levels: 2,
          items: [{ key: 'design', name: '教学设计', weight: 100, descriptors: [] }],
        }),
      ),
  },
  alliances: {
    model: 'Alliance',
    scopedReads: true,
    create: (s) => ({
      name: unique('联盟'),
      level: 'county',
      regionCode: s.regionCode,
      subject: '英语',
      stage: 'primary',
      leadTeacherId: s.teacherId,
    }),
    patch: { description: '矩阵' },
    target: (s) => s.allianceId,
    fresh: (m, s) =>
      idOf(
        m.Alliance.create({
          name: unique('待删联盟'),
          level: 'county',
          regionCode: s.regionCode,
          subject: '英语',
          stage: 'primary',
          leadTeacherId: s.teacherId,
        }),
      ),
  },
  'research-sessions': {
    model: 'ResearchSession',
    scopedReads: true,
    create: (s) => ({
      allianceId: s.allianceId,
      title: unique('教研'),
      scheduledStart: new Date(Date.now() + 86_400_000).toISOString(),
      scheduledEnd: new Date(Date.now() + 90_000_000).toISOString(),
    }),
    patch: { title: '改名教研' },
    target: (s) => s.researchSessionId,
    fresh: async (m, s) =>
      idOf(
        m.ResearchSession.create({
          allianceId: s.allianceId,
          regionCode: (await m.Alliance.findById(s.allianceId).lean())!.regionCode,
          title: '待删教研',
          scheduledStart: new Date(Date.now() + 86_400_000),
          scheduledEnd: new Date(Date.now() + 90_000_000),
        }),
      ),
  },
  'term-calendars': {
    model: 'TermCalendar',
    scopedReads: true,
    create: (s) => ({
      name: unique('学期'),
      regionCode: s.regionCode,
      term: nextTerm(),
      start: '2027-02-20',
      end: '2027-07-01',
    }),
    patch: { name: '改名学期' },
    target: (s) => s.termCalendarId,
    fresh: (m, s) =>
      idOf(
        m.TermCalendar.create({
          name: unique('待删学期'),
          regionCode: s.regionCode,
          term: nextTerm(),
          start: '2027-02-20',
          end: '2027-07-01',
        }),
      ),
  },
};

const SUCCESS: Record<RouteEntry['method'], number> = {
  get: 200,
  post: 201,
  patch: 200,
  put: 200,
  delete: 204,
};

describe('authorization matrix: every route × role × (in scope, out of scope)', () => {
  let t: TestPlatform;
  let tokens: Record<Who, string | null>;
  let inside: Side;
  let outside: Side;
  let lessonId: string;
  let foreignLessonId: string;
  /** A submitted evaluation of each side's lesson (the inside one by the demo bureau). */
  const evaluations = new Map<Side, string>();
  let inviteeId = '';
  /** A classroom device account on each side, with one enrolled device. */
  const devices = new Map<Side, { userId: string; deviceId: string }>();

  beforeAll(async () => {
    t = await startPlatform();
    const m = t.platform.models;
    inside = await demoSide(m);
    outside = await foreignSide(m);
    lessonId = (await m.Lesson.findOne().lean())!._id.toString();
    // A lesson of the other cluster: outside every demo account's scope.
    foreignLessonId = (
      await m.Lesson.create({
        clusterId: outside.clusterId,
        offeringId: outside.offeringId,
        title: '音乐',
        subject: '音乐',
        grade: 3,
        teacherId: outside.teacherId,
        hubClassroomId: outside.hubClassroomId,
        classroomIds: [outside.classroomId],
        scheduledStart: new Date(),
        scheduledEnd: new Date(Date.now() + 40 * 60_000),
      })
    )._id.toString();
    for (const side of [inside, outside]) {
      const school = (await m.Classroom.findById(side.classroomId).lean())!.schoolId;
      const user = await m.User.create({
        username: unique('dev.'),
        passwordHash: 'x',
        realName: '教室设备',
        role: 'classroom',
        schoolId: school,
        classroomId: side.classroomId,
      });
      const deviceId = crypto.randomUUID();
      await m.RefreshToken.create({
        tokenHash: unique('hash'),
        familyId: deviceId,
        userId: user._id,
        expiresAt: new Date(Date.now() + 3600_000),
        kind: 'device',
      });
      devices.set(side, { userId: user._id.toString(), deviceId });
    }
    // Each side's lesson recorded and being composed: readable in scope, not yet playable nor deletable.
    for (const [id, side] of [
      [lessonId, inside],
      [foreignLessonId, outside],
    ] as const) {
      const lesson = (await m.Lesson.findById(id).lean())!;
      await m.Recording.create({
        lessonId: lesson._id,
        clusterId: side.clusterId,
        teacherId: lesson.teacherId,
        title: lesson.title,
        subject: lesson.subject,
        grade: lesson.grade,
        state: 'composing',
        liveStartedAt: new Date(),
      });
    }
    // Each side's lesson evaluated and submitted: inside by the demo bureau, outside by its coordinator.
    const evaluators = [
      (await m.User.findOne({ username: 'bureau' }).lean())!._id,
      (await m.User.findOne({ realName: '安乡协调员' }).lean())!._id,
    ];
    for (const [i, [id, side]] of (
      [
        [lessonId, inside],
        [foreignLessonId, outside],
      ] as const
    ).entries()) {
      const lesson = (await m.Lesson.findById(id).lean())!;
      const rubric = (await m.Rubric.findById(side.rubricId).lean())!;
      const evaluation = await m.Evaluation.create({
        lessonId: lesson._id,
        rubricId: rubric._id,
        evaluatorId: evaluators[i],
        teacherId: lesson.teacherId,
        clusterId: side.clusterId,
        regionCode: side.regionCode,
        mode: 'recording',
        state: 'submitted',
        scores: rubric.items.map((item) => ({ key: item.key, score: 2 })),
        total: 50,
        submittedAt: new Date(),
      });
      evaluations.set(side, evaluation._id.toString());
    }
    inviteeId = (await m.User.findOne({ username: 'teacher2' }).lean())!._id.toString();
    tokens = { anonymous: null } as Record<Who, string | null>;
    for (const who of WHO.slice(1)) tokens[who] = await login(t.url, who);
  }, 60_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  const call = async (
    who: Who,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string }> => {
    const headers: Record<string, string> = {};
    if (tokens[who]) headers['authorization'] = `Bearer ${tokens[who]}`;
    // A Buffer is a file upload (import routes); anything else goes as JSON.
    if (body !== undefined) headers['content-type'] = Buffer.isBuffer(body) ? 'text/csv' : 'application/json';
    const res = await fetch(`${t.url}${path}`, {
      method: method.toUpperCase(),
      headers,
      ...(body !== undefined
        ? { body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) }
        : {}),
    });
    return { status: res.status, text: await res.text() };
  };

  it('registers every express route in the route table', () => {
    type Layer = { route?: unknown; handle?: { stack?: Layer[] } };
    const count = (stack: Layer[]): number =>
      stack.reduce((n, l) => n + (l.route ? 1 : 0) + (l.handle?.stack ? count(l.handle.stack) : 0), 0);
    const app = t.platform.app as unknown as { router: { stack: Layer[] } };
    // Outside the table (and the API document): the browser app's fallback route, and the
    // operators' GET /metrics (Prometheus' text format, its own access rule; see the README).
    expect(count(app.router.stack)).toBe(t.platform.routes.entries.length + 2);
    expect(t.platform.routes.entries.some((e) => e.path === '/metrics')).toBe(false);
    expect(t.platform.routes.entries.length).toBeGreaterThan(50);
  });

  it('knows how to exercise every route of the table (a new route cannot be forgotten)', () => {
    const other = new Set(Object.keys(OTHER_ROUTES));
    for (const entry of t.platform.routes.entries) {
      const resource = resourceOf(entry.path);
      expect(
        (CASES[resource] ?? other.has(`${entry.method} ${entry.path}`))
          ? true
          : `${entry.method} ${entry.path}`,
      ).toBe(true);
    }
  });

  it('resource routes answer 401 / 403 / 404 / success as the role and scope say, and refused writes change nothing', async () => {
    const m = t.platform.models;
    const failures: string[] = [];
    for (const entry of t.platform.routes.entries) {
      const resource = resourceOf(entry.path);
      const c = CASES[resource];
      if (!c || entry.access.kind !== 'roles') continue;
      const model = m[c.model] as unknown as Model<unknown>;
      for (const who of WHO) {
        for (const side of [inside, outside] as const) {
          const isList = entry.method === 'get' && !entry.path.endsWith('/:id');
          // A list has no "outside": it answers 200 with only what the caller may see.
          const within =
            who === 'admin' || side === inside || isList || (!c.scopedReads && entry.method === 'get');
          let id = '';
          if (entry.path.endsWith('/:id')) {
            id = entry.method === 'delete' ? await c.fresh(m, side) : c.target(side);
            if (resource === 'regions' && entry.method !== 'delete')
              id = (await m.Region.findOne({ code: side.regionCode }).lean())!._id.toString();
          }
          const path = entry.path.replace(':id', id);
          const body =
            entry.method === 'post'
              ? await c.create(side, m)
              : entry.method === 'patch'
                ? c.patch
                : undefined;
          const before = await model.countDocuments();
          const snapshot = id ? JSON.stringify(await model.findById(id).lean()) : '';
          const { status, text } = await call(who, entry.method, path, body);
          const allowed = who !== 'anonymous' && entry.access.roles.includes(ROLE_OF[who] as never);
          const expected =
            who === 'anonymous'
              ? [401]
              : !allowed
                ? [403]
                : within
                  ? [SUCCESS[entry.method]]
                  : entry.method === 'post'
                    ? [403, 404]
                    : [404];
          if (isList && status === 200 && c.scopedReads && who !== 'admin' && side === outside) {
            const all = await call(who, 'get', `${entry.path}?pageSize=200`);
            if (all.text.includes(c.target(outside)))
              failures.push(`${who} lists ${entry.path} with a record outside its scope`);
          }
          if (!expected.includes(status))
            failures.push(
              `${who} ${entry.method.toUpperCase()} ${entry.path} (${side === inside ? 'in' : 'out'}): ${status} ${text.slice(0, 120)}, expected ${expected.join('/')}`,
            );
          if (status >= 400 && entry.method !== 'get') {
            if ((await model.countDocuments()) !== before)
              failures.push(`${who} ${entry.method} ${entry.path}: refused, yet the collection changed`);
            if (id && JSON.stringify(await model.findById(id).lean()) !== snapshot)
              failures.push(`${who} ${entry.method} ${entry.path}: refused, yet the record changed`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('a recording shared to its region (共享) is found by every teacher there and by no teacher elsewhere; only its teacher or a manager shares it', async () => {
    const m = t.platform.models;
    const recording = `/api/library/recordings/${lessonId}`;
    const owner = (await m.User.findById((await m.Lesson.findById(lessonId).lean())!.teacherId).lean())!;
    const foreign = (await m.User.findById(outside.teacherId).lean())!;
    const as = {
      owner: await login(t.url, owner.username),
      // The other demo teacher, at the same hub school (county 430725).
      peer: await login(t.url, owner.username === 'teacher' ? 'teacher2' : 'teacher'),
      foreign: await login(t.url, foreign.username, 'foreign-pass'),
    };
    const req = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${t.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
    };
    const listed = async (token: string) =>
      ((await req(token, 'GET', '/api/library/recordings')).body['recordings'] as { id: string }[]).some(
        (r) => r.id === lessonId,
      );

    // Not shared: another teacher of the region neither finds it nor may share it.
    expect((await req(as.peer, 'GET', recording)).status).toBe(404);
    expect(await listed(as.peer)).toBe(false);
    expect((await req(as.peer, 'PUT', `${recording}/share`, { shared: true })).status).toBe(404);
    // Its teacher shares it to the cluster's region; one audit entry.
    const shared = await req(as.owner, 'PUT', `${recording}/share`, { shared: true });
    expect(shared.status).toBe(200);
    expect(shared.body).toMatchObject({ sharedRegion: inside.regionCode, shareable: true });
    expect(
      await m.AuditEntry.countDocuments({ entity: 'recording', entityId: lessonId, action: 'update' }),
    ).toBe(1);
    // Every teacher of the region finds it, reads it, but neither shares nor deletes it.
    expect(await listed(as.peer)).toBe(true);
    const seen = await req(as.peer, 'GET', recording);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ shareable: false, deletable: false });
    expect((await req(as.peer, 'PUT', `${recording}/share`, { shared: false })).status).toBe(403);
    expect((await req(as.peer, 'DELETE', recording)).status).toBe(403);
    // A teacher of another county does not.
    expect((await req(as.foreign, 'GET', recording)).status).toBe(404);
    expect(await listed(as.foreign)).toBe(false);
    expect((await req(as.foreign, 'PUT', `${recording}/share`, { shared: true })).status).toBe(404);
    // Nothing recorded is nothing to share (409).
    const offLesson = await m.Lesson.create({
      clusterId: inside.clusterId,
      title: '未录制',
      subject: '英语',
      grade: 4,
      teacherId: owner._id,
      hubClassroomId: inside.hubClassroomId,
      classroomIds: [inside.classroomId],
      scheduledStart: new Date(),
      scheduledEnd: new Date(Date.now() + 40 * 60_000),
    });
    await m.Recording.create({
      lessonId: offLesson._id,
      clusterId: inside.clusterId,
      teacherId: owner._id,
      title: '未录制',
      subject: '英语',
      grade: 4,
      state: 'off',
    });
    expect(
      (
        await req(as.owner, 'PUT', `/api/library/recordings/${offLesson._id.toString()}/share`, {
          shared: true,
        })
      ).status,
    ).toBe(409);
    // Its coordinator stops sharing it: the other teacher no longer finds it.
    const coordinator = await req(tokens.coordinator!, 'PUT', `${recording}/share`, { shared: false });
    expect(coordinator.status).toBe(200);
    expect(coordinator.body['sharedRegion']).toBeNull();
    expect((await req(as.peer, 'GET', recording)).status).toBe(404);
  });

  it('the other routes answer as documented for every role', async () => {
    const failures: string[] = [];
    for (const entry of t.platform.routes.entries) {
      const key = `${entry.method} ${entry.path}`;
      const spec = OTHER_ROUTES[key];
      if (!spec) continue;
      const sides = spec.scoped ? ([inside, outside] as const) : ([inside] as const);
      for (const who of WHO) {
        for (const side of sides) {
          const ctx = {
            lessonId: side === inside ? lessonId : foreignLessonId,
            clusterId: side.clusterId,
            offeringId: side.offeringId,
            schoolId: side.schoolId,
            rubricId: side.rubricId,
            researchSessionId: side.researchSessionId,
            evaluationId: evaluations.get(side)!,
            inviteeId,
            regionCode: side.regionCode,
            ...devices.get(side)!,
          };
          const { status, text } = await call(
            spec.tokenless ? 'anonymous' : who,
            entry.method,
            spec.path(ctx),
            spec.body?.(who, ctx),
          );
          const allowed =
            entry.access.kind === 'public' ||
            (who !== 'anonymous' &&
              (entry.access.kind === 'authenticated' || entry.access.roles.includes(ROLE_OF[who] as never)));
          const expected = !allowed
            ? who === 'anonymous'
              ? [401]
              : [403]
            : side === outside && who !== 'admin'
              ? [404]
              : spec.ok(who);
          if (!expected.includes(status))
            failures.push(
              `${who} ${key}${spec.scoped ? (side === inside ? ' (in)' : ' (out)') : ''}: ${status} ${text.slice(0, 160)}, expected ${expected.join('/')}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

/** Ids an out-of-table route is called with: the lesson, and the side's cluster and offering. */
interface Ctx {
  lessonId: string;
  clusterId: string;
  offeringId: string;
  /** A receiving school of the side's cluster. */
  schoolId: string;
  /** The side's classroom device account and its enrolled device. */
  userId: string;
  deviceId: string;
  /** The side's rubric, research session and submitted evaluation; a teacher to invite. */
  rubricId: string;
  researchSessionId: string;
  evaluationId: string;
  inviteeId: string;
  /** The side's county. */
  regionCode: string;
}

/** The resource a plain resource route (`/api/<name>` or `/api/<name>/:id`) serves; '' for others. */
const resourceOf = (path: string): string => {
  const [, , name = '', ...rest] = path.split('/');
  return rest.length === 0 || (rest.length === 1 && rest[0] === ':id') ? name : '';
};
const TERM = '2026-2027-1';
const MANAGER_ROLES: readonly Who[] = ['admin', 'bureau', 'coordinator'];

/** Non-resource routes: the request to make and the statuses a permitted caller gets. */
const OTHER_ROUTES: Record<
  string,
  {
    path: (ctx: Ctx) => string;
    body?: (who: Who, ctx: Ctx) => unknown;
    ok: (who: Who) => number[];
    /** Also called on the out-of-scope side's records: permitted roles other than admin get 404. */
    scoped?: boolean;
    /** Called without the caller's token (logging out would end the session the matrix goes on with). */
    tokenless?: boolean;
  }
> = {
  'get /api/health': { path: () => '/api/health', ok: () => [200] },
  'get /api/openapi.json': { path: () => '/api/openapi.json', ok: () => [200] },
  'get /api/docs': { path: () => '/api/docs', ok: () => [200] },
  'post /api/auth/login': {
    path: () => '/api/auth/login',
    body: () => ({ username: 'nobody', password: 'wrong' }),
    ok: () => [401],
  },
  'post /api/auth/refresh': {
    path: () => '/api/auth/refresh',
    body: () => ({ refreshToken: 'not-a-token' }),
    ok: () => [401],
  },
  'post /api/auth/logout': {
    path: () => '/api/auth/logout',
    body: () => ({}),
    ok: () => [204],
    tokenless: true,
  },
  'post /api/auth/password': {
    path: () => '/api/auth/password',
    // A username each (failures count per username: six roles × two routes would pass the limit).
    body: (who) => ({ username: `nobody-${who}`, currentPassword: 'wrong', newPassword: 'a-new-password' }),
    ok: () => [401],
  },
  'post /api/auth/enrol': {
    path: () => '/api/auth/enrol',
    body: () => ({ code: 'AAAA-2222' }),
    ok: () => [401],
  },
  'post /api/users/:id/enrolment-code': {
    path: ({ userId }) => `/api/users/${userId}/enrolment-code`,
    ok: () => [201],
    scoped: true,
  },
  'get /api/users/:id/devices': {
    path: ({ userId }) => `/api/users/${userId}/devices`,
    ok: () => [200],
    scoped: true,
  },
  'delete /api/users/:id/devices/:deviceId': {
    path: ({ userId, deviceId }) => `/api/users/${userId}/devices/${deviceId}`,
    ok: () => [204],
    scoped: true,
  },
  'get /api/auth/me': { path: () => '/api/auth/me', ok: () => [200] },
  'get /api/lessons/current': { path: () => '/api/lessons/current', ok: () => [200] },
  // Teacher and classroom1 are in the demo lesson; managers see the lessons of their clusters.
  'get /api/lessons/:id': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}`,
    ok: () => [200],
    scoped: true,
  },
  // Not live yet: its participants get them to wait in its media room; nobody else learns more.
  'get /api/lessons/:id/rtp-capabilities': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/rtp-capabilities`,
    ok: () => [200],
  },
  // The demo lesson has not started: its classroom is told so (400); no one else may count.
  'post /api/lessons/:id/headcount': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/headcount`,
    body: () => ({ count: 20 }),
    ok: () => [400],
  },
  // The board: its log for whoever may see the lesson; uploads by its teacher only (the body
  // here is not an image, so the teacher is told so; no one else gets that far).
  'get /api/lessons/:id/links': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/links`,
    ok: () => [200],
    scoped: true,
  },
  'get /api/lessons/:id/board': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/board`,
    ok: () => [200],
    scoped: true,
  },
  'get /api/lessons/:id/board/assets/:assetId': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/board/assets/0123456789abcdef01234567`,
    ok: () => [404],
  },
  'post /api/lessons/:id/board/assets': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/board/assets?width=10&height=10`,
    body: () => ({ not: 'an image' }),
    ok: () => [400],
  },
  'get /api/admin/sfu': { path: () => '/api/admin/sfu', ok: () => [200] },
  'get /api/reports/figures': {
    path: ({ clusterId }) => `/api/reports/figures?clusterId=${clusterId}`,
    ok: () => [200],
    scoped: true,
  },
  'post /api/reports/exports': {
    path: ({ clusterId }) => `/api/reports/exports?clusterId=${clusterId}&format=csv`,
    ok: () => [202],
    scoped: true,
  },
  'get /api/report-exports/:id': {
    path: () => '/api/report-exports/00000000-0000-4000-8000-000000000000',
    ok: () => [404],
  },
  'get /api/report-exports/:id/file': {
    path: () => '/api/report-exports/00000000-0000-4000-8000-000000000000/file',
    ok: () => [404],
  },
  'get /api/admin/audit': { path: () => '/api/admin/audit', ok: () => [200] },
  'get /api/import/:kind/template': { path: () => '/api/import/classes/template', ok: () => [200] },
  // A dry run of a file with a bad row: 200 with the row's error, nothing written.
  'post /api/import/:kind': {
    path: ({ clusterId }) => `/api/import/classes?clusterId=${clusterId}&format=csv&dryRun=true`,
    body: () => Buffer.from('学校名称,年级,班级名称,人数\r\n无此校,3,三年级,20\r\n'),
    ok: () => [200],
    scoped: true,
  },
  'get /api/timetables/:clusterId/:term': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}`,
    ok: () => [200],
    scoped: true,
  },
  'post /api/timetables/:clusterId/:term/solve': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/solve`,
    body: () => ({ timeLimitMs: 100 }),
    ok: () => [202],
    scoped: true,
  },
  'post /api/timetables/:clusterId/:term/check': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/check`,
    body: (_who, { offeringId }) => ({ offeringId, to: { weekday: 2, period: 4 } }),
    ok: () => [200],
    scoped: true,
  },
  // Whether an edit is taken (200) or refused (409: the slot taken, or the solve above still
  // running), and so what lock and publish find, depends on what ran before; the role and
  // scope gate, which this test is about, does not.
  'post /api/timetables/:clusterId/:term/edit': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/edit`,
    body: (_who, { offeringId }) => ({ offeringId, to: { weekday: 2, period: 4 } }),
    ok: () => [200, 409],
    scoped: true,
  },
  'post /api/timetables/:clusterId/:term/lock': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/lock`,
    body: (_who, { offeringId }) => ({ offeringId, weekday: 2, period: 4, locked: true }),
    ok: () => [200, 404, 409],
    scoped: true,
  },
  'post /api/timetables/:clusterId/:term/publish': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/publish`,
    ok: () => [200, 400, 409],
    scoped: true,
  },
  'get /api/timetables/:clusterId/:term/compat': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/compat`,
    ok: () => [200],
    scoped: true,
  },
  // A proposal id that no analysis gives: it "no longer applies".
  'post /api/timetables/:clusterId/:term/compat/accept': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/compat/accept`,
    body: () => ({ proposalId: 'no-such-proposal' }),
    ok: () => [409],
    scoped: true,
  },
  'get /api/timetables/:clusterId/:term/export': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/export`,
    ok: () => [200],
    scoped: true,
  },
  'get /api/local-timetables/:schoolId/:term': {
    path: ({ schoolId }) => `/api/local-timetables/${schoolId}/${TERM}`,
    ok: () => [200],
    scoped: true,
  },
  // From a revision that is not current: refused, nothing changed.
  'put /api/local-timetables/:schoolId/:term': {
    path: ({ schoolId }) => `/api/local-timetables/${schoolId}/${TERM}`,
    body: () => ({ lessons: [], revision: 999 }),
    ok: () => [409],
    scoped: true,
  },
  // A dry run of a file that is no workbook: 200 with the file's error, nothing written.
  'post /api/local-timetables/:schoolId/:term/import': {
    path: ({ schoolId }) => `/api/local-timetables/${schoolId}/${TERM}/import?dryRun=true`,
    body: () => Buffer.from('not a workbook'),
    ok: () => [200],
    scoped: true,
  },
  'get /api/local-timetables/:schoolId/:term/export': {
    path: ({ schoolId }) => `/api/local-timetables/${schoolId}/${TERM}/export`,
    ok: () => [200],
    scoped: true,
  },
  // What a co-plan route answers depends on what ran before (a plan or none, its schools'
  // decisions, a run still going); the role and scope gate does not.
  'post /api/timetables/:clusterId/:term/coplan': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/coplan`,
    body: () => ({ timeLimitMs: 200 }),
    ok: () => [202, 400],
    scoped: true,
  },
  'get /api/timetables/:clusterId/:term/coplan': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/coplan`,
    ok: () => [200],
    scoped: true,
  },
  'post /api/timetables/:clusterId/:term/coplan/schools/:schoolId/decision': {
    path: ({ clusterId, schoolId }) =>
      `/api/timetables/${clusterId}/${TERM}/coplan/schools/${schoolId}/decision`,
    body: () => ({ approve: false, note: 'matrix' }),
    ok: () => [200, 404, 409],
    scoped: true,
  },
  'post /api/timetables/:clusterId/:term/coplan/changes': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/coplan/changes`,
    body: () => ({ kind: 'bell', index: 99_999, refused: true }),
    ok: () => [404, 409],
    scoped: true,
  },
  // No plan (404), nothing refused on it or stale (409), or refusals to re-plan around (202).
  'post /api/timetables/:clusterId/:term/coplan/replan': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/coplan/replan`,
    body: () => ({ timeLimitMs: 200 }),
    ok: () => [202, 404, 409],
    scoped: true,
  },
  'post /api/timetables/:clusterId/:term/coplan/alternative': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/coplan/alternative`,
    body: () => ({ index: 99 }),
    ok: () => [404, 409],
    scoped: true,
  },
  'post /api/timetables/:clusterId/:term/coplan/apply': {
    path: ({ clusterId }) => `/api/timetables/${clusterId}/${TERM}/coplan/apply`,
    body: () => ({}),
    ok: () => [200, 404, 409],
    scoped: true,
  },
  'get /api/coplans': { path: () => '/api/coplans', ok: () => [200] },
  'get /api/coplan-jobs/:id': {
    path: () => '/api/coplan-jobs/00000000-0000-4000-8000-000000000000',
    ok: () => [404],
  },
  'get /api/solve-jobs/:id': {
    path: () => '/api/solve-jobs/00000000-0000-4000-8000-000000000000',
    ok: () => [404],
  },
  'get /api/calendar-feeds': { path: () => '/api/calendar-feeds', ok: () => [200] },
  // Managers subscribe to a cluster in scope; teachers and devices only to their own lessons.
  'post /api/calendar-feeds': {
    path: () => '/api/calendar-feeds',
    body: (_who, { clusterId }) => ({ kind: 'cluster', subjectId: clusterId }),
    ok: (who) => (MANAGER_ROLES.includes(who) ? [201] : [403]),
  },
  'delete /api/calendar-feeds/:id': {
    path: () => '/api/calendar-feeds/0123456789abcdef01234567',
    ok: () => [404],
  },
  // Recording: its status for whoever may see the lesson, the switch for its teacher.
  'get /api/lessons/:id/recording': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/recording`,
    ok: () => [200],
    scoped: true,
  },
  'put /api/lessons/:id/recording': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/recording`,
    body: () => ({ enabled: true }),
    ok: () => [200],
    scoped: true,
  },
  // The library: a recording still composing is listed and readable, not yet playable (404)
  // nor deletable (409); serving and deleting a finished one: tests/integration/recording.test.ts.
  'get /api/library/recordings': { path: () => '/api/library/recordings', ok: () => [200] },
  'get /api/library/recordings/:id': {
    path: ({ lessonId }) => `/api/library/recordings/${lessonId}`,
    ok: () => [200],
    scoped: true,
  },
  'get /api/library/recordings/:id/video': {
    path: ({ lessonId }) => `/api/library/recordings/${lessonId}/video`,
    ok: () => [404],
    scoped: true,
  },
  'delete /api/library/recordings/:id': {
    path: ({ lessonId }) => `/api/library/recordings/${lessonId}`,
    ok: () => [409],
    scoped: true,
  },
  // Composing again: a manager, once the composition failed (this one is composing: 409);
  // a failed one retried: tests/integration/recordingWatchdog.test.ts.
  'post /api/library/recordings/:id/compose': {
    path: ({ lessonId }) => `/api/library/recordings/${lessonId}/compose`,
    ok: () => [409],
    scoped: true,
  },
  // Sharing: its teacher or a manager (not sharing it: changes nothing here); the cases of
  // who finds a shared recording are the test of sharing above.
  'put /api/library/recordings/:id/share': {
    path: ({ lessonId }) => `/api/library/recordings/${lessonId}/share`,
    body: () => ({ shared: false }),
    ok: () => [200],
    scoped: true,
  },
  'get /api/library/storage': { path: () => '/api/library/storage', ok: () => [200] },
  'put /api/library/clusters/:id/settings': {
    path: ({ clusterId }) => `/api/library/clusters/${clusterId}/settings`,
    body: () => ({ enabled: true, quotaGb: null, retentionDays: null }),
    ok: () => [200],
    scoped: true,
  },
  // 听课评课: the inside evaluation is the demo bureau's (it alone changes it, and starts no
  // second one); the lesson's teacher reads it (submitted) but evaluates only when invited.
  'get /api/evaluations': { path: () => '/api/evaluations', ok: () => [200] },
  'post /api/evaluations': {
    path: () => '/api/evaluations',
    body: (_who, { lessonId, rubricId }) => ({
      lessonId,
      rubricId,
      mode: 'recording',
      comments: [{ atSeconds: 5, text: '矩阵' }],
    }),
    ok: (who) => (who === 'teacher' ? [404] : who === 'bureau' ? [409] : [201]),
    scoped: true,
  },
  'get /api/evaluations/lessons': { path: () => '/api/evaluations/lessons', ok: () => [200] },
  'get /api/evaluations/summary': { path: () => '/api/evaluations/summary?by=teacher', ok: () => [200] },
  'get /api/evaluations/export': { path: () => '/api/evaluations/export?by=region', ok: () => [200] },
  'get /api/evaluations/:id': {
    path: ({ evaluationId }) => `/api/evaluations/${evaluationId}`,
    ok: () => [200],
    scoped: true,
  },
  'put /api/evaluations/:id': {
    path: ({ evaluationId }) => `/api/evaluations/${evaluationId}`,
    body: () => ({ summary: '矩阵' }),
    ok: (who) => (who === 'bureau' ? [200] : [403]),
    scoped: true,
  },
  // The same teacher invited by each manager in turn: the first invitation stands.
  'post /api/lessons/:id/evaluation-invites': {
    path: ({ lessonId }) => `/api/lessons/${lessonId}/evaluation-invites`,
    body: (_who, { rubricId, inviteeId }) => ({ rubricId, teacherId: inviteeId }),
    ok: () => [201, 409],
    scoped: true,
  },
  // 网络教研: the demo session opens now; its leading teacher joins, then it is ended once.
  'get /api/research-sessions/:id/view': {
    path: ({ researchSessionId }) => `/api/research-sessions/${researchSessionId}/view`,
    ok: () => [200],
    scoped: true,
  },
  'post /api/research-sessions/:id/join': {
    path: ({ researchSessionId }) => `/api/research-sessions/${researchSessionId}/join`,
    ok: () => [200],
    scoped: true,
  },
  'post /api/research-sessions/:id/end': {
    path: ({ researchSessionId }) => `/api/research-sessions/${researchSessionId}/end`,
    ok: () => [200, 409],
    scoped: true,
  },
  'get /api/ical/:token': { path: () => '/api/ical/no-such-token-0123456789.ics', ok: () => [404] },
  'get /api/export/:kind': {
    path: ({ clusterId }) => `/api/export/classes?clusterId=${clusterId}&format=csv`,
    ok: () => [200],
    scoped: true,
  },
  // 巡课: the wall lists only what is in scope; the matrix's lessons are not live, so a note on
  // one is refused (409) in scope, and 404 outside it.
  'get /api/inspection/live': { path: () => '/api/inspection/live', ok: () => [200] },
  'get /api/inspection/lessons/:id/notes': {
    path: ({ lessonId }) => `/api/inspection/lessons/${lessonId}/notes`,
    ok: () => [200],
    scoped: true,
  },
  'get /api/inspection/lessons/:id/rtp-capabilities': {
    path: ({ lessonId }) => `/api/inspection/lessons/${lessonId}/rtp-capabilities`,
    ok: () => [409],
    scoped: true,
  },
  'post /api/inspection/lessons/:id/notes': {
    path: ({ lessonId }) => `/api/inspection/lessons/${lessonId}/notes`,
    body: () => ({ text: '巡课记录' }),
    ok: () => [409],
    scoped: true,
  },
  'get /api/inspection/regions/:code/policy': {
    path: ({ regionCode }) => `/api/inspection/regions/${regionCode}/policy`,
    ok: () => [200],
    scoped: true,
  },
  'put /api/inspection/regions/:code/policy': {
    path: ({ regionCode }) => `/api/inspection/regions/${regionCode}/policy`,
    body: () => ({ showNotice: false }),
    ok: () => [200],
    scoped: true,
  },
};
