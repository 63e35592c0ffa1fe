/**
 * The joint-timetable solver: construction (most-constrained offering first, each session in
 * its cheapest feasible slot), then simulated-annealing local search (relocate, swap, insert
 * with ejection) that places what it can and lowers the soft score. Every step keeps the
 * hard rules, so the result never breaks one; locked sessions never move.
 */
import { checkTimetable } from './check.ts';
import { indexCluster, periodKey } from './cluster.ts';
import type { ClusterIndex } from './cluster.ts';
import type { ClusterProblem, Conflict, Session, Solution, SolveOptions } from './model.ts';
import { mulberry32, pick } from './random.ts';
import type { Random } from './random.ts';
import { sessionForSlot } from './slots.ts';
import { offeringPenalty } from './soft.ts';
import { toSolution } from './solution.ts';
import { sessionKey, Timetable } from './Timetable.ts';

/** Options of {@link solve}: the model's {@link SolveOptions} and two search bounds. */
export interface SolverOptions extends SolveOptions {
  /**
   * Stop after this many search steps. Give it (with a generous `timeLimitMs`) for output
   * that does not depend on the machine's speed. @default Infinity
   */
  maxIterations?: number;
  /** Stop after this many steps without a better timetable. @default 20000 */
  stallIterations?: number;
  /**
   * An extra cost of each session, in soft-score units, added to the soft penalty the search
   * lowers (the co-plan prices the local lessons a session would displace). Not part of the
   * reported score. @default none
   */
  sessionCost?: (session: Session) => number;
  /**
   * Whether a session may be placed at all, beyond the hard rules (the co-plan rules out what a
   * school refused). A session it refuses is never a candidate. @default every session
   */
  allow?: (session: Session) => boolean;
  /** Explain the offerings left short in `unplaced` (skip it when only the sessions matter). @default true */
  explain?: boolean;
}

/** Cost of one wanted session left unplaced, in soft-score units: placing always wins. */
const MISSING_COST = 10_000;
const HOT = 3;
const COLD = 0.05;

class Search {
  readonly tt: Timetable;
  /** Per offering, per hub slot (aligned with `index.slots`): the session, if the slot is statically possible. */
  readonly candidates = new Map<string, (Session | undefined)[]>();
  readonly open = new Map<string, Session[]>();
  readonly slotIndex = new Map<string, number>();
  readonly locked = new Set<string>();
  readonly need = new Map<string, number>();
  readonly free: Session[] = [];
  wanted = 0;
  score = 0;

  constructor(
    readonly index: ClusterIndex,
    locked: readonly Session[],
    readonly random: Random,
    readonly extra: ((s: Session) => number) | undefined,
    allow: ((s: Session) => boolean) | undefined,
  ) {
    this.tt = new Timetable(index);
    const empty = new Timetable(index);
    index.slots.forEach((s, i) => this.slotIndex.set(`${s.weekday}|${s.period}`, i));
    for (const s of locked) {
      this.tt.add(s);
      this.locked.add(sessionKey(s));
    }
    for (const o of index.problem.offerings) {
      const teacherBusy = index.busy.teacher.get(o.teacherId);
      const roomBusy = index.busy.room.get(o.recordingRoomId);
      const row = index.slots.map((slot) => {
        // The busy hub teacher or room rules a slot out before its session is built.
        const key = periodKey(slot.weekday, slot.period);
        if (teacherBusy?.has(key) || roomBusy?.has(key)) return undefined;
        const s = sessionForSlot(index, o.id, slot);
        return empty.fits(s) && (allow?.(s) ?? true) ? s : undefined;
      });
      this.candidates.set(o.id, row);
      this.open.set(
        o.id,
        row.filter((s): s is Session => s !== undefined),
      );
      const n = Math.max(0, o.periodsPerWeek - this.tt.sessionsOf(o.id).length);
      this.need.set(o.id, n);
      this.wanted += n;
    }
    this.score = this.tt.softScore().score;
  }

  missingOf(offeringId: string): number {
    const placed = this.tt.sessionsOf(offeringId).filter((s) => !this.locked.has(sessionKey(s))).length;
    return (this.need.get(offeringId) ?? 0) - placed;
  }

  get missing(): number {
    return this.wanted - this.free.length;
  }

  get cost(): number {
    return this.missing * MISSING_COST + this.score;
  }

