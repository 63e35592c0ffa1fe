import mongoose from 'mongoose';
import type { z } from 'zod';
import { Scope } from '../auth/Scope.ts';
import type { Identity } from '../auth/tokens.ts';
import type {
  EvaluationCreateSchema,
  EvaluationQuerySchema,
  EvaluationUpdateSchema,
  EvaluableLesson,
  EvaluationView,
  SummaryQuerySchema,
  SummaryView,
} from '../contract/research.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { Cluster, Evaluation, Lesson, Models, Rubric } from '../models/index.ts';
import { ancestorCodes, regionReach, reaches, withinFilter } from '../research/reach.ts';
import type { RegionReach } from '../research/reach.ts';
import { summarize } from './summary.ts';
import type { Scored } from './summary.ts';

type Id = mongoose.Types.ObjectId;
type Score = { key: string; score: number };

/** Roles that evaluate any lesson in their reach (teachers evaluate when invited). */
const OVERSEERS = new Set(['admin', 'bureau', 'coordinator', 'inspector']);

const oid = (id: string): Id | null =>
  mongoose.isValidObjectId(id) ? new mongoose.Types.ObjectId(id) : null;

/**
 * The weighted total of complete scores, 0–100 (one decimal): Σ weight × score / levels.
 * Null while an item is unscored.
 */
export function weightedTotal(
  rubric: Pick<Rubric, 'levels' | 'items'>,
  scores: readonly Score[],
): number | null {
  const byKey = new Map(scores.map((s) => [s.key, s.score]));
  let total = 0;
  for (const item of rubric.items) {
    const score = byKey.get(item.key);
    if (score === undefined) return null;
    total += (item.weight * score) / rubric.levels;
  }
  return Math.round(total * 10) / 10;
}

/**
 * 听课评课: evaluations of lessons, live or on their recording, against a rubric of the
 * lesson's region (or one above it). Who may do what:
 * - an admin, a bureau or inspector of the lesson's region, or a coordinator of its cluster
 *   evaluates it, and invites a teacher to; an invited teacher evaluates it;
 * - an evaluator sees and edits its own evaluation; the lesson's teacher sees the submitted
 *   ones (the feedback); overseers see those in their reach, and their aggregation.
 * Anything outside the caller's reach is "not found".
 */
export class EvaluationService {
  readonly #models: Models;
  readonly #now: () => number;

  constructor(models: Models, now: () => number = Date.now) {
    this.#models = models;
    this.#now = now;
  }

