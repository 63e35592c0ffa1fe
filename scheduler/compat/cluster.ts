/**
 * The cluster as the analysis and the proposal search see it: validated input, every school's
 * bells per weekday, offerings as sets of school indices, and which hub periods each school can
 * sit (as bit masks, so that counting candidate slots is cheap enough to do thousands of times).
 */
import type { ClusterProblem, PeriodRef, SchoolInput, Weekday } from '../timetable/model.ts';
import { MIN_OVERLAP } from '../timetable/slots.ts';
import { bestPeriod, periodsOn } from './windows.ts';
import type { DayBells } from './windows.ts';
import { ArgumentError } from '../errors.ts';

/** An offering as far as bells are concerned: which receiving schools must all sit it. */
export interface CompatOffering {
  id: string;
  name: string;
  /** Receiving schools of its classes; the hub's own id, if present, is ignored. */
  schoolIds: readonly string[];
  /** Sessions a week it needs, so the candidate slots it needs. */
  periodsPerWeek: number;
  /**
   * The hub (weekday, period)s it may use at all — its teacher and recording room free then —
   * so that the analysis counts only slots the timetable could take. @default every hub period
   */
  availableSlots?: readonly PeriodRef[];
}

/** A cluster's bells: the hub, its receiving schools and, optionally, the offerings to judge. */
export interface CompatInput {
  /** The school whose periods give the sessions' wall-clock times. */
  hub: SchoolInput;
  receiving: readonly SchoolInput[];
  /**
   * The offerings to judge. When omitted, the cluster is judged as one offering (id `cluster`)
   * that every receiving school sits, `periodsPerWeek` of the options times a week.
   */
  offerings?: readonly CompatOffering[];
}

/** Options of the analysis. */
export interface CompatOptions {
  /** Share of a receiving school's period a session must overlap, 0–1. @default {@link MIN_OVERLAP} (0.9, the solver's rule) */
  minOverlap?: number;
  /** Weekdays sessions may use. @default [1, 2, 3, 4, 5] */
  weekdays?: readonly Weekday[];
  /** Sessions a week of the implicit whole-cluster offering (no `offerings` given). @default 2 */
  periodsPerWeek?: number;
}

/** Id of the implicit offering judged when the input names none. */
export const CLUSTER_OFFERING_ID = 'cluster';

/** An offering with its schools as indices into {@link Prepared.schools}. */
export interface PreparedOffering {
  id: string;
  name: string;
  periodsPerWeek: number;
  /** Indices of its receiving schools (≥ 1), ascending. */
  members: readonly number[];
  /** `allowed[weekday]`: the hub periods of the day (bit i = i-th by start) it may use. */
  allowed: readonly number[];
}

/** Validated input. */
export interface Prepared {
  /** Index 0 is the hub, then the receiving schools in input order. */
  schools: readonly SchoolInput[];
  /** `bells[school][weekday]`; index 0 of the inner list is unused. Equal days share one array. */
  bells: readonly (readonly DayBells[])[];
  offerings: readonly PreparedOffering[];
  weekdays: readonly Weekday[];
  minOverlap: number;
  /** Masks already computed, by hub day and school day (days are immutable, so identity is a key). */
  masks: WeakMap<DayBells, WeakMap<DayBells, number>>;
}

/** A mask with every hub period of a day. */
const ALL = -1;

/** Most hub periods a day the bit masks hold. */
const MAX_HUB_PERIODS = 30;

/**
 * Checks the input and indexes it.
 * @throws TypeError for a bad option, duplicate or unknown school ids, or a school whose bells
 * overlap (see {@link periodsOn}).
 */
