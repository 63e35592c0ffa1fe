import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyzeCompatibility,
  applyProposal,
  compatInputFromProblem,
  proposeChanges,
} from '../../scheduler/compat/index.ts';
import type { CompatInput, CompatReport } from '../../scheduler/compat/index.ts';
import type { BellPeriod, ClusterProblem, SchoolInput, Weekday } from '../../scheduler/timetable/model.ts';

const WEEK: readonly Weekday[] = [1, 2, 3, 4, 5];

/** "08:25" → 505. */
function t(clock: string): number {
  const [h = 0, m = 0] = clock.split(':').map(Number);
  return h * 60 + m;
}

/** A school ringing the same periods Monday to Friday. */
function school(id: string, name: string, periods: readonly [string, string][]): SchoolInput {
  return Object.freeze({
    id,
    name,
    downlinkMbps: 6,
    uplinkMbps: 2,
    periods: Object.freeze(
      periods.map(([start, end], i): BellPeriod =>
        Object.freeze({ period: i + 1, start: t(start), end: t(end), weekdays: WEEK }),
      ),
    ),
  });
}

/** The hub's day: 40-minute periods, 10-minute breaks, a 30-minute big break, lunch 11:30–14:30. */
const HUB_DAY: readonly [string, string][] = [
  ['08:00', '08:40'],
  ['08:50', '09:30'],
  ['10:00', '10:40'],
  ['10:50', '11:30'],
  ['14:30', '15:10'],
  ['15:20', '16:00'],
];

/** The hub's day moved by `minutes`. */
function offsetDay(minutes: number): [string, string][] {
  const fmt = (m: number): string =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return HUB_DAY.map(([a, b]) => [fmt(t(a) + minutes), fmt(t(b) + minutes)]);
}

const hub = school('hub', '城关小学', HUB_DAY);
const same = school('dongping', '东坪小学', HUB_DAY);
const fiveLater = school('wuli', '五里小学', offsetDay(5));
const late = school('shuangxikou', '双溪口教学点', offsetDay(25));

/** The 80 % threshold some tests below were worked out at (the product's rule is 90 %, the default). */
const AT_80 = { minOverlap: 0.8 } as const;

const english = (schoolIds: string[], periodsPerWeek = 2): CompatInput['offerings'] => [
  { id: 'english-3', name: '三年级英语', schoolIds, periodsPerWeek },
];

