import {
  analyzeCompatibility,
  applyProposal,
  compatInputFromProblem,
  proposeChanges,
  resolveOptions,
} from '../../scheduler/index.ts';
import type { SchoolInput } from '../../scheduler/index.ts';
import type { Identity } from '../auth/tokens.ts';
import type { CompatView } from '../contract/timetable.ts';
import type { Scope } from '../auth/Scope.ts';
import { ConflictError } from '../errors.ts';
import { both, text } from '../../scheduler/text.ts';
import type { Models } from '../models/index.ts';
import type { AuditLog } from '../resources/AuditLog.ts';
import { clusterInScope } from '../resources/scoping.ts';
import { toClock } from './clock.ts';
import { loadProblem } from './problem.ts';
import type { LoadedProblem } from './problem.ts';
import { defaultBellsName } from '../contract/names.ts';

/**
 * Whether the schools' bells leave common slots for the cluster's offerings (at the solver's
 * own overlap rule), and, when not, the smallest bell changes that would; an accepted
 * proposal rewrites the schools' bell schedules, audited.
 */
export class CompatService {
  readonly #models: Models;
  readonly #audit: AuditLog;

  constructor(models: Models, audit: AuditLog) {
    this.#models = models;
    this.#audit = audit;
  }

  async #load(scope: Scope, clusterId: string, term: string) {
    const loaded = await loadProblem(
      this.#models,
      await clusterInScope(scope, this.#models, clusterId),
      term,
    );
    const input = compatInputFromProblem(loaded.problem);
    // The same rule as the solver's: a session covers each receiving period by this share.
    const options = { minOverlap: resolveOptions().minOverlap };
    return { loaded, input, options };
  }

  async analyze(scope: Scope, clusterId: string, term: string): Promise<CompatView> {
    const { loaded, input, options } = await this.#load(scope, clusterId, term);
    const hubId = loaded.problem.hubSchoolId;
    return {
      report: analyzeCompatibility(input, options),
      proposals: proposeChanges(input, options),
      schools: [...loaded.problem.schools]
        .sort((a, b) => Number(b.id === hubId) - Number(a.id === hubId))
        .map((s) => ({ id: s.id, name: s.name, hub: s.id === hubId, periods: s.periods })),
    };
  }

  /**
   * Accepts a proposal: the changed schools' bell schedules are rewritten (one audit entry
   * each). @throws ConflictError when the proposal no longer applies (the bells changed since)
   */
  async accept(
    scope: Scope,
    identity: Identity,
    clusterId: string,
    term: string,
    proposalId: string,
  ): Promise<CompatView> {
    const { loaded, input, options } = await this.#load(scope, clusterId, term);
    const proposal = proposeChanges(input, options).find((p) => p.id === proposalId);
    if (!proposal)
      throw new ConflictError(
        text(
          '这条建议已不适用（作息已有变动），请刷新',
          'the proposal no longer applies (the bells changed); refresh',
        ),
      );
    const after = applyProposal(loaded.problem.schools, proposal);
    await saveBellSchedules(this.#models, this.#audit, identity, loaded, after, {
      proposal: proposal.id,
      message: both(proposal.message),
    });
    return this.analyze(scope, clusterId, term);
  }
}

/**
 * Writes the bells of the schools whose periods differ in `after` from the loaded problem's
 * (one audit entry each, `why` recorded with it): an accepted bell proposal, an applied co-plan.
 */
export async function saveBellSchedules(
  models: Models,
  audit: AuditLog,
  identity: Identity,
  loaded: LoadedProblem,
  after: readonly SchoolInput[],
  why: Record<string, unknown>,
): Promise<void> {
  for (const school of after) {
    const before = loaded.problem.schools.find((s) => s.id === school.id);
    if (!before || JSON.stringify(before.periods) === JSON.stringify(school.periods)) continue;
    const periods = school.periods.map((p) => ({
      period: p.period,
      start: toClock(p.start),
      end: toClock(p.end),
      weekdays: [...p.weekdays],
    }));
    const stored = await models.BellSchedule.findOneAndUpdate(
      { schoolId: school.id },
      { $set: { periods }, $setOnInsert: { name: defaultBellsName(school.name) } },
      { upsert: true, returnDocument: 'before' },
    ).lean();
    const regionCode = loaded.schools.find((s) => s._id.toString() === school.id)?.regionCode ?? null;
    await audit.record(
      identity,
      'update',
      'bell-schedules',
      stored?._id.toString() ?? null,
      stored ? { periods: stored.periods } : null,
      { periods, ...why },
      regionCode,
    );
    if (!stored) {
      const created = await models.BellSchedule.findOne({ schoolId: school.id }, { _id: 1 }).lean();
      await models.School.updateOne({ _id: school.id }, { $set: { bellScheduleId: created?._id ?? null } });
    }
  }
}
