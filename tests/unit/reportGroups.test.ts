/**
 * The grouped path of the report facts (lessons alike stored once with their counts, and
 * counted once by the figures) against tallying every lesson one by one, on generated
 * provinces: the same builder (`drillDown`), the same trend and the same teacher periods,
 * whatever the period, the clock and the changes since the roll-up was written.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, drillDown, judgeSession } from '../../scheduler/delivery/index.ts';
import type {
  ClassroomStatus,
  FigureData,
  RecordingFact,
  RegionInput,
  Scope,
  Verdict,
} from '../../scheduler/delivery/index.ts';
import { mulberry32 } from '../../scheduler/timetable/random.ts';
import type { TermCalendar } from '../../server/models/index.ts';
import { encodeFacts, readGroups, visitGroups } from '../../server/reports/lessonFacts.ts';
import type { FactGroup, LessonFact } from '../../server/reports/lessonFacts.ts';
import { periodAround, trendBuckets } from '../../server/reports/periods.ts';
import type { PeriodKind } from '../../server/reports/periods.ts';
import { trendOf } from '../../server/reports/ReportService.ts';
import { SessionFacts, SessionList } from '../../server/reports/sessionFacts.ts';
import type { Judged, ReportSession } from '../../server/reports/sessionFacts.ts';
import { countTeacherPeriods } from '../../server/reports/teacherPeriods.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const CST = 8 * 3_600_000;
const monthOf = (ms: number): string => new Date(ms + CST).toISOString().slice(0, 7);
const STATUSES: readonly ClassroomStatus[] = ['present', 'late', 'partial', 'absent'];

interface Province {
  regions: RegionInput[];
  schools: FigureData['schools'];
  clusters: FigureData['clusters'];
  offerings: (FigureData['offerings'][number] & { hubClassroomId: string })[];
  roomSchool: Map<string, string>;
  teachers: { _id: string; schoolId: string; busy: { weekday: number }[] }[];
  /** The lessons as the roll-up stored them. */
  stored: LessonFact[];
  /** Lessons changed since (judged late, recorded, new), by id; null: deleted. */
  changed: Map<string, LessonFact | null>;
}

/**
 * A seeded province: two cities of two counties, clusters of each level, two offerings a
 * cluster and lessons from September 2026 to October 2027 (1–3 a week per offering, some at
 * night across a day's and a month's bounds) of every kind: judged (statuses late and the
 * rest), judged in classrooms the lesson no longer lists, never started, live, ended without
 * a judgement, oddly recorded, outside any offering, with recordings.
 */
