/**
 * The co-plan (课程联合编排): one plan for a cluster's week that places the synchronized
 * sessions together with the changes they need — bell changes and moves of the receiving
 * schools' own lessons — or says exactly what cannot be placed and why.
 */
import type { BellChange } from '../compat/index.ts';
import type { SolverOptions } from '../timetable/solve.ts';
import type { PeriodRef, Session, SoftConstraint, Unplaced } from '../timetable/model.ts';
import type { Text } from '../text.ts';

/**
 * One change to a receiving school's own timetable.
 * - `move`: the lesson moves from `from` to `to` (its teacher and subject unchanged).
 * - `remote`: the lesson is taught by the synchronized session of `offeringId`, which sits in
 *   the class's period `to`; when `to` equals `from` the lesson stays where it was (a natural
 *   slot), otherwise the subject's period moves to `to` and `from` is left free.
 */
export interface LocalChange {
  kind: 'move' | 'remote';
  schoolId: string;
  classId: string;
  subject: string;
  teacherId?: string;
  from: PeriodRef;
  to: PeriodRef;
  offeringId?: string;
}

/**
 * Why some of an offering's sessions can be shown impossible whatever local moves are made, at
 * the bells of the plan (its bell changes applied): bell changes beyond those tried could still
 * open slots, so a proof is about this plan's bells, not about every possible bell schedule.
 */
export interface Proof {
  /**
   * - `candidate-slots`: fewer hub periods than wanted pass every rule no local move can change
   *   (bells at the overlap rule with the best bell proposal tried, the hub teacher's and room's
   *   busy periods, the receiving classes' locked periods, links) for a session alone;
   * - `teacher-capacity`: the hub teacher's offerings together want more sessions than the
   *   teacher's possible periods allow under the daily limit.
   */
  kind: 'candidate-slots' | 'teacher-capacity';
  /** Sessions the bound allows, and sessions wanted (of the offering, or of the teacher's offerings). */
  available: number;
  needed: number;
  message: Text;
}

/**
 * A change a school or the coordinator refused on an earlier plan: a re-plan never proposes it
 * again (see `refusals.ts` for what counts as the same change).
 */
export type Refusal =
  | { kind: 'bell'; change: BellChange; by: 'school' | 'coordinator' }
  | { kind: 'local'; change: LocalChange; by: 'school' | 'coordinator' };

/**
 * Refusals that keep some of an offering's sessions out: with them lifted (a refused bell change
 * applied, a refused local change allowed) the planner places `more` more of its sessions.
 */
export interface RefusalBlock {
  /** Indexes into the plan's `refused`: one refusal, or all of them when none alone is enough. */
  refusals: number[];
  more: number;
  message: Text;
}

/** An offering whose sessions are not all placed. */
export interface UnplacedAccount extends Unplaced {
  /** Sessions of `missing` shown impossible by `proof`; the rest the search did not place. */
  proven: number;
  proof: Proof | null;
  /** Refusals that block some of the missing sessions (empty without refusals, or when none does). */
  blockedBy: RefusalBlock[];
}

/** What a plan asks of the schools. */
export interface PlanCost {
  /** Entries of `bellChanges`. */
  bellChanges: number;
  /** Local lessons whose period changes (a swap counts two). */
  localMoves: number;
  /** Receiving schools whose own timetable changes. */
  schoolsTouched: number;
}

/** The parts of a plan that differ between its alternatives. */
export interface PlanChoice {
  /** The sessions, at the bells after `bellChanges`. */
  sessions: Session[];
  bellChanges: BellChange[];
  /** Per receiving school, what changes in its own timetable (a school approves its part). */
  localChanges: LocalChange[];
  cost: PlanCost;
  placed: number;
  unplaced: UnplacedAccount[];
  /** Soft score of the sessions (lower is better) and its parts, as the checker computes it. */
  score: number;
  soft: Record<SoftConstraint, number>;
  /** One line for the coordinator: what was placed and what it asks. */
  message: Text;
}

/** A ranked alternative: the same cluster planned with other bells, whole (it can be chosen instead). */
export type PlanAlternative = PlanChoice;

/** The co-plan of one cluster: the chosen alternative's parts, and every alternative. */
export interface Plan extends PlanChoice {
  clusterId: string;
  wanted: number;
  /** Every plan tried, the chosen one first: most sessions placed, then fewest changes. */
  alternatives: PlanAlternative[];
  /** The refusals this plan honours (none of them is proposed again), from {@link PlanOptions.refused}. */
  refused: Refusal[];
  stats: { elapsedMs: number; solves: number; proposalsTried: number };
}

/**
 * Options of {@link planCluster}: the solver's (its `timeLimitMs` is the whole plan's, shared
 * equally by the solves of each set of bells tried), and what a change costs.
 */
export interface PlanOptions extends SolverOptions {
  /** Cost of moving one local lesson, in soft-score units (so above any one soft wish). @default 30 */
  moveCost?: number;
  /** Try the bell analysis' proposals when bells leave an offering short of slots. @default true */
  proposeBells?: boolean;
  /** Most bell proposals tried per round. @default 2 */
  maxBellProposals?: number;
  /**
   * Rounds of bell proposals: the first for offerings the bell analysis finds short, the next
   * for offerings the best plan so far still leaves short (asking for more usable slots). @default 3
   */
  maxBellRounds?: number;
  /** Most re-solves after a local repair fails (each forbids the periods that failed). @default 2 */
  maxRepairRounds?: number;
  /** Changes refused on earlier plans: never proposed again (re-planning). @default none */
  refused?: readonly Refusal[];
  /**
   * What an earlier plan had approved, kept where it still holds: its bell changes are the first
   * bells tried (and cost nothing in the ranking), its sessions are preferred. @default none
   */
  keep?: { bellChanges: readonly BellChange[]; sessions: readonly Session[] };
  /**
   * Most re-plans of the best plan with one refusal lifted, to find which refusal keeps a session
   * out (the other alternatives are re-planned with all refusals lifted at once). @default 12
   */
  maxRefusalProbes?: number;
}
