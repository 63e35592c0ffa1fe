/**
 * The co-planner: places a cluster's synchronized sessions while proposing the fewest changes
 * it finds to the receiving schools' own timetables and, when bells leave an offering short of
 * slots, to their bells.
 *
 * How: the receiving classes' movable lessons are taken out of the problem (locked ones stay
 * busy), and the timetable solver places the sessions with each session priced by the local
 * lessons it would displace ({@link LocalTimetables.estimate}); then the repair makes room in
 * the local timetables. A class period the repair cannot free is forbidden and the cluster
 * solved again (a few rounds), after which sessions still in the way are dropped. When bells
 * are short, the bell analysis' proposals (at the same overlap rule) are applied and the whole
 * planned again; the plan that places most, then changes least, wins.
 */
import {
  analyzeCompatibility,
  applyBellChanges,
  applyProposal,
  compatInputFromProblem,
  proposeChanges,
} from '../compat/index.ts';
import type { BellChange, CompatInput, CompatOffering, CompatOptions } from '../compat/index.ts';
import { indexCluster, periodKey } from '../timetable/cluster.ts';
import type { ClusterIndex } from '../timetable/cluster.ts';
import type { ClassInput, ClusterProblem, PeriodRef, Session } from '../timetable/model.ts';
import { sessionForSlot } from '../timetable/slots.ts';
import { softOf } from '../timetable/soft.ts';
import { explainUnplaced } from '../timetable/solution.ts';
import { solve } from '../timetable/solve.ts';
import { sessionKey, Timetable } from '../timetable/Timetable.ts';
import { LocalTimetables } from './LocalTimetables.ts';
import type {
  LocalChange,
  Plan,
  PlanChoice,
  PlanCost,
  PlanOptions,
  Proof,
  RefusalBlock,
  UnplacedAccount,
} from './model.ts';
import { Bans, describeRefusal, sameBellChange } from './refusals.ts';
import { joinTexts, text } from '../text.ts';
import type { Text } from '../text.ts';

interface Attempt {
  problem: ClusterProblem;
  bellChanges: BellChange[];
  sessions: Session[];
  localChanges: LocalChange[];
  relaxed: ClusterProblem;
  cost: PlanCost;
  solves: number;
}

/** The problem without the receiving classes' movable lessons: locked ones and `forbidden` periods stay busy. */
function relax(
  problem: ClusterProblem,
  local: LocalTimetables,
  forbidden: ReadonlyMap<string, PeriodRef[]>,
): ClusterProblem {
  const classes: ClassInput[] = problem.classes.map((c) => {
    const extra = [...local.lockedPeriods(c.id), ...(forbidden.get(c.id) ?? [])];
    return extra.length ? { ...c, busy: [...c.busy, ...extra] } : c;
  });
  const { localTimetables: _dropped, ...rest } = problem;
  return { ...rest, classes };
}

function costOf(bellChanges: readonly BellChange[], changes: readonly LocalChange[]): PlanCost {
  const moved = changes.filter(
    (c) => c.kind === 'move' || c.from.weekday !== c.to.weekday || c.from.period !== c.to.period,
  );
  return {
    bellChanges: bellChanges.length,
    localMoves: moved.length,
    schoolsTouched: new Set(moved.map((c) => c.schoolId)).size,
  };
}

