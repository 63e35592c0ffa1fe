/**
 * The proposal search: a bounded beam search over targeted bell changes. For a hub period an
 * offering cannot use, the cheapest change of the schools that do not fit it (and of the hub's
 * period, when moving it fits several at once), on the fewest, best spread weekdays; and a greedy
 * search for a synchronized period every school adopts. Days are immutable and shared, so fixes
 * and slot masks are memoized by their identity.
 */
import type { SchoolInput, Weekday } from '../timetable/model.ts';
import { countSlots, deficit, offeringMask } from './cluster.ts';
import type { Prepared, SlotCounts } from './cluster.ts';
import { dayCost, fitSession, hubDeltas, movePeriod, syncSession } from './moves.ts';
import type { ChangeKind, DayOption, MoveLimits } from './moves.ts';
import type { BellChange, ProposalCost } from './propose.ts';
import type { DayBells } from './windows.ts';

/** A point of the search: bells, how each changed period was changed, and its slots. */
export interface State {
  /** `bells[school][weekday]`, as in {@link Prepared.bells}. */
  bells: (readonly DayBells[])[];
  /** Kind of each changed period, by `school:weekday:period`. */
  kinds: ReadonlyMap<string, ChangeKind>;
  counts: SlotCounts;
  /** Slots still missing, summed over offerings. */
  deficit: number;
  /** The changes from the original bells, grouped over weekdays. */
  changes: BellChange[];
  cost: ProposalCost;
  /** Equal for equal changes. */
  signature: string;
}

/** One targeted change: new days per school on some weekdays. */
interface Candidate {
  days: { school: number; weekday: Weekday; option: DayOption }[];
}

/** The search's starting point: the bells as they are. */
export function rootState(prepared: Prepared): State {
  const counts = countSlots(prepared, prepared.bells);
  return {
    bells: [...prepared.bells],
    kinds: new Map(),
    counts,
    deficit: deficit(prepared, counts),
    changes: [],
    cost: { changes: 0, minutesMoved: 0, schoolsTouched: 0, hubTouched: false },
    signature: '',
  };
}

/** Order of proposals: fewest missing slots, changes, minutes, schools, hub untouched. */
export function byCost(a: State, b: State): number {
  return (
    a.deficit - b.deficit ||
    a.cost.changes - b.cost.changes ||
    a.cost.minutesMoved - b.cost.minutesMoved ||
    a.cost.schoolsTouched - b.cost.schoolsTouched ||
    Number(a.cost.hubTouched) - Number(b.cost.hubTouched) ||
    (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0)
  );
}

/** The search over one cluster, with memos shared by its states. */
export class Search {
  readonly #prepared: Prepared;
  readonly #limits: MoveLimits;
  /** Fixes already computed: days are immutable and shared, so their identities make the key. */
  readonly #memo = new Map<string, Fix[]>();
  readonly #ids = new WeakMap<object, number>();
  /** Indices of the schools whose bells may not change. */
  readonly #fixed: ReadonlySet<number>;

  /**
   * @param limits bounds of every change.
   * @param fixed indices (into `prepared.schools`) of the schools whose bells may not change.
   */
  constructor(prepared: Prepared, limits: MoveLimits, fixed: ReadonlySet<number>) {
    this.#prepared = prepared;
    this.#limits = limits;
    this.#fixed = fixed;
  }

