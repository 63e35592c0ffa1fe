import {
  DEFAULT_RULES,
  describeRules,
  drillDown,
  judgeSession,
  resolveRules,
} from '../../scheduler/delivery/index.ts';
import type { DeliveryRules, FigureData, SessionJudgement } from '../../scheduler/delivery/index.ts';
import { inRegion, regionPrefix } from '../auth/Scope.ts';
import type { Scope } from '../auth/Scope.ts';
import type { ReportView, SessionRow, Targets } from '../contract/reports.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Cluster, Lesson, Models, Region } from '../models/index.ts';
import { clusterInScope } from '../resources/scoping.ts';
import { Directory } from './Directory.ts';
import type { DirectoryRows } from './Directory.ts';
import { FactRollUp } from './FactRollUp.ts';
import type { FactRollUpOptions } from './FactRollUp.ts';
import { isText, text } from '../../scheduler/text.ts';
import { periodAround, trendBuckets } from './periods.ts';
import type { PeriodKind } from './periods.ts';
import { factOf } from './lessonFacts.ts';
import { loadRecords, recordOf } from './records.ts';
import { SessionFacts, SessionList } from './sessionFacts.ts';
import type { ReportSession } from './sessionFacts.ts';
import { countTeacherPeriods } from './teacherPeriods.ts';
import { researchData } from './researchFacts.ts';

/** How recordings are counted (资源同步共享), printed with the delivery rules. */
const RECORDING_RULE = text(
  '录制节数：期间内录下内容的课时（之后被删除的也计入）；已共享：录像共享到联校群所在区域的课时；' +
    '可播放、合成中、合成失败按录像当前状态计；不完整：录制进程中断、录像有缺口的课时（老师关闭录制不算）',
  'Recorded: sessions of the period with anything recorded, deleted ones too; shared: shared to the' +
    ' region of their cluster; ready, composing and failed as the recording is now; incomplete: a' +
    ' recorder stopped and left a gap (the teacher switching recording off does not count)',
);

export const DEFAULT_TARGETS: Readonly<Targets> = Object.freeze({
  clusters: { province: 500, city: 1500, county: 3000 },
  offerings: 10_000,
  teacherOnlineShare: 0.6,
  alliances: { province: 200, city: 500, county: 1300 },
});

export interface ReportQuery {
  /** A region code, or a cluster id; neither: the caller's own region or first cluster. */
  region?: string;
  clusterId?: string;
  period: PeriodKind;
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

/** What a report is about: one cluster, or a region and its subtree. */
type Target =
  { cluster: Cluster; regions: readonly Region[] } | { region: Region; regions: readonly Region[] };

/** The lesson and full judgement behind each session a cluster's report lists. */
type Listed = Map<string, { lesson: Lesson; judged: SessionJudgement }>;

/**
 * Figures toward the provincial targets for a region or a cluster and a period, with the
 * drill-down one level down, by the delivery rules of `scheduler/delivery` over the lessons'
 * own records. A lesson is judged once it is over, and the judgement is stored with it.
 *
 * One builder ({@link ReportService.view} → `#figureData` → `drillDown`) over one source of
 * rows: lesson facts ({@link LessonFact}, what a lesson says, judged) and the directory
 * ({@link Directory}: regions, clusters, schools, offerings, classrooms, teachers,
 * calendars). Where the facts come from depends only on how many there are: a cluster's (a
 * few hundred lessons, listed one by one with their records) from its lessons; a region's
 * (up to a province year: ~700,000) streamed from the roll-up kept in the database
 * ({@link FactRollUp}), the lessons changed since re-read; lessons stored as a group (one
 * verdict) make one session fact with their count, which `drillDown` counts as that many,
 * and groups alike over the period's months (a course's delivered lessons of each month of
 * a year) are summed into one ({@link SessionList}). No process keeps the lessons.
 */
export class ReportService {
  readonly #models: Models;
  readonly #rules: DeliveryRules;
  readonly #targets: Targets;
  readonly #now: () => number;
  readonly #directory: Directory;
  readonly #facts: FactRollUp;

