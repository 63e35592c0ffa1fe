import { inRegion, regionPrefix } from '../auth/Scope.ts';
import type { Scope } from '../auth/Scope.ts';
import type { FigureRow, Figures, ReportView, SessionRow, Targets } from '../contract/reports.ts';
import { NotFoundError } from '../errors.ts';
import type { Cluster, Lesson, Models, Region, School } from '../models/index.ts';
import { clusterInScope } from '../resources/scoping.ts';
import { addSessions, emptyFigures, periodAround, trendBuckets } from './figures.ts';
import type { JudgedSession, PeriodKind } from './figures.ts';
import { loadRecords } from './records.ts';
import { DEFAULT_RULES, describeRules, judge } from './rules.ts';
import type { DeliveryRules, Judged } from './rules.ts';

export const DEFAULT_TARGETS: Readonly<Targets> = Object.freeze({
  clusters: { province: 500, city: 1500, county: 3000 },
  offerings: 10_000,
  teacherOnlineShare: 0.6,
});

export interface ReportQuery {
  /** A region code, or a cluster id; neither: the caller's own region or first cluster. */
  region?: string;
  clusterId?: string;
  period: PeriodKind;
}

const RURAL = new Set(['rural', 'teaching_point']);

/**
 * Figures toward the provincial targets for a region or a cluster and a period, with the
 * drill-down one level down, computed from the lessons' own records by the delivery rules.
 * Ratios are always recomputed from summed counts. A lesson is judged once it is over, and
 * the judgement is stored with it.
 */
export class ReportService {
  readonly #models: Models;
  readonly #rules: DeliveryRules;
  readonly #targets: Targets;
  readonly #now: () => number;

  constructor(
    models: Models,
    options: { rules?: DeliveryRules; targets?: Targets; now?: () => number } = {},
  ) {
    this.#models = models;
    this.#rules = options.rules ?? DEFAULT_RULES;
    this.#targets = options.targets ?? DEFAULT_TARGETS;
    this.#now = options.now ?? Date.now;
  }

  get rules(): DeliveryRules {
    return this.#rules;
  }

