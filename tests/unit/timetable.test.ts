import { describe, expect, it } from 'vitest';
import {
  Timetable,
  checkTimetable,
  receivingPeriod,
  solve,
  solveGreedy,
} from '../../scheduler/timetable/index.ts';
import type {
  BellPeriod,
  ClassInput,
  ClusterProblem,
  OfferingInput,
  PeriodRef,
  SchoolInput,
  Session,
  SolveOptions,
  TeacherInput,
  Weekday,
} from '../../scheduler/timetable/index.ts';

const WEEK: readonly Weekday[] = [1, 2, 3, 4, 5];

/** A school day of `n` periods from `start`, `length` minutes each, 10-minute breaks, lunch after period 4. */
function bells(start = 480, n = 6, length = 45, weekdays: readonly Weekday[] = WEEK): BellPeriod[] {
  const periods: BellPeriod[] = [];
  let t = start;
  for (let p = 1; p <= n; p++) {
    periods.push({ period: p, start: t, end: t + length, weekdays });
    t += length + (p === 4 ? 120 : 10);
  }
  return periods;
}

function school(id: string, periods: BellPeriod[], downlinkMbps = 100): SchoolInput {
  return { id, name: `${id}学校`, periods, downlinkMbps, uplinkMbps: 10 };
}

function everyPeriod(n = 6, weekdays: readonly Weekday[] = WEEK): PeriodRef[] {
  return weekdays.flatMap((weekday) => Array.from({ length: n }, (_, i) => ({ weekday, period: i + 1 })));
}

interface Setup {
  hub?: BellPeriod[];
  remote?: BellPeriod[];
  downlinkMbps?: number;
  classes?: Partial<ClassInput>[];
  teachers?: Partial<TeacherInput>[];
  offerings?: Partial<OfferingInput>[];
  locked?: Session[];
}

/** A 1+1 cluster: hub H (teacher 张老师 in room R1), receiving school S with class C1 (五年级1班). */
function cluster(setup: Setup = {}): ClusterProblem {
  const classes = (setup.classes ?? [{}]).map((c, i) => ({
    id: `C${i + 1}`,
    name: `五年级${i + 1}班`,
    schoolId: 'S',
    classroomId: `S-room${i + 1}`,
    busy: [],
    ...c,
  }));
  const teachers = (setup.teachers ?? [{}]).map((t, i) => ({
    id: `T${i + 1}`,
    name: i === 0 ? '张老师' : `老师${i + 1}`,
    schoolId: 'H',
    busy: [],
    ...t,
  }));
  return {
    id: 'cluster',
    hubSchoolId: 'H',
    schools: [school('H', setup.hub ?? bells()), school('S', setup.remote ?? bells(), setup.downlinkMbps)],
    classes,
    teachers,
    recordingRooms: [
      { id: 'R1', name: '录播1', schoolId: 'H', busy: [] },
      { id: 'R2', name: '录播2', schoolId: 'H', busy: [] },
      { id: 'R3', name: '录播3', schoolId: 'H', busy: [] },
    ],
    offerings: (setup.offerings ?? [{}]).map((o, i) => ({
      id: `O${i + 1}`,
      name: `英语${i + 1}`,
      teacherId: 'T1',
      recordingRoomId: 'R1',
      receivingClassIds: ['C1'],
      periodsPerWeek: 2,
      ...o,
    })),
    ...(setup.locked && { locked: setup.locked }),
  };
}

/** A fake clock: every reading advances it by `step` ms. */
function fakeClock(step = 0.01): () => number {
  let t = 0;
  return () => (t += step);
}

const quick: SolveOptions = { timeLimitMs: 100, seed: 7 };

function expectClean(problem: ClusterProblem, sessions: readonly Session[]): void {
  expect(checkTimetable(problem, sessions).hardViolations).toEqual([]);
}

describe('receivingPeriod', () => {
  it('picks the covered period with the largest overlap, and marks a period covered less than 90% not ok', () => {
    const local = bells(485, 6, 40);
    expect(receivingPeriod({ start: 480, end: 525 }, local, 0.9)).toMatchObject({
      period: { period: 1 },
      ok: true,
    });
    const late = bells(495, 6, 45);
    expect(receivingPeriod({ start: 480, end: 525 }, late, 0.9)).toMatchObject({
      period: { period: 1 },
      ok: false,
    });
    expect(receivingPeriod({ start: 0, end: 30 }, late, 0.9)).toBeUndefined();
  });
});

