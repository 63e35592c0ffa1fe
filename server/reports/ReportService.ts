import {
  DEFAULT_RULES,
  describeRules,
  drillDown,
  judgeSession,
  resolveRules,
  unstartedVerdict,
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
import type { Logger } from '../logger.ts';
import type { Cluster, Lesson, Models, Region } from '../models/index.ts';
import { clusterInScope } from '../resources/scoping.ts';
import { periodAround, trendBuckets } from './periods.ts';
import type { PeriodKind } from './periods.ts';
import type { LessonFact } from './lessonFacts.ts';
import { factOf } from './lessonFacts.ts';
import { loadRecords, recordOf } from './records.ts';
import { ReportReadModel } from './ReportReadModel.ts';
import { SessionFacts } from './sessionFacts.ts';
import type { Judged } from './sessionFacts.ts';
import { countTeacherPeriods, teacherPeriods } from './teacherPeriods.ts';

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

/** Regions as figure rows; a parent outside the list is no parent (the list's top). */
function regionRows(regions: readonly Region[]): FigureData['regions'] {
  const known = new Set(regions.map((r) => r.code));
  return regions.map((r) => ({
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parentCode && known.has(r.parentCode) ? r.parentCode : null,
  }));
}

/** A cluster as a figure row, naming only the schools the figures list. */
function clusterRow(c: Cluster, listed: ReadonlyMap<string, unknown>): FigureData['clusters'][number] {
  return {
    id: c._id.toString(),
    name: c.name,
    level: c.level,
    regionCode: c.regionCode,
    hubSchoolIds: c.hubSchoolIds.map(String).filter((id) => listed.has(id)),
    memberSchoolIds: c.memberSchoolIds.map(String).filter((id) => listed.has(id)),
  };
}

/**
 * Figures toward the provincial targets for a region or a cluster and a period, with the
 * drill-down one level down, by the delivery rules of `scheduler/delivery` over the lessons'
 * own records. A lesson is judged once it is over, and the judgement is stored with it.
 *
 * A region's figures (up to a province year: ~700,000 sessions) come from the in-memory
 * {@link ReportReadModel}, revalidated against the database on each report; a cluster's
 * (a few hundred sessions, listed one by one with their live records) from its lessons.
 * Both feed the same rows to the same `drillDown`, so a cluster's figures are the same
 * either way.
 */
export class ReportService {
  readonly #models: Models;
  readonly #rules: DeliveryRules;
  readonly #targets: Targets;
  readonly #now: () => number;
  readonly #rows: ReportReadModel;
  readonly #sessionFacts = new SessionFacts();

  constructor(
    models: Models,
    options: {
      rules?: Partial<DeliveryRules>;
      targets?: Targets;
      now?: () => number;
      logger?: Logger;
    } = {},
  ) {
    this.#models = models;
    this.#rules = resolveRules(options.rules ?? DEFAULT_RULES);
    this.#targets = options.targets ?? DEFAULT_TARGETS;
    this.#now = options.now ?? Date.now;
    this.#rows = new ReportReadModel(models, options.logger ? { logger: options.logger } : {});
  }

  /** Loads the region figures' rows in the background at start-up, so the first report need not. */
  async prime(): Promise<void> {
    await this.#rows.prime();
  }

  /** Waits for background work (a roll-up being written) before the database closes. */
  async close(): Promise<void> {
    await this.#rows.close();
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
    const data: FigureData<Fact | SessionFact> =
      'cluster' in target
        ? await this.#data(target.regions, target.cluster, period)
        : await this.#regionData(target.regions, regionPrefix(target.region.code), period);
    const result = drillDown<Fact | SessionFact>(
      'cluster' in target
        ? { kind: 'cluster', id: target.cluster._id.toString() }
        : { kind: 'region', code: target.region.code },
      data,
      period,
    );
    const parentCode = 'cluster' in target ? target.cluster.regionCode : target.region.parentCode;
    const parent = target.regions.find((r) => r.code === parentCode);
    // Only a cluster lists its sessions, with what its lessons say.
    const sessions = result.sessions.filter((s): s is Fact => 'lesson' in s);
    const classrooms = 'cluster' in target ? await this.#classroomNames(sessions) : new Map<string, string>();
    const teachers = await this.#teacherNames(sessions);
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
      trend: trendOf(trendBuckets(query.period, period.from, period.to), data.sessions),
      sessions: sessions.map((s): SessionRow => ({
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

  /** The rows of one cluster's figures, from its lessons and their records. */
  async #data(
    regions: Region[],
    cluster: Cluster,
    period: { from: number; to: number },
  ): Promise<FigureData<Fact>> {
    const m = this.#models;
    const clusterSchoolIds = [...cluster.hubSchoolIds, ...cluster.memberSchoolIds];
    const [schools, offerings, lessons] = await Promise.all([
      m.School.find({ _id: { $in: clusterSchoolIds } }, { regionCode: 1, kind: 1, name: 1 }).lean(),
      m.Offering.find(
        { clusterId: cluster._id },
        { clusterId: 1, hubClassroomId: 1, term: 1, teacherId: 1 },
      ).lean(),
      m.Lesson.find({
        clusterId: cluster._id,
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
      regions: regionRows(regions),
      clusters: [clusterRow(cluster, listed)],
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

  /**
   * The rows of a region's figures, chosen in memory from the read model exactly as `#data`
   * would query them: the clusters organized in the region, their offerings and sessions, the
   * region's schools and the clusters' schools, clusters elsewhere covering those schools.
   */
  async #regionData(
    regions: Region[],
    prefix: string,
    period: { from: number; to: number },
  ): Promise<FigureData<SessionFact>> {
    const rows = await this.#rows.rows();
    const now = this.#now();
    const clusters = rows.clusters.filter((c) => c.regionCode.startsWith(prefix));
    const clusterIds = new Set(clusters.map((c) => c._id.toString()));
    const clusterSchoolIds = new Set(
      clusters.flatMap((c) => [...c.hubSchoolIds, ...c.memberSchoolIds].map(String)),
    );
    const listed = new Map(
      [...rows.schools].filter(([id, s]) => s.regionCode.startsWith(prefix) || clusterSchoolIds.has(id)),
    );
    const offerings = rows.offerings.filter((o) => clusterIds.has(o.clusterId.toString()));
    const facts: LessonFact[] = [];
    for (const f of rows.facts.values())
      if (clusterIds.has(f.clusterId) && f.scheduledStart >= period.from && f.scheduledStart < period.to)
        facts.push(f);

    const place = this.#sessionFacts;
    place.use(rows.roomSchool, rows.facts.size);
    // Classrooms the region's offerings and lessons name: only those are looked up, as there.
    let named: Set<string> | null = null;
    const isNamed = (id: string): boolean =>
      (named ??= new Set([
        ...offerings.map((o) => o.hubClassroomId.toString()),
        ...facts.flatMap((g) => [g.hubClassroomId, ...g.classroomIds]),
      ])).has(id);
    const sessions: SessionFact[] = [];
    const pending: string[] = [];
    for (const f of facts) {
      const judged = this.#judgedFact(f, now);
      if (judged) sessions.push(place.session(f, judged, isNamed));
      else pending.push(f.id);
    }
    // Ended without a stored judgement (or oddly recorded): judged from its records, as on
    // the cluster path, and stored.
    const lessons = (
      await Promise.all(pending.map((id) => this.#models.Lesson.findById(id).lean<Lesson>()))
    ).filter((l): l is Lesson => l !== null);
    const judged = await this.#judgeAll(lessons);
    for (const l of lessons) sessions.push(place.session(factOf(l), judged.get(l._id.toString())!, isNamed));

    const elsewhere = rows.clusters.filter(
      (c) =>
        !c.regionCode.startsWith(prefix) &&
        [...c.memberSchoolIds, ...c.hubSchoolIds].some((id) => listed.has(id.toString())),
    );
    const teachers = new Set(offerings.map((o) => o.teacherId.toString()));
    for (const s of sessions) teachers.add(s.teacherId);
    const periods = countTeacherPeriods(
      [...teachers].flatMap((id) => rows.users.get(id) ?? []),
      rows.schools,
      rows.calendars,
      sessions,
      period,
    );
    return {
      ...(periods.length ? { teacherPeriods: periods } : {}),
      regions: regionRows(regions),
      clusters: [...clusters, ...elsewhere].map((c) => clusterRow(c, listed)),
      schools: [...listed].map(([id, s]) => ({ id, name: s.name, regionCode: s.regionCode, kind: s.kind })),
      offerings: offerings.map((o) => ({
        id: o._id.toString(),
        clusterId: o.clusterId.toString(),
        hubSchoolId: place.school(o.hubClassroomId.toString()),
        term: o.term,
      })),
      sessions,
    };
  }

  /**
   * A fact's verdict and classroom statuses as `#judgeAll` gives them, when they need no
   * records: the stored judgement of an ended lesson, or one that never went live (missed or
   * upcoming by the clock), or one live now (its classrooms count toward no figure while
   * live, so they are given as absent). Null: judge it from its records.
   */
  #judgedFact(f: LessonFact, now: number): Judged | null {
    if (f.judged) return f.judged;
    if (f.state === 'ended') return null;
    if (f.startedAt === null)
      return { verdict: unstartedVerdict(f.scheduledEnd, this.#rules, now), classrooms: null };
    if (f.endedAt === null) return { verdict: 'live', classrooms: null };
    if (f.state === 'scheduled')
      return judgeSession(
        {
          scheduledStart: f.scheduledStart,
          scheduledEnd: f.scheduledEnd,
          state: f.state,
          liveStart: f.startedAt,
          liveEnd: f.endedAt,
          classrooms: f.classroomIds.map((classroomId) => ({ classroomId, intervals: [], headcount: null })),
        },
        this.#rules,
        now,
      );
    return null;
  }

  async #classroomNames(sessions: readonly Fact[]): Promise<Map<string, string>> {
    const ids = [...new Set(sessions.flatMap((s) => s.judged.classrooms.map((c) => c.classroomId)))];
    if (!ids.length) return new Map();
    const rooms = await this.#models.Classroom.find({ _id: { $in: ids } }, { name: 1 }).lean();
    return new Map(rooms.map((r) => [r._id.toString(), r.name]));
  }

  async #teacherNames(sessions: readonly Fact[]): Promise<Map<string, string>> {
    const ids = [...new Set(sessions.map((s) => s.teacherId))];
    if (!ids.length) return new Map();
    const users = await this.#models.User.find({ _id: { $in: ids } }, { realName: 1 }).lean();
    return new Map(users.map((u) => [u._id.toString(), u.realName]));
  }
}

/** Sessions planned, delivered and missed per trend bucket, in one pass over the sessions. */
function trendOf(
  buckets: readonly { label: string; from: number; to: number }[],
  sessions: readonly SessionFact[],
): { label: string; planned: number; delivered: number; missed: number }[] {
  const out = buckets.map((b) => ({ label: b.label, planned: 0, delivered: 0, missed: 0 }));
  for (const s of sessions) {
    let i = 0;
    while (i < buckets.length && !(s.scheduledStart >= buckets[i]!.from && s.scheduledStart < buckets[i]!.to))
      i++;
    const row = out[i];
    if (!row) continue;
    row.planned++;
    if (s.verdict === 'delivered') row.delivered++;
    else if (s.verdict === 'missed') row.missed++;
  }
  return out;
}