export function prepare(input: CompatInput, options: CompatOptions): Prepared {
  const { minOverlap = MIN_OVERLAP, weekdays = [1, 2, 3, 4, 5], periodsPerWeek = 2 } = options;
  if (!(minOverlap > 0 && minOverlap <= 1))
    throw new ArgumentError(`minOverlap must be in (0, 1]: ${minOverlap}`);
  if (!weekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
    throw new ArgumentError(`weekdays must be ISO weekdays 1–7: ${weekdays.join(',')}`);
  }
  const schools = [input.hub, ...input.receiving];
  const index = new Map<string, number>();
  for (const [i, school] of schools.entries()) {
    if (index.has(school.id)) throw new ArgumentError(`school ${school.id} appears twice in the cluster`);
    index.set(school.id, i);
  }
  const bells = schools.map((school, s) => {
    const seen = new Map<string, DayBells>();
    const days: DayBells[] = [[]];
    for (let d = 1; d <= 7; d++) {
      const day = periodsOn(school, d as Weekday);
      const key = JSON.stringify(day);
      const shared = seen.get(key) ?? day;
      seen.set(key, shared);
      days.push(shared);
      if (s === 0 && day.length > MAX_HUB_PERIODS) {
        throw new ArgumentError(`${school.name}: more than ${MAX_HUB_PERIODS} periods on weekday ${d}`);
      }
    }
    return days;
  });
  const offerings: PreparedOffering[] = (
    input.offerings ?? [
      {
        id: CLUSTER_OFFERING_ID,
        name: '全体接收学校 (all receiving schools)',
        schoolIds: input.receiving.map((s) => s.id),
        periodsPerWeek,
      },
    ]
  ).map((o) => {
    if (!(Number.isInteger(o.periodsPerWeek) && o.periodsPerWeek >= 0)) {
      throw new ArgumentError(`offering ${o.id}: periodsPerWeek must be a whole number ≥ 0`);
    }
    const members = new Set<number>();
    for (const id of o.schoolIds) {
      const at = index.get(id);
      if (at === undefined) throw new ArgumentError(`offering ${o.id}: school ${id} is not in the cluster`);
      if (at > 0) members.add(at);
    }
    const allowed: number[] = [];
    for (let d = 1; d <= 7; d++) {
      const hubDay = bells[0]?.[d] ?? [];
      allowed[d] = o.availableSlots
        ? hubDay.reduce(
            (mask, p, i) =>
              o.availableSlots?.some((r) => r.weekday === d && r.period === p.period)
                ? mask | (1 << i)
                : mask,
            0,
          )
        : ALL;
    }
    return {
      id: o.id,
      name: o.name,
      periodsPerWeek: o.periodsPerWeek,
      members: [...members].sort((a, b) => a - b),
      allowed,
    };
  });
  return {
    schools,
    bells,
    offerings,
    weekdays: [...new Set(weekdays)].sort(),
    minOverlap,
    masks: new WeakMap(),
  };
}

/**
 * The input of the analysis from a whole timetabling problem: each offering needs the schools of
 * its receiving classes. Classes at the hub school, and unknown classes, are left out. Each
 * offering may use only the hub periods its teacher and recording room are free in, as the
 * solver would, so that a slot counted here is one the timetable could take.
 * @throws TypeError when the hub school is not among the problem's schools.
 */
export function compatInputFromProblem(problem: ClusterProblem): CompatInput {
  const hub = problem.schools.find((s) => s.id === problem.hubSchoolId);
  if (!hub) throw new ArgumentError(`hub school ${problem.hubSchoolId} is not among the schools`);
  const schoolOf = new Map(problem.classes.map((c) => [c.id, c.schoolId]));
  const busy = new Set<string>();
  for (const t of problem.teachers) for (const b of t.busy) busy.add(`t:${t.id}|${b.weekday}|${b.period}`);
  for (const r of problem.recordingRooms)
    for (const b of r.busy) busy.add(`r:${r.id}|${b.weekday}|${b.period}`);
  const hubSlots = hub.periods.flatMap((p) => p.weekdays.map((weekday) => ({ weekday, period: p.period })));
  return {
    hub,
    receiving: problem.schools.filter((s) => s.id !== hub.id),
    offerings: problem.offerings.map((o) => ({
      id: o.id,
      name: o.name,
      periodsPerWeek: o.periodsPerWeek,
      availableSlots: hubSlots.filter(
        (s) =>
          !busy.has(`t:${o.teacherId}|${s.weekday}|${s.period}`) &&
          !busy.has(`r:${o.recordingRoomId}|${s.weekday}|${s.period}`),
      ),
      schoolIds: [
        ...new Set(
          o.receivingClassIds.flatMap((c) => {
            const school = schoolOf.get(c);
            return school === undefined || school === hub.id ? [] : [school];
          }),
        ),
      ],
    })),
  };
}