describe('analyzeCompatibility', () => {
  it('finds every hub period common when all schools ring identical bells', () => {
    const report = analyzeCompatibility({ hub, receiving: [same], offerings: english(['dongping']) });
    expect(report.commonSlots).toBe(30);
    expect(report.feasible).toBe(true);
    expect(report.days.map((d) => d.weekday)).toEqual([1, 2, 3, 4, 5]);
    expect(report.days[0]?.commonWindows).toEqual(HUB_DAY.map(([a, b]) => ({ start: t(a), end: t(b) })));
    expect(report.days[0]?.hubPeriods[2]).toEqual({
      weekday: 1,
      period: 3,
      start: t('10:00'),
      end: t('10:40'),
      common: true,
      schools: [
        {
          schoolId: 'dongping',
          period: 3,
          start: t('10:00'),
          end: t('10:40'),
          overlap: 1,
          offsetMinutes: 0,
          ok: true,
        },
      ],
    });
    const [verdict] = report.offerings;
    expect(verdict).toMatchObject({ candidateSlots: 30, enough: true, blocking: [] });
    expect(verdict?.message).toEqual({
      zh: '每周有 30 个共同节次，需要 2 个',
      en: '30 common periods a week, 2 needed',
    });
  });

  it('keeps every period common with bells 5 minutes apart at 80 %, but none at 90 %', () => {
    const input = { hub, receiving: [same, fiveLater], offerings: english(['dongping', 'wuli']) };
    const report = analyzeCompatibility(input, AT_80);
    expect(report.offerings[0]).toMatchObject({ candidateSlots: 30, enough: true });
    const match = report.days[2]?.hubPeriods[0]?.schools.find((s) => s.schoolId === 'wuli');
    expect(match).toMatchObject({ period: 1, overlap: 35 / 40, offsetMinutes: 5, ok: true });
    expect(report.days[2]?.commonWindows[0]).toEqual({ start: t('08:05'), end: t('08:40') });

    // The default is the product's one rule, 90 %.
    const strict = analyzeCompatibility(input);
    expect(strict.minOverlap).toBe(0.9);
    expect(strict.offerings[0]).toMatchObject({ candidateSlots: 0, enough: false });
    expect(strict.offerings[0]?.blocking.map((b) => b.schoolId)).toEqual(['wuli']);
  });

  it('finds no slot with bells 25 minutes apart and names the blocking school', () => {
    const report = analyzeCompatibility(
      { hub, receiving: [fiveLater, late], offerings: english(['wuli', 'shuangxikou']) },
      AT_80,
    );
    expect(report.commonSlots).toBe(0);
    expect(report.feasible).toBe(false);
    const [verdict] = report.offerings;
    expect(verdict).toMatchObject({ candidateSlots: 0, enough: false, slots: [] });
    expect(verdict?.blocking).toEqual([
      {
        schoolId: 'shuangxikou',
        schoolName: '双溪口教学点',
        blockedSlots: 30,
        bestOverlap: 15 / 40,
        offsetMinutes: 25,
        slotsWithout: 30,
      },
    ]);
    expect(verdict?.message).toEqual({
      zh: '双溪口教学点的作息与主讲学校错开 25 分钟，没有重叠 80% 以上的节次',
      en: "双溪口教学点's bells are offset by 25 min from the hub's; no period overlaps 80 %",
    });
  });

  it('judges each offering on its own schools only', () => {
    const report = analyzeCompatibility(
      {
        hub,
        receiving: [fiveLater, late],
        offerings: [
          { id: 'music', name: '音乐', schoolIds: ['wuli'], periodsPerWeek: 1 },
          { id: 'art', name: '美术', schoolIds: ['wuli', 'shuangxikou', 'hub'], periodsPerWeek: 1 },
        ],
      },
      AT_80,
    );
    expect(report.offerings.map((o) => [o.offeringId, o.candidateSlots, o.enough])).toEqual([
      ['music', 30, true],
      ['art', 0, false],
    ]);
    expect(report.offerings[1]?.schoolIds).toEqual(['shuangxikou', 'wuli']);
  });

  it('judges the whole cluster as one offering of 2 periods a week when given no offerings', () => {
    const report = analyzeCompatibility({ hub, receiving: [same, late] });
    expect(report.offerings).toHaveLength(1);
    expect(report.offerings[0]).toMatchObject({ offeringId: 'cluster', periodsPerWeek: 2, enough: false });
  });

  it('rejects overlapping bells and offerings of schools outside the cluster with TypeError', () => {
    const clash = school('clash', '重叠小学', [
      ['08:00', '08:40'],
      ['08:30', '09:10'],
    ]);
    expect(() => analyzeCompatibility({ hub, receiving: [clash] })).toThrow(TypeError);
    expect(() => analyzeCompatibility({ hub, receiving: [same], offerings: english(['nowhere']) })).toThrow(
      /not in the cluster/,
    );
    expect(() => analyzeCompatibility({ hub, receiving: [same] }, { minOverlap: 1.5 })).toThrow(TypeError);
  });

  it('takes offerings from a timetabling problem: the schools of their classes, the periods their teacher and room are free', () => {
    const problem: ClusterProblem = {
      id: 'c1',
      hubSchoolId: 'hub',
      schools: [hub, same, late],
      classes: [
        { id: 'k1', name: '三(1)', schoolId: 'dongping', classroomId: 'r1', busy: [] },
        { id: 'k2', name: '三年级', schoolId: 'shuangxikou', classroomId: 'r2', busy: [] },
        { id: 'k3', name: '三(2)', schoolId: 'dongping', classroomId: 'r1', busy: [] },
      ],
      teachers: [{ id: 't', name: '张老师', schoolId: 'hub', busy: [{ weekday: 1, period: 1 }] }],
      recordingRooms: [{ id: 'rr', name: '录播1', schoolId: 'hub', busy: [{ weekday: 2, period: 3 }] }],
      offerings: [
        {
          id: 'o1',
          name: '英语',
          teacherId: 't',
          recordingRoomId: 'rr',
          receivingClassIds: ['k1', 'k3'],
          periodsPerWeek: 2,
        },
      ],
    };
    const input = compatInputFromProblem(problem);
    expect(input.receiving.map((s) => s.id)).toEqual(['dongping', 'shuangxikou']);
    expect(input.offerings).toMatchObject([
      { id: 'o1', name: '英语', periodsPerWeek: 2, schoolIds: ['dongping'] },
    ]);
    const available = input.offerings?.[0]?.availableSlots ?? [];
    expect(available).toHaveLength(28);
    expect(available).not.toContainEqual({ weekday: 1, period: 1 });
    expect(available).not.toContainEqual({ weekday: 2, period: 3 });
    const report = analyzeCompatibility(input);
    expect(report.feasible).toBe(true);
    expect(report.offerings[0]?.candidateSlots).toBe(28);
  });
});

