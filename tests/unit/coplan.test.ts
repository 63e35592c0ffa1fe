import { describe, expect, it } from 'vitest';
import { FIXED_PLAN_OPTIONS as fixed, bells, every, school, week } from '../helpers/coplanProblems.ts';
import { analyzeCompatibility, compatInputFromProblem } from '../../scheduler/compat/index.ts';
import { applyPlan, checkPlan, planCluster } from '../../scheduler/coplan/index.ts';
import type { LocalChange } from '../../scheduler/coplan/index.ts';
import { resolveOptions, solve } from '../../scheduler/timetable/index.ts';
import type {
  BellPeriod,
  ClusterProblem,
  LocalLessonInput,
  PeriodRef,
} from '../../scheduler/timetable/index.ts';

/** Every period of the week except `free` ("2/2" = Tuesday period 2). */
function allBut(...free: string[]): PeriodRef[] {
  return every.filter((r) => !free.includes(`${r.weekday}/${r.period}`));
}

interface Setup {
  /** Periods the hub teacher is free in ("2/2"). */
  teacherFree: string[];
  /** Receiving schools: id, bells, and each class's lessons. */
  schools: { id: string; periods?: BellPeriod[]; lessons: LocalLessonInput[]; classes: string[] }[];
  periodsPerWeek?: number;
}

/** A 1+N cluster: hub H, teacher 张老师 teaching 英语 to the first class of every school. */
function cluster(setup: Setup): ClusterProblem {
  return {
    id: 'golden',
    hubSchoolId: 'H',
    schools: [school('H'), ...setup.schools.map((s) => school(s.id, s.periods))],
    classes: setup.schools.flatMap((s) =>
      s.classes.map((id) => ({ id, name: `${id}班`, schoolId: s.id, classroomId: `${id}-room`, busy: [] })),
    ),
    teachers: [{ id: 'T', name: '张老师', schoolId: 'H', busy: allBut(...setup.teacherFree) }],
    recordingRooms: [{ id: 'R', name: '录播1', schoolId: 'H', busy: [] }],
    offerings: [
      {
        id: 'O',
        name: '英语',
        subject: '英语',
        teacherId: 'T',
        recordingRoomId: 'R',
        receivingClassIds: setup.schools.map((s) => s.classes[0] ?? ''),
        periodsPerWeek: setup.periodsPerWeek ?? 2,
      },
    ],
    localTimetables: setup.schools.map((s) => ({ schoolId: s.id, lessons: s.lessons })),
  };
}

const moves = (changes: readonly LocalChange[]): string[] =>
  changes
    .filter((c) => c.kind === 'move' || c.from.weekday !== c.to.weekday || c.from.period !== c.to.period)
    .map((c) => `${c.classId} ${c.subject} ${c.from.weekday}/${c.from.period}→${c.to.weekday}/${c.to.period}`)
    .sort();