  constructor(
    models: Models,
    options: {
      rules?: Partial<DeliveryRules>;
      targets?: Targets;
      now?: () => number;
      logger?: Logger;
      /** How the roll-up of lesson facts is kept (tests and benches tune it). */
      rollUp?: Omit<FactRollUpOptions, 'logger'>;
    } = {},
  ) {
    this.#models = models;
    this.#rules = resolveRules(options.rules ?? DEFAULT_RULES);
    this.#targets = options.targets ?? DEFAULT_TARGETS;
    this.#now = options.now ?? Date.now;
    this.#directory = new Directory(models);
    this.#facts = new FactRollUp(models, {
      ...options.rollUp,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /**
   * At start-up, in the background: reads the directory, builds the roll-up of lesson facts
   * if the database has none (so that the first report need not), reads this year's chunks of
   * it into the process's chunk cache (so that its first annual report need not either), then
   * folds lesson changes into the roll-up every few minutes.
   */
  async prime(): Promise<void> {
    await this.#directory.rows();
    await this.#facts.start();
    await this.#facts.preload(periodAround('year', this.#now()));
  }

  /** Waits for background work (a roll-up being written) before the database closes. */
  async close(): Promise<void> {
    await this.#facts.close();
    await this.#directory.close();
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
      // A judgement stored before reasons were kept in both languages is judged again.
      if (l.state === 'ended' && stored?.verdict && stored.reasons.every(isText))
        out.set(l._id.toString(), stored);
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
  async resolve(scope: Scope, userRegion: string | null, query: ReportQuery): Promise<Target> {
    return this.#resolve(scope, userRegion, query, (await this.#directory.rows()).regions);
  }

  async #resolve(
    scope: Scope,
    userRegion: string | null,
    query: ReportQuery,
    regions: readonly Region[],
  ): Promise<Target> {
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
    const dir = await this.#directory.rows();
    const target = await this.#resolve(scope, userRegion, query, dir.regions);
    const period = periodAround(query.period, this.#now());
    const listed: Listed = new Map();
    const data = await this.#figureData(dir, target, period, listed);
    const result = drillDown(
      'cluster' in target
        ? { kind: 'cluster', id: target.cluster._id.toString() }
        : { kind: 'region', code: target.region.code },
      data,
      period,
    );
    const parentCode = 'cluster' in target ? target.cluster.regionCode : target.region.parentCode;
    const parent = target.regions.find((r) => r.code === parentCode);
    // Only a cluster lists its sessions, with what its lessons say.
    const sessions = result.sessions.flatMap((s) => {
      const l = listed.get(s.id);
      return l ? [{ ...l, id: s.id, verdict: s.verdict, teacherId: s.teacherId }] : [];
    });
    const classrooms = await this.#classroomNames(sessions.map((s) => s.judged));
    const teachers = await this.#teacherNames(sessions.map((s) => s.teacherId));
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
      rules: [...describeRules(this.#rules), RECORDING_RULE],
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
        recording: factOf(s.lesson).recording,
      })),
    };
  }