  /**
   * Beam search: each step applies one targeted change to each kept state; states that reach
   * enough slots are collected, and only states that could still beat the best are expanded.
   */
  beam(root: State, width: number, steps: number): { complete: State[]; closest: State | null } {
    const complete: State[] = [];
    let closest: State | null = null;
    let beam = [root];
    const seen = new Set<string>([root.signature]);
    for (let step = 0; step < steps && beam.length; step++) {
      const children: State[] = [];
      for (const state of beam) {
        for (const child of improvements(state, this.#targeted(state), (c) => this.#apply(state, c))) {
          if (seen.has(child.signature)) continue;
          seen.add(child.signature);
          if (!closest || byCost(child, closest) < 0) closest = child;
          (child.deficit === 0 ? complete : children).push(child);
        }
      }
      const best = complete.reduce((n, s) => Math.min(n, s.cost.changes), Infinity);
      const gain = (s: State): number => (root.deficit - s.deficit) / Math.max(1, s.cost.changes);
      beam = children
        .filter((s) => s.cost.changes + 1 <= best)
        .sort((a, b) => gain(b) - gain(a) || byCost(a, b))
        .slice(0, width);
    }
    return { complete, closest };
  }

  /**
   * The synchronized-period proposal: greedily, the hub period and weekdays whose adoption as a
   * shared period by every receiving school gains the most slots per change.
   */
  synchronized(root: State, steps: number): State | null {
    let state = root;
    for (let step = 0; step < steps && state.deficit > 0; step++) {
      let best: State | null = null;
      const gain = (s: State): number =>
        (state.deficit - s.deficit) / Math.max(1, s.cost.changes - state.cost.changes);
      for (const child of improvements(state, this.#syncCandidates(state), (c) => this.#apply(state, c))) {
        if (!best || gain(child) > gain(best) || (gain(child) === gain(best) && byCost(child, best) < 0))
          best = child;
      }
      if (!best) return null;
      state = best;
    }
    return state === root ? null : state;
  }

  /** For each offering short of slots and each hub period it cannot use: the cheapest fixes. */
  #targeted(state: State): Candidate[][] {
    const { offerings, weekdays } = this.#prepared;
    const memberSets = new Map<string, { members: readonly number[]; allowed: number[] }>();
    offerings.forEach((o, k) => {
      if ((state.counts.perOffering[k] ?? 0) >= o.periodsPerWeek) return;
      const key = o.members.join(',');
      const set = memberSets.get(key) ?? { members: o.members, allowed: [] };
      memberSets.set(key, set);
      o.allowed.forEach((mask, d) => (set.allowed[d] = (set.allowed[d] ?? 0) | mask));
    });
    const candidates: Candidate[][] = [];
    for (const { members, allowed } of memberSets.values()) {
      for (const period of this.#hubPeriods(state)) {
        const perDay: { weekday: Weekday; fix: Fix }[] = [];
        for (const weekday of weekdays) {
          const hubDay = state.bells[0]?.[weekday] ?? [];
          const h = hubDay.findIndex((p) => p.period === period);
          if (h < 0 || !((allowed[weekday] ?? 0) & (1 << h))) continue;
          if (offeringMask(state.counts.masks[weekday] ?? [], members) & (1 << h)) continue;
          for (const fix of this.#fixes(state, weekday, h, members)) perDay.push({ weekday, fix });
        }
        candidates.push(...spreadCandidates(perDay));
      }
    }
    return candidates;
  }

  /** Every hub period number of the option weekdays, ascending. */
  #hubPeriods(state: State): number[] {
    const periods = new Set<number>();
    for (const d of this.#prepared.weekdays) for (const p of state.bells[0]?.[d] ?? []) periods.add(p.period);
    return [...periods].sort((a, b) => a - b);
  }

  /**
   * Fixes of hub period `h` on a weekday for a set of schools: for each way to move the hub
   * period (not at all, or just enough to meet one school's period), the cheapest change of every
   * member school that does not fit it. The cheapest fix without touching the hub and the
   * cheapest overall are kept.
   */
  #fixes(state: State, weekday: Weekday, h: number, members: readonly number[]): Fix[] {
    const original = this.#prepared.bells;
    const key = [0, ...members]
      .map((s) => `${this.#id(state.bells[s]?.[weekday])}/${this.#id(original[s]?.[weekday])}`)
      .join(',');
    return this.#memoized(`fix:${h}:${members.join('.')}:${key}`, () =>
      this.#computeFixes(state, weekday, h, members),
    );
  }