/** Plans one set of bells: solve, repair, forbid what failed, again. Nothing `bans` holds is proposed. */
function attempt(
  problem: ClusterProblem,
  bellChanges: BellChange[],
  options: PlanOptions,
  bans: Bans,
): Attempt {
  const { moveCost = 30, maxRepairRounds = 2 } = options;
  const index = indexCluster(problem, options);
  const local = new LocalTimetables(index);
  const forbidden = new Map<string, PeriodRef[]>();
  const subjectOf = (s: Session): string | undefined => index.offerings.get(s.offeringId)?.subject;
  // Sessions of the plan being re-planned cost a little less: what was there stays where it can.
  const kept = new Set((options.keep?.sessions ?? []).map(sessionKey));
  const solverOptions = {
    ...options,
    explain: false,
    sessionCost: (s: Session) =>
      moveCost * local.estimate(s) + (kept.size && !kept.has(sessionKey(s)) ? 1 : 0),
    allow: (s: Session) => !bans.session(s, subjectOf(s)) && (options.allow?.(s) ?? true),
  };
  let solves = 0;
  for (let round = 0; ; round++) {
    const relaxed = relax(problem, local, forbidden);
    let sessions = solve(relaxed, solverOptions).sessions;
    solves++;
    let repair = local.repair(sessions, bans);
    if (repair.failures.length && round < maxRepairRounds) {
      for (const f of repair.failures) {
        forbidden.set(f.classId, [
          ...(forbidden.get(f.classId) ?? []),
          { weekday: f.weekday, period: f.period },
        ]);
      }
      continue;
    }
    // Last round: a session whose class period cannot be freed is left out.
    while (repair.failures.length) {
      const bad = new Set(repair.failures.map((f) => `${f.classId}|${periodKey(f.weekday, f.period)}`));
      sessions = sessions.filter(
        (s) => !s.receiving.some((r) => bad.has(`${r.classId}|${periodKey(s.weekday, r.period)}`)),
      );
      repair = local.repair(sessions, bans);
    }
    return {
      problem,
      bellChanges,
      sessions,
      localChanges: repair.changes,
      relaxed,
      cost: costOf(bellChanges, repair.changes),
      solves,
    };
  }
}

/** Most placed, then fewest changes; bell changes an earlier plan had approved (`kept`) cost nothing. */
function ranker(kept: readonly BellChange[]): (tried: readonly Attempt[]) => Attempt[] {
  const changes = (x: Attempt): number =>
    x.bellChanges.filter((c) => !kept.some((k) => sameBellChange(k, c))).length + x.cost.localMoves;
  const better = (a: Attempt, b: Attempt): boolean =>
    a.sessions.length > b.sessions.length ||
    (a.sessions.length === b.sessions.length && changes(a) < changes(b));
  return (tried) => [...tried].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}

/**
 * The bell analysis' demand for a later round: an offering whose hub teacher still has sessions
 * missing asks for as many slots as the analysis counts now plus the teacher's missing ones
 * (offerings of one teacher compete for the same slots, which the analysis counts per offering).
 */
function moreSlots(best: Attempt, compat: CompatInput, rule: CompatOptions): CompatOffering[] {
  const report = analyzeCompatibility(compat, rule);
  const missingOf = new Map<string, number>();
  for (const o of best.problem.offerings) {
    const placed = best.sessions.filter((s) => s.offeringId === o.id).length;
    missingOf.set(o.teacherId, (missingOf.get(o.teacherId) ?? 0) + Math.max(0, o.periodsPerWeek - placed));
  }
  const teacherOf = new Map(best.problem.offerings.map((o) => [o.id, o.teacherId]));
  return (compat.offerings ?? []).map((o, k) => {
    const missing = missingOf.get(teacherOf.get(o.id) ?? '') ?? 0;
    const slots = report.offerings[k]?.candidateSlots ?? 0;
    return missing > 0 ? { ...o, periodsPerWeek: Math.max(o.periodsPerWeek, slots + missing) } : o;
  });
}

/** Candidate sessions of an offering that an empty timetable takes: rules no plan can change, and refusals. */
function candidates(index: ClusterIndex, offeringId: string, bans: Bans): Session[] {
  const empty = new Timetable(index);
  const subject = index.offerings.get(offeringId)?.subject;
  return index.slots
    .map((slot) => sessionForSlot(index, offeringId, slot))
    .filter((s) => empty.fits(s) && !bans.session(s, subject));
}

/** Sessions of each offering. */
function placedBy(sessions: readonly Session[]): Map<string, number> {
  const placed = new Map<string, number>();
  for (const s of sessions) placed.set(s.offeringId, (placed.get(s.offeringId) ?? 0) + 1);
  return placed;
}

/**
 * Which refusals keep an offering's sessions out: the plan's bells planned again with one refusal
 * lifted at a time (at most `singles` of them; a refused bell change applied on top, when it
 * still fits the bells), then with all of them lifted when none alone is enough. A refusal that
 * lets more of the offering's sessions in blocks them.
 */
