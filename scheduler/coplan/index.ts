/**
 * The co-plan of a cluster (课程联合编排): synchronized sessions, moves of the receiving schools'
 * own lessons and bell changes in one plan, an account of what cannot be placed, and the
 * independent check of a plan applied. Pure, deterministic for a seed and clock.
 */
export { applyLocalChanges, applyPlan } from './apply.ts';
export { checkPlan } from './check.ts';
export type { LocalRule, LocalViolation, PlanReport } from './check.ts';
export { LocalTimetables } from './LocalTimetables.ts';
export type { Repair, RepairFailure } from './LocalTimetables.ts';
export type * from './model.ts';
export { planCluster } from './plan.ts';
export { describeRefusal, repeatsBellChange, sameBellChange, sameLocalChange } from './refusals.ts';