describe('solve: golden instances', () => {
  it('puts an offering of 2 a week on two days at least two days apart, away from the first and last period', () => {
    const problem = cluster();
    const solution = solve(problem, quick);
    expect(solution.sessions).toHaveLength(2);
    const [a, b] = solution.sessions;
    expect(Math.abs((a?.weekday ?? 0) - (b?.weekday ?? 0))).toBeGreaterThanOrEqual(2);
    expect(solution.sessions.every((s) => s.period !== 1 && s.period !== 6)).toBe(true);
    expect(solution.score).toBe(0);
    expect(solution.unplaced).toEqual([]);
    expectClean(problem, solution.sessions);
  });

  it('spreads 3 a week over Monday, Wednesday and Friday', () => {
    const solution = solve(cluster({ offerings: [{ periodsPerWeek: 3 }] }), quick);
    expect(solution.sessions.map((s) => s.weekday)).toEqual([1, 3, 5]);
  });

  it('uses the only slot where the teacher is free', () => {
    const busy = everyPeriod().filter((p) => !(p.weekday === 3 && p.period === 5));
    const solution = solve(cluster({ teachers: [{ busy }], offerings: [{ periodsPerWeek: 1 }] }), quick);
    expect(solution.sessions.map((s) => [s.weekday, s.period])).toEqual([[3, 5]]);
  });

  it('reports a class busy in every period as unplaced, naming the class and the rule', () => {
    const problem = cluster({ classes: [{ busy: everyPeriod() }] });
    const solution = solve(problem, quick);
    expect(solution.sessions).toEqual([]);
    expect(solution.unplaced).toHaveLength(1);
    const [u] = solution.unplaced;
    expect(u?.missing).toBe(2);
    expect(u?.reasons[0]).toMatchObject({
      constraint: 'class-busy',
      subject: { kind: 'class', id: 'C1' },
      slots: 30,
    });
    expect(u?.reasons[0]?.message).toEqual({
      zh: '班级 五年级1班 在所有可用节次都已有课',
      en: 'class busy in every slot',
    });
  });

  it('reports bells offset by 15 minutes (30 of 45 minutes overlap) as no-overlap for the class', () => {
    const solution = solve(cluster({ remote: bells(495) }), quick);
    expect(solution.sessions).toEqual([]);
    expect(solution.unplaced[0]?.reasons[0]).toMatchObject({
      constraint: 'no-overlap',
      subject: { kind: 'class', id: 'C1' },
      slots: 30,
    });
  });

  it('accepts bells offset by 4 minutes (41 of 45 minutes) and records the receiving period', () => {
    const problem = cluster({ remote: bells(484) });
    const solution = solve(problem, quick);
    expect(solution.sessions).toHaveLength(2);
    for (const s of solution.sessions) expect(s.receiving).toEqual([{ classId: 'C1', period: s.period }]);
    expectClean(problem, solution.sessions);
  });

  it('names the teacher when every slot is taken by busy periods', () => {
    const solution = solve(cluster({ teachers: [{ busy: everyPeriod() }] }), quick);
    expect(solution.unplaced[0]?.reasons[0]?.message).toEqual({
      zh: '教师 张老师 在所有可用节次都已有课',
      en: 'teacher busy in every slot',
    });
  });

  it('keeps a teacher to maxPeriodsPerDay and says so for what does not fit', () => {
    const problem = cluster({ teachers: [{ maxPeriodsPerDay: 1 }], offerings: [{ periodsPerWeek: 3 }] });
    const solution = solve(problem, { ...quick, weekdays: [1, 2] });
    expect(solution.sessions.map((s) => s.weekday)).toEqual([1, 2]);
    expect(solution.unplaced[0]).toMatchObject({ offeringId: 'O1', missing: 1 });
    expect(solution.unplaced[0]?.reasons[0]).toMatchObject({ constraint: 'teacher-day-limit', slots: 10 });
  });

  it('keeps locked sessions as they are, even in an edge period, and places the rest around them', () => {
    const problem = cluster();
    const locked = Timetable.create(problem).sessionAt('O1', 2, 1);
    expect(locked).toBeDefined();
    const solution = solve({ ...problem, locked: locked ? [locked] : [] }, quick);
    expect(solution.sessions).toHaveLength(2);
    expect(solution.sessions).toContainEqual(locked);
    expect(solution.sessions.find((s) => s !== locked && s.weekday !== 2)?.weekday).toBeGreaterThanOrEqual(4);
    expectClean(problem, solution.sessions);
  });

  it('keeps locked sessions that clash with each other and reports the clash in hardViolations', () => {
    const problem = cluster({ offerings: [{ periodsPerWeek: 1 }, { periodsPerWeek: 1 }] });
    const tt = Timetable.create(problem);
    const locked = [tt.sessionAt('O1', 2, 3), tt.sessionAt('O2', 2, 3)].filter((s) => s !== undefined);
    const solution = solve({ ...problem, locked }, quick);
    expect(solution.sessions).toEqual(locked);
    expect(solution.hardViolations.map((c) => c.constraint)).toEqual(
      expect.arrayContaining(['teacher-busy', 'room-busy', 'class-busy']),
    );
  });

  it('sends at most 2 simultaneous lessons of 2 Mbit/s into a 4 Mbit/s school', () => {
    const oneSlot = bells(480, 1, 45, [1]);
    const threeClasses: Setup = {
      hub: oneSlot,
      remote: oneSlot,
      downlinkMbps: 4,
      classes: [{}, {}, {}],
      teachers: [{}, {}, {}],
      offerings: [1, 2, 3].map((i) => ({
        teacherId: `T${i}`,
        recordingRoomId: `R${i}`,
        receivingClassIds: [`C${i}`],
        periodsPerWeek: 1,
      })),
    };
    const options = { ...quick, weekdays: [1] as Weekday[] };
    const narrow = solve(cluster(threeClasses), options);
    expect(narrow.sessions).toHaveLength(2);
    expect(narrow.unplaced[0]?.reasons[0]).toMatchObject({ constraint: 'bandwidth', subject: { id: 'S' } });
    expect(solve(cluster({ ...threeClasses, downlinkMbps: 6 }), options).sessions).toHaveLength(3);
  });

  it('does not count back-to-back periods as simultaneous on a 2 Mbit/s link', () => {
    const backToBack: BellPeriod[] = [
      { period: 1, start: 480, end: 525, weekdays: [1] },
      { period: 2, start: 525, end: 570, weekdays: [1] },
    ];
    const problem = cluster({
      hub: backToBack,
      remote: backToBack,
      downlinkMbps: 2,
      classes: [{}, {}],
      teachers: [{}, {}],
      offerings: [1, 2].map((i) => ({
        teacherId: `T${i}`,
        recordingRoomId: `R${i}`,
        receivingClassIds: [`C${i}`],
        periodsPerWeek: 1,
      })),
    });
    const solution = solve(problem, { ...quick, weekdays: [1] });
    expect(solution.sessions.map((s) => s.period)).toEqual([1, 2]);
    expectClean(problem, solution.sessions);
  });

  it('gives the same timetable for the same seed and clock, and reports progress up to 1', () => {
    const problem = cluster({ teachers: [{}, {}], offerings: [{}, { teacherId: 'T2', periodsPerWeek: 3 }] });
    const fractions: number[] = [];
    const run = (): Session[] =>
      solve(problem, {
        seed: 3,
        timeLimitMs: 50,
        now: fakeClock(),
        onProgress: (p) => fractions.push(p.fraction),
      }).sessions;
    expect(run()).toEqual(run());
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
  });

  it('scores better than the greedy baseline, which stacks sessions on one day', () => {
    const problem = cluster({ offerings: [{ periodsPerWeek: 3 }] });
    const greedy = solveGreedy(problem);
    expectClean(problem, greedy.sessions);
    expect(greedy.sessions.map((s) => s.weekday)).toEqual([1, 1, 1]);
    const solved = solve(problem, quick);
    expect(solved.score).toBeLessThan(greedy.score);
    expect(solved.score).toBe(checkTimetable(problem, solved.sessions).score);
  });

  it('rejects a problem that refers to an unknown teacher with a TypeError', () => {
    expect(() => solve(cluster({ offerings: [{ teacherId: 'nobody' }] }), quick)).toThrow(TypeError);
  });
});

