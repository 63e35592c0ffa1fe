import {
  DEFAULT_RULES,
  describeRules,
  drillDown,
  judgeSession,
  resolveRules,
} from '../../scheduler/delivery/index.ts';
import type {
  DeliveryRules,
  FigureData,
  SessionFact,
  SessionJudgement,
} from '../../scheduler/delivery/index.ts';
import { inRegion, regionPrefix } from '../auth/Scope.ts';
import type { Scope } from '../auth/Scope.ts';
import type { ReportView, SessionRow, Targets } from '../contract/reports.ts';
import { NotFoundError } from '../errors.ts';
import type { Cluster, Lesson, Models, Region } from '../models/index.ts';
import { clusterInScope } from '../resources/scoping.ts';
import { periodAround, trendBuckets } from './periods.ts';
import type { PeriodKind } from './periods.ts';
import { loadRecords, recordOf } from './records.ts';
import { teacherPeriods } from './teacherPeriods.ts';

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

/** A judged session with what the session list shows. */
interface Fact extends SessionFact {
  lesson: Lesson;
  judged: SessionJudgement;
}

/**
 * Figures toward the provincial targets for a region or a cluster and a period, with the
 * drill-down one level down, by the delivery rules of `scheduler/delivery` over the lessons'
 * own records. A lesson is judged once it is over, and the judgement is stored with it.
 */
export class ReportService {
  readonly #models: Models;
  readonly #rules: DeliveryRules;
  readonly #targets: Targets;
  readonly #now: () => number;

  constructor(
    models: Models,
    options: { rules?: Partial<DeliveryRules>; targets?: Targets; now?: () => number } = {},
  ) {
    this.#models = models;
    this.#rules = resolveRules(options.rules ?? DEFAULT_RULES);
    this.#targets = options.targets ?? DEFAULT_TARGETS;
    this.#now = options.now ?? Date.now;
  }