  async #reach(identity: Identity): Promise<{ scope: Scope; reach: RegionReach }> {
    const scope = await Scope.resolve(this.#models, identity);
    return { scope, reach: await regionReach(scope, this.#models) };
  }

  /** Whether an overseer reaches the lesson's cluster (bureau/inspector by region, coordinator by cluster). */
  #oversees(scope: Scope, reach: RegionReach, cluster: Pick<Cluster, '_id' | 'regionCode'>): boolean {
    if (!OVERSEERS.has(scope.role)) return false;
    if (scope.isAdmin) return true;
    if (scope.role === 'coordinator') return scope.hasCluster(cluster._id);
    return reaches(reach, cluster.regionCode);
  }

  async #lesson(lessonId: string): Promise<{ lesson: Lesson; cluster: Cluster }> {
    const id = oid(lessonId);
    const lesson = id && (await this.#models.Lesson.findById(id).lean<Lesson>());
    const cluster = lesson && (await this.#models.Cluster.findById(lesson.clusterId).lean<Cluster>());
    if (!lesson || !cluster) throw new NotFoundError(`lesson ${lessonId} not found`);
    return { lesson, cluster };
  }

  /** A rubric that applies to the lesson's region (its own or one above it). */
  async #rubric(rubricId: string | Id, cluster: Cluster): Promise<Rubric> {
    const rubric = await this.#models.Rubric.findById(rubricId).lean<Rubric>();
    if (!rubric || !ancestorCodes(cluster.regionCode).includes(rubric.regionCode))
      throw new NotFoundError(`rubric ${String(rubricId)} not found for this lesson's region`);
    return rubric;
  }

  #checkScores(rubric: Rubric, scores: readonly Score[], submit: boolean): void {
    const keys = new Set(rubric.items.map((i) => i.key));
    const issues: { path: string; message: string }[] = [];
    const seen = new Set<string>();
    scores.forEach((s, i) => {
      if (!keys.has(s.key))
        issues.push({ path: `scores.${i}.key`, message: `no item ${s.key} in the rubric` });
      else if (seen.has(s.key)) issues.push({ path: `scores.${i}.key`, message: `${s.key} scored twice` });
      if (s.score > rubric.levels)
        issues.push({ path: `scores.${i}.score`, message: `at most ${rubric.levels} (the rubric's levels)` });
      seen.add(s.key);
    });
    if (submit)
      for (const item of rubric.items)
        if (!seen.has(item.key))
          issues.push({ path: 'scores', message: `${item.name} (${item.key}) is not scored` });
    if (issues.length)
      throw new ValidationError(
        `invalid scores: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues,
      );
  }

  /** Starts the caller's evaluation of a lesson (live or on its recording), or submits it at once. */
  async create(identity: Identity, input: z.infer<typeof EvaluationCreateSchema>): Promise<EvaluationView> {
    const { scope, reach } = await this.#reach(identity);
    const { lesson, cluster } = await this.#lesson(input.lessonId);
    const own = await this.#models.Evaluation.findOne({
      lessonId: lesson._id,
      evaluatorId: identity.userId,
    }).lean();
    if (!this.#oversees(scope, reach, cluster) && !own)
      throw new NotFoundError(`lesson ${input.lessonId} not found`);
    if (own) throw new ConflictError('you are already evaluating this lesson: update that evaluation');
    if (lesson.teacherId.equals(identity.userId))
      throw new ForbiddenError('teachers do not evaluate their own lessons');
    if (input.mode === 'live' && lesson.state !== 'live')
      throw new ConflictError('the lesson is not live: evaluate it on its recording');
    const rubric = await this.#rubric(input.rubricId, cluster);
    this.#checkScores(rubric, input.scores, input.submit);
    const now = new Date(this.#now());
    const created = await this.#models.Evaluation.create({
      lessonId: lesson._id,
      rubricId: rubric._id,
      evaluatorId: identity.userId,
      teacherId: lesson.teacherId,
      clusterId: cluster._id,
      regionCode: cluster.regionCode,
      mode: input.mode,
      state: input.submit ? 'submitted' : 'draft',
      scores: input.scores,
      comments: input.comments,
      summary: input.summary,
      total: input.submit ? weightedTotal(rubric, input.scores) : null,
      submittedAt: input.submit ? now : null,
    });
    return (await this.#views([created.toObject()]))[0]!;
  }

  /** The evaluator updates its evaluation (scores, comments, summary), and may submit it. */
  async update(
    identity: Identity,
    id: string,
    input: z.infer<typeof EvaluationUpdateSchema>,
  ): Promise<EvaluationView> {
    const evaluation = await this.#readable(identity, id);
    if (!evaluation.evaluatorId.equals(identity.userId))
      throw new ForbiddenError('only its evaluator changes an evaluation');
    const { cluster } = await this.#lesson(evaluation.lessonId.toString());
    const rubric = await this.#rubric(evaluation.rubricId, cluster);
    const scores = input.scores ?? evaluation.scores;
    const submit = input.submit || evaluation.state === 'submitted';
    this.#checkScores(rubric, scores, submit);
    const updated = await this.#models.Evaluation.findOneAndUpdate(
      { _id: evaluation._id },
      {
        $set: {
          scores,
          ...(input.comments ? { comments: input.comments } : {}),
          ...(input.summary !== undefined ? { summary: input.summary } : {}),
          state: submit ? 'submitted' : 'draft',
          total: submit ? weightedTotal(rubric, scores) : null,
          submittedAt: submit ? (evaluation.submittedAt ?? new Date(this.#now())) : null,
        },
      },
      { returnDocument: 'after' },
    ).lean<Evaluation>();
    if (!updated) throw new NotFoundError(`evaluation ${id} not found`);
    return (await this.#views([updated]))[0]!;
  }

  /** An overseer of the lesson asks a teacher (not the lesson's own) to evaluate it. */
  async invite(
    identity: Identity,
    lessonId: string,
    rubricId: string,
    teacherId: string,
  ): Promise<EvaluationView> {
    const { scope, reach } = await this.#reach(identity);
    const { lesson, cluster } = await this.#lesson(lessonId);
    if (!this.#oversees(scope, reach, cluster)) throw new NotFoundError(`lesson ${lessonId} not found`);
    const teacher =
      oid(teacherId) && (await this.#models.User.findOne({ _id: teacherId, role: 'teacher' }).lean());
    if (!teacher) throw new NotFoundError(`teacher ${teacherId} not found`);
    if (lesson.teacherId.equals(teacher._id))
      throw new ForbiddenError('teachers do not evaluate their own lessons');
    const rubric = await this.#rubric(rubricId, cluster);
    if (await this.#models.Evaluation.exists({ lessonId: lesson._id, evaluatorId: teacher._id }))
      throw new ConflictError('this teacher already evaluates the lesson');
    const created = await this.#models.Evaluation.create({
      lessonId: lesson._id,
      rubricId: rubric._id,
      evaluatorId: teacher._id,
      teacherId: lesson.teacherId,
      clusterId: cluster._id,
      regionCode: cluster.regionCode,
      mode: lesson.state === 'live' ? 'live' : 'recording',
      state: 'invited',
    });
    return (await this.#views([created.toObject()]))[0]!;
  }

  /** Mongo filter of the evaluations the caller may read. */
  async #readFilter(identity: Identity): Promise<Record<string, unknown>> {
    const { scope, reach } = await this.#reach(identity);
    const me = new mongoose.Types.ObjectId(identity.userId);
    const mine = [{ evaluatorId: me }, { teacherId: me, state: 'submitted' }];
    if (!OVERSEERS.has(scope.role)) return { $or: mine };
    if (scope.isAdmin) return {};
    if (scope.role === 'coordinator')
      return { $or: [...mine, { clusterId: { $in: [...scope.clusterIds] } }] };
    return { $or: [...mine, withinFilter(reach) ?? {}] };
  }

  async #readable(identity: Identity, id: string): Promise<Evaluation> {
    const _id = oid(id);
    const found =
      _id &&
      (await this.#models.Evaluation.findOne({
        $and: [await this.#readFilter(identity), { _id }],
      }).lean<Evaluation>());
    if (!found) throw new NotFoundError(`evaluation ${id} not found`);
    return found;
  }

  async get(identity: Identity, id: string): Promise<EvaluationView> {
    return (await this.#views([await this.#readable(identity, id)]))[0]!;
  }

  /** Evaluations the caller may read, newest first (a teacher: its feedback and its own evaluations). */
  async list(identity: Identity, query: z.infer<typeof EvaluationQuerySchema>): Promise<EvaluationView[]> {
    const filter: Record<string, unknown>[] = [await this.#readFilter(identity)];
    if (query.lessonId) filter.push({ lessonId: new mongoose.Types.ObjectId(query.lessonId) });
    if (query.teacherId) filter.push({ teacherId: new mongoose.Types.ObjectId(query.teacherId) });
    if (query.mine) filter.push({ evaluatorId: new mongoose.Types.ObjectId(identity.userId) });
    const rows = await this.#models.Evaluation.find({ $and: filter })
      .sort({ updatedAt: -1 })
      .limit(500)
      .lean<Evaluation[]>();
    return this.#views(rows);
  }

  /**
   * Lessons the caller oversees that can be evaluated now: live, or ended in the last 14 days
   * (on their recording), newest first, at most 50.
   */
  async lessons(identity: Identity): Promise<EvaluableLesson[]> {
    const { scope, reach } = await this.#reach(identity);
    if (!OVERSEERS.has(scope.role)) throw new ForbiddenError('only overseers list lessons to evaluate');
    const clusters =
      scope.role === 'coordinator'
        ? [...scope.clusterIds]
        : scope.isAdmin
          ? null
          : (await this.#models.Cluster.find(withinFilter(reach) ?? {}, { _id: 1 }).lean()).map((c) => c._id);
    const since = new Date(this.#now() - 14 * 86_400_000);
    const lessons = await this.#models.Lesson.find({
      ...(clusters ? { clusterId: { $in: clusters } } : {}),
      $or: [{ state: 'live' }, { state: 'ended', endedAt: { $gte: since } }],
    })
      .sort({ scheduledStart: -1 })
      .limit(50)
      .lean<Lesson[]>();
    const teachers = new Map(
      (
        await this.#models.User.find(
          { _id: { $in: lessons.map((l) => l.teacherId) } },
          { realName: 1 },
        ).lean()
      ).map((u) => [u._id.toString(), u.realName]),
    );
    const mine = new Set(
      (
        await this.#models.Evaluation.find(
          { evaluatorId: identity.userId, lessonId: { $in: lessons.map((l) => l._id) } },
          { lessonId: 1 },
        ).lean()
      ).map((e) => e.lessonId.toString()),
    );
    return lessons.map((l) => ({
      id: l._id.toString(),
      title: l.title,
      teacherName: teachers.get(l.teacherId.toString()) ?? '',
      state: l.state === 'live' ? 'live' : 'ended',
      startedAt: l.startedAt ? l.startedAt.toISOString() : null,
      mine: mine.has(l._id.toString()),
    }));
  }

  /** Submitted evaluations in the caller's reach, grouped by teacher, cluster or region. */
  async summary(identity: Identity, query: z.infer<typeof SummaryQuerySchema>): Promise<SummaryView> {
    const { scope, reach } = await this.#reach(identity);
    if (!OVERSEERS.has(scope.role))
      throw new ForbiddenError('the aggregation is for bureaus, inspectors and coordinators');
    const restrict =
      scope.role === 'coordinator'
        ? { clusterId: { $in: [...scope.clusterIds] } }
        : (withinFilter(reach) ?? {});
    const submittedAt = {
      ...(query.from ? { $gte: new Date(query.from) } : {}),
      ...(query.to ? { $lt: new Date(query.to) } : {}),
    };
    const rows = await this.#models.Evaluation.find({
      $and: [restrict, { state: 'submitted' }, ...(query.from || query.to ? [{ submittedAt }] : [])],
    }).lean<Evaluation[]>();
    const rubrics = await this.#rubrics(rows);
    const scored: Scored[] = rows.map((e) => ({
      teacherId: e.teacherId.toString(),
      clusterId: e.clusterId.toString(),
      regionCode: e.regionCode,
      total: e.total ?? null,
      items: e.scores.flatMap((s) => {
        const item = rubrics.get(e.rubricId.toString())?.items.find((i) => i.key === s.key);
        return item ? [{ name: item.name, score: s.score }] : [];
      }),
    }));
    const key = query.by === 'teacher' ? 'teacherId' : query.by === 'cluster' ? 'clusterId' : 'regionCode';
    const ids = [...new Set(scored.map((s) => s[key]))];
    const names = new Map<string, string>();
    if (query.by === 'teacher')
      for (const u of await this.#models.User.find({ _id: { $in: ids } }, { realName: 1 }).lean())
        names.set(u._id.toString(), u.realName);
    else if (query.by === 'cluster')
      for (const c of await this.#models.Cluster.find({ _id: { $in: ids } }, { name: 1 }).lean())
        names.set(c._id.toString(), c.name);
    else
      for (const r of await this.#models.Region.find({ code: { $in: ids } }, { code: 1, name: 1 }).lean())
        names.set(r.code, r.name);
    return {
      by: query.by,
      rows: summarize(
        scored,
        (s) => s[key],
        (id) => names.get(id) ?? id,
      ),
    };
  }

  async #rubrics(rows: readonly Evaluation[]): Promise<Map<string, Rubric>> {
    const ids = [...new Set(rows.map((r) => r.rubricId.toString()))];
    const rubrics = await this.#models.Rubric.find({ _id: { $in: ids } }).lean<Rubric[]>();
    return new Map(rubrics.map((r) => [r._id.toString(), r]));
  }

  async #views(rows: readonly Evaluation[]): Promise<EvaluationView[]> {
    const rubrics = await this.#rubrics(rows);
    const lessonIds = [...new Set(rows.map((r) => r.lessonId.toString()))];
    const lessons = new Map(
      (
        await this.#models.Lesson.find(
          { _id: { $in: lessonIds } },
          { title: 1, startedAt: 1, scheduledStart: 1 },
        ).lean()
      ).map((l) => [l._id.toString(), l]),
    );
    const recorded = new Set(
      (await this.#models.Recording.find({ lessonId: { $in: lessonIds } }, { lessonId: 1 }).lean()).map((r) =>
        r.lessonId.toString(),
      ),
    );
    const userIds = [...new Set(rows.flatMap((r) => [r.evaluatorId.toString(), r.teacherId.toString()]))];
    const users = new Map(
      (await this.#models.User.find({ _id: { $in: userIds } }, { realName: 1 }).lean()).map((u) => [
        u._id.toString(),
        u.realName,
      ]),
    );
    return rows.map((e): EvaluationView => {
      const rubric = rubrics.get(e.rubricId.toString());
      const lesson = lessons.get(e.lessonId.toString());
      const start = lesson?.startedAt ?? lesson?.scheduledStart ?? null;
      return {
        id: e._id.toString(),
        lessonId: e.lessonId.toString(),
        lessonTitle: lesson?.title ?? '',
        lessonStart: start ? start.toISOString() : null,
        recordingId: recorded.has(e.lessonId.toString()) ? e.lessonId.toString() : null,
        rubric: {
          id: e.rubricId.toString(),
          name: rubric?.name ?? '',
          levels: rubric?.levels ?? 0,
          items: (rubric?.items ?? []).map((i) => ({
            key: i.key,
            name: i.name,
            weight: i.weight,
            descriptors: [...i.descriptors],
          })),
        },
        evaluator: { id: e.evaluatorId.toString(), name: users.get(e.evaluatorId.toString()) ?? '' },
        teacher: { id: e.teacherId.toString(), name: users.get(e.teacherId.toString()) ?? '' },
        clusterId: e.clusterId.toString(),
        regionCode: e.regionCode,
        mode: e.mode,
        state: e.state,
        scores: e.scores.map((s) => ({ key: s.key, score: s.score })),
        comments: e.comments.map((c) => ({ atSeconds: c.atSeconds, text: c.text })),
        summary: e.summary,
        total: e.total ?? null,
        submittedAt: e.submittedAt ? e.submittedAt.toISOString() : null,
        updatedAt: e.updatedAt?.toISOString() ?? new Date(this.#now()).toISOString(),
      };
    });
  }
}