describe('planCluster on golden clusters', () => {
  it('needs no local move when the receiving English periods line up with the hub teacher', () => {
    const problem = cluster({
      teacherFree: ['2/2', '4/2'],
      schools: [
        {
          id: 'S',
          classes: ['A'],
          lessons: week('A', 'hA', { '2/2': ['英语', 'hA'], '4/2': ['英语', 'hA'] }),
        },
      ],
    });
    const plan = planCluster(problem, fixed);
    expect(plan.placed).toBe(2);
    expect(plan.cost).toEqual({ bellChanges: 0, localMoves: 0, schoolsTouched: 0 });
    expect(plan.localChanges.map((c) => c.kind)).toEqual(['remote', 'remote']);
    expect(checkPlan(problem, plan).ok).toBe(true);
  });

  it('swaps the English period with the lesson in the way when they do not line up', () => {
    const problem = cluster({
      teacherFree: ['2/2', '4/2'],
      schools: [
        {
          id: 'S',
          classes: ['A'],
          lessons: week('A', 'hA', {
            '2/3': ['英语', 'hA'],
            '4/3': ['英语', 'hA'],
            '2/2': ['数学', 'm'],
            '4/2': ['体育', 'pe'],
          }),
        },
      ],
    });
    const plan = planCluster(problem, fixed);
    expect(plan.placed).toBe(2);
    // The class is full: the lessons in the way can only take the English periods' places.
    expect(moves(plan.localChanges)).toEqual([
      'A 体育 4/2→4/3',
      'A 数学 2/2→2/3',
      'A 英语 2/3→2/2',
      'A 英语 4/3→4/2',
    ]);
    expect(plan.cost.localMoves).toBe(4);
    expect(checkPlan(problem, plan).ok).toBe(true);
  });

  it('moves a lesson elsewhere when a swap would double-book its teacher', () => {
    // The mathematics teacher also teaches class B in Tuesday period 3, so 数学 cannot take the
    // English period's place; Wednesday period 5 is free for class A and for the teacher.
    const problem = cluster({
      teacherFree: ['2/2'],
      periodsPerWeek: 1,
      schools: [
        {
          id: 'S',
          classes: ['A', 'B'],
          lessons: [
            ...week('A', 'hA', { '2/3': ['英语', 'hA'], '2/2': ['数学', 'm'] }, ['3/5']),
            ...week('B', 'hB', { '2/3': ['数学', 'm'] }),
          ],
        },
      ],
    });
    const plan = planCluster(problem, fixed);
    expect(plan.placed).toBe(1);
    expect(moves(plan.localChanges)).toEqual(['A 数学 2/2→3/5', 'A 英语 2/3→2/2']);
    expect(checkPlan(problem, plan).ok).toBe(true);
  });

  it('finds the known optimum of three moves for two schools whose English periods differ', () => {
    // A's English is in Tue/Thu period 2, B's in period 3. Only Tuesday period 2 costs one move
    // (B is free then and takes its English from period 3); every other slot costs two.
    const problem = cluster({
      teacherFree: ['2/2', '2/3', '4/2', '4/3'],
      schools: [
        {
          id: 'SA',
          classes: ['A'],
          lessons: week('A', 'hA', {
            '2/2': ['英语', 'hA'],
            '4/2': ['英语', 'hA'],
            '2/3': ['数学', 'mA'],
            '4/3': ['数学', 'mA'],
          }),
        },
        {
          id: 'SB',
          classes: ['B'],
          lessons: week('B', 'hB', { '2/3': ['英语', 'hB'], '4/3': ['英语', 'hB'], '4/2': ['语文', 'hB'] }, [
            '2/2',
          ]),
        },
      ],
    });
    const plan = planCluster(problem, fixed);
    expect(plan.placed).toBe(2);
    expect(plan.cost.localMoves).toBe(3);
    expect(plan.sessions.map((s) => `${s.weekday}/${s.period}`)).toContain('2/2');
    expect(checkPlan(problem, plan).ok).toBe(true);
  });

  it('never moves a locked period, and proves what it cannot place', () => {
    // The hub teacher is free on Monday period 1, which the class keeps for 升旗, and Tuesday period 2.
    const problem = cluster({
      teacherFree: ['1/1', '2/2'],
      schools: [
        {
          id: 'S',
          classes: ['A'],
          lessons: week('A', 'hA', { '2/2': ['英语', 'hA'], '3/2': ['英语', 'hA'] }),
        },
      ],
    });
    const plan = planCluster(problem, fixed);
    expect(plan.placed).toBe(1);
    expect(plan.localChanges.some((c) => c.subject === '升旗')).toBe(false);
    expect(plan.unplaced).toHaveLength(1);
    expect(plan.unplaced[0]).toMatchObject({
      offeringId: 'O',
      missing: 1,
      proven: 1,
      proof: { kind: 'candidate-slots', available: 1, needed: 2 },
    });
    const applied = applyPlan(problem, plan);
    expect(applied.localTimetables?.[0]?.lessons).toContainEqual({
      classId: 'A',
      weekday: 1,
      period: 1,
      subject: '升旗',
      locked: true,
    });
  });

  it('proposes bell changes with the sessions when bells rule out every slot at the 90 % rule', () => {
    // The receiving school rings 10 minutes late: 35 of 45 minutes (78 %) is below the rule.
    const problem = cluster({
      teacherFree: ['2/2', '4/2'],
      schools: [
        {
          id: 'S',
          periods: bells(490),
          classes: ['A'],
          lessons: week('A', 'hA', { '2/2': ['英语', 'hA'], '4/2': ['英语', 'hA'] }),
        },
      ],
    });
    expect(planCluster(problem, { ...fixed, proposeBells: false }).placed).toBe(0);
    const plan = planCluster(problem, fixed);
    expect(plan.placed).toBe(2);
    expect(plan.bellChanges.length).toBeGreaterThan(0);
    expect(plan.bellChanges.every((c) => c.schoolId === 'S' || c.schoolId === 'H')).toBe(true);
    expect(plan.cost.localMoves).toBe(0);
    expect(checkPlan(problem, plan).ok).toBe(true);
    // Without the bell changes the same sessions break the rules (the overlap, or the hub's bells if it moved).
    expect(checkPlan(problem, { ...plan, bellChanges: [] }).ok).toBe(false);
  });
});

describe('applyPlan', () => {
  it('rejects a local change that matches no lesson of the school with TypeError', () => {
    const problem = cluster({
      teacherFree: ['2/2'],
      schools: [{ id: 'S', classes: ['A'], lessons: week('A', 'hA', {}) }],
    });
    const stray: LocalChange = {
      kind: 'move',
      schoolId: 'S',
      classId: 'A',
      subject: '英语',
      from: { weekday: 2, period: 2 },
      to: { weekday: 3, period: 3 },
    };
    expect(() => applyPlan(problem, { bellChanges: [], localChanges: [stray] })).toThrow(TypeError);
    expect(() =>
      applyPlan(problem, { bellChanges: [], localChanges: [{ ...stray, schoolId: 'H' }] }),
    ).toThrow(TypeError);
  });
});