function refusalBlocks(
  chosen: Attempt,
  short: ReadonlyMap<string, number>,
  options: PlanOptions,
  bans: Bans,
  singles: number,
): Map<string, RefusalBlock[]> {
  const out = new Map<string, RefusalBlock[]>();
  const refusals = bans.refusals;
  if (refusals.length === 0 || short.size === 0) return out;
  const have = placedBy(chosen.sessions);
  /** The plan with `lifted` refusals lifted, or null when lifting them changes nothing of the problem. */
  const probe = (lifted: number[]): Map<string, number> | null => {
    let problem = chosen.problem;
    const bells = [...chosen.bellChanges];
    let changes = false;
    for (const i of lifted) {
      const r = refusals[i];
      if (r?.kind !== 'bell') {
        changes = true;
        continue;
      }
      try {
        problem = { ...problem, schools: applyBellChanges(problem.schools, [r.change]) };
        bells.push(r.change);
        changes = true;
      } catch {
        // The refused change no longer fits these bells: lifting it changes nothing.
      }
    }
    if (!changes) return null;
    return placedBy(attempt(problem, bells, options, bans.without(lifted)).sessions);
  };
  const add = (offeringId: string, lifted: number[], more: number): void => {
    const names = joinTexts(lifted.flatMap((i) => (refusals[i] ? [describeRefusal(refusals[i])] : [])));
    const several = lifted.length > 1;
    out.set(offeringId, [
      ...(out.get(offeringId) ?? []),
      {
        refusals: lifted,
        more,
        message: text(
          `不拒绝这${several ? '些' : '项'}改动可多排入 ${more} 节：${names.zh}`,
          `${more} more sessions without ${several ? 'these refusals' : 'this refusal'}: ${names.en}`,
        ),
      },
    ]);
  };
  const gained = (placed: Map<string, number> | null, offeringId: string): number =>
    placed ? (placed.get(offeringId) ?? 0) - (have.get(offeringId) ?? 0) : 0;
  const all = refusals.map((_, i) => i);
  for (const i of all.slice(0, singles)) {
    const placed = probe([i]);
    for (const [offeringId] of short)
      if (gained(placed, offeringId) > 0) add(offeringId, [i], gained(placed, offeringId));
  }
  if ((all.length > 1 || singles === 0) && [...short.keys()].some((id) => !out.has(id))) {
    const placed = probe(all);
    for (const [offeringId] of short)
      if (!out.has(offeringId) && gained(placed, offeringId) > 0)
        add(offeringId, all, gained(placed, offeringId));
  }
  return out;
}

/**
 * Proofs of what cannot be placed, on the chosen bells with only locked lessons busy, and the
 * refusals in the way (`singles` of them probed one by one, see {@link refusalBlocks}).
 */
