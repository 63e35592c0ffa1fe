/**
 * Proposals: the smallest changes of bells that give every offering of a cluster enough
 * candidate slots (shifted periods, shortened long breaks, a synchronized period 同步课时段),
 * and applying an accepted one to the schools' bell schedules. Pure and deterministic.
 */
import type { BellPeriod, SchoolInput, Weekday } from '../timetable/model.ts';
import { prepare, usableMask } from './cluster.ts';
import type { CompatInput, CompatOptions, Prepared } from './cluster.ts';
import type { ChangeKind, MoveLimits } from './moves.ts';
import { byCost, rootState, Search } from './search.ts';
import type { State } from './search.ts';
import { periodNames, weekdayNames } from './text.ts';
import { text } from '../text.ts';
import type { Text } from '../text.ts';
import { clock } from './windows.ts';
import type { TimeWindow } from './windows.ts';
import { ArgumentError } from '../errors.ts';

export type { ChangeKind } from './moves.ts';

/** Options of {@link proposeChanges}. */
export interface ProposeOptions extends CompatOptions {
  /** Most minutes a period may move in a shift. @default 15 */
  maxShiftMinutes?: number;
  /** Most minutes a long break (大课间, lunch; 20 min or more) may be shortened by. @default 30 */
  maxBreakCutMinutes?: number;
  /** Shortest break, minutes, a change may narrow a break to; breaks already shorter may stay. @default 10 */
  minBreakMinutes?: number;
  /** Most proposals returned. @default 3 */
  maxProposals?: number;
  /** States kept per step of the search. @default 6 */
  beamWidth?: number;
  /** Most steps (targeted changes) a proposal combines. @default 4 */
  maxSteps?: number;
  /** Schools whose bells must stay as they are (say, a hub that serves several clusters). @default [] */
  fixedSchoolIds?: readonly string[];
}

/** One period of one school changed on some weekdays. */
export interface BellChange {
  kind: ChangeKind;
  schoolId: string;
  schoolName: string;
  /** The weekdays the change applies to, ascending. */
  weekdays: Weekday[];
  period: number;
  /** Times before and after, minutes since midnight. */
  old: TimeWindow;
  new: TimeWindow;
}

/** What a proposal costs. */
export interface ProposalCost {
  /** Entries of `changes`: one per school, period and new time. */
  changes: number;
  /** Minutes periods move, summed over periods and weekdays (the larger of start and end moves). */
  minutesMoved: number;
  schoolsTouched: number;
  /** Whether the hub's own bells change. */
  hubTouched: boolean;
}

/** A set of bell changes for the coordinator to accept or not. */
export interface Proposal {
  /** Derived from the changes: equal changes give equal ids. */
  id: string;
  /** Kinds of change it uses. */
  kinds: ChangeKind[];
  /** Sorted by school (hub first, then input order), period, first weekday. */
  changes: BellChange[];
  cost: ProposalCost;
  /** Offerings that have enough candidate slots with it and did not before. */
  unblocks: string[];
  /** Hub slots (weekday, period) that become candidate slots of at least one more offering. */
  newSlots: number;
  /** Every offering has enough candidate slots with it. */
  complete: boolean;
  /** One line for the coordinator, in both languages. */
  message: Text;
}

const DEFAULTS = {
  maxShiftMinutes: 15,
  maxBreakCutMinutes: 30,
  minBreakMinutes: 10,
  maxProposals: 3,
  beamWidth: 6,
  maxSteps: 4,
};

/**
 * Proposes bell changes that give every offering at least `periodsPerWeek` candidate slots,
 * fewest changes first, then fewest minutes moved, fewest schools, hub untouched. Changes keep
 * each school's periods apart by `minBreakMinutes` (or their old break) and inside its day.
 * Empty when the cluster already has enough slots, or when no change within the limits adds
 * any. When no proposal within the limits makes it, the one that gets closest, `complete: false`.
 * @throws TypeError for bad options or bells.
 */
