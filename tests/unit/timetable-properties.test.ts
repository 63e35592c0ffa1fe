import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Timetable, checkTimetable, mulberry32, pick, solve } from '../../scheduler/timetable/index.ts';
import type {
  BellPeriod,
  ClusterProblem,
  PeriodRef,
  Session,
  Weekday,
} from '../../scheduler/timetable/index.ts';

const WEEK: readonly Weekday[] = [1, 2, 3, 4, 5];
const MAX_PERIODS = 7;

function bells(start: number, n: number, length: number, lunch: number): BellPeriod[] {
  const periods: BellPeriod[] = [];
  let t = start;
  for (let p = 1; p <= n; p++) {
    periods.push({ period: p, start: t, end: t + length, weekdays: WEEK });
    t += length + (p === 4 ? lunch : 10);
  }
  return periods;
}

/** About `density` of the week's (weekday, period) pairs (unbiased: fast-check favours extremes). */
const periodSet = (density: number): fc.Arbitrary<PeriodRef[]> =>
  fc.noBias(fc.integer()).map((seed) => {
    const random = mulberry32(seed);
    return Array.from({ length: 5 * MAX_PERIODS }, (_, i) => i).flatMap((i) =>
      random() < density ? [{ weekday: ((i % 5) + 1) as Weekday, period: Math.floor(i / 5) + 1 }] : [],
    );
  });

const schoolArb = fc.record({
  /** Minutes from the hub's first bell. */
  offset: fc.constantFrom(0, 0, 0, 2, 4, -3, 8),
  n: fc.integer({ min: 3, max: MAX_PERIODS }),
  length: fc.constantFrom(45, 45, 45, 40),
  lunch: fc.constantFrom(90, 90, 100),
  downlinkMbps: fc.constantFrom(2, 4, 6, 10, 100),
});