describe('proposeChanges', () => {
  const input: CompatInput = {
    hub,
    receiving: [fiveLater, late],
    offerings: english(['wuli', 'shuangxikou']),
  };

  it('proposes nothing when every offering already has enough slots', () => {
    expect(proposeChanges({ hub, receiving: [fiveLater], offerings: english(['wuli']) }, AT_80)).toEqual([]);
  });

  it('makes the 25-minute offset feasible with the fewest changes: the big break shortened on one day', () => {
    const [best, ...others] = proposeChanges(input, AT_80);
    expect(best?.changes).toEqual([
      {
        kind: 'shorten-break',
        schoolId: 'shuangxikou',
        schoolName: '双溪口教学点',
        weekdays: [3],
        period: 3,
        old: { start: t('10:25'), end: t('11:05') },
        new: { start: t('10:08'), end: t('10:48') },
      },
      {
        kind: 'shorten-break',
        schoolId: 'shuangxikou',
        schoolName: '双溪口教学点',
        weekdays: [3],
        period: 4,
        old: { start: t('11:15'), end: t('11:55') },
        new: { start: t('10:58'), end: t('11:38') },
      },
    ]);
    expect(best).toMatchObject({
      cost: { changes: 2, minutesMoved: 34, schoolsTouched: 1, hubTouched: false },
      unblocks: ['english-3'],
      newSlots: 2,
      complete: true,
    });
    expect(best?.message.zh).toContain('双溪口教学点周三第 3–4 节提前 17 分钟');
    expect(best?.message.en).toContain('双溪口教学点: Wed periods 3–4 17 min earlier');
    for (const other of others) {
      expect(other.cost.changes).toBeGreaterThanOrEqual(2);
    }

    const [newHub, ...receiving] = applyProposal([hub, fiveLater, late], best!);
    expect(newHub).toBe(hub);
    expect(receiving[0]).toBe(fiveLater);
    expect(receiving[1]?.periods.filter((p) => p.period === 3)).toEqual([
      { period: 3, start: t('10:25'), end: t('11:05'), weekdays: [1, 2, 4, 5] },
      { period: 3, start: t('10:08'), end: t('10:48'), weekdays: [3] },
    ]);
    const after = analyzeCompatibility({ ...input, hub: newHub!, receiving }, AT_80);
    expect(after.feasible).toBe(true);
    expect(after.offerings[0]?.slots).toEqual([
      { weekday: 3, period: 3 },
      { weekday: 3, period: 4 },
    ]);
    expect(late.periods.find((p) => p.period === 3)?.weekdays).toEqual(WEEK);
  });

  it('offers a synchronized period that sets the late school to the hub’s exact time', () => {
    const sync = proposeChanges(input).find((p) => p.kinds.includes('sync-period'));
    expect(sync).toBeDefined();
    expect(sync?.complete).toBe(true);
    expect(sync?.cost.hubTouched).toBe(false);
    expect(new Set(sync?.changes.map((c) => c.schoolId))).toEqual(new Set(['wuli', 'shuangxikou']));
    const [, ...receiving] = applyProposal([hub, fiveLater, late], sync!);
    const after = analyzeCompatibility({ ...input, receiving });
    expect(after.feasible).toBe(true);
    const synced = after.days
      .flatMap((d) => d.hubPeriods)
      .filter((p) => p.schools.every((s) => s.overlap === 1));
    expect(synced.map((p) => [p.weekday, p.period])).toEqual(
      sync!.changes[0]!.weekdays.map((d) => [d, synced[0]?.period]),
    );
    expect(sync?.message.zh).toContain('（同步课时段）');
    expect(sync?.message.en).toContain('(synchronized period)');
  });

  it('keeps within the limits: no proposal shortens a break it may not, or moves further than allowed', () => {
    const none = proposeChanges(input, { maxShiftMinutes: 5, maxBreakCutMinutes: 5 });
    expect(none.every((p) => !p.complete)).toBe(true);
    for (const p of proposeChanges(input, { maxShiftMinutes: 20, maxBreakCutMinutes: 0 })) {
      for (const c of p.changes) expect(Math.abs(c.new.start - c.old.start)).toBeLessThanOrEqual(20);
    }
  });

  it('leaves the bells of fixed schools alone, and proposes nothing when no allowed change helps', () => {
    const proposals = proposeChanges(input, { fixedSchoolIds: ['shuangxikou'] });
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) {
      expect(p.complete).toBe(true);
      expect(p.changes.map((c) => c.schoolId)).not.toContain('shuangxikou');
    }
    expect(proposals[0]?.cost.hubTouched).toBe(true);
    expect(proposeChanges(input, { fixedSchoolIds: ['hub', 'shuangxikou'] })).toEqual([]);
    expect(() => proposeChanges(input, { fixedSchoolIds: ['nowhere'] })).toThrow(TypeError);
  });

  it('rejects a proposal that does not fit the bells it is applied to', () => {
    const [best] = proposeChanges(input);
    const moved = { ...late, periods: late.periods.map((p) => ({ ...p, start: p.start + 1 })) };
    expect(() => applyProposal([moved], best!)).toThrow(TypeError);
  });
});