function province(seed: number): Province {
  const rng = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
  const regions: RegionInput[] = [{ code: '430000', name: 'P', level: 'province', parentCode: null }];
  for (const city of ['430100', '430200']) {
    regions.push({ code: city, name: city, level: 'city', parentCode: '430000' });
    for (const k of ['01', '02'])
      regions.push({ code: city.slice(0, 4) + k, name: k, level: 'county', parentCode: city });
  }
  const counties = regions.filter((r) => r.level === 'county').map((r) => r.code);
  const schools: FigureData['schools'][number][] = [];
  const clusters: FigureData['clusters'][number][] = [];
  const offerings: Province['offerings'] = [];
  const roomSchool = new Map<string, string>();
  const teachers: Province['teachers'] = [];
  const rooms: string[] = [];
  const stored: LessonFact[] = [];
  let lessonNo = 0;
  for (let c = 0; c < 10; c++) {
    const county = counties[c % counties.length]!;
    const level = c % 5 === 0 ? 'province' : c % 3 === 0 ? 'city' : 'county';
    const regionCode =
      level === 'province' ? '430000' : level === 'city' ? `${county.slice(0, 4)}00` : county;
    const schoolIds = Array.from({ length: 4 }, (_, i) => `s${c}-${i}`);
    schoolIds.forEach((id, i) =>
      schools.push({
        id,
        name: id,
        regionCode: i === 3 ? pick(counties) : county,
        kind: i ? 'rural' : 'hub',
      }),
    );
    const clusterRooms = schoolIds.map((s, i) => {
      const id = `r${c}-${i}`;
      roomSchool.set(id, s);
      rooms.push(id);
      return id;
    });
    const clusterId = `c${c}`;
    clusters.push({
      id: clusterId,
      name: clusterId,
      level,
      regionCode,
      hubSchoolIds: [schoolIds[0]!],
      memberSchoolIds: schoolIds.slice(1),
    });
    for (let o = 0; o < 2; o++) {
      const teacherId = `t${c}-${o}`;
      teachers.push({ _id: teacherId, schoolId: schoolIds[0]!, busy: [{ weekday: 1 }, { weekday: 3 }] });
      const offeringId = `o${c}-${o}`;
      offerings.push({
        id: offeringId,
        clusterId,
        hubSchoolId: schoolIds[0]!,
        term: '2026-2027-2',
        hubClassroomId: clusterRooms[0]!,
      });
      // Monday 31 August 2026, 00:00 in Beijing, for 62 weeks.
      for (let w = 0; w < 62; w++)
        for (let k = 0, n = 1 + Math.floor(rng() * 3); k < n; k++) {
          const day = Date.parse('2026-08-30T16:00:00Z') + (w * 7 + Math.floor(rng() * 7)) * DAY;
          // Mostly school hours; some just before or after midnight in Beijing.
          const start = day + pick([8, 10, 14, 23.5, 0.25]) * 3_600_000 + Math.floor(rng() * 20) * MIN;
          const classroomIds = rng() < 0.1 ? clusterRooms.slice(1, 3) : clusterRooms.slice(1);
          const kind = rng();
          const id = `l${lessonNo++}`;
          const base = {
            id,
            clusterId,
            offeringId: rng() < 0.05 ? null : offeringId,
            teacherId: rng() < 0.05 ? `t${c}-${1 - o}` : teacherId,
            hubClassroomId: clusterRooms[0]!,
            classroomIds,
            scheduledStart: start,
            scheduledEnd: start + 40 * MIN,
            recording:
              rng() < 0.6
                ? null
                : ({
                    state: pick(['ready', 'ready', 'ready', 'deleted', 'failed', 'composing'] as const),
                    incomplete: rng() < 0.1,
                    shared: rng() < 0.5,
                  } satisfies RecordingFact),
          };
          if (kind < 0.7) {
            // Judged; sometimes in a classroom the lesson no longer lists (moved or elsewhere).
            const judgedRooms =
              rng() < 0.1 ? [...classroomIds, rng() < 0.5 ? pick(rooms) : 'gone-room'] : classroomIds;
            const verdict: Verdict = rng() < 0.85 ? 'delivered' : 'not-delivered';
            stored.push({
              ...base,
              state: 'ended',
              startedAt: start + 2 * MIN,
              endedAt: start + 39 * MIN,
              judged: {
                verdict,
                classrooms: judgedRooms.map((classroomId) => ({
                  classroomId,
                  status: rng() < 0.7 ? 'present' : pick(STATUSES),
                })),
              },
            });
          } else if (kind < 0.85)
            stored.push({ ...base, state: 'scheduled', startedAt: null, endedAt: null, judged: null });
          else if (kind < 0.9)
            stored.push({ ...base, state: 'live', startedAt: start, endedAt: null, judged: null });
          else if (kind < 0.95)
            stored.push({
              ...base,
              state: 'ended',
              startedAt: start,
              endedAt: start + 30 * MIN,
              judged: null,
            });
          else
            stored.push({
              ...base,
              state: 'scheduled',
              startedAt: start + MIN,
              endedAt: start + 20 * MIN,
              judged: null,
            });
        }
    }
  }
  // Since the roll-up: lessons judged late (ended, judged now), one recorded, one new, one deleted.
  const changed = new Map<string, LessonFact | null>();
  const unjudged = stored.filter((f) => f.state === 'ended' && !f.judged);
  for (const f of unjudged.slice(0, 6))
    changed.set(f.id, {
      ...f,
      judged: {
        verdict: 'delivered',
        classrooms: f.classroomIds.map((classroomId, i) => ({ classroomId, status: i ? 'late' : 'present' })),
      },
    });
  const judged = stored.find((f) => f.judged && !f.recording)!;
  changed.set(judged.id, { ...judged, recording: { state: 'ready', incomplete: false, shared: true } });
  const fresh = stored.find((f) => f.state === 'scheduled' && f.startedAt === null)!;
  changed.set('new-lesson', { ...fresh, id: 'new-lesson', scheduledStart: fresh.scheduledStart + DAY });
  return { regions, schools, clusters, offerings, roomSchool, teachers, stored, changed };
}