/** Small random 1+N clusters: offset bells, busy classes and teachers, shared classrooms, thin links. */
const clusterArb: fc.Arbitrary<ClusterProblem> = fc
  .record({
    hub: schoolArb,
    remotes: fc.array(schoolArb, { minLength: 1, maxLength: 3 }),
    classBusy: fc.array(periodSet(0.3), { minLength: 6, maxLength: 6 }),
    sharedRoom: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    teachers: fc.array(
      fc.record({ busy: periodSet(0.3), preferred: periodSet(0.3), max: fc.integer({ min: 1, max: 4 }) }),
      { minLength: 1, maxLength: 3 },
    ),
    roomBusy: fc.array(periodSet(0.1), { minLength: 1, maxLength: 2 }),
    offerings: fc.array(
      fc.record({
        teacher: fc.nat(),
        room: fc.nat(),
        classes: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        periodsPerWeek: fc.integer({ min: 0, max: 4 }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map((g) => {
    const schools = [g.hub, ...g.remotes].map((s, i) => ({
      id: `S${i}`,
      name: `学校${i}`,
      periods: bells(480 + (i === 0 ? 0 : s.offset), s.n, s.length, s.lunch),
      downlinkMbps: s.downlinkMbps,
      uplinkMbps: 10,
    }));
    const classes = g.classBusy.map((busy, i) => {
      const schoolId = `S${1 + (i % g.remotes.length)}`;
      return {
        id: `C${i}`,
        name: `班${i}`,
        schoolId,
        classroomId: g.sharedRoom[i] ? `${schoolId}-shared` : `${schoolId}-C${i}`,
        busy,
      };
    });
    return {
      id: 'random',
      hubSchoolId: 'S0',
      schools,
      classes,
      teachers: g.teachers.map((t, i) => ({
        id: `T${i}`,
        name: `老师${i}`,
        schoolId: 'S0',
        maxPeriodsPerDay: t.max,
        busy: t.busy,
        ...(i % 2 === 0 && { preferred: t.preferred }),
      })),
      recordingRooms: g.roomBusy.map((busy, i) => ({ id: `R${i}`, name: `录播${i}`, schoolId: 'S0', busy })),
      offerings: g.offerings.map((o, i) => ({
        id: `O${i}`,
        name: `课${i}`,
        teacherId: `T${o.teacher % g.teachers.length}`,
        recordingRoomId: `R${o.room % g.roomBusy.length}`,
        receivingClassIds: [...new Set(o.classes.map((c) => `C${c % classes.length}`))],
        periodsPerWeek: o.periodsPerWeek,
      })),
    };
  });

function fakeClock(): () => number {
  let t = 0;
  return () => (t += 0.01);
}

const bounded = { timeLimitMs: 1e9, maxIterations: 1500, now: fakeClock };

describe('solve on random clusters (fast-check)', () => {
  it('never breaks a hard rule as judged by checkTimetable, nor places more than periodsPerWeek', () => {
    fc.assert(
      fc.property(clusterArb, fc.integer({ min: 1, max: 1000 }), (problem, seed) => {
        const solution = solve(problem, { ...bounded, now: fakeClock(), seed });
        const report = checkTimetable(problem, solution.sessions);
        expect(report.hardViolations).toEqual([]);
        expect(solution.hardViolations).toEqual([]);
        expect(report.surplus).toEqual([]);
        expect(solution.unplaced.map((u) => ({ offeringId: u.offeringId, missing: u.missing }))).toEqual(
          report.missing,
        );
        for (const u of solution.unplaced) expect(u.reasons.length).toBeGreaterThan(0);
        expect(solution.score).toBeCloseTo(report.score, 9);
      }),
      { numRuns: 60, seed: 20240901 },
    );
  });

  it('gives identical output for the same seed', () => {
    fc.assert(
      fc.property(clusterArb, fc.integer({ min: 1, max: 1000 }), (problem, seed) => {
        const run = (): Session[] => solve(problem, { ...bounded, now: fakeClock(), seed }).sessions;
        expect(run()).toEqual(run());
      }),
      { numRuns: 20, seed: 7 },
    );
  });

  it('keeps locked sessions when solving again', () => {
    fc.assert(
      fc.property(clusterArb, (problem) => {
        const first = solve(problem, { ...bounded, now: fakeClock(), seed: 1 });
        const locked = first.sessions.filter((_, i) => i % 2 === 0);
        const again = solve({ ...problem, locked }, { ...bounded, now: fakeClock(), seed: 2 });
        for (const s of locked) expect(again.sessions).toContainEqual(s);
        expect(checkTimetable(problem, again.sessions).hardViolations).toEqual([]);
      }),
      { numRuns: 20, seed: 11 },
    );
  });
});

describe('Timetable.conflictsOf on random clusters (fast-check)', () => {
  it('agrees with checkTimetable on which rules a new session breaks', () => {
    fc.assert(
      fc.property(clusterArb, fc.integer(), (problem, seed) => {
        const random = mulberry32(seed);
        const tt = Timetable.create(problem);
        const slots = tt.index.slots;
        const candidate = (): Session | undefined => {
          const o = pick(random, problem.offerings);
          const slot = pick(random, slots);
          return o && slot && tt.sessionAt(o.id, slot.weekday, slot.period);
        };
        // A conflict-free base timetable, then random candidates judged both ways.
        for (let i = 0; i < 30; i++) {
          const s = candidate();
          if (s && !tt.get(s.offeringId, s.weekday, s.period) && tt.fits(s)) tt.add(s);
        }
        for (let i = 0; i < 20; i++) {
          const s = candidate();
          if (!s || tt.get(s.offeringId, s.weekday, s.period)) continue;
          const incremental = new Set(tt.conflictsOf(s).map((c) => c.constraint));
          const full = checkTimetable(problem, [...tt.sessions, s]).hardViolations;
          expect(incremental).toEqual(new Set(full.map((c) => c.constraint)));
          expect(tt.fits(s)).toBe(incremental.size === 0);
        }
      }),
      { numRuns: 80, seed: 3 },
    );
  });
});