/** Which hub periods of a day a school can sit: bit i is hub period i of the day (by start). */
export function matchMask(hubDay: DayBells, day: DayBells, minOverlap: number): number {
  let mask = 0;
  for (const [i, session] of hubDay.entries()) {
    if (bestPeriod(session, day, minOverlap)?.ok) mask |= 1 << i;
  }
  return mask;
}

/** Candidate slots of one weekday: per school, the hub periods it can sit. Index 0 (hub) is all ones. */
export function dayMasks(prepared: Prepared, bells: Prepared['bells'], weekday: Weekday): number[] {
  const hubDay = bells[0]?.[weekday] ?? [];
  let memo = prepared.masks.get(hubDay);
  if (!memo) prepared.masks.set(hubDay, (memo = new WeakMap()));
  return bells.map((days, s) => {
    if (s === 0) return (1 << hubDay.length) - 1;
    const day = days[weekday] ?? [];
    let mask = memo.get(day);
    if (mask === undefined) memo.set(day, (mask = matchMask(hubDay, day, prepared.minOverlap)));
    return mask;
  });
}

/** The hub periods of a day that every member school can sit. */
export function offeringMask(masks: readonly number[], members: readonly number[]): number {
  let mask = masks[0] ?? 0;
  for (const s of members) mask &= masks[s] ?? 0;
  return mask;
}

/** The hub periods of a day an offering can use: all its schools sit them and it may use them. */
export function usableMask(masks: readonly number[], offering: PreparedOffering, weekday: Weekday): number {
  return offeringMask(masks, offering.members) & (offering.allowed[weekday] ?? ALL);
}

/** Number of set bits. */
export function popcount(mask: number): number {
  let n = 0;
  for (let m = mask >>> 0; m; m &= m - 1) n++;
  return n;
}

/** Candidate slots per offering and common to every school, for some bells. */
export interface SlotCounts {
  /** `masks[weekday][school]`, for the weekdays of the options (others empty). */
  masks: number[][];
  /** Candidate slots a week per offering, in the order of {@link Prepared.offerings}. */
  perOffering: number[];
  /** Hub slots a week that every receiving school can sit. */
  common: number;
}

/** Counts the candidate slots of every offering; `reuse` keeps the masks of days not in `changed`. */
export function countSlots(
  prepared: Prepared,
  bells: Prepared['bells'],
  reuse?: { counts: SlotCounts; changed: ReadonlySet<Weekday> },
): SlotCounts {
  const all = prepared.schools.map((_, s) => s).slice(1);
  const masks: number[][] = [];
  for (const d of prepared.weekdays) {
    masks[d] = reuse && !reuse.changed.has(d) ? (reuse.counts.masks[d] ?? []) : dayMasks(prepared, bells, d);
  }
  const perOffering = prepared.offerings.map((o) =>
    prepared.weekdays.reduce((n, d) => n + popcount(usableMask(masks[d] ?? [], o, d)), 0),
  );
  const common = prepared.weekdays.reduce((n, d) => n + popcount(offeringMask(masks[d] ?? [], all)), 0);
  return { masks, perOffering, common };
}

/** Sum over offerings of the slots still missing. */
export function deficit(prepared: Prepared, counts: SlotCounts): number {
  return prepared.offerings.reduce(
    (n, o, k) => n + Math.max(0, o.periodsPerWeek - (counts.perOffering[k] ?? 0)),
    0,
  );
}