/** The stored lessons as roll-up chunks: by month, a few chunks each (as the writer fills them). */
function chunksOf(facts: readonly LessonFact[], seed: number): { month: string; groups: FactGroup[] }[] {
  const rng = mulberry32(seed);
  const byMonth = new Map<string, LessonFact[]>();
  for (const f of facts) {
    const month = monthOf(f.scheduledStart);
    byMonth.set(month, [...(byMonth.get(month) ?? []), f]);
  }
  const out: { month: string; groups: FactGroup[] }[] = [];
  for (const [month, list] of byMonth)
    for (let i = 0; i < list.length;) {
      const n = 1 + Math.floor(rng() * 400);
      out.push({ month, groups: readGroups(encodeFacts(list.slice(i, i + n))) });
      i += n;
    }
  return out;
}

/** What the report builds on: session facts, and the lessons left to judge from their records. */
function sessionsOf(
  p: Province,
  now: number,
  period: { from: number; to: number },
  visitAll: (list: SessionList) => void,
): ReportSession[] {
  const list = new SessionList(
    new SessionFacts(p.roomSchool),
    p.offerings.map((o) => o.hubClassroomId),
    DEFAULT_RULES,
    now,
  );
  visitAll(list);
  // Lessons judged from their records (the same stand-in judgement on both paths).
  const current = new Map(
    [...p.stored, ...[...p.changed.values()].flatMap((f) => (f ? [f] : []))].map((f) => [f.id, f]),
  );
  for (const id of [...list.pending].sort()) {
    const f = current.get(id)!;
    const judged: Judged = judgeSession(
      {
        scheduledStart: f.scheduledStart,
        scheduledEnd: f.scheduledEnd,
        state: f.state,
        liveStart: f.startedAt,
        liveEnd: f.endedAt,
        classrooms: f.classroomIds.map((classroomId) => ({
          classroomId,
          intervals: [{ join: f.scheduledStart, leave: f.scheduledEnd }],
          headcount: null,
        })),
      },
      DEFAULT_RULES,
      now,
    );
    list.add(f, judged);
  }
  void period;
  return list.done();
}

/** Every lesson as it is now, one by one: the reference. */
function oneByOne(p: Province, now: number, period: { from: number; to: number }): ReportSession[] {
  return sessionsOf(p, now, period, (list) => {
    for (const f of p.stored) {
      if (p.changed.has(f.id)) continue;
      if (f.scheduledStart >= period.from && f.scheduledStart < period.to) list.fact(f);
    }
    for (const f of p.changed.values())
      if (f && f.scheduledStart >= period.from && f.scheduledStart < period.to) list.fact(f);
  });
}

/**
 * As `FactRollUp.each` reads the roll-up: groups as groups unless they hold a changed lesson
 * (looked for only in the months of changed lessons, or in every month when one is gone),
 * the changed ones re-read.
 */
function grouped(
  p: Province,
  chunks: readonly { month: string; groups: FactGroup[] }[],
  now: number,
  period: { from: number; to: number },
): { sessions: ReportSession[]; counted: number; apart: number } {
  let counted = 0;
  let apart = 0;
  const gone = [...p.changed.values()].includes(null);
  const months = new Set([...p.changed.values()].flatMap((f) => (f ? [monthOf(f.scheduledStart)] : [])));
  const skip = new Set(p.changed.keys());
  const sessions = sessionsOf(p, now, period, (list) => {
    for (const chunk of chunks)
      visitGroups(
        chunk.groups,
        period,
        gone || months.has(chunk.month) ? skip : new Set(),
        (f) => {
          apart++;
          list.fact(f);
        },
        (g) => {
          counted++;
          list.group(g);
        },
      );
    for (const f of p.changed.values())
      if (f && f.scheduledStart >= period.from && f.scheduledStart < period.to) list.fact(f);
  });
  return { sessions, counted, apart };
}

/** The report of a scope from session facts: the one builder, the trend and the teacher periods. */
function report(p: Province, scope: Scope, kind: PeriodKind, at: number, sessions: ReportSession[]) {
  const period = periodAround(kind, at);
  const calendars = [
    {
      _id: 'cal',
      regionCode: '430000',
      start: '2026-09-01',
      end: '2027-07-10',
      holidays: [],
      makeupDays: [],
    },
  ] as unknown as TermCalendar[];
  const schools = new Map(
    p.schools.map((s) => [s.id, { _id: s.id, regionCode: '430000', termCalendarId: null }] as const),
  );
  const teacherPeriods = countTeacherPeriods(
    p.teachers as never,
    schools as never,
    calendars,
    sessions,
    period,
  );
  const data: FigureData<ReportSession> = {
    regions: p.regions,
    clusters: p.clusters,
    schools: p.schools,
    offerings: p.offerings,
    sessions,
    teacherPeriods,
  };
  const { total, rows } = drillDown(scope, data, period);
  return {
    total,
    rows,
    teacherPeriods: [...teacherPeriods].sort((a, b) => (a.teacherId < b.teacherId ? -1 : 1)),
    trend: trendOf(trendBuckets(kind, period.from, period.to), sessions),
  };
}

