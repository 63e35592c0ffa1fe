/**
 * Timetable logic: pure TypeScript, no I/O, deterministic. Imports neither express,
 * socket.io nor mongoose.
 */
export { nextCurrentChange, pickCurrentLesson } from './currentLesson.ts';
export type { CurrentLessonOptions, DatedLesson } from './currentLesson.ts';
export { expandTerm, schoolDays } from './calendar.ts';
export type { DatedSession, ExpandOptions, SchoolDay, TermCalendarInput, WeeklySlot } from './calendar.ts';
export type * from './timetable/model.ts';
export { dayName, slotName } from './timetable/messages.ts';
export {
  Timetable,
  MIN_OVERLAP,
  checkTimetable,
  resolveOptions,
  sessionKey,
  solve,
  solveGreedy,
} from './timetable/index.ts';
export {
  analyzeCompatibility,
  applyBellChanges,
  applyProposal,
  compatInputFromProblem,
  proposeChanges,
} from './compat/index.ts';
export type { BellChange, CompatReport, Proposal } from './compat/index.ts';
export type { ConflictQuery, SolverOptions, TimetableReport } from './timetable/index.ts';
export {
  applyLocalChanges,
  applyPlan,
  checkPlan,
  planCluster,
  sameBellChange,
  sameLocalChange,
} from './coplan/index.ts';
export type {
  LocalChange,
  Plan,
  PlanCost,
  PlanOptions,
  PlanChoice,
  PlanReport,
  Refusal,
  UnplacedAccount,
} from './coplan/index.ts';