/** A school day as rural schools ring it, Monday to Friday, Friday afternoon maybe shorter. */
const arbitrarySchool = (id: string): fc.Arbitrary<SchoolInput> =>
  fc
    .record({
      start: fc.integer({ min: 90, max: 108 }).map((n) => n * 5),
      length: fc.constantFrom(40, 45),
      pause: fc.constantFrom(5, 10, 15),
      bigBreak: fc.constantFrom(20, 25, 30),
      afternoon: fc.integer({ min: 166, max: 180 }).map((n) => n * 5),
      afternoonPeriods: fc.integer({ min: 2, max: 3 }),
      earlyFriday: fc.boolean(),
    })
    .map((s) => {
      const periods: BellPeriod[] = [];
      let at = s.start;
      for (let p = 1; p <= 4; p++) {
        periods.push({ period: p, start: at, end: at + s.length, weekdays: WEEK });
        at += s.length + (p === 2 ? s.bigBreak : s.pause);
      }
      at = s.afternoon;
      for (let k = 1; k <= s.afternoonPeriods; k++) {
        const weekdays = k === s.afternoonPeriods && s.earlyFriday ? WEEK.slice(0, 4) : WEEK;
        periods.push({ period: 4 + k, start: at, end: at + s.length, weekdays });
        at += s.length + s.pause;
      }
      return { id, name: `学校${id}`, downlinkMbps: 6, uplinkMbps: 2, periods };
    });