  /** Judges an ended lesson and stores the judgement with it (called when it ends). */
  async judgeEnded(lessonId: string): Promise<void> {
    const lesson = await this.#models.Lesson.findById(lessonId).lean<Lesson>();
    if (lesson?.state !== 'ended') return;
    const [record] = await loadRecords(this.#models, [lesson]);
    if (record) await this.#store(lesson, judge(record, this.#rules, this.#now()));
  }

  async #store(lesson: Lesson, judged: Judged): Promise<void> {
    await this.#models.Lesson.updateOne(
      { _id: lesson._id },
      { $set: { delivery: { ...judged, judgedAt: new Date(this.#now()), rules: this.#rules } } },
    );
  }

  /** Judges lessons: stored judgements of ended ones, the others from their records now. */
  async #judgeAll(lessons: readonly Lesson[]): Promise<Map<string, Judged>> {
    const now = this.#now();
    const out = new Map<string, Judged>();
    const pending: Lesson[] = [];
    for (const l of lessons) {
      const stored = l.delivery as Judged | null;
      if (l.state === 'ended' && stored?.verdict) out.set(l._id.toString(), stored);
      else if (l.state === 'scheduled')
        out.set(
          l._id.toString(),
          judge(
            {
              lessonId: l._id.toString(),
              scheduledStart: l.scheduledStart.getTime(),
              scheduledEnd: l.scheduledEnd.getTime(),
              state: l.state,
              liveStart: null,
              liveEnd: null,
              classrooms: l.classroomIds.map((id) => ({
                classroomId: id.toString(),
                intervals: [],
                headcount: null,
              })),
            },
            this.#rules,
            now,
          ),
        );
      else pending.push(l);
    }
    for (const record of await loadRecords(this.#models, pending)) {
      const judged = judge(record, this.#rules, now);
      out.set(record.lessonId, judged);
      const lesson = pending.find((l) => l._id.toString() === record.lessonId);
      if (lesson?.state === 'ended') await this.#store(lesson, judged);
    }
    return out;
  }

  /**
   * What a query is about: a cluster, or a region (the caller's own by default).
   * @throws NotFoundError when it lies outside the caller's scope
   */
  async resolve(
    scope: Scope,
    userRegion: string | null,
    query: ReportQuery,
  ): Promise<{ cluster: Cluster } | { region: Region; regions: Region[] }> {
    if (query.clusterId || (!query.region && !scope.isAdmin && !scope.regionPrefix))
      return {
        cluster: await clusterInScope(scope, this.#models, query.clusterId ?? scope.clusterIds[0] ?? null),
      };
    const regions = await this.#models.Region.find({}).lean<Region[]>();
    const code = query.region ?? userRegion ?? regions.find((r) => !r.parentCode)?.code;
    const region = regions.find((r) => r.code === code);
    if (!region || !(scope.isAdmin || (scope.regionPrefix && inRegion(scope.regionPrefix, region.code))))
      throw new NotFoundError(`region ${code ?? ''} not found`);
    return { region, regions };
  }

  async view(scope: Scope, userRegion: string | null, query: ReportQuery): Promise<ReportView> {
    const target = await this.resolve(scope, userRegion, query);
    const period = periodAround(query.period, this.#now());
    const base = {
      period: {
        from: new Date(period.from).toISOString(),
        to: new Date(period.to).toISOString(),
        label: period.label,
      },
      rules: describeRules(this.#rules),
      targets: this.#targets,
    };
    if ('cluster' in target)
      return { ...base, ...(await this.#clusterView(target.cluster, period, query.period)) };
    return { ...base, ...(await this.#regionView(target.region, target.regions, period, query.period)) };
  }

  async #sessions(
    clusterIds: readonly Cluster['_id'][],
    period: { from: number; to: number },
  ): Promise<{ lessons: Lesson[]; judged: JudgedSession[] }> {
    const lessons = await this.#models.Lesson.find({
      clusterId: { $in: clusterIds },
      scheduledStart: { $gte: new Date(period.from), $lt: new Date(period.to) },
    })
      .sort({ scheduledStart: 1 })
      .lean<Lesson[]>();
    const verdicts = await this.#judgeAll(lessons);
    return {
      lessons,
      judged: lessons.map((l) => ({
        lessonId: l._id.toString(),
        clusterId: l.clusterId.toString(),
        offeringId: l.offeringId?.toString() ?? null,
        teacherId: l.teacherId.toString(),
        scheduledStart: l.scheduledStart.getTime(),
        judged: verdicts.get(l._id.toString())!,
      })),
    };
  }

  async #regionView(
    region: Region,
    regions: Region[],
    period: { from: number; to: number },
    kind: PeriodKind,
  ) {
    const prefix = regionPrefix(region.code);
    const [clusters, schools, memberships] = await Promise.all([
      this.#models.Cluster.find({ regionCode: { $regex: `^${prefix}` } }).lean<Cluster[]>(),
      this.#models.School.find(
        { regionCode: { $regex: `^${prefix}` } },
        { regionCode: 1, kind: 1, name: 1 },
      ).lean<School[]>(),
      this.#models.Cluster.find({}, { hubSchoolIds: 1, memberSchoolIds: 1 }).lean(),
    ]);
    const inCluster = new Set(
      memberships.flatMap((c) => [...c.hubSchoolIds, ...c.memberSchoolIds].map(String)),
    );
    const { judged } = await this.#sessions(
      clusters.map((c) => c._id),
      period,
    );
    const figuresOf = (clusterOk: (c: Cluster) => boolean, schoolOk: (s: School) => boolean): Figures => {
      const f = emptyFigures();
      const ids = new Set<string>();
      for (const c of clusters.filter(clusterOk)) {
        f.clusters[c.level]++;
        ids.add(c._id.toString());
      }
      for (const s of schools.filter(schoolOk)) {
        if (!RURAL.has(s.kind)) continue;
        f.ruralSchools++;
        if (inCluster.has(s._id.toString())) f.ruralSchoolsInCluster++;
      }
      return addSessions(
        f,
        judged.filter((s) => ids.has(s.clusterId)),
      );
    };
    const children = regions.filter((r) => r.parentCode === region.code);
    const rows: FigureRow[] = [];
    if (children.length) {
      for (const child of children) {
        const p = regionPrefix(child.code);
        rows.push({
          kind: 'region',
          id: child.code,
          name: child.name,
          level: child.level,
          figures: figuresOf(
            (c) => c.regionCode.startsWith(p),
            (s) => s.regionCode.startsWith(p),
          ),
        });
      }
      // Clusters organized at this level itself belong to no child region.
      const own = figuresOf(
        (c) => c.regionCode === region.code,
        () => false,
      );
      if (own.sessions.planned || own.clusters.province + own.clusters.city + own.clusters.county)
        rows.push({
          kind: 'region',
          id: region.code,
          name: `${region.name}（本级）`,
          level: region.level,
          figures: own,
        });
    } else {
      for (const c of clusters)
        rows.push({
          kind: 'cluster',
          id: c._id.toString(),
          name: c.name,
          figures: figuresOf(
            (x) => x._id.equals(c._id),
            () => false,
          ),
        });
    }
    // Rows add up to the total; a county's rows are clusters, which carry no rural coverage
    // (a school may sit in several clusters), so coverage is the county's own.
    const totals = figuresOf(
      () => true,
      () => true,
    );
    const parent = regions.find((r) => r.code === region.parentCode);
    return {
      scope: {
        kind: 'region' as const,
        id: region.code,
        name: region.name,
        level: region.level,
        ...(parent ? { parent: { kind: 'region' as const, id: parent.code, name: parent.name } } : {}),
      },
      figures: totals,
      rows,
      trend: this.#trend(kind, period, judged),
      sessions: [] as SessionRow[],
    };
  }

  async #clusterView(cluster: Cluster, period: { from: number; to: number }, kind: PeriodKind) {
    const { lessons, judged } = await this.#sessions([cluster._id], period);
    const schoolIds = [...cluster.hubSchoolIds, ...cluster.memberSchoolIds];
    const [schools, classrooms, teachers, region] = await Promise.all([
      this.#models.School.find({ _id: { $in: schoolIds } }).lean<School[]>(),
      this.#models.Classroom.find({ schoolId: { $in: schoolIds } }, { name: 1, schoolId: 1 }).lean(),
      this.#models.User.find(
        { _id: { $in: [...new Set(lessons.map((l) => l.teacherId.toString()))] } },
        { realName: 1 },
      ).lean(),
      this.#models.Region.findOne({ code: cluster.regionCode }).lean<Region>(),
    ]);
    const roomSchool = new Map(classrooms.map((c) => [c._id.toString(), c.schoolId.toString()]));
    const figures = addSessions(emptyFigures(), judged);
    figures.clusters[cluster.level] = 1;
    for (const s of schools)
      if (RURAL.has(s.kind)) {
        figures.ruralSchools++;
        figures.ruralSchoolsInCluster++;
      }
    const rows: FigureRow[] = schools.map((s) => {
      const id = s._id.toString();
      const mine = judged.filter(
        (j) =>
          j.judged.classrooms.some((c) => roomSchool.get(c.classroomId) === id) ||
          cluster.hubSchoolIds.some((h) => h.equals(s._id)),
      );
      const f = addSessions(emptyFigures(), mine, (room) => roomSchool.get(room) === id);
      if (RURAL.has(s.kind)) f.ruralSchools = f.ruralSchoolsInCluster = 1;
      return { kind: 'school', id, name: s.name, figures: f };
    });
    const sessions: SessionRow[] = lessons.map((l, i) => {
      const j = judged[i]!.judged;
      return {
        id: l._id.toString(),
        title: l.title,
        teacherName: teachers.find((t) => t._id.equals(l.teacherId))?.realName ?? '',
        scheduledStart: l.scheduledStart.toISOString(),
        verdict: j.verdict,
        liveShare: j.liveShare,
        classrooms: j.classrooms.map((c) => ({
          classroomId: c.classroomId,
          name: classrooms.find((r) => r._id.toString() === c.classroomId)?.name ?? '',
          status: c.status,
          headcount: c.headcount,
        })),
        reasons: j.reasons,
      };
    });
    return {
      scope: {
        kind: 'cluster' as const,
        id: cluster._id.toString(),
        name: cluster.name,
        level: cluster.level,
        ...(region ? { parent: { kind: 'region' as const, id: region.code, name: region.name } } : {}),
      },
      figures,
      rows,
      trend: this.#trend(kind, period, judged),
      sessions,
    };
  }

  #trend(kind: PeriodKind, period: { from: number; to: number }, judged: readonly JudgedSession[]) {
    return trendBuckets(kind, period.from, period.to).map((b) => {
      const f = addSessions(
        emptyFigures(),
        judged.filter((j) => j.scheduledStart >= b.from && j.scheduledStart < b.to),
      );
      return {
        label: b.label,
        planned: f.sessions.planned,
        delivered: f.sessions.delivered,
        missed: f.sessions.missed,
      };
    });
  }
}