  put(s: Session): void {
    this.tt.add(s);
    this.free.push(s);
  }

  take(s: Session): void {
    this.tt.remove(s);
    this.free.splice(this.free.indexOf(s), 1);
  }

  feasible(offeringId: string): Session[] {
    return (this.open.get(offeringId) ?? []).filter(
      (c) => !this.tt.get(offeringId, c.weekday, c.period) && this.tt.fits(c),
    );
  }

  penalty(offerings: readonly string[]): number {
    let sum = 0;
    for (const id of new Set(offerings)) sum += this.offeringCost(id, this.tt.sessionsOf(id));
    return sum;
  }

  offeringCost(offeringId: string, sessions: readonly Session[]): number {
    let sum = offeringPenalty(this.index, offeringId, sessions);
    if (this.extra) for (const s of sessions) sum += this.extra(s);
    return sum;
  }

  /** Most-constrained first: the offering with the least slack between feasible slots and need. */
  construct(): void {
    const stuck = new Set<string>();
    const feasible = new Map(this.index.problem.offerings.map((o) => [o.id, this.feasible(o.id)]));
    for (;;) {
      let best: { id: string; options: Session[]; slack: number } | undefined;
      for (const o of this.index.problem.offerings) {
        const missing = this.missingOf(o.id);
        if (missing <= 0 || stuck.has(o.id)) continue;
        const options = feasible.get(o.id) ?? [];
        if (options.length === 0) {
          stuck.add(o.id);
          continue;
        }
        const slack = options.length - missing;
        if (!best || slack < best.slack || (slack === best.slack && options.length < best.options.length)) {
          best = { id: o.id, options, slack };
        }
      }
      if (!best) return;
      const current = this.tt.sessionsOf(best.id);
      const before = this.offeringCost(best.id, current);
      let choice: { s: Session; delta: number } | undefined;
      for (const s of best.options) {
        const delta = this.offeringCost(best.id, [...current, s]) - before;
        if (!choice || delta < choice.delta) choice = { s, delta };
      }
      if (choice) {
        const placed = choice.s;
        this.put(placed);
        this.score += choice.delta;
        // Every hard rule a session can break against another is of the same weekday, so only
        // candidates of the placed session's day need checking again.
        for (const [id, list] of feasible) {
          feasible.set(
            id,
            list.filter(
              (c) =>
                c.weekday !== placed.weekday || (!this.tt.get(id, c.weekday, c.period) && this.tt.fits(c)),
            ),
          );
        }
      }
    }
  }

  /** Applies a change, keeps it with the annealing rule, or undoes it. */
  attempt(affected: string[], temperature: number, apply: () => boolean, undo: () => void): void {
    const before = this.penalty(affected);
    const missing = this.missing;
    if (!apply()) return;
    const soft = this.penalty(affected) - before;
    const delta = (this.missing - missing) * MISSING_COST + soft;
    if (delta <= 0 || this.random() < Math.exp(-delta / temperature)) this.score += soft;
    else undo();
  }

  relocate(t: number): void {
    const s = pick(this.random, this.free);
    const c = s && pick(this.random, this.open.get(s.offeringId) ?? []);
    if (!s || !c || this.tt.get(c.offeringId, c.weekday, c.period) || !this.tt.fits(c, s)) return;
    const move = (from: Session, to: Session): boolean => {
      this.take(from);
      this.put(to);
      return true;
    };
    this.attempt(
      [s.offeringId],
      t,
      () => move(s, c),
      () => move(c, s),
    );
  }

  swap(t: number): void {
    const a = pick(this.random, this.free);
    const b = pick(this.random, this.free);
    if (!a || !b || a.offeringId === b.offeringId || (a.weekday === b.weekday && a.period === b.period))
      return;
    const a2 = this.candidates.get(a.offeringId)?.[this.slotIndex.get(`${b.weekday}|${b.period}`) ?? -1];
    const b2 = this.candidates.get(b.offeringId)?.[this.slotIndex.get(`${a.weekday}|${a.period}`) ?? -1];
    if (!a2 || !b2 || this.tt.get(a2.offeringId, a2.weekday, a2.period)) return;
    if (this.tt.get(b2.offeringId, b2.weekday, b2.period)) return;
    const apply = (): boolean => {
      this.take(a);
      this.take(b);
      if (this.tt.fits(a2)) {
        this.put(a2);
        if (this.tt.fits(b2)) {
          this.put(b2);
          return true;
        }
        this.take(a2);
      }
      this.put(a);
      this.put(b);
      return false;
    };
    const undo = (): void => {
      this.take(a2);
      this.take(b2);
      this.put(a);
      this.put(b);
    };
    this.attempt([a.offeringId, b.offeringId], t, apply, undo);
  }

