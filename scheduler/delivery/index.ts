/**
 * Delivery and attendance rules, and the report figures built on them: pure TypeScript, no
 * I/O, no clock (the caller passes `now`).
 */
export { DEFAULT_RULES, describeRules, judgeSession, resolveRules, unstartedVerdict } from './rules.ts';
export type {
  ClassroomJudgement,
  ClassroomRecord,
  ClassroomStatus,
  ConnectionInterval,
  DeliveryRules,
  SessionJudgement,
  SessionRecord,
  Verdict,
} from './rules.ts';
export {
  checkPeriod,
  monthPeriod,
  periodContaining,
  quarterPeriod,
  termPeriod,
  yearPeriod,
} from './period.ts';
export type { Period, PeriodOptions } from './period.ts';
export type {
  ClassroomFact,
  ClusterInput,
  FigureData,
  OfferingInput,
  RegionInput,
  RecordingFact,
  AllianceInput,
  ResearchData,
  ResearchSessionFact,
  ResearchTeacherInput,
  RegionLevel,
  SchoolInput,
  Scope,
  SessionFact,
  TeacherPeriodsInput,
} from './data.ts';
export { drillDown, emptyFigures, emptyResearch, figuresFor, offeringRows, sumFigures } from './figures.ts';
export type { DrillDown, FigureRow, Figures, OfferingRow, ResearchFigures } from './figures.ts';
export { DEFAULT_TARGETS, ratiosOf } from './ratios.ts';
export type { FigureRatios, Targets } from './ratios.ts';
export { clippedUnion, totalLength } from './intervals.ts';
export type { Span } from './intervals.ts';