describe('Timetable', () => {
  const twoOfferings = cluster({ offerings: [{}, { receivingClassIds: ['C2'] }], classes: [{}, {}] });

  it('conflictsOf a move onto the teacher’s other lesson names the teacher and that session', () => {
    const tt = Timetable.create(twoOfferings);
    const a = tt.sessionAt('O1', 1, 2);
    const b = tt.sessionAt('O2', 2, 2);
    if (!a || !b) throw new Error('fixture has no such periods');
    tt.add(a);
    tt.add(b);
    const to = tt.sessionAt('O2', 1, 2);
    if (!to) throw new Error('fixture has no such period');
    const conflicts = tt.conflictsOf(to, { ignore: b });
    expect(conflicts).toContainEqual(
      expect.objectContaining({
        constraint: 'teacher-busy',
        subject: { kind: 'teacher', id: 'T1' },
        with: { offeringId: 'O1', weekday: 1, period: 2 },
      }),
    );
    // Both languages, each a whole sentence of its own (an English-mode user reads only `en`).
    expect(conflicts[0]?.message.zh).toBe('教师 张老师 周一第2节已有课 《英语1》（周一第2节）');
    expect(conflicts[0]?.message.en).toBe('teacher 张老师 already teaches 英语1 (Mon period 2) then');
    expect(tt.fits(to, b)).toBe(false);
    expect(tt.conflictsOfMove(b, { weekday: 1, period: 3 })).toEqual([]);
  });

  it('moves a session and re-indexes it: the old slot frees up, the new one is taken', () => {
    const tt = Timetable.create(twoOfferings);
    const a = tt.sessionAt('O1', 1, 2);
    if (!a) throw new Error('fixture has no such period');
    tt.add(a);
    const moved = tt.move(a, { weekday: 4, period: 3 });
    expect(tt.sessions).toEqual([moved]);
    expect(tt.conflictsOfMove(moved, { weekday: 1, period: 2 })).toEqual([]);
    const clash = tt.sessionAt('O2', 4, 3);
    expect(clash && tt.conflictsOf(clash).map((c) => c.constraint)).toEqual(['teacher-busy', 'room-busy']);
  });

  it('finds two classes sharing a receiving classroom at the same time', () => {
    const problem = cluster({
      classes: [{ classroomId: 'shared' }, { classroomId: 'shared' }],
      teachers: [{}, {}],
      offerings: [{}, { teacherId: 'T2', recordingRoomId: 'R2', receivingClassIds: ['C2'] }],
    });
    const tt = Timetable.create(problem);
    const a = tt.sessionAt('O1', 1, 2);
    const b = tt.sessionAt('O2', 1, 2);
    if (!a || !b) throw new Error('fixture has no such period');
    tt.add(a);
    expect(tt.conflictsOf(b)).toEqual([
      expect.objectContaining({ constraint: 'classroom-busy', subject: { kind: 'classroom', id: 'shared' } }),
    ]);
  });

  it('reports a move to a period the hub does not have as unknown-period', () => {
    const tt = Timetable.create(twoOfferings);
    const a = tt.sessionAt('O1', 1, 2);
    if (!a) throw new Error('fixture has no such period');
    tt.add(a);
    expect(tt.conflictsOfMove(a, { weekday: 1, period: 9 })).toMatchObject([
      { constraint: 'unknown-period' },
    ]);
    expect(() => tt.move(a, { weekday: 1, period: 9 })).toThrow(TypeError);
  });
});

