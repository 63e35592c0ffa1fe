import {
  applyLocalChanges,
  applyPlan,
  checkTimetable,
  sameBellChange,
  sameLocalChange,
  Timetable,
} from '../../scheduler/index.ts';
import type { BellChange, LocalChange, LocalTimetableInput, Plan, Refusal } from '../../scheduler/index.ts';
import type { Identity } from '../auth/tokens.ts';
import type { Scope } from '../auth/Scope.ts';
import type {
  CoPlanBellChangeView,
  CoPlanLessonView,
  CoPlanLocalChangeView,
  CoPlanSchoolView,
  CoPlanSummary,
  CoPlanView,
  LocalLessonView,
  PeriodView,
} from '../contract/timetable.ts';
import { storedText, text, verbatim } from '../../scheduler/text.ts';
import { ConflictError, NotFoundError, StalePlanError, ValidationError } from '../errors.ts';
import type { CoPlan, Models } from '../models/index.ts';
import type { AuditLog } from '../resources/AuditLog.ts';
import { clusterIdsInScope, clusterInScope, schoolInScope } from '../resources/scoping.ts';
import { toClock } from './clock.ts';
import { partOf, partsOf } from './CoPlanJobs.ts';
import type { Approval, CoPlanJob, CoPlanJobs } from './CoPlanJobs.ts';
import { saveBellSchedules } from './CompatService.ts';
import { checkWeek } from './LocalTimetableService.ts';
import { fromSession, loadProblem, offeringName, problemFingerprint } from './problem.ts';
import type { LoadedProblem } from './problem.ts';
import type { SolveJobs } from './SolveJobs.ts';
import { saveSolution } from './SolveJobs.ts';

const ALREADY_APPLIED = text('方案已经应用', 'the plan is already applied');
/** A co-plan as stored: the scheduler's plan and the decisions on it. */
type StoredPlan = Omit<CoPlan, 'plan'> & { plan: Plan };

/** A school's stored decision on `plan`, as an approval carried to a new plan (kept if its part is the same). */
const approvalOf = (plan: Plan, p: StoredPlan['schools'][number]): Approval => ({
  schoolId: p.schoolId.toString(),
  by: p.by ?? null,
  at: p.at ? new Date(p.at).toISOString() : null,
  note: p.note ?? '',
  part: partOf(plan, p.schoolId.toString()),
});

/** The refusals a plan honours (none in plans stored before re-planning existed). */
const honoured = (plan: Partial<Pick<Plan, 'refused'>>): Refusal[] => plan.refused ?? [];

const bellView = (c: BellChange): Omit<CoPlanBellChangeView, 'index' | 'refused'> => ({
  kind: c.kind,
  schoolId: c.schoolId,
  schoolName: c.schoolName,
  weekdays: [...c.weekdays],
  period: c.period,
  from: { start: toClock(c.old.start), end: toClock(c.old.end) },
  to: { start: toClock(c.new.start), end: toClock(c.new.end) },
});

const localView = (c: LocalChange): Omit<CoPlanLocalChangeView, 'index' | 'refused'> => ({
  kind: c.kind,
  schoolId: c.schoolId,
  classId: c.classId,
  subject: c.subject,
  teacher: teacherName(c.schoolId, c.teacherId),
  from: { ...c.from },
  to: { ...c.to },
  offeringId: c.offeringId ?? null,
});

/**
 * Every refusal a re-plan of `stored` must honour: those its plan honours already, the changes
 * the coordinator refused, and the whole part of each school that refused its part. Each once.
 */
