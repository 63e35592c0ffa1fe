/**
 * Bell compatibility of a cluster (作息兼容性): whether the hub's periods leave every receiving
 * school a period to sit a synchronized lesson in, which school's bells block an offering, and
 * the smallest bell changes that would give every offering enough slots. Pure, deterministic.
 */
export { analyzeCompatibility } from './analyze.ts';
export type {
  Blocker,
  CompatReport,
  DayReport,
  HubPeriodReport,
  OfferingVerdict,
  SchoolMatch,
} from './analyze.ts';
export { CLUSTER_OFFERING_ID, compatInputFromProblem } from './cluster.ts';
export type { CompatInput, CompatOffering, CompatOptions } from './cluster.ts';
export { applyBellChanges, applyProposal, proposeChanges } from './propose.ts';
export type { BellChange, ChangeKind, Proposal, ProposalCost, ProposeOptions } from './propose.ts';
export { clock, commonWindows, overlapRatio } from './windows.ts';
export type { TimeWindow } from './windows.ts';