describe('report facts in groups, against every lesson one by one', () => {
  const p = province(11);
  const chunks = chunksOf(p.stored, 12);
  const groups = chunks.flatMap((c) => c.groups);

  it('stores fewer groups than lessons, and every lesson once', () => {
    const lessons = groups.flatMap((g) => g.facts());
    expect(lessons.length).toBe(p.stored.length);
    expect(new Set(lessons.map((f) => f.id)).size).toBe(p.stored.length);
    expect(groups.length).toBeLessThan(p.stored.length * 0.8);
    // Decoded lessons are the stored ones, field for field.
    const byId = new Map(p.stored.map((f) => [f.id, f]));
    for (const f of lessons) expect(f).toEqual(byId.get(f.id));
  });

  // Clocks: before the year, inside it (lessons upcoming, missed and live together), after it.
  const clocks = ['2026-09-20T03:00:00Z', '2027-03-10T06:25:00Z', '2027-11-30T00:00:00Z'].map(Date.parse);
  const periods: [PeriodKind, string][] = [
    ['year', '2027-05-01T00:00:00Z'],
    ['term', '2027-03-01T00:00:00Z'],
    ['term', '2026-10-01T00:00:00Z'],
    ['quarter', '2027-02-01T00:00:00Z'],
    ['month', '2027-03-15T00:00:00Z'],
    ['month', '2026-10-31T16:30:00Z'],
  ];
  const scopes: Scope[] = [
    { kind: 'region', code: '430000' },
    { kind: 'region', code: '430100' },
    { kind: 'region', code: '430201' },
  ];

  for (const now of clocks)
    for (const [kind, at] of periods)
      it(`same figures, rows, trend and teacher periods: ${kind} of ${at.slice(0, 10)}, clock ${new Date(now).toISOString().slice(0, 10)}`, () => {
        const period = periodAround(kind, Date.parse(at));
        const reference = oneByOne(p, now, period);
        const { sessions, counted } = grouped(p, chunks, now, period);
        // Groups were counted as groups, in a month with a lesson changed since too.
        expect(counted).toBeGreaterThan(0);
        expect(sessions.length).toBeLessThan(reference.length);
        for (const scope of scopes)
          expect(report(p, scope, kind, Date.parse(at), sessions)).toEqual(
            report(p, scope, kind, Date.parse(at), reference),
          );
      });

  it('a lesson deleted since the roll-up: only its group lesson by lesson, and it is gone from the figures', () => {
    const period = periodAround('year', Date.parse('2027-05-01T00:00:00Z'));
    const now = clocks[2]!;
    // A delivered lesson of the year, in a group of several inside the year.
    const victim = p.stored.find(
      (f) =>
        f.judged?.verdict === 'delivered' &&
        !p.changed.has(f.id) &&
        groups.some(
          (g) =>
            g.count > 1 &&
            g.firstStart >= period.from &&
            g.lastStart < period.to &&
            g.facts().some((l) => l.id === f.id),
        ),
    )!;
    const q: Province = { ...p, changed: new Map([...p.changed, [victim.id, null]]) };
    const { sessions, counted, apart } = grouped(q, chunks, now, period);
    const alone = grouped(p, chunks, now, period);
    expect(counted).toBeGreaterThan(0);
    // The victim's group (and no other) is now taken apart, the victim left out.
    const group = groups.find((g) => g.facts().some((f) => f.id === victim.id))!;
    expect(counted).toBe(alone.counted - 1);
    expect(apart).toBe(alone.apart + group.count - 1);
    const scope: Scope = { kind: 'region', code: '430000' };
    const before = report(p, scope, 'year', period.from, oneByOne(p, now, period));
    const after = report(q, scope, 'year', period.from, sessions);
    expect(after).toEqual(report(q, scope, 'year', period.from, oneByOne(q, now, period)));
    expect(after.total.sessions.delivered).toBe(before.total.sessions.delivered - 1);
  });

  it('a period whose bounds cut through a chunk’s groups gives the same figures', () => {
    // Mid-month bounds: groups straddling them are taken lesson by lesson.
    const period = { from: Date.parse('2027-03-10T16:00:00Z'), to: Date.parse('2027-04-20T16:00:00Z') };
    const now = clocks[2]!;
    const scope: Scope = { kind: 'region', code: '430000' };
    const data = (sessions: ReportSession[]): FigureData<ReportSession> => ({
      regions: p.regions,
      clusters: p.clusters,
      schools: p.schools,
      offerings: p.offerings,
      sessions,
    });
    expect(drillDown(scope, data(grouped(p, chunks, now, period).sessions), period)).toEqual(
      drillDown(scope, data(oneByOne(p, now, period)), period),
    );
  });
});