function refusalsOf(stored: StoredPlan): Refusal[] {
  const plan = stored.plan;
  const out: Refusal[] = [...honoured(plan)];
  const add = (r: Refusal): void => {
    const seen = out.some((x) =>
      x.kind === 'bell' && r.kind === 'bell'
        ? sameBellChange(x.change, r.change)
        : x.kind === 'local' && r.kind === 'local' && sameLocalChange(x.change, r.change),
    );
    if (!seen) out.push(r);
  };
  for (const i of stored.refusedBellChanges) {
    const change = plan.bellChanges[i];
    if (change) add({ kind: 'bell', change, by: 'coordinator' });
  }
  for (const i of stored.refusedLocalChanges) {
    const change = plan.localChanges[i];
    if (change) add({ kind: 'local', change, by: 'coordinator' });
  }
  for (const part of stored.schools.filter((p) => p.decision === 'refused')) {
    const { bellChanges, localChanges } = partOf(plan, part.schoolId.toString());
    for (const change of bellChanges) add({ kind: 'bell', change, by: 'school' });
    for (const change of localChanges) add({ kind: 'local', change, by: 'school' });
  }
  return out;
}

const periodViews = (
  periods: readonly { period: number; start: number; end: number; weekdays: readonly number[] }[],
): PeriodView[] =>
  periods.map((p) => ({
    period: p.period,
    start: toClock(p.start),
    end: toClock(p.end),
    weekdays: [...p.weekdays],
  }));

/** The local teacher's name from the scheduler's id (`${schoolId}:${name}`). */
const teacherName = (schoolId: string, id: string | undefined): string =>
  id?.startsWith(`${schoolId}:`) ? id.slice(schoolId.length + 1) : (id ?? '');

const lessonView = (schoolId: string, l: LocalTimetableInput['lessons'][number]): LocalLessonView => ({
  classId: l.classId,
  weekday: l.weekday,
  period: l.period,
  subject: l.subject,
  teacher: teacherName(schoolId, l.teacherId),
  locked: l.locked ?? false,
});

/**
 * Co-planning with the receiving schools (课程联合编排) through the platform: a coordinator
 * starts a co-plan (a job); each school whose bells or own timetable it changes sees its week
 * before and after and approves or refuses its part; the coordinator may refuse single changes,
 * then applies the plan once every part is approved (or only the approved parts): bells and
 * the schools' own timetables are rewritten with `scheduler/coplan`'s `applyPlan`, the sessions
 * that still fit become the term's draft. Every step is audited. A plan whose data changed
 * since it was made (bells, classes, local timetables, offerings, locked sessions) is stale:
 * deciding on it or applying it is refused with `STALE_PLAN`.
 */
export class CoPlanService {
  readonly #models: Models;
  readonly #audit: AuditLog;
  readonly #jobs: CoPlanJobs;
  readonly #solves: SolveJobs;
  readonly #now: () => number;

  constructor(
    models: Models,
    audit: AuditLog,
    jobs: CoPlanJobs,
    solves: SolveJobs,
    now: () => number = Date.now,
  ) {
    this.#models = models;
    this.#audit = audit;
    this.#jobs = jobs;
    this.#solves = solves;
    this.#now = now;
  }

  async #load(scope: Scope, clusterId: string, term: string): Promise<LoadedProblem> {
    return loadProblem(this.#models, await clusterInScope(scope, this.#models, clusterId), term);
  }