  #computeFixes(state: State, weekday: Weekday, h: number, members: readonly number[]): Fix[] {
    const original = this.#prepared.bells;
    const hubDay = state.bells[0]?.[weekday] ?? [];
    const session = hubDay[h];
    if (!session) return [];
    const memberDays = members.map((s) => state.bells[s]?.[weekday] ?? []);
    let withoutHub: Fix | null = null;
    let withHub: Fix | null = null;
    const deltas = this.#fixed.has(0) ? [] : hubDeltas(session, memberDays, this.#limits);
    for (const delta of [0, ...deltas]) {
      const hub =
        delta === 0 ? null : movePeriod(original[0]?.[weekday] ?? [], hubDay, h, delta, this.#limits);
      if (delta !== 0 && !hub) continue;
      const target = hub?.day[h] ?? session;
      const options: { school: number; option: DayOption }[] = hub ? [{ school: 0, option: hub }] : [];
      let failed = false;
      for (const s of members) {
        const option = fitSession(
          original[s]?.[weekday] ?? [],
          state.bells[s]?.[weekday] ?? [],
          target,
          this.#limits,
        );
        if (!option || (option.changed && this.#fixed.has(s))) {
          failed = true;
          break;
        }
        if (option.changed) options.push({ school: s, option });
      }
      if (failed || options.length === 0) continue;
      const fix = makeFix(options, state.bells, weekday, this.#prepared.schools);
      if (delta === 0) withoutHub = cheaperFix(withoutHub, fix);
      else withHub = cheaperFix(withHub, fix);
    }
    return [withoutHub, withHub].filter((f): f is Fix => f !== null);
  }

  #memoized(key: string, compute: () => Fix[]): Fix[] {
    let fixes = this.#memo.get(key);
    if (!fixes) this.#memo.set(key, (fixes = compute()));
    return fixes;
  }

  #id(day: object | undefined): number {
    if (!day) return -1;
    let id = this.#ids.get(day);
    if (id === undefined) this.#ids.set(day, (id = this.#nextId++));
    return id;
  }

  #nextId = 0;