describe('session facts of a report', () => {
  const NOW = Date.parse('2027-06-30T00:00:00Z');
  const start = Date.parse('2027-03-01T00:00:00Z');
  const lesson = (id: string, classroomIds: string[], judged: [string, ClassroomStatus][]): LessonFact => ({
    id,
    clusterId: 'c',
    offeringId: 'o',
    teacherId: 't',
    hubClassroomId: 'hub',
    classroomIds,
    scheduledStart: start,
    scheduledEnd: start + 40 * MIN,
    state: 'ended',
    startedAt: start,
    endedAt: start + 40 * MIN,
    judged: {
      verdict: 'delivered',
      classrooms: judged.map(([classroomId, status]) => ({ classroomId, status })),
    },
    recording: null,
  });
  const roomSchool = new Map([
    ['hub', 'sh'],
    ['r1', 's1'],
    ['r2', 's2'],
    ['r3', 's3'],
  ]);

  it('a classroom judged in a lesson that no longer lists it counts at its school only when the report names it elsewhere, even later', () => {
    const list = new SessionList(new SessionFacts(roomSchool), [], DEFAULT_RULES, NOW);
    list.fact(
      lesson(
        'l1',
        ['r1'],
        [
          ['r1', 'present'],
          ['r2', 'late'],
          ['r3', 'absent'],
        ],
      ),
    );
    // r2 is named by a group of lessons that arrives afterwards; r3 by nothing.
    const [group] = readGroups(encodeFacts([lesson('l2', ['r2'], [['r2', 'present']])]));
    list.group(group!);
    const sessions = list.done();
    const first = sessions.find((s) => s.id === 'l1')!;
    expect(first.classrooms.map((c) => [c.schoolId, c.status])).toEqual([
      ['s1', 'present'],
      ['s2', 'late'],
      ['', 'absent'],
    ]);
  });

  it('groups alike over months are summed into one session fact; unlike ones stay apart', () => {
    const list = new SessionList(new SessionFacts(roomSchool), [], DEFAULT_RULES, NOW);
    const month = (k: number, status: ClassroomStatus, verdict: Verdict = 'delivered'): FactGroup => {
      const f = lesson(
        `m${k}-${status}-${verdict}`,
        ['r1', 'r2'],
        [
          ['r1', status],
          ['r2', 'present'],
        ],
      );
      const at = f.scheduledStart + k * 31 * DAY;
      return readGroups(
        encodeFacts([
          { ...f, scheduledStart: at, judged: { ...f.judged!, verdict } },
          { ...f, id: `${f.id}b`, scheduledStart: at + DAY, judged: { ...f.judged!, verdict } },
        ]),
      )[0]!;
    };
    for (const g of [
      month(0, 'present'),
      month(1, 'late'),
      month(2, 'present'),
      month(1, 'absent', 'not-delivered'),
    ])
      list.group(g);
    const sessions = list.done();
    expect(sessions).toHaveLength(2);
    const delivered = sessions.find((s) => s.verdict === 'delivered')!;
    expect(delivered.count).toBe(6);
    expect(delivered.scheduledStart).toBe(start);
    expect(delivered.days).toHaveLength(12);
    expect(
      delivered.classrooms
        .map((c) => [c.schoolId, c.status, c.count])
        .sort((a, b) => (a.join() < b.join() ? -1 : 1)),
    ).toEqual([
      ['s1', 'late', 2],
      ['s1', 'present', 4],
      ['s2', 'present', 6],
    ]);
    expect(sessions.find((s) => s.verdict === 'not-delivered')!.count).toBe(2);
  });
});
