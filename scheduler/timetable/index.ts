/**
 * The joint timetable of a cluster: the model, candidate slots, the incremental
 * {@link Timetable}, the solver, a greedy baseline and an independent checker. Pure: no I/O,
 * no clock or randomness but what the options inject.
 */
export type * from './model.ts';
export { checkTimetable } from './check.ts';
export type { TimetableReport } from './check.ts';
export { DEFAULT_WEIGHTS, indexCluster, periodKey, resolveOptions } from './cluster.ts';
export type { ClusterIndex, ResolvedOptions, SchoolDay, Slot, StreamLoad } from './cluster.ts';
export { solveGreedy } from './greedy.ts';
export { mulberry32, pick, randomBetween, randomInt } from './random.ts';
export type { Random } from './random.ts';
export {
  MIN_OVERLAP,
  coverage,
  covers,
  overlapMinutes,
  receivingPeriod,
  sessionAt,
  sessionForSlot,
  slotFitsBells,
} from './slots.ts';
export type { ReceivingChoice, Span } from './slots.ts';
export { ADJACENT_DAY_PENALTY, SAME_DAY_PENALTY, softOf } from './soft.ts';
export type { SoftReport } from './soft.ts';
export { explainUnplaced } from './solution.ts';
export { solve } from './solve.ts';
export type { SolverOptions } from './solve.ts';
export { sessionKey, Timetable } from './Timetable.ts';
export type { ConflictQuery } from './Timetable.ts';