  async #stored(clusterId: string, term: string): Promise<StoredPlan | null> {
    return this.#models.CoPlan.findOne({ clusterId, term }).lean<StoredPlan>();
  }

  /** The plan, fresh (its data unchanged since) and not yet applied. */
  async #proposed(loaded: LoadedProblem): Promise<StoredPlan> {
    const stored = await this.#stored(loaded.cluster._id.toString(), loaded.term);
    if (!stored) throw new NotFoundError(text('这个学期还没有联合编排方案', 'no co-plan for this term yet'));
    if (stored.state === 'applied') throw new ConflictError(ALREADY_APPLIED);
    if (stored.fingerprint !== problemFingerprint(loaded.problem)) throw new StalePlanError();
    return stored;
  }

  /** Starts a co-plan of the cluster's term (a job; its result replaces the previous plan). */
  async start(
    scope: Scope,
    identity: Identity,
    clusterId: string,
    term: string,
    options: { timeLimitMs: number; seed: number },
  ): Promise<CoPlanJob> {
    const loaded = await this.#load(scope, clusterId, term);
    if (!loaded.offerings.length)
      throw new ValidationError(text(`没有 ${term} 学期的开课计划`, `no offerings for ${term}`));
    return this.#launch(
      identity,
      loaded,
      { clusterId, term, fingerprint: problemFingerprint(loaded.problem), options },
      { term },
    );
  }

  /**
   * Re-plans around the refusals (a job of the same kind as {@link start}): every change refused
   * on the term's plan — by the coordinator, or in the part of a school that refused it — and
   * every refusal that plan honoured already is never proposed again; the bell changes of the
   * schools that approved (and not refused since) are tried first and the plan's sessions are
   * preferred; a school whose part comes out unchanged keeps its approval.
   * @throws StalePlanError when the data changed since the plan; ConflictError when nothing was refused
   */
  async replan(
    scope: Scope,
    identity: Identity,
    clusterId: string,
    term: string,
    options: { timeLimitMs: number; seed: number },
  ): Promise<CoPlanJob> {
    const loaded = await this.#load(scope, clusterId, term);
    const stored = await this.#proposed(loaded);
    const refused = refusalsOf(stored);
    if (refused.length === honoured(stored.plan).length)
      throw new ConflictError(
        text(
          '方案没有新的被拒绝的改动，无需重新编排',
          'nothing was refused on this plan: there is nothing to re-plan around',
        ),
      );
    const approvals = stored.schools
      .filter((p) => p.decision === 'approved')
      .map((p) => approvalOf(stored.plan, p));
    const keptBells = stored.plan.bellChanges.filter(
      (c, i) => approvals.some((a) => a.schoolId === c.schoolId) && !stored.refusedBellChanges.includes(i),
    );
    return this.#launch(
      identity,
      loaded,
      {
        clusterId,
        term,
        fingerprint: stored.fingerprint,
        options: { ...options, refused, keep: { bellChanges: keptBells, sessions: stored.plan.sessions } },
        approvals,
      },
      { term, replanOf: stored._id.toString(), refusals: refused.length },
    );
  }

  /** Starts a co-plan job on the loaded problem and audits it (`audited`: what the audit entry says besides the job). */
  async #launch(
    identity: Identity,
    loaded: LoadedProblem,
    job: Omit<Parameters<CoPlanJobs['start']>[0], 'problem' | 'createdBy'>,
    audited: Record<string, unknown>,
  ): Promise<CoPlanJob> {
    const started = await this.#jobs.start({
      ...job,
      problem: loaded.problem,
      createdBy: identity.displayName,
    });
    await this.#audit.record(
      identity,
      'create',
      'coplans',
      job.clusterId,
      null,
      { ...audited, job: started.id },
      loaded.cluster.regionCode,
    );
    return started;
  }

  /**
   * The coordinator chooses another of the plan's ranked alternatives: its sessions and changes
   * become the plan's, to be approved and applied as usual. Refusals of changes the alternative
   * also makes stay; a school whose part is the same keeps its decision, the others decide again.
   * @throws StalePlanError when the data changed since the plan; NotFoundError for no such alternative
   */
  async chooseAlternative(
    scope: Scope,
    identity: Identity,
    clusterId: string,
    term: string,
    index: number,
  ): Promise<CoPlanView> {
    const loaded = await this.#load(scope, clusterId, term);
    if (this.#jobs.running(`${clusterId}/${term}`))
      throw new ConflictError(
        text('正在联合编排，请等完成后再选择', 'a co-plan is running: choose when it is done'),
      );
    const stored = await this.#proposed(loaded);
    const plan = stored.plan;
    const alternative = plan.alternatives[index];
    if (!alternative)
      throw new NotFoundError(text(`方案中没有第 ${index} 个备选`, `no alternative ${index} in the plan`));
    // Plans stored before alternatives were kept whole name their bells and costs only.
    if (!Array.isArray((alternative as Partial<typeof alternative>).sessions))
      throw new ConflictError(
        text(
          '这个方案生成较早，不能选用其他方案，请重新编排',
          'this plan predates choosing alternatives: co-plan again',
        ),
      );
    const was = stored.chosen ?? 0;
    if (index !== was) {
      const refusedBells = stored.refusedBellChanges.flatMap((i) => plan.bellChanges[i] ?? []);
      const refusedLocals = stored.refusedLocalChanges.flatMap((i) => plan.localChanges[i] ?? []);
      const kept = stored.schools.filter((p) => p.decision !== 'pending').map((p) => approvalOf(plan, p));
      const schools = partsOf(alternative, kept).map((p) => {
        const before = stored.schools.find((x) => x.schoolId.toString() === p.schoolId);
        // A part unchanged keeps its decision (approved or refused), not only an approval.
        return p.kept && before ? { ...p, decision: before.decision, kept: false } : p;
      });
      await this.#models.CoPlan.updateOne(
        { _id: stored._id, state: 'proposed', chosen: stored.chosen ?? 0, fingerprint: stored.fingerprint },
        {
          $set: {
            plan: { ...plan, ...alternative },
            chosen: index,
            schools,
            refusedBellChanges: alternative.bellChanges
              .map((c, i) => (refusedBells.some((r) => sameBellChange(r, c)) ? i : -1))
              .filter((i) => i >= 0),
            refusedLocalChanges: alternative.localChanges
              .map((c, i) => (refusedLocals.some((r) => sameLocalChange(r, c)) ? i : -1))
              .filter((i) => i >= 0),
          },
        },
      );
      await this.#audit.record(
        identity,
        'update',
        'coplans',
        stored._id.toString(),
        { chosen: was },
        { term, chosen: index, placed: alternative.placed, cost: alternative.cost },
        loaded.cluster.regionCode,
      );
    }
    return this.view(scope, clusterId, term);
  }

  /** The job's progress, if its cluster is within scope. @throws NotFoundError otherwise */
  async job(scope: Scope, id: string): Promise<CoPlanJob> {
    const job = await this.#jobs.get(id);
    await clusterInScope(scope, this.#models, job.clusterId).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError(`co-plan job ${id} not found`) : error;
    });
    return job;
  }

  /** The co-plans in scope, newest first; a school's timetabler gets those with a part of its own. */
  async list(scope: Scope): Promise<CoPlanSummary[]> {
    const ids = await clusterIdsInScope(scope, this.#models);
    const filter = {
      ...(ids === 'all' ? {} : { clusterId: { $in: ids } }),
      ...(scope.role === 'school' ? { 'schools.schoolId': { $in: [...scope.schoolIds] } } : {}),
    };
    const plans = await this.#models.CoPlan.find(filter, { plan: 0 })
      .sort({ updatedAt: -1 })
      .limit(100)
      .lean();
    const clusters = await this.#models.Cluster.find(
      { _id: { $in: plans.map((p) => p.clusterId) } },
      { name: 1 },
    ).lean();
    return plans.map((p) => ({
      clusterId: p.clusterId.toString(),
      clusterName: clusters.find((c) => c._id.equals(p.clusterId))?.name ?? '',
      term: p.term,
      state: p.state,
      createdAt: (p as { createdAt?: Date }).createdAt?.toISOString() ?? null,
      schools: p.schools.length,
      approved: p.schools.filter((x) => x.decision === 'approved').length,
    }));
  }

  /** The term's co-plan; a school's timetabler sees its own part only. */
  async view(scope: Scope, clusterId: string, term: string): Promise<CoPlanView> {
    const loaded = await this.#load(scope, clusterId, term);
    return this.#view(scope, loaded, await this.#stored(clusterId, term));
  }

  async #view(scope: Scope, loaded: LoadedProblem, stored: StoredPlan | null): Promise<CoPlanView> {
    const { cluster, problem } = loaded;
    const base = {
      cluster: { id: cluster._id.toString(), name: cluster.name },
      term: loaded.term,
      offerings: loaded.offerings.map((o) => ({ id: o._id.toString(), name: offeringName(o) })),
    };
    if (!stored) {
      return {
        ...base,
        state: 'none',
        stale: false,
        createdAt: null,
        message: verbatim(''),
        wanted: problem.offerings.reduce((n, o) => n + o.periodsPerWeek, 0),
        placed: 0,
        baselinePlaced: 0,
        cost: { bellChanges: 0, localMoves: 0, schoolsTouched: 0 },
        alternatives: [],
        refusals: [],
        newRefusals: 0,
        sessions: [],
        bellChanges: [],
        localChanges: [],
        unplaced: [],
        schools: [],
        applied: null,
      };
    }
    const plan = stored.plan;
    const stale = stored.state === 'proposed' && stored.fingerprint !== problemFingerprint(problem);
    const own = (schoolId: string): boolean => scope.role !== 'school' || scope.hasSchool(schoolId);
    const refusedBell = new Set(stored.refusedBellChanges);
    const refusedLocal = new Set(stored.refusedLocalChanges);
    const schools: CoPlanSchoolView[] = [];
    for (const part of stored.schools) {
      const id = part.schoolId.toString();
      if (!own(id)) continue;
      schools.push(await this.#part(loaded, plan, part, refusedBell, refusedLocal));
    }
    const lockedKeys = new Set((problem.locked ?? []).map((s) => `${s.offeringId}/${s.weekday}/${s.period}`));
    return {
      ...base,
      state: stored.state,
      stale,
      createdAt: (stored as { createdAt?: Date }).createdAt?.toISOString() ?? null,
      message: storedText(plan.message),
      wanted: plan.wanted,
      placed: plan.placed,
      baselinePlaced: stored.baselinePlaced,
      cost: plan.cost,
      alternatives: plan.alternatives.map((a, index) => ({
        index,
        chosen: index === (stored.chosen ?? 0),
        placed: a.placed,
        ...a.cost,
      })),
      refusals: honoured(plan)
        .map((r, index) => ({
          index,
          by: r.by,
          schoolId: r.change.schoolId,
          bell: r.kind === 'bell' ? bellView(r.change) : null,
          local: r.kind === 'local' ? localView(r.change) : null,
        }))
        .filter((r) => own(r.schoolId)),
      newRefusals:
        stored.refusedBellChanges.length +
        stored.refusedLocalChanges.length +
        stored.schools.filter((p) => p.decision === 'refused').length,
      sessions: plan.sessions.map((s) =>
        fromSession(s, lockedKeys.has(`${s.offeringId}/${s.weekday}/${s.period}`)),
      ),
      bellChanges: plan.bellChanges
        .map((c, index) => ({ c, index }))
        .filter(({ c }) => own(c.schoolId))
        .map(({ c, index }) => ({ index, ...bellView(c), refused: refusedBell.has(index) })),
      localChanges: plan.localChanges
        .map((c, index) => ({ c, index }))
        .filter(({ c }) => own(c.schoolId))
        .map(({ c, index }) => ({ index, ...localView(c), refused: refusedLocal.has(index) })),
      unplaced: plan.unplaced.map((u) => ({
        offeringId: u.offeringId,
        missing: u.missing,
        proven: u.proven,
        proof: u.proof ? { ...u.proof, message: storedText(u.proof.message) } : null,
        reasons: u.reasons.map((r) => ({
          constraint: r.constraint,
          slots: r.slots,
          message: storedText(r.message),
        })),
        blockedBy: (u.blockedBy ?? []).map((b) => ({
          refusals: [...b.refusals],
          more: b.more,
          message: storedText(b.message),
        })),
      })),
      schools,
      applied: stored.applied as CoPlanView['applied'],
    };
  }

  /** One school's part: its week now and as the plan leaves it (refused changes left out). */
  async #part(
    loaded: LoadedProblem,
    plan: Plan,
    part: StoredPlan['schools'][number],
    refusedBell: ReadonlySet<number>,
    refusedLocal: ReadonlySet<number>,
  ): Promise<CoPlanSchoolView> {
    const id = part.schoolId.toString();
    const school = loaded.problem.schools.find((s) => s.id === id);
    const local = loaded.problem.localTimetables?.find((l) => l.schoolId === id) ?? {
      schoolId: id,
      lessons: [],
    };
    const changes = plan.localChanges.filter((c, i) => c.schoolId === id && !refusedLocal.has(i));
    const bells = plan.bellChanges.filter((c, i) => c.schoolId === id && !refusedBell.has(i));
    let after: CoPlanLessonView[];
    try {
      const changed = applyLocalChanges(local, changes);
      const moved = new Set(
        changes
          .filter((c) => c.kind === 'move')
          .map((c) => `${c.classId}|${c.to.weekday}|${c.to.period}|${c.subject}`),
      );
      after = [
        ...changed.lessons.map((l) => ({
          ...lessonView(id, l),
          moved: moved.has(`${l.classId}|${l.weekday}|${l.period}|${l.subject}`),
          offeringId: null,
        })),
        ...changes
          .filter((c) => c.kind === 'remote')
          .map((c) => ({
            classId: c.classId,
            weekday: c.to.weekday,
            period: c.to.period,
            subject: c.subject,
            teacher: '',
            locked: false,
            moved: c.from.weekday !== c.to.weekday || c.from.period !== c.to.period,
            offeringId: c.offeringId ?? null,
          })),
      ];
    } catch {
      // The school's week changed since the plan (the plan is stale): nothing to show after.
      after = [];
    }
    const classIds = [...new Set(local.lessons.map((l) => l.classId))];
    const classes = await this.#models.TeachingClass.find({ _id: { $in: classIds } }, { name: 1 }).lean();
    let bellsAfter = school ?? null;
    try {
      bellsAfter =
        applyPlan(
          { ...loaded.problem, localTimetables: [] },
          { bellChanges: bells, localChanges: [] },
        ).schools.find((s) => s.id === id) ?? bellsAfter;
    } catch {
      // Bells changed since the plan (it is stale): show them as they are.
    }
    return {
      id,
      name: school?.name ?? '',
      hub: id === loaded.problem.hubSchoolId,
      decision: part.decision,
      kept: part.kept ?? false,
      by: part.by ?? null,
      at: part.at ? new Date(part.at).toISOString() : null,
      note: part.note ?? '',
      changes: changes.length + bells.length,
      periods: periodViews(bellsAfter?.periods ?? []),
      classes: classes.map((c) => ({ id: c._id.toString(), name: c.name })),
      before: local.lessons.map((l) => lessonView(id, l)),
      after,
    };
  }

  /** A school's decision on its part (by its timetabler, or a manager in scope on its behalf). */
  async decide(
    scope: Scope,
    identity: Identity,
    clusterId: string,
    term: string,
    schoolId: string,
    decision: { approve: boolean; note: string },
  ): Promise<CoPlanView> {
    const loaded = await this.#load(scope, clusterId, term);
    const school = await schoolInScope(scope, this.#models, schoolId);
    const stored = await this.#proposed(loaded);
    if (!stored.schools.some((p) => p.schoolId.equals(school._id)))
      throw new NotFoundError(text('方案没有改动这所学校', 'the plan asks nothing of this school'));
    const value = decision.approve ? 'approved' : 'refused';
    // The whole list is written (FerretDB 1.x has no positional `$` update).
    const schools = stored.schools.map((p) =>
      p.schoolId.equals(school._id)
        ? { ...p, decision: value, by: identity.displayName, at: new Date(this.#now()), note: decision.note }
        : p,
    );
    await this.#models.CoPlan.updateOne({ _id: stored._id, state: 'proposed' }, { $set: { schools } });
    await this.#audit.record(
      identity,
      'update',
      'coplans',
      stored._id.toString(),
      null,
      { term, schoolId, decision: value, note: decision.note },
      school.regionCode,
    );
    return this.view(scope, clusterId, term);
  }

  /**
   * The coordinator refuses (or takes back the refusal of) one change; the school it concerns
   * must decide again on its part, which is no longer what it saw.
   */
  async refuseChange(
    scope: Scope,
    identity: Identity,
    clusterId: string,
    term: string,
    change: { kind: 'bell' | 'local'; index: number; refused: boolean },
  ): Promise<CoPlanView> {
    const loaded = await this.#load(scope, clusterId, term);
    const stored = await this.#proposed(loaded);
    const list: readonly (BellChange | LocalChange)[] =
      change.kind === 'bell' ? stored.plan.bellChanges : stored.plan.localChanges;
    const target = list[change.index];
    if (!target)
      throw new NotFoundError(
        text(`方案中没有第 ${change.index} 项改动`, `no ${change.kind} change ${change.index} in the plan`),
      );
    const field = change.kind === 'bell' ? 'refusedBellChanges' : 'refusedLocalChanges';
    const current = stored[field].filter((i) => i !== change.index);
    const schools = stored.schools.map((p) =>
      p.schoolId.toString() === target.schoolId ? { ...p, decision: 'pending', by: null, at: null } : p,
    );
    await this.#models.CoPlan.updateOne(
      { _id: stored._id, state: 'proposed' },
      { $set: { [field]: change.refused ? [...current, change.index] : current, schools } },
    );
    await this.#audit.record(
      identity,
      'update',
      'coplans',
      stored._id.toString(),
      null,
      { term, ...change, schoolId: target.schoolId },
      loaded.cluster.regionCode,
    );
    return this.view(scope, clusterId, term);
  }

  /**
   * Applies the plan: the changes not refused of the schools that approved theirs (all touched
   * schools must have, unless `approvedOnly`), then the plan's sessions that still fit become
   * the term's draft. @throws StalePlanError when the data changed since the plan was made;
   * ConflictError while a solve runs, when schools have not approved, or when the chosen
   * changes leave a school's week broken (a swap taken apart by a refusal)
   */
  async apply(
    scope: Scope,
    identity: Identity,
    clusterId: string,
    term: string,
    options: { approvedOnly: boolean },
  ): Promise<CoPlanView> {
    const loaded = await this.#load(scope, clusterId, term);
    if (this.#solves.running(`${clusterId}/${term}`) || this.#jobs.running(`${clusterId}/${term}`))
      throw new ConflictError(
        text('正在排课，请等完成后再应用', 'a solve or co-plan is running: apply when it is done'),
      );
    const stored = await this.#proposed(loaded);
    const approved = new Set(
      stored.schools.filter((p) => p.decision === 'approved').map((p) => p.schoolId.toString()),
    );
    const waiting = stored.schools.filter((p) => p.decision !== 'approved');
    if (waiting.length && !options.approvedOnly) {
      const names = waiting.map((p) => loaded.schools.find((s) => s._id.equals(p.schoolId))?.name ?? '');
      throw new ConflictError(
        text(
          `还有 ${waiting.length} 所学校未同意：${names.join('、')}`,
          `${waiting.length} schools have not approved their part: ${names.join(', ')}`,
        ),
      );
    }
    const plan = stored.plan;
    const bellChanges = plan.bellChanges.filter(
      (c, i) => approved.has(c.schoolId) && !stored.refusedBellChanges.includes(i),
    );
    const localChanges = plan.localChanges.filter(
      (c, i) => approved.has(c.schoolId) && !stored.refusedLocalChanges.includes(i),
    );
    let applied;
    try {
      applied = applyPlan(loaded.problem, { bellChanges, localChanges });
    } catch (error) {
      throw new ConflictError(
        text(
          `方案无法应用（${(error as Error).message}）`,
          `the plan does not apply: ${(error as Error).message}`,
        ),
      );
    }
    // A school's week as the chosen changes leave it must keep its rules (a refused half of a swap breaks it).
    for (const local of applied.localTimetables ?? []) {
      const school = applied.schools.find((s) => s.id === local.schoolId);
      const lessons = local.lessons.map((l) => lessonView(local.schoolId, l));
      const classIds = [...new Set(lessons.map((l) => l.classId))].map((id) => ({ id, name: id }));
      const issues = checkWeek(lessons, classIds, periodViews(school?.periods ?? []));
      if (issues.length)
        throw new ConflictError(
          text(
            `${school?.name ?? ''}：${issues[0]?.message.zh ?? ''}；请一并拒绝或接受相关调动`,
            `${school?.name ?? ''}: ${issues[0]?.message.en ?? ''}; refuse or accept the related moves together`,
          ),
        );
    }
    // Only one apply wins.
    const taken = await this.#models.CoPlan.updateOne(
      { _id: stored._id, state: 'proposed' },
      { $set: { state: 'applied', appliedAt: new Date(this.#now()) } },
    );
    if (taken.modifiedCount !== 1) throw new ConflictError(ALREADY_APPLIED);

    await saveBellSchedules(this.#models, this.#audit, identity, loaded, applied.schools, {
      coplan: stored._id.toString(),
    });
    for (const local of applied.localTimetables ?? []) {
      if (!localChanges.some((c) => c.schoolId === local.schoolId)) continue;
      const lessons = local.lessons.map((l) => lessonView(local.schoolId, l));
      const before = await this.#models.LocalTimetable.findOneAndUpdate(
        { schoolId: local.schoolId, term },
        { $set: { lessons }, $inc: { revision: 1 } },
        { returnDocument: 'before' },
      ).lean();
      await this.#audit.record(
        identity,
        'update',
        'local-timetables',
        before?._id.toString() ?? null,
        before ? { lessons: before.lessons } : null,
        { term, lessons, coplan: stored._id.toString() },
        loaded.schools.find((s) => s._id.toString() === local.schoolId)?.regionCode ?? null,
      );
    }
    // The plan's sessions that fit the problem as changed (all of them, unless a change they need was refused).
    const timetable = Timetable.create({ ...applied, locked: [] }, {}, []);
    const kept = [];
    for (const s of plan.sessions) {
      if (!timetable.fits(s)) continue;
      timetable.add(s);
      kept.push(s);
    }
    const report = checkTimetable(applied, kept);
    await saveSolution(
      this.#models,
      { clusterId, term, problem: applied },
      {
        sessions: kept,
        score: report.score,
        soft: report.soft,
        unplaced: plan.unplaced,
        hardViolations: [],
        stats: { elapsedMs: 0, iterations: 0 },
      },
      this.#now(),
    );
    const summary = {
      at: new Date(this.#now()).toISOString(),
      sessions: kept.length,
      bellChanges: bellChanges.length,
      localChanges: localChanges.length,
      dropped: plan.sessions.length - kept.length,
    };
    await this.#models.CoPlan.updateOne({ _id: stored._id }, { $set: { applied: summary } });
    await this.#audit.record(
      identity,
      'update',
      'coplans',
      stored._id.toString(),
      null,
      { term, applied: summary, approvedOnly: options.approvedOnly },
      loaded.cluster.regionCode,
    );
    return this.view(scope, clusterId, term);
  }
}