const arbitraryCluster: fc.Arbitrary<CompatInput> = fc
  .integer({ min: 1, max: 3 })
  .chain((n) =>
    fc.record({
      hub: arbitrarySchool('h'),
      receiving: fc.tuple(...Array.from({ length: n }, (_, i) => arbitrarySchool(`r${i}`))),
      offerings: fc.array(
        fc.record({
          pick: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          periodsPerWeek: fc.integer({ min: 1, max: 3 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  )
  .map(({ hub: h, receiving, offerings }) => ({
    hub: h,
    receiving,
    offerings: offerings.map((o, k) => {
      const chosen = receiving.filter((_, i) => o.pick[i]);
      return {
        id: `o${k}`,
        name: `课程${k}`,
        schoolIds: (chosen.length ? chosen : receiving).map((s) => s.id),
        periodsPerWeek: o.periodsPerWeek,
      };
    }),
  }));

/** The report with every per-school list in id order, so that input order does not show. */
function normalized(report: CompatReport): CompatReport {
  return {
    ...report,
    days: report.days.map((d) => ({
      ...d,
      hubPeriods: d.hubPeriods.map((p) => ({
        ...p,
        schools: [...p.schools].sort((a, b) => a.schoolId.localeCompare(b.schoolId)),
      })),
    })),
  };
}

describe('bell compatibility properties', () => {
  it('applying any proposal keeps every school’s periods apart and inside its day', () => {
    fc.assert(
      fc.property(arbitraryCluster, (input) => {
        const schools = [input.hub, ...input.receiving];
        for (const proposal of proposeChanges(input)) {
          const changed = applyProposal(schools, proposal);
          changed.forEach((s, i) => {
            for (const d of WEEK) {
              const day = s.periods.filter((p) => p.weekdays.includes(d)).sort((a, b) => a.start - b.start);
              const before = schools[i]!.periods.filter((p) => p.weekdays.includes(d));
              expect(day.map((p) => p.period).sort()).toEqual(before.map((p) => p.period).sort());
              for (let k = 1; k < day.length; k++)
                expect(day[k]!.start).toBeGreaterThanOrEqual(day[k - 1]!.end);
              expect(day[0]!.start).toBeGreaterThanOrEqual(Math.min(...before.map((p) => p.start)));
              expect(day.at(-1)!.end).toBeLessThanOrEqual(Math.max(...before.map((p) => p.end)));
            }
          });
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('applying any proposal never lowers an offering’s candidate slots, and a complete one makes it feasible', () => {
    fc.assert(
      fc.property(arbitraryCluster, (input) => {
        const before = analyzeCompatibility(input);
        for (const proposal of proposeChanges(input)) {
          const [h, ...receiving] = applyProposal([input.hub, ...input.receiving], proposal);
          const after = analyzeCompatibility({ ...input, hub: h!, receiving });
          expect(after.commonSlots).toBeGreaterThanOrEqual(before.commonSlots);
          after.offerings.forEach((o, k) =>
            expect(o.candidateSlots).toBeGreaterThanOrEqual(before.offerings[k]!.candidateSlots),
          );
          expect(after.feasible).toBe(proposal.complete);
          expect(
            after.offerings
              .filter((o, k) => o.enough && !before.offerings[k]!.enough)
              .map((o) => o.offeringId),
          ).toEqual(proposal.unblocks);
        }
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('analysis does not depend on the order of the receiving schools', () => {
    fc.assert(
      fc.property(
        arbitraryCluster.chain((input) =>
          fc.tuple(
            fc.constant(input),
            fc.shuffledSubarray([...input.receiving], { minLength: input.receiving.length }),
          ),
        ),
        ([input, shuffled]) => {
          expect(normalized(analyzeCompatibility({ ...input, receiving: shuffled }))).toEqual(
            normalized(analyzeCompatibility(input)),
          );
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });
});