describe('planCluster proofs', () => {
  it('proves a hub teacher short of periods under the daily limit, and names the teacher', () => {
    // Two offerings of one teacher want two sessions each; the teacher is free in three periods,
    // all on Tuesday, and teaches at most two synchronized periods a day: two sessions at most.
    const base = cluster({
      teacherFree: ['2/2', '2/3', '2/4'],
      schools: [{ id: 'S', classes: ['A', 'B'], lessons: [] }],
    });
    const problem: ClusterProblem = {
      ...base,
      teachers: base.teachers.map((t) => ({ ...t, maxPeriodsPerDay: 2 })),
      offerings: [
        { ...base.offerings[0]!, receivingClassIds: ['A'] },
        { ...base.offerings[0]!, id: 'O2', name: '英语二', receivingClassIds: ['B'] },
      ],
    };
    const plan = planCluster(problem, fixed);
    expect(plan.placed).toBe(2);
    const proofs = plan.unplaced.map((u) => u.proof);
    expect(proofs).toContainEqual(
      expect.objectContaining({ kind: 'teacher-capacity', available: 2, needed: 4 }),
    );
    expect(plan.unplaced.reduce((n, u) => n + u.proven, 0)).toBe(2);
    expect(plan.message.en).toContain('2 provably cannot be placed');
    expect(plan.message.zh).toContain('2 节可证明无法排入');
    expect(checkPlan(problem, plan).ok).toBe(true);
  });
});

describe('one overlap rule', () => {
  it('the bell analysis and the solver default to the same threshold and agree on an 85 % overlap', () => {
    // 40-minute periods 6 minutes apart: 34 of 40 minutes, 85 %.
    const problem = cluster({
      teacherFree: every.map((r) => `${r.weekday}/${r.period}`),
      schools: [{ id: 'S', periods: bells(486, 40), classes: ['A'], lessons: [] }],
    });
    const shifted = { ...problem, schools: [school('H', bells(480, 40)), ...problem.schools.slice(1)] };
    const report = analyzeCompatibility(compatInputFromProblem(shifted));
    expect(report.minOverlap).toBe(resolveOptions().minOverlap);
    expect(report.feasible).toBe(false);
    expect(solve(shifted, fixed).sessions).toEqual([]);
    expect(analyzeCompatibility(compatInputFromProblem(shifted), { minOverlap: 0.8 }).feasible).toBe(true);
    expect(solve(shifted, { ...fixed, minOverlap: 0.8 }).sessions).toHaveLength(2);
  });
});

describe('checkPlan', () => {
  const problem = cluster({
    teacherFree: ['2/2', '4/2'],
    schools: [
      {
        id: 'S',
        classes: ['A', 'B'],
        lessons: [
          ...week('A', 'hA', { '2/3': ['英语', 'hA'], '4/2': ['英语', 'hA'], '2/2': ['数学', 'm'] }),
          ...week('B', 'hB', { '3/3': ['数学', 'm'] }),
        ],
      },
    ],
  });
  const plan = planCluster(problem, fixed);

  it('passes the plan as made', () => {
    expect(plan.placed).toBe(2);
    expect(checkPlan(problem, plan)).toMatchObject({ ok: true, local: [] });
  });

  it('reports a moved lesson that double-books its teacher', () => {
    // Class B has 数学 with the same teacher then.
    const wednesday3: PeriodRef = { weekday: 3, period: 3 };
    const bad = plan.localChanges.map((c) => (c.subject === '数学' ? { ...c, to: wednesday3 } : c));
    const report = checkPlan(problem, { ...plan, localChanges: bad });
    expect(report.ok).toBe(false);
    expect(report.local.map((v) => v.rule)).toContain('teacher-double-booked');
  });

  it('reports a locked lesson moved', () => {
    const moved: LocalChange = {
      kind: 'move',
      schoolId: 'S',
      classId: 'B',
      subject: '升旗',
      from: { weekday: 1, period: 1 },
      to: { weekday: 5, period: 6 },
    };
    const report = checkPlan(problem, { ...plan, localChanges: [...plan.localChanges, moved] });
    expect(report.local.map((v) => v.rule)).toEqual(
      expect.arrayContaining(['locked-changed', 'class-double-booked']),
    );
  });

  it('reports a session left in a period that still holds a local lesson', () => {
    const report = checkPlan(problem, { ...plan, localChanges: [] });
    expect(report.timetable.hardViolations.map((c) => c.constraint)).toContain('class-busy');
  });

  it('reports a remote subject kept locally while its session takes another period', () => {
    const kept = plan.localChanges.filter((c) => !(c.kind === 'remote' && c.from.period !== c.to.period));
    const report = checkPlan(problem, { ...plan, localChanges: kept });
    expect(report.ok).toBe(false);
  });
});