describe('checkTimetable', () => {
  it('finds each kind of breach in a hand-edited timetable', () => {
    const problem = cluster({
      remote: bells(480),
      downlinkMbps: 2,
      classes: [{ busy: [{ weekday: 1, period: 3 }] }, {}],
      teachers: [{}, {}],
      offerings: [{}, { teacherId: 'T2', recordingRoomId: 'R2', receivingClassIds: ['C2'] }],
    });
    const at = (offeringId: string, weekday: Weekday, period: number, localPeriod = period): Session => {
      const s = Timetable.create(problem).sessionAt(offeringId, weekday, period);
      if (!s) throw new Error('fixture has no such period');
      return { ...s, receiving: s.receiving.map((r) => ({ ...r, period: localPeriod })) };
    };
    const kinds = (sessions: Session[]): string[] =>
      [...new Set(checkTimetable(problem, sessions).hardViolations.map((c) => c.constraint))].sort();
    expect(kinds([at('O1', 1, 2), at('O1', 3, 2)])).toEqual([]);
    expect(kinds([at('O1', 1, 3)])).toEqual(['class-busy']);
    expect(kinds([at('O1', 1, 2, 3)])).toEqual(['class-busy', 'no-overlap']);
    expect(kinds([at('O1', 1, 2), at('O2', 1, 2)])).toEqual(['bandwidth']);
    expect(kinds([at('O1', 1, 2), { ...at('O1', 1, 2), receiving: [] }])).toEqual(
      ['no-overlap', 'teacher-busy', 'room-busy'].sort(),
    );
    expect(checkTimetable(problem, [at('O1', 1, 2)]).missing).toEqual([
      { offeringId: 'O1', missing: 1 },
      { offeringId: 'O2', missing: 2 },
    ]);
  });
});