export function proposeChanges(input: CompatInput, options: ProposeOptions = {}): Proposal[] {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  for (const name of ['maxShiftMinutes', 'maxBreakCutMinutes', 'minBreakMinutes'] as const) {
    if (!(settings[name] >= 0 && Number.isFinite(settings[name]))) {
      throw new ArgumentError(`${name} must be a number of minutes ≥ 0: ${settings[name]}`);
    }
  }
  for (const name of ['maxProposals', 'beamWidth', 'maxSteps'] as const) {
    if (!(Number.isInteger(settings[name]) && settings[name] >= 1)) {
      throw new ArgumentError(`${name} must be a whole number ≥ 1: ${settings[name]}`);
    }
  }
  const prepared = prepare(input, options);
  const limits: MoveLimits = {
    minOverlap: prepared.minOverlap,
    maxShiftMinutes: settings.maxShiftMinutes,
    maxBreakCutMinutes: settings.maxBreakCutMinutes,
    minBreakMinutes: settings.minBreakMinutes,
  };
  const root = rootState(prepared);
  if (root.deficit === 0) return [];
  const fixed = new Set(
    (options.fixedSchoolIds ?? []).map((id) => {
      const at = prepared.schools.findIndex((school) => school.id === id);
      if (at < 0) throw new ArgumentError(`fixedSchoolIds: school ${id} is not in the cluster`);
      return at;
    }),
  );
  const search = new Search(prepared, limits, fixed);
  const found = search.beam(root, settings.beamWidth, settings.maxSteps);
  const sync = search.synchronized(root, settings.maxSteps);
  const complete = [...found.complete, ...(sync && sync.deficit === 0 ? [sync] : [])];
  const pool = complete.length ? complete : found.closest ? [found.closest] : [];
  const unique = new Map<string, State>();
  for (const state of pool.sort(byCost)) if (!unique.has(state.signature)) unique.set(state.signature, state);
  const chosen = [...unique.values()].slice(0, settings.maxProposals);
  // The synchronized period is how clusters usually settle this: always offer it when it works.
  if (sync?.deficit === 0 && !chosen.some((s) => s.signature === sync.signature)) {
    chosen.splice(settings.maxProposals - 1, 1, sync);
  }
  return chosen.map((s) => toProposal(prepared, root, s));
}

/**
 * Applies a proposal's changes to bell schedules: a period changed on some of the weekdays it
 * rings on is split into the old times (other weekdays) and the new. Schools the proposal does
 * not touch are returned as they are; inputs are not mutated.
 * @throws TypeError when a change does not fit the bells (a period missing, or with other times).
 */
export function applyProposal(schools: readonly SchoolInput[], proposal: Proposal): SchoolInput[] {
  return applyBellChanges(schools, proposal.changes);
}

/**
 * Applies bell changes (a proposal's, or a co-plan's) to bell schedules; see {@link applyProposal}.
 * @throws TypeError when a change does not fit the bells.
 */
export function applyBellChanges(
  schools: readonly SchoolInput[],
  bellChanges: readonly BellChange[],
): SchoolInput[] {
  return schools.map((school) => {
    const changes = bellChanges.filter((c) => c.schoolId === school.id);
    if (changes.length === 0) return school;
    let periods: BellPeriod[] = [...school.periods];
    for (const change of changes) {
      const next: BellPeriod[] = [];
      const covered = new Set<Weekday>();
      for (const p of periods) {
        const hit = p.period === change.period ? p.weekdays.filter((d) => change.weekdays.includes(d)) : [];
        if (hit.length === 0) {
          next.push(p);
          continue;
        }
        if (p.start !== change.old.start || p.end !== change.old.end) {
          throw new ArgumentError(
            `${school.name}: period ${change.period} is ${clock(p.start)}–${clock(p.end)}, ` +
              `not ${clock(change.old.start)}–${clock(change.old.end)} as the proposal expects`,
          );
        }
        hit.forEach((d) => covered.add(d));
        const rest = p.weekdays.filter((d) => !change.weekdays.includes(d));
        if (rest.length) next.push({ ...p, weekdays: rest });
        next.push({ period: p.period, start: change.new.start, end: change.new.end, weekdays: hit });
      }
      const missing = change.weekdays.filter((d) => !covered.has(d));
      if (missing.length) {
        throw new ArgumentError(
          `${school.name}: period ${change.period} does not ring on weekday ${missing.join(', ')}`,
        );
      }
      periods = next;
    }
    return { ...school, periods: merge(periods) };
  });
}