  /** Judges an ended lesson and stores the judgement with it (called when it ends). */
  async judgeEnded(lessonId: string): Promise<void> {
    const lesson = await this.#models.Lesson.findById(lessonId).lean<Lesson>();
    if (lesson?.state !== 'ended') return;
    const [record] = await loadRecords(this.#models, [lesson]);
    if (record) await this.#store(lesson, judgeSession(record, this.#rules, this.#now()));
  }

  async #store(lesson: Lesson, judged: SessionJudgement): Promise<void> {
    await this.#models.Lesson.updateOne(
      { _id: lesson._id },
      { $set: { delivery: { ...judged, judgedAt: new Date(this.#now()), rules: this.#rules } } },
    );
  }

  /** Judges lessons: the stored judgement of ended ones, the others from their records now. */
  async #judgeAll(lessons: readonly Lesson[]): Promise<Map<string, SessionJudgement>> {
    const now = this.#now();
    const out = new Map<string, SessionJudgement>();
    const pending: Lesson[] = [];
    for (const l of lessons) {
      const stored = l.delivery as SessionJudgement | null;
      if (l.state === 'ended' && stored?.verdict) out.set(l._id.toString(), stored);
      // A lesson that never went live has no record to read.
      else if (l.state === 'scheduled')
        out.set(l._id.toString(), judgeSession(recordOf(l, []), this.#rules, now));
      else pending.push(l);
    }
    const byId = new Map(pending.map((l) => [l._id.toString(), l]));
    for (const record of await loadRecords(this.#models, pending)) {
      const judged = judgeSession(record, this.#rules, now);
      out.set(record.lessonId, judged);
      const lesson = byId.get(record.lessonId);
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
  ): Promise<{ cluster: Cluster; regions: Region[] } | { region: Region; regions: Region[] }> {
    const regions = await this.#models.Region.find({}).lean<Region[]>();
    if (query.clusterId || (!query.region && !scope.isAdmin && !scope.regionPrefix))
      return {
        cluster: await clusterInScope(scope, this.#models, query.clusterId ?? scope.clusterIds[0] ?? null),
        regions,
      };
    const code = query.region ?? userRegion ?? regions.find((r) => !r.parentCode)?.code;
    const region = regions.find((r) => r.code === code);
    if (!region || !(scope.isAdmin || (scope.regionPrefix && inRegion(scope.regionPrefix, region.code))))
      throw new NotFoundError(`region ${code ?? ''} not found`);
    return { region, regions };
  }

  async view(scope: Scope, userRegion: string | null, query: ReportQuery): Promise<ReportView> {
    const target = await this.resolve(scope, userRegion, query);
    const period = periodAround(query.period, this.#now());
    const prefix = 'cluster' in target ? null : regionPrefix(target.region.code);
    const data = await this.#data(
      target.regions,
      prefix,
      'cluster' in target ? target.cluster : null,
      period,
    );
    const result = drillDown<Fact>(
      'cluster' in target
        ? { kind: 'cluster', id: target.cluster._id.toString() }
        : { kind: 'region', code: target.region.code },
      data,
      period,
    );
    const parentCode = 'cluster' in target ? target.cluster.regionCode : target.region.parentCode;
    const parent = target.regions.find((r) => r.code === parentCode);
    const classrooms =
      'cluster' in target ? await this.#classroomNames(result.sessions) : new Map<string, string>();
    const teachers = await this.#teacherNames(result.sessions);
    return {
      scope: {
        ...('cluster' in target
          ? {
              kind: 'cluster' as const,
              id: target.cluster._id.toString(),
              name: target.cluster.name,
              level: target.cluster.level,
            }
          : {
              kind: 'region' as const,
              id: target.region.code,
              name: target.region.name,
              level: target.region.level,
            }),
        ...(parent ? { parent: { kind: 'region' as const, id: parent.code, name: parent.name } } : {}),
      },
      period: {
        from: new Date(period.from).toISOString(),
        to: new Date(period.to).toISOString(),
        label: period.label,
      },
      rules: describeRules(this.#rules),
      targets: this.#targets,
      figures: result.total,
      rows: result.rows,
      trend: trendBuckets(query.period, period.from, period.to).map((b) => {
        const inside = data.sessions.filter((s) => s.scheduledStart >= b.from && s.scheduledStart < b.to);
        return {
          label: b.label,
          planned: inside.length,
          delivered: inside.filter((s) => s.verdict === 'delivered').length,
          missed: inside.filter((s) => s.verdict === 'missed').length,
        };
      }),
      sessions: result.sessions.map((s): SessionRow => ({
        id: s.id,
        title: s.lesson.title,
        teacherName: teachers.get(s.teacherId) ?? '',
        scheduledStart: s.lesson.scheduledStart.toISOString(),
        verdict: s.verdict,
        liveShare: s.judged.liveMinutes > 0 || s.verdict !== 'upcoming' ? s.judged.liveShare : null,
        classrooms: s.judged.classrooms.map((c) => ({
          classroomId: c.classroomId,
          name: classrooms.get(c.classroomId) ?? '',
          status: c.status,
          headcount: c.headcount,
        })),
        reasons: s.judged.reasons,
      })),
    };
  }

  /** The rows the figures are computed from: a region's subtree, or one cluster. */
  async #data(
    regions: Region[],
    prefix: string | null,
    cluster: Cluster | null,
    period: { from: number; to: number },
  ): Promise<FigureData<Fact>> {
    const m = this.#models;
    const clusters = cluster
      ? [cluster]
      : await m.Cluster.find({ regionCode: { $regex: `^${prefix}` } }).lean<Cluster[]>();
    const clusterSchoolIds = clusters.flatMap((c) => [...c.hubSchoolIds, ...c.memberSchoolIds]);
    const [schools, offerings, lessons] = await Promise.all([
      m.School.find(
        cluster
          ? { _id: { $in: clusterSchoolIds } }
          : { $or: [{ regionCode: { $regex: `^${prefix}` } }, { _id: { $in: clusterSchoolIds } }] },
        { regionCode: 1, kind: 1, name: 1 },
      ).lean(),
      m.Offering.find(
        { clusterId: { $in: clusters.map((c) => c._id) } },
        { clusterId: 1, hubClassroomId: 1, term: 1, teacherId: 1 },
      ).lean(),
      m.Lesson.find({
        clusterId: { $in: clusters.map((c) => c._id) },
        scheduledStart: { $gte: new Date(period.from), $lt: new Date(period.to) },
      })
        .sort({ scheduledStart: 1 })
        .lean<Lesson[]>(),
    ]);
    const roomIds = [
      ...new Set(
        [
          ...offerings.map((o) => o.hubClassroomId),
          ...lessons.flatMap((l) => [l.hubClassroomId, ...l.classroomIds]),
        ].map(String),
      ),
    ];
    const rooms = await m.Classroom.find({ _id: { $in: roomIds } }, { schoolId: 1 }).lean();
    const schoolOfRoom = new Map(rooms.map((r) => [r._id.toString(), r.schoolId.toString()]));
    const judged = await this.#judgeAll(lessons);
    const listed = new Map(schools.map((s) => [s._id.toString(), s]));
    // Coverage counts a school in any cluster, wherever that cluster is organized: clusters
    // elsewhere that take in the region's schools come along (their sessions count elsewhere).
    const elsewhere = cluster
      ? []
      : await m.Cluster.find({
          regionCode: { $not: new RegExp(`^${prefix}`) },
          $or: [
            { memberSchoolIds: { $in: [...listed.keys()] } },
            { hubSchoolIds: { $in: [...listed.keys()] } },
          ],
        }).lean<Cluster[]>();
    const known = new Set(regions.map((r) => r.code));
    const teachers = [
      ...new Set([
        ...offerings.map((o) => o.teacherId.toString()),
        ...lessons.map((l) => l.teacherId.toString()),
      ]),
    ];
    const periods = await teacherPeriods(
      m,
      lessons.map((l) => ({ teacherId: l.teacherId.toString() })),
      teachers,
      period,
    );
    return {
      // Without any teacher's periods the IT-use share is unknown rather than zero.
      ...(periods.length ? { teacherPeriods: periods } : {}),
      regions: regions.map((r) => ({
        code: r.code,
        name: r.name,
        level: r.level,
        parentCode: r.parentCode && known.has(r.parentCode) ? r.parentCode : null,
      })),
      clusters: [...clusters, ...elsewhere].map((c) => ({
        id: c._id.toString(),
        name: c.name,
        level: c.level,
        regionCode: c.regionCode,
        hubSchoolIds: c.hubSchoolIds.map(String).filter((id) => listed.has(id)),
        memberSchoolIds: c.memberSchoolIds.map(String).filter((id) => listed.has(id)),
      })),
      schools: [...listed.values()].map((s) => ({
        id: s._id.toString(),
        name: s.name,
        regionCode: s.regionCode,
        kind: s.kind,
      })),
      offerings: offerings.map((o) => ({
        id: o._id.toString(),
        clusterId: o.clusterId.toString(),
        hubSchoolId: schoolOfRoom.get(o.hubClassroomId.toString()) ?? '',
        term: o.term,
      })),
      sessions: lessons.map((l) => {
        const j = judged.get(l._id.toString())!;
        return {
          id: l._id.toString(),
          offeringId: l.offeringId?.toString() ?? null,
          clusterId: l.clusterId.toString(),
          teacherId: l.teacherId.toString(),
          hubSchoolId: schoolOfRoom.get(l.hubClassroomId.toString()) ?? '',
          scheduledStart: l.scheduledStart.getTime(),
          verdict: j.verdict,
          classrooms: j.classrooms.map((c) => ({
            schoolId: schoolOfRoom.get(c.classroomId) ?? '',
            status: c.status,
          })),
          lesson: l,
          judged: j,
        };
      }),
    };
  }

  async #classroomNames(sessions: readonly Fact[]): Promise<Map<string, string>> {
    const ids = [...new Set(sessions.flatMap((s) => s.judged.classrooms.map((c) => c.classroomId)))];
    const rooms = await this.#models.Classroom.find({ _id: { $in: ids } }, { name: 1 }).lean();
    return new Map(rooms.map((r) => [r._id.toString(), r.name]));
  }

  async #teacherNames(sessions: readonly Fact[]): Promise<Map<string, string>> {
    const ids = [...new Set(sessions.map((s) => s.teacherId))];
    const users = await this.#models.User.find({ _id: { $in: ids } }, { realName: 1 }).lean();
    return new Map(users.map((u) => [u._id.toString(), u.realName]));
  }
}