function account(chosen: Attempt, options: PlanOptions, bans: Bans, singles: number): UnplacedAccount[] {
  const index = indexCluster(chosen.relaxed, options);
  const final = new Timetable(index);
  for (const s of chosen.sessions) final.add(s);
  const placed = placedBy(chosen.sessions);
  if (chosen.sessions.length >= chosen.problem.offerings.reduce((n, o) => n + o.periodsPerWeek, 0)) return [];
  const possible = new Map(chosen.problem.offerings.map((o) => [o.id, candidates(index, o.id, bans)]));
  const short = new Map(
    chosen.problem.offerings
      .map((o) => [o.id, o.periodsPerWeek - (placed.get(o.id) ?? 0)] as const)
      .filter(([, missing]) => missing > 0),
  );
  const blocks = refusalBlocks(chosen, short, options, bans, singles);
  // The hub teacher's bound: per day, at most the daily limit or the distinct possible periods.
  const teacherBound = new Map<string, { available: number; needed: number }>();
  for (const t of chosen.problem.teachers) {
    const theirs = chosen.problem.offerings.filter((o) => o.teacherId === t.id);
    if (theirs.length === 0) continue;
    const perDay = new Map<number, Set<number>>();
    for (const o of theirs) {
      for (const s of possible.get(o.id) ?? []) {
        const set = perDay.get(s.weekday) ?? new Set<number>();
        perDay.set(s.weekday, set.add(s.period));
      }
    }
    let available = 0;
    for (const set of perDay.values()) available += Math.min(index.dayLimit(t.id), set.size);
    teacherBound.set(t.id, { available, needed: theirs.reduce((n, o) => n + o.periodsPerWeek, 0) });
  }
  const out: UnplacedAccount[] = [];
  const teacherProven = new Map<string, number>();
  for (const o of chosen.problem.offerings) {
    const missing = o.periodsPerWeek - (placed.get(o.id) ?? 0);
    if (missing <= 0) continue;
    const reasons = explainUnplaced(final, o.id, missing);
    const slots = possible.get(o.id)?.length ?? 0;
    const bound = teacherBound.get(o.teacherId);
    let proof: Proof | null = null;
    let proven = 0;
    if (slots < o.periodsPerWeek) {
      proven = Math.min(missing, o.periodsPerWeek - slots);
      proof = {
        kind: 'candidate-slots',
        available: slots,
        needed: o.periodsPerWeek,
        message: text(
          `《${o.name}》每周只有 ${slots} 个可排节次（作息、主讲教师、录播教室、锁定节次、带宽${bans.empty ? '' : '、被拒绝的改动'}），需要 ${o.periodsPerWeek} 个`,
          `${o.name}: only ${slots} hub periods a week pass the rules no local move can change (bells, hub teacher, recording room, locked periods, links${bans.empty ? '' : ', refusals'}); ${o.periodsPerWeek} wanted`,
        ),
      };
    } else if (bound && bound.available < bound.needed) {
      const left = bound.needed - bound.available - (teacherProven.get(o.teacherId) ?? 0);
      proven = Math.max(0, Math.min(missing, left));
      teacherProven.set(o.teacherId, (teacherProven.get(o.teacherId) ?? 0) + proven);
      const name = index.teachers.get(o.teacherId)?.name ?? o.teacherId;
      proof = {
        kind: 'teacher-capacity',
        available: bound.available,
        needed: bound.needed,
        message: text(
          `主讲教师 ${name} 每周最多可上 ${bound.available} 节同步课（空闲节次与每日上限），其课程需要 ${bound.needed} 节`,
          `hub teacher ${name} can take at most ${bound.available} sessions a week (free periods and the daily limit); their offerings want ${bound.needed}`,
        ),
      };
    }
    out.push({ ...reasons, proven, proof, blockedBy: blocks.get(o.id) ?? [] });
  }
  return out;
}

function summary(placed: number, wanted: number, cost: PlanCost, proven: number, refused: number): Text {
  const changes = text(
    `${cost.bellChanges} 处作息调整、${cost.localMoves} 节本地课调动`,
    `${cost.bellChanges} bell changes and ${cost.localMoves} local lesson moves`,
  );
  const honours = refused
    ? text(`；不再提出已拒绝的 ${refused} 项改动`, `; none of the ${refused} refused changes proposed again`)
    : text('', '');
  if (placed >= wanted)
    return text(
      `全部 ${wanted} 节同步课已排入，需 ${changes.zh}${honours.zh}`,
      `All ${wanted} sessions placed with ${changes.en}${honours.en}`,
    );
  return text(
    `已排入 ${placed}/${wanted} 节，需 ${changes.zh}；其余 ${wanted - placed} 节中 ${proven} 节可证明无法排入${honours.zh}`,
    `${placed} of ${wanted} sessions placed with ${changes.en}; of the other ${wanted - placed}, ${proven} provably cannot be placed${honours.en}`,
  );
}

/**
 * Plans a cluster's week: sessions, local moves and bell changes together. Deterministic for a
 * seed and clock (see {@link PlanOptions}); the sessions, applied with the changes
 * ({@link applyPlan}), pass the independent checker and keep every local teacher single-booked and
 * every locked lesson in place.
 * @throws TypeError for an inconsistent problem or out-of-range options.
 */