  /** Places a missing session, ejecting at most two movable sessions that stand in its way. */
  insert(t: number): void {
    const short = this.index.problem.offerings.filter((o) => this.missingOf(o.id) > 0);
    const o = pick(this.random, short);
    const c = o && pick(this.random, this.open.get(o.id) ?? []);
    if (!o || !c || this.tt.get(o.id, c.weekday, c.period)) return;
    const blockers = this.tt.blockersOf(c);
    if (!blockers || blockers.length > 2 || blockers.some((b) => this.locked.has(sessionKey(b)))) return;
    const apply = (): boolean => {
      blockers.forEach((b) => this.take(b));
      if (this.tt.fits(c)) {
        this.put(c);
        return true;
      }
      blockers.forEach((b) => this.put(b));
      return false;
    };
    const undo = (): void => {
      this.take(c);
      blockers.forEach((b) => this.put(b));
    };
    this.attempt([o.id, ...blockers.map((b) => b.offeringId)], t, apply, undo);
  }
}

/**
 * Solves one cluster's weekly timetable. Synchronous; stops at `timeLimitMs`, after
 * `maxIterations` or `stallIterations`, or as soon as everything is placed at zero penalty.
 * The result breaks no hard rule (its `hardViolations` lists only breaches among the locked
 * sessions themselves), keeps `problem.locked` as given, and explains each offering it could
 * not fully place in `unplaced`. Equal seeds and clocks give equal results.
 * @throws TypeError for an inconsistent problem or out-of-range options.
 */
export function solve(problem: ClusterProblem, options: SolverOptions = {}): Solution {
  const {
    seed = 1,
    timeLimitMs = 2000,
    maxIterations = Infinity,
    stallIterations = 20_000,
    onProgress,
  } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const index = indexCluster(problem, options);
  const locked = problem.locked ?? [];
  const hardViolations: Conflict[] = locked.length
    ? checkTimetable(problem, locked, options).hardViolations
    : [];
  const search = new Search(index, locked, mulberry32(seed), options.sessionCost, options.allow);
  search.construct();

  const wanted = problem.offerings.reduce((n, o) => n + o.periodsPerWeek, 0);
  let best = { sessions: search.tt.sessions, cost: search.cost, score: search.score };
  const report = (fraction: number): void =>
    onProgress?.({ fraction, score: best.score, placed: best.sessions.length, wanted });
  report(0);
  let iterations = 0;
  let since = 0;
  let fraction = 0;
  let nextReport = 0.1;
  while (best.cost > 0 && since < stallIterations && (search.free.length > 0 || search.missing > 0)) {
    if (iterations % 8 === 0) {
      fraction = Math.max((now() - started) / timeLimitMs, iterations / maxIterations);
      if (fraction >= 1) break;
      if (fraction >= nextReport) {
        report(fraction);
        nextReport = Math.floor(fraction * 10 + 1) / 10;
      }
    }
    const t = HOT * (COLD / HOT) ** fraction;
    const r = search.random();
    if (search.missing > 0 && r < 0.4) search.insert(t);
    else if (r < 0.8) search.relocate(t);
    else search.swap(t);
    iterations++;
    since++;
    if (search.cost < best.cost - 1e-9) {
      best = { sessions: search.tt.sessions, cost: search.cost, score: search.score };
      since = 0;
    }
  }

  const final = new Timetable(index);
  for (const s of best.sessions) final.add(s);
  // Whatever still fits goes in: an unplaced offering then has every slot blocked by a rule.
  for (const o of problem.offerings) {
    for (const c of search.open.get(o.id) ?? []) {
      if (final.sessionsOf(o.id).length >= o.periodsPerWeek) break;
      if (!final.get(o.id, c.weekday, c.period) && final.fits(c)) final.add(c);
    }
  }
  const stats = { elapsedMs: now() - started, iterations };
  const solution = toSolution(final, hardViolations, stats, options.explain ?? true);
  onProgress?.({ fraction: 1, score: solution.score, placed: solution.sessions.length, wanted });
  return solution;
}