/** Joins entries of one period with equal times, and orders them by period then weekday. */
function merge(periods: readonly BellPeriod[]): BellPeriod[] {
  const byKey = new Map<string, BellPeriod>();
  for (const p of periods) {
    const key = `${p.period}:${p.start}:${p.end}`;
    const seen = byKey.get(key);
    const weekdays = [...new Set([...(seen?.weekdays ?? []), ...p.weekdays])].sort((a, b) => a - b);
    byKey.set(key, { ...(seen ?? p), weekdays });
  }
  return [...byKey.values()].sort(
    (a, b) => a.period - b.period || (a.weekdays[0] ?? 0) - (b.weekdays[0] ?? 0),
  );
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toProposal(prepared: Prepared, root: State, state: State): Proposal {
  const { offerings, weekdays } = prepared;
  const unblocks = offerings
    .filter(
      (o, k) =>
        (root.counts.perOffering[k] ?? 0) < o.periodsPerWeek &&
        (state.counts.perOffering[k] ?? 0) >= o.periodsPerWeek,
    )
    .map((o) => o.id);
  let newSlots = 0;
  for (const d of weekdays) {
    const before = offerings.map((o) => usableMask(root.counts.masks[d] ?? [], o, d));
    const after = offerings.map((o) => usableMask(state.counts.masks[d] ?? [], o, d));
    let gained = 0;
    after.forEach((m, k) => (gained |= m & ~(before[k] ?? 0)));
    for (let m = gained >>> 0; m; m &= m - 1) newSlots++;
  }
  const kinds = [...new Set(state.changes.map((c) => c.kind))].sort();
  return {
    id: fnv1a(state.signature),
    kinds,
    changes: state.changes,
    cost: state.cost,
    unblocks,
    newSlots,
    complete: state.deficit === 0,
    message: describe(state.changes),
  };
}

/**
 * "双溪口教学点周三第 3–4 节提前 17 分钟（压缩休息时间）" / "双溪口教学点: Wed periods 3–4 17 min
 * earlier (shorter break)": periods of a school moved alike on the same weekdays are named together.
 */
function describe(changes: readonly BellChange[]): Text {
  const groups = new Map<string, { change: BellChange; periods: number[] }>();
  for (const c of changes) {
    const shift = c.new.start - c.old.start;
    const rigid = shift === c.new.end - c.old.end;
    const key = rigid
      ? `${c.schoolId}|${c.weekdays.join()}|${c.kind}|${shift}`
      : `${c.schoolId}|${c.period}|${c.weekdays.join()}`;
    const group = groups.get(key);
    if (group) group.periods.push(c.period);
    else groups.set(key, { change: c, periods: [c.period] });
  }
  const zh: string[] = [];
  const en: string[] = [];
  for (const { change: c, periods } of groups.values()) {
    const days = weekdayNames(c.weekdays);
    const names = periodNames(periods);
    const how = KIND_NAMES[c.kind];
    const shift = c.new.start - c.old.start;
    if (shift === c.new.end - c.old.end) {
      const n = Math.abs(shift);
      zh.push(`${c.schoolName}${days.zh}${names.zh}${shift < 0 ? '提前' : '推迟'} ${n} 分钟（${how.zh}）`);
      en.push(
        `${c.schoolName}: ${days.en} ${names.en} ${n} min ${shift < 0 ? 'earlier' : 'later'} (${how.en})`,
      );
    } else {
      const to = `${clock(c.new.start)}–${clock(c.new.end)}`;
      zh.push(`${c.schoolName}${days.zh}${names.zh}改为 ${to}（${how.zh}）`);
      en.push(`${c.schoolName}: ${days.en} ${names.en} set to ${to} (${how.en})`);
    }
  }
  return text(zh.join('；'), en.join('; '));
}

const KIND_NAMES: Record<ChangeKind, Text> = {
  shift: { zh: '调整节次时间', en: 'shift' },
  'shorten-break': { zh: '压缩休息时间', en: 'shorter break' },
  'sync-period': { zh: '同步课时段', en: 'synchronized period' },
};

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