export function planCluster(problem: ClusterProblem, options: PlanOptions = {}): Plan {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const {
    proposeBells = true,
    maxBellProposals = 2,
    maxBellRounds = 3,
    timeLimitMs = 2000,
    maxRefusalProbes = 12,
  } = options;
  const bans = new Bans(options.refused ?? []);
  const keptBells = (options.keep?.bellChanges ?? []).filter((c) => bans.bell(c) === undefined);
  // The time limit is the whole plan's: each solve gets an equal share of it.
  const share = {
    ...options,
    timeLimitMs:
      timeLimitMs / (1 + (keptBells.length ? 1 : 0) + (proposeBells ? maxBellRounds * maxBellProposals : 0)),
  };
  const rank = ranker(keptBells);
  const index = indexCluster(problem, options);
  const wanted = problem.offerings.reduce((n, o) => n + o.periodsPerWeek, 0);
  const tried: Attempt[] = [attempt(problem, [], share, bans)];
  if (keptBells.length) {
    try {
      const schools = applyBellChanges(problem.schools, keptBells);
      tried.push(attempt({ ...problem, schools }, [...keptBells], share, bans));
    } catch {
      // The approved bell changes no longer fit the bells: nothing of them to keep.
    }
  }
  let proposalsTried = 0;
  const rule = { minOverlap: index.options.minOverlap, weekdays: index.options.weekdays };
  const refusedBells = bans.refusals.filter((r) => r.kind === 'bell').length;
  // Bells: first what the analysis finds short; then, from the best plan so far, more slots for
  // the offerings still short (their teacher's other offerings compete for the same slots).
  // A proposal that repeats a refused bell change is never tried.
  for (let round = 0; proposeBells && round < maxBellRounds; round++) {
    const best = rank(tried)[0];
    if (!best || best.sessions.length >= wanted) break;
    const compat = compatInputFromProblem(best.problem);
    const demand = round === 0 ? compat : { ...compat, offerings: moreSlots(best, compat, rule) };
    if (round === 0 && analyzeCompatibility(compat, rule).feasible) continue;
    const proposals = proposeChanges(demand, { ...rule, maxProposals: maxBellProposals + refusedBells })
      .filter((p) => p.changes.every((c) => bans.bell(c) === undefined))
      .slice(0, maxBellProposals);
    for (const proposal of proposals) {
      proposalsTried++;
      const schools = applyProposal(best.problem.schools, proposal);
      const next = attempt(
        { ...best.problem, schools },
        [...best.bellChanges, ...proposal.changes],
        share,
        bans,
      );
      tried.push(next);
      // Proposals come cheapest first: once one places everything, the others would only trade
      // more bell changes for fewer local moves.
      if (next.sessions.length >= wanted) break;
    }
  }
  const ranked = rank(tried);
  // Which refusal keeps a session out: for the best plan, each refusal lifted in turn (up to
  // maxRefusalProbes), then all together; for the other alternatives, all together only. In a
  // share of the time limit of their own.
  const singles = Math.min(bans.refusals.length, maxRefusalProbes);
  const short = ranked.filter((a) => a.sessions.length < wanted).length;
  const probes = bans.empty ? 0 : short + singles;
  const probeShare = { ...options, timeLimitMs: timeLimitMs / Math.max(1, probes) };
  const choices: PlanChoice[] = ranked.map((a, i) => {
    const unplaced = account(a, probeShare, bans, i === 0 ? singles : 0);
    const soft = softOf(indexCluster(a.relaxed, options), a.sessions);
    const proven = unplaced.reduce((n, u) => n + u.proven, 0);
    return {
      sessions: a.sessions,
      bellChanges: a.bellChanges,
      localChanges: a.localChanges,
      cost: a.cost,
      placed: a.sessions.length,
      unplaced,
      score: soft.score,
      soft: soft.soft,
      message: summary(a.sessions.length, wanted, a.cost, proven, bans.refusals.length),
    };
  });
  const chosen = choices[0];
  if (!chosen) throw new Error('co-plan: no plan was tried');
  return {
    clusterId: problem.id,
    ...chosen,
    wanted,
    alternatives: choices,
    refused: [...bans.refusals],
    stats: {
      elapsedMs: now() - started,
      solves: tried.reduce((n, a) => n + a.solves, 0),
      proposalsTried,
    },
  };
}