  /**
   * The rows of a report's figures, the one builder of every report: the clusters in scope
   * (the cluster, or those organized in the region) with their offerings and sessions; the
   * schools they count (the cluster's, or the region's and its clusters'); for a region,
   * clusters elsewhere covering those schools; and the hub teachers' periods. A cluster's
   * sessions are also put in `listed` with their lessons, for its session list.
   */
  async #figureData(
    dir: DirectoryRows,
    target: Target,
    period: { from: number; to: number },
    listed: Listed,
  ): Promise<FigureData> {
    const prefix = 'region' in target ? regionPrefix(target.region.code) : null;
    const clusters =
      'cluster' in target ? [target.cluster] : dir.clusters.filter((c) => c.regionCode.startsWith(prefix!));
    const clusterIds = new Set(clusters.map((c) => c._id.toString()));
    const clusterSchoolIds = new Set(
      clusters.flatMap((c) => [...c.hubSchoolIds, ...c.memberSchoolIds].map(String)),
    );
    const schools = new Map(
      [...dir.schools].filter(
        ([id, s]) => (prefix !== null && s.regionCode.startsWith(prefix)) || clusterSchoolIds.has(id),
      ),
    );
    const offerings = dir.offerings.filter((o) => clusterIds.has(o.clusterId.toString()));
    const place = new SessionFacts(dir.roomSchool);
    const sessions = new SessionList(
      place,
      offerings.map((o) => o.hubClassroomId.toString()),
      this.#rules,
      this.#now(),
    );
    if ('cluster' in target) await this.#clusterSessions(target.cluster, period, sessions, listed);
    else await this.#regionSessions(clusterIds, period, sessions);
    const made = sessions.done();

    const elsewhere =
      prefix === null
        ? []
        : dir.clusters.filter(
            (c) =>
              !c.regionCode.startsWith(prefix) &&
              [...c.memberSchoolIds, ...c.hubSchoolIds].some((id) => schools.has(id.toString())),
          );
    const teachers = new Set(offerings.map((o) => o.teacherId.toString()));
    for (const s of made) teachers.add(s.teacherId);
    const periods = countTeacherPeriods(
      [...teachers].flatMap((id) => dir.users.get(id) ?? []),
      dir.schools,
      dir.calendars,
      made,
      period,
    );
    return {
      // Without any teacher's periods the IT-use share is unknown rather than zero.
      ...(periods.length ? { teacherPeriods: periods } : {}),
      // A region's 网络教研: its alliances, their sessions, its schools' teachers.
      ...(prefix !== null
        ? { research: await researchData(this.#models, prefix, period, schools, dir.users) }
        : {}),
      regions: regionRows(dir.regions),
      clusters: [...clusters, ...elsewhere].map((c) => clusterRow(c, schools)),
      schools: [...schools].map(([id, s]) => ({ id, name: s.name, regionCode: s.regionCode, kind: s.kind })),
      offerings: offerings.map((o) => ({
        id: o._id.toString(),
        clusterId: o.clusterId.toString(),
        hubSchoolId: place.school(o.hubClassroomId.toString()),
        term: o.term,
      })),
      sessions: made,
    };
  }

  /** A cluster's sessions, from its lessons and their records. */
  async #clusterSessions(
    cluster: Cluster,
    period: { from: number; to: number },
    sessions: SessionList,
    listed: Listed,
  ): Promise<void> {
    const lessons = await this.#models.Lesson.find({
      clusterId: cluster._id,
      scheduledStart: { $gte: new Date(period.from), $lt: new Date(period.to) },
    }).lean<Lesson[]>();
    const judged = await this.#judgeAll(lessons);
    for (const l of lessons) {
      const j = judged.get(l._id.toString())!;
      listed.set(l._id.toString(), { lesson: l, judged: j });
      sessions.add(factOf(l), j);
    }
  }

  /**
   * A region's sessions, streamed from the roll-up of lesson facts: a group of lessons alike
   * (one verdict) counted once with its number, other lessons one by one.
   */
  async #regionSessions(
    clusterIds: ReadonlySet<string>,
    period: { from: number; to: number },
    sessions: SessionList,
  ): Promise<void> {
    await this.#facts.each(
      period,
      (f) => {
        if (clusterIds.has(f.clusterId)) sessions.fact(f);
      },
      (g) => {
        if (clusterIds.has(g.clusterId)) sessions.group(g);
      },
    );
    // Ended without a stored judgement (or oddly recorded): judged from its records, as on
    // the cluster path, and stored.
    const lessons = (
      await Promise.all(sessions.pending.map((id) => this.#models.Lesson.findById(id).lean<Lesson>()))
    ).filter((l): l is Lesson => l !== null);
    const judged = await this.#judgeAll(lessons);
    for (const l of lessons) sessions.add(factOf(l), judged.get(l._id.toString())!);
  }

  async #classroomNames(judged: readonly SessionJudgement[]): Promise<Map<string, string>> {
    const ids = [...new Set(judged.flatMap((j) => j.classrooms.map((c) => c.classroomId)))];
    if (!ids.length) return new Map();
    const rooms = await this.#models.Classroom.find({ _id: { $in: ids } }, { name: 1 }).lean();
    return new Map(rooms.map((r) => [r._id.toString(), r.name]));
  }

  async #teacherNames(teacherIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(teacherIds)];
    if (!ids.length) return new Map();
    const users = await this.#models.User.find({ _id: { $in: ids } }, { realName: 1 }).lean();
    return new Map(users.map((u) => [u._id.toString(), u.realName]));
  }
}

/**
 * Sessions planned, delivered and missed per trend bucket, in one pass over the sessions (a
 * group's sessions by the day they start on).
 */
export function trendOf(
  buckets: readonly { label: string; from: number; to: number }[],
  sessions: readonly ReportSession[],
): { label: string; planned: number; delivered: number; missed: number }[] {
  const out = buckets.map((b) => ({ label: b.label, planned: 0, delivered: 0, missed: 0 }));
  // The bucket of the day before, else a binary search (buckets are in order, end to end).
  let last = 0;
  const bucketOf = (start: number): number => {
    const b = buckets[last];
    if (b && start >= b.from && start < b.to) return last;
    let lo = 0;
    let hi = buckets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = buckets[mid]!;
      if (start < m.from) hi = mid - 1;
      else if (start >= m.to) lo = mid + 1;
      else return (last = mid);
    }
    return -1;
  };
  const add = (s: ReportSession, start: number, n: number): void => {
    const row = out[bucketOf(start)];
    if (!row) return;
    row.planned += n;
    if (s.verdict === 'delivered') row.delivered += n;
    else if (s.verdict === 'missed') row.missed += n;
  };
  for (const s of sessions)
    if (s.days) for (let i = 0; i < s.days.length; i += 2) add(s, s.days[i]!, s.days[i + 1]!);
    else add(s, s.scheduledStart, s.count ?? 1);
  return out;
}