  /** For each hub period: every receiving school sets a period to its exact time, on the best spread weekdays. */
  #syncCandidates(state: State): Candidate[][] {
    const { weekdays, schools, bells: original } = this.#prepared;
    const candidates: Candidate[][] = [];
    for (const period of this.#hubPeriods(state)) {
      const perDay: { weekday: Weekday; fix: Fix }[] = [];
      for (const weekday of weekdays) {
        const key = schools
          .map((_, s) => `${this.#id(state.bells[s]?.[weekday])}/${this.#id(original[s]?.[weekday])}`)
          .join(',');
        const fixes = this.#memoized(`sync:${period}:${key}`, () => this.#syncFix(state, weekday, period));
        for (const fix of fixes) perDay.push({ weekday, fix });
      }
      candidates.push(...spreadCandidates(perDay));
    }
    return candidates;
  }

  /** Every receiving school's change to sit hub period `period` of a weekday at its exact time. */
  #syncFix(state: State, weekday: Weekday, period: number): Fix[] {
    const { schools, bells: original } = this.#prepared;
    const session = state.bells[0]?.[weekday]?.find((p) => p.period === period);
    if (!session) return [];
    const options: { school: number; option: DayOption }[] = [];
    for (let s = 1; s < schools.length; s++) {
      const option = syncSession(
        original[s]?.[weekday] ?? [],
        state.bells[s]?.[weekday] ?? [],
        session,
        this.#limits,
      );
      if (!option || (option.changed && this.#fixed.has(s))) return [];
      if (option.changed) options.push({ school: s, option });
    }
    return options.length ? [makeFix(options, state.bells, weekday, schools)] : [];
  }

  /** The state after a candidate; null when it would lower any offering's (or the cluster's) slots. */
  #apply(state: State, candidate: Candidate): State | null {
    const bells = [...state.bells];
    const kinds = new Map(state.kinds);
    const changed = new Set<Weekday>();
    for (const { school, weekday, option } of candidate.days) {
      const days = [...(bells[school] ?? [])];
      const before = days[weekday] ?? [];
      option.day.forEach((p, i) => {
        const q = before[i];
        if (q && (q.start !== p.start || q.end !== p.end))
          kinds.set(`${school}:${weekday}:${p.period}`, option.kind);
      });
      days[weekday] = option.day;
      bells[school] = days;
      changed.add(weekday);
    }
    const counts = countSlots(this.#prepared, bells, { counts: state.counts, changed });
    if (counts.common < state.counts.common) return null;
    if (counts.perOffering.some((n, k) => n < (state.counts.perOffering[k] ?? 0))) return null;
    const changes = bellChanges(this.#prepared, bells, kinds);
    return {
      bells,
      kinds,
      counts,
      deficit: deficit(this.#prepared, counts),
      changes,
      cost: costOf(changes, this.#prepared.schools[0]?.id ?? ''),
      signature: JSON.stringify(
        changes.map((c) => [
          c.schoolId,
          c.period,
          c.weekdays,
          c.old.start,
          c.old.end,
          c.new.start,
          c.new.end,
        ]),
      ),
    };
  }
}

/** A change of one weekday: new days per school, and a key equal for the same change on other weekdays. */
interface Fix {
  options: { school: number; option: DayOption }[];
  key: string;
  changed: number;
  minutes: number;
  hub: boolean;
}

function makeFix(
  options: { school: number; option: DayOption }[],
  bells: State['bells'],
  weekday: Weekday,
  schools: readonly SchoolInput[],
): Fix {
  let changed = 0;
  let minutes = 0;
  const parts: string[] = [];
  for (const { school, option } of options) {
    const before = bells[school]?.[weekday] ?? [];
    const cost = dayCost(before, option.day);
    changed += cost.changed;
    minutes += cost.minutes;
    option.day.forEach((p, i) => {
      const q = before[i];
      if (q && (q.start !== p.start || q.end !== p.end)) {
        parts.push(`${schools[school]?.id}:${p.period}:${q.start}-${q.end}>${p.start}-${p.end}`);
      }
    });
  }
  return { options, key: parts.join('|'), changed, minutes, hub: options.some((o) => o.school === 0) };
}

function cheaperFix(a: Fix | null, b: Fix): Fix {
  if (!a) return b;
  return b.changed < a.changed || (b.changed === a.changed && b.minutes < a.minutes) ? b : a;
}

/**
 * Candidates from per-weekday fixes: weekdays with the same fix are grouped, and each group gives
 * a family of candidates, one per number of weekdays (1, 2, …), on the best spread subset.
 */
function spreadCandidates(perDay: readonly { weekday: Weekday; fix: Fix }[]): Candidate[][] {
  const groups = new Map<string, { weekday: Weekday; fix: Fix }[]>();
  for (const entry of perDay) {
    const group = groups.get(entry.fix.key) ?? [];
    group.push(entry);
    groups.set(entry.fix.key, group);
  }
  return [...groups.values()].map((group) =>
    group.map((_, i) => {
      const chosen = spread(
        group.map((g) => g.weekday),
        i + 1,
      );
      return {
        days: group
          .filter((g) => chosen.includes(g.weekday))
          .flatMap((g) =>
            g.fix.options.map(({ school, option }) => ({ school, weekday: g.weekday, option })),
          ),
      };
    }),
  );
}

/**
 * The children of a state, a family at a time: more weekdays are tried only while they still
 * lower the deficit (beyond that they only move more minutes).
 */
function* improvements(
  state: State,
  families: readonly Candidate[][],
  apply: (c: Candidate) => State | null,
): Generator<State> {
  for (const family of families) {
    let previous = state.deficit;
    for (const candidate of family) {
      const child = apply(candidate);
      if (!child || child.deficit >= state.deficit) continue;
      if (child.deficit >= previous) break;
      previous = child.deficit;
      yield child;
      if (child.deficit === 0) break;
    }
  }
}

/**
 * The best spread `k` of some weekdays: no two adjacent if possible, then closest to midweek
 * (Tue/Thu for two of Mon–Fri, Mon/Wed/Fri for three), then the earliest.
 */
export function spread(weekdays: readonly Weekday[], k: number): Weekday[] {
  const days = [...new Set(weekdays)].sort((a, b) => a - b);
  const key = `${days.join('')}:${k}`;
  const known = SPREAD.get(key);
  if (known) return known;
  const best = bestSpread(days, k);
  SPREAD.set(key, best);
  return best;
}

/** Answers of {@link spread}: at most 2⁷ × 7 of them. */
const SPREAD = new Map<string, Weekday[]>();

function bestSpread(days: readonly Weekday[], k: number): Weekday[] {
  let best: Weekday[] = [];
  let bestScore: number[] = [];
  const score = (set: readonly Weekday[]): number[] => {
    let gap = Infinity;
    for (let i = 1; i < set.length; i++) gap = Math.min(gap, (set[i] ?? 0) - (set[i - 1] ?? 0));
    return [-Math.min(gap, 2), set.reduce((n, d) => n + (d - 3) ** 2, 0)];
  };
  const visit = (start: number, set: Weekday[]): void => {
    if (set.length === k) {
      const s = score(set);
      if (!best.length || s[0]! < bestScore[0]! || (s[0] === bestScore[0] && s[1]! < bestScore[1]!)) {
        best = [...set];
        bestScore = s;
      }
      return;
    }
    for (let i = start; i < days.length; i++) visit(i + 1, [...set, days[i] as Weekday]);
  };
  visit(0, []);
  return best;
}

/** The changes between the original bells and `bells`, grouped over weekdays. */
function bellChanges(
  prepared: Prepared,
  bells: State['bells'],
  kinds: ReadonlyMap<string, ChangeKind>,
): BellChange[] {
  const groups = new Map<string, BellChange>();
  prepared.schools.forEach((school, s) => {
    for (const weekday of prepared.weekdays) {
      const before = prepared.bells[s]?.[weekday] ?? [];
      const after = bells[s]?.[weekday] ?? [];
      if (before === after) continue;
      after.forEach((p, i) => {
        const q = before[i];
        if (!q || (q.start === p.start && q.end === p.end)) return;
        const kind = kinds.get(`${s}:${weekday}:${p.period}`) ?? 'shift';
        const key = `${s}:${p.period}:${q.start}:${q.end}:${p.start}:${p.end}:${kind}`;
        const group = groups.get(key);
        if (group) group.weekdays.push(weekday);
        else {
          groups.set(key, {
            kind,
            schoolId: school.id,
            schoolName: school.name,
            weekdays: [weekday],
            period: p.period,
            old: { start: q.start, end: q.end },
            new: { start: p.start, end: p.end },
          });
        }
      });
    }
  });
  const order = new Map(prepared.schools.map((s, i) => [s.id, i]));
  return [...groups.values()].sort(
    (a, b) =>
      (order.get(a.schoolId) ?? 0) - (order.get(b.schoolId) ?? 0) ||
      a.period - b.period ||
      (a.weekdays[0] ?? 0) - (b.weekdays[0] ?? 0),
  );
}

function costOf(changes: readonly BellChange[], hubId: string): ProposalCost {
  return {
    changes: changes.length,
    minutesMoved: changes.reduce(
      (n, c) =>
        n +
        Math.max(Math.abs(c.new.start - c.old.start), Math.abs(c.new.end - c.old.end)) * c.weekdays.length,
      0,
    ),
    schoolsTouched: new Set(changes.map((c) => c.schoolId)).size,
    hubTouched: changes.some((c) => c.schoolId === hubId),
  };
}
