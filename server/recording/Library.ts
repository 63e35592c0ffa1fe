import mongoose from 'mongoose';
import { Scope, sharedRegionsOf } from '../auth/Scope.ts';
import type { Identity } from '../auth/tokens.ts';
import type {
  ClusterStorage,
  LibraryFacets,
  LibraryListResponse,
  LibraryQuery,
  RecordingSettingsBody,
  RecordingView,
} from '../contract/library.ts';
import { ForbiddenError, InvalidStateError, NotFoundError } from '../errors.ts';
import type { Models, Recording } from '../models/index.ts';
import { evaluatesLesson } from '../evaluation/recordingAccess.ts';
import { regionReach, withinFilter } from '../research/reach.ts';
import type { AuditLog } from '../resources/AuditLog.ts';
import { clusterIdsInScope, clusterInScope } from '../resources/scoping.ts';
import { storedChapter } from './chapters.ts';
import { floorChanges, floorClassroomIds } from './floors.ts';
import { copyToLesson } from './lessonCopy.ts';
import type { RecordingStorage } from './storage.ts';

/** Most recordings one list returns (newest first). */
const LIST_LIMIT = 200;
/** Lessons' dates are China's (UTC+8, no daylight saving). */
const CHINA_OFFSET_MS = 8 * 3600_000;
const GB = 1024 ** 3;

/** Roles that manage a cluster's recordings (delete them, set its policy). */
const MANAGERS = new Set(['admin', 'bureau', 'coordinator']);

/** The account retention deletes as, in the audit trail. */
const RETENTION: Identity = {
  userId: '000000000000000000000000',
  role: 'admin',
  displayName: 'retention',
} as Identity;

/**
 * The library (资源库): recorded lessons scoped like lessons — a teacher sees their own and
 * those shared to their region (共享), a coordinator its clusters', a bureau its region's,
 * an admin all; anything else is not found. Deletion, sharing and settings are audited.
 */
export class Library {
  readonly #models: Models;
  readonly #storage: RecordingStorage;
  readonly #audit: AuditLog;

  constructor(models: Models, storage: RecordingStorage, audit: AuditLog) {
    this.#models = models;
    this.#storage = storage;
    this.#audit = audit;
  }

  /**
   * Mongo filter of the recordings `identity` may see (null: none). A research session's
   * recording (网络教研活动) is its alliance's: its teachers and the overseers of the alliance's
   * region see it.
   */
  async #scopeFilter(identity: Identity): Promise<Record<string, unknown> | null> {
    if (identity.role === 'teacher') {
      const userId = new mongoose.Types.ObjectId(identity.userId);
      const own = { teacherId: userId };
      const regions = await sharedRegionsOf(this.#models, identity);
      const alliances = await this.#models.Alliance.find(
        { $or: [{ leadTeacherId: userId }, { memberTeacherIds: userId }] },
        { _id: 1 },
      ).lean();
      const or: Record<string, unknown>[] = [own];
      if (regions.length) or.push({ sharedRegion: { $in: regions } });
      if (alliances.length) or.push({ kind: 'research', allianceId: { $in: alliances.map((a) => a._id) } });
      return or.length > 1 ? { $or: or } : own;
    }
    if (!MANAGERS.has(identity.role)) return null;
    const scope = await Scope.resolve(this.#models, identity);
    const ids = await clusterIdsInScope(scope, this.#models);
    if (ids === 'all') return {};
    const research = withinFilter(await regionReach(scope, this.#models));
    return {
      $or: [{ clusterId: { $in: ids } }, { kind: 'research', ...(research ?? {}) }],
    };
  }

  async list(identity: Identity, query: LibraryQuery): Promise<LibraryListResponse> {
    const scoped = await this.#scopeFilter(identity);
    if (!scoped) throw new NotFoundError('no library here');
    const all = await this.#models.Recording.find(scoped).sort({ liveStartedAt: -1 }).lean<Recording[]>();
    const matching = all.filter((r) => matches(r, query));
    const names = await this.#names(all);
    return {
      recordings: matching.slice(0, LIST_LIMIT).map((r) => this.#view(identity, r, names)),
      facets: facets(all, names),
      truncated: matching.length > LIST_LIMIT,
    };
  }

  /** @throws NotFoundError for an unknown recording or one outside the caller's scope */
  async get(identity: Identity, lessonId: string): Promise<RecordingView> {
    const rec = await this.#find(identity, lessonId);
    return this.#view(identity, rec, await this.#names([rec]));
  }

  /** The MP4's path, once composed. */
  async mp4(identity: Identity, lessonId: string): Promise<{ path: string; title: string }> {
    const rec = await this.#find(identity, lessonId);
    if (rec.state !== 'ready')
      throw new NotFoundError(`the video of ${lessonId} is not ready (${rec.state})`);
    const day = rec.liveStartedAt ? localDay(rec.liveStartedAt) : '';
    return { path: this.#storage.mp4(lessonId), title: `${day} ${rec.title}`.trim() };
  }

  /** Deletes a recording's files and document (managers only), with an audit entry. */
  async remove(identity: Identity, lessonId: string): Promise<void> {
    const rec = await this.#find(identity, lessonId);
    if (!MANAGERS.has(identity.role)) throw new NotFoundError(`recording ${lessonId} not found`);
    if (rec.state === 'recording' || rec.state === 'composing')
      throw new InvalidStateError(`the recording is ${rec.state}; delete it once it is done`);
    await this.#storage.remove(lessonId);
    await this.#models.Recording.deleteOne({ _id: rec._id });
    await copyToLesson(this.#models, lessonId);
    const cluster = await this.#models.Cluster.findById(rec.clusterId, { regionCode: 1 }).lean();
    await this.#audit.record(
      identity,
      'delete',
      'recording',
      lessonId,
      { title: rec.title, liveStartedAt: rec.liveStartedAt, rawBytes: rec.rawBytes, mp4Bytes: rec.mp4Bytes },
      null,
      cluster?.regionCode ?? null,
    );
  }

  /**
   * Composes a failed recording again (重新合成): a manager whose scope holds it may;
   * audited. `recompose` queues it (`RecordingService.recompose`).
   * @throws InvalidStateError unless the recording failed
   */
  async retry(
    identity: Identity,
    lessonId: string,
    recompose: (lessonId: string) => Promise<void>,
  ): Promise<RecordingView> {
    const rec = await this.#find(identity, lessonId);
    if (!MANAGERS.has(identity.role))
      throw new ForbiddenError('only a manager may compose a recording again');
    if (rec.state !== 'failed')
      throw new InvalidStateError(`the recording is ${rec.state}; only a failed one is composed again`);
    await recompose(lessonId);
    const cluster = await this.#models.Cluster.findById(rec.clusterId, { regionCode: 1 }).lean();
    await this.#audit.record(
      identity,
      'update',
      'recording',
      lessonId,
      { state: rec.state, error: rec.error ?? null },
      { state: 'composing' },
      cluster?.regionCode ?? null,
    );
    return this.get(identity, lessonId);
  }

  /**
   * Shares a recording to its cluster's organizing region (共享), or stops sharing it: the
   * recording's teacher or a manager whose scope holds it may; audited. Nothing recorded, or
   * a failed composition, has nothing to share.
   * @throws ForbiddenError for a teacher other than the recording's (who sees it shared)
   * @throws InvalidStateError for a recording that is off or failed
   */
  async share(identity: Identity, lessonId: string, shared: boolean): Promise<RecordingView> {
    const rec = await this.#find(identity, lessonId);
    if (!mayShare(identity, rec))
      throw new ForbiddenError('only its teacher or a manager may share a recording');
    if (shared && (rec.state === 'off' || rec.state === 'failed'))
      throw new InvalidStateError(`the recording is ${rec.state}: there is nothing to share`);
    // A research session's recording is shared to its alliance's region.
    const cluster =
      rec.kind === 'research'
        ? { regionCode: rec.regionCode ?? '' }
        : await this.#models.Cluster.findById(rec.clusterId, { regionCode: 1 }).lean();
    if (!cluster?.regionCode) throw new NotFoundError(`recording ${lessonId} not found`);
    const sharedRegion = shared ? cluster.regionCode : null;
    if ((rec.sharedRegion ?? null) !== sharedRegion) {
      const set = shared
        ? { sharedRegion, sharedBy: new mongoose.Types.ObjectId(identity.userId), sharedAt: new Date() }
        : { sharedRegion: null, sharedBy: null, sharedAt: null };
      await this.#models.Recording.updateOne({ _id: rec._id }, { $set: set });
      await copyToLesson(this.#models, lessonId);
      await this.#audit.record(
        identity,
        'update',
        'recording',
        lessonId,
        { sharedRegion: rec.sharedRegion ?? null },
        { sharedRegion },
        cluster.regionCode,
      );
    }
    return this.get(identity, lessonId);
  }

  /** Space used per cluster in scope, with each cluster's policy. */
  async storage(identity: Identity): Promise<ClusterStorage[]> {
    if (!MANAGERS.has(identity.role)) throw new NotFoundError('no storage here');
    const scope = await Scope.resolve(this.#models, identity);
    const clusters = await this.#models.Cluster.find(scope.clusterFilter() ?? {}, { name: 1 })
      .sort({ name: 1 })
      .lean();
    const ids = clusters.map((c) => c._id);
    const [recordings, settings] = await Promise.all([
      this.#models.Recording.find(
        { clusterId: { $in: ids } },
        { clusterId: 1, rawBytes: 1, mp4Bytes: 1 },
      ).lean(),
      this.#models.RecordingSettings.find({ clusterId: { $in: ids } }).lean(),
    ]);
    return clusters.map((c) => {
      const own = recordings.filter((r) => r.clusterId?.equals(c._id));
      const policy = settings.find((s) => s.clusterId.equals(c._id));
      return {
        clusterId: c._id.toString(),
        clusterName: c.name,
        recordings: own.length,
        bytes: own.reduce((n, r) => n + r.rawBytes + r.mp4Bytes, 0),
        enabled: policy?.enabled ?? true,
        quotaBytes: policy?.quotaBytes ?? null,
        retentionDays: policy?.retentionDays ?? null,
      };
    });
  }

  /** Sets a cluster's recording policy (managers of the cluster), audited. */
  async setSettings(
    identity: Identity,
    clusterId: string,
    body: RecordingSettingsBody,
  ): Promise<ClusterStorage> {
    if (!MANAGERS.has(identity.role)) throw new NotFoundError(`cluster ${clusterId} not found`);
    const cluster = await clusterInScope(
      await Scope.resolve(this.#models, identity),
      this.#models,
      clusterId,
    );
    const before = await this.#models.RecordingSettings.findOne({ clusterId: cluster._id }).lean();
    const after = {
      enabled: body.enabled,
      quotaBytes: body.quotaGb === null ? null : Math.round(body.quotaGb * GB),
      retentionDays: body.retentionDays,
    };
    await this.#models.RecordingSettings.updateOne(
      { clusterId: cluster._id },
      { $set: after, $setOnInsert: { clusterId: cluster._id } },
      { upsert: true },
    );
    await this.#audit.record(
      identity,
      'update',
      'recordingSettings',
      clusterId,
      before
        ? { enabled: before.enabled, quotaBytes: before.quotaBytes, retentionDays: before.retentionDays }
        : null,
      after,
      cluster.regionCode,
    );
    const storage = await this.storage(identity);
    return storage.find((s) => s.clusterId === clusterId)!;
  }

  /**
   * Deletes recordings past their cluster's retention (audited as the system); returns how
   * many. Recordings still recording or composing are kept.
   */
  async enforceRetention(now: number): Promise<number> {
    let removed = 0;
    for (const policy of await this.#models.RecordingSettings.find({ retentionDays: { $ne: null } }).lean()) {
      const before = new Date(now - policy.retentionDays! * 86_400_000);
      const old = await this.#models.Recording.find({
        clusterId: policy.clusterId,
        liveStartedAt: { $lt: before },
        state: { $in: ['ready', 'failed', 'off'] },
      }).lean();
      const cluster = old.length
        ? await this.#models.Cluster.findById(policy.clusterId, { regionCode: 1 }).lean()
        : null;
      for (const rec of old) {
        const lessonId = rec.lessonId.toString();
        await this.#storage.remove(lessonId);
        await this.#models.Recording.deleteOne({ _id: rec._id });
        await copyToLesson(this.#models, lessonId);
        await this.#audit.record(
          RETENTION,
          'delete',
          'recording',
          lessonId,
          { title: rec.title, liveStartedAt: rec.liveStartedAt, retentionDays: policy.retentionDays },
          null,
          cluster?.regionCode ?? null,
        );
        removed++;
      }
    }
    return removed;
  }

  /**
   * The recording of `lessonId` if the caller's scope holds it, or if the caller is a teacher
   * invited to evaluate that lesson (read only: sharing, deleting and composing again check
   * the role on top; the list shows only the scope's recordings).
   */
  async #find(identity: Identity, lessonId: string): Promise<Recording> {
    const scoped = await this.#scopeFilter(identity);
    const valid = mongoose.isValidObjectId(lessonId);
    let rec =
      scoped && valid
        ? await this.#models.Recording.findOne({ ...scoped, lessonId }).lean<Recording>()
        : null;
    if (!rec && valid && (await evaluatesLesson(this.#models, identity, lessonId)))
      rec = await this.#models.Recording.findOne({ lessonId }).lean<Recording>();
    if (!rec) throw new NotFoundError(`recording ${lessonId} not found`);
    return rec;
  }

  async #names(recs: readonly Recording[]): Promise<Names> {
    const ids = (pick: (r: Recording) => mongoose.Types.ObjectId[]) => [
      ...new Set(recs.flatMap(pick).map(String)),
    ];
    const floorIds = floorClassroomIds(recs);
    const [teachers, clusters, alliances, schools, classrooms] = await Promise.all([
      this.#models.User.find({ _id: { $in: ids((r) => [r.teacherId]) } }, { realName: 1 }).lean(),
      this.#models.Cluster.find(
        { _id: { $in: ids((r) => (r.clusterId ? [r.clusterId] : [])) } },
        { name: 1 },
      ).lean(),
      this.#models.Alliance.find(
        { _id: { $in: ids((r) => (r.allianceId ? [r.allianceId] : [])) } },
        { name: 1 },
      ).lean(),
      this.#models.School.find({ _id: { $in: ids((r) => r.schoolIds) } }, { name: 1 }).lean(),
      floorIds.length ? this.#models.Classroom.find({ _id: { $in: floorIds } }, { name: 1 }).lean() : [],
    ]);
    return {
      teachers: new Map(teachers.map((t) => [t._id.toString(), t.realName ?? ''])),
      clusters: new Map(clusters.map((c) => [c._id.toString(), c.name])),
      alliances: new Map(alliances.map((a) => [a._id.toString(), a.name])),
      schools: new Map(schools.map((s) => [s._id.toString(), s.name])),
      classrooms: new Map(classrooms.map((c) => [c._id.toString(), c.name])),
    };
  }

  #view(identity: Identity, r: Recording, names: Names): RecordingView {
    const start = r.liveStartedAt?.getTime() ?? 0;
    const gaps = r.gaps.map((g) => ({
      group: g.group,
      fromMs: Math.max(0, g.from.getTime() - start),
      toMs: Math.max(0, g.to.getTime() - start),
      reason: g.reason,
    }));
    return {
      id: r.lessonId.toString(),
      kind: r.kind === 'research' ? 'research' : 'lesson',
      allianceName: r.allianceId ? (names.alliances.get(r.allianceId.toString()) ?? '') : null,
      title: r.title,
      subject: r.subject,
      grade: r.grade ?? null,
      teacherId: r.teacherId.toString(),
      teacherName: names.teachers.get(r.teacherId.toString()) ?? '',
      clusterId: r.clusterId?.toString() ?? '',
      clusterName: r.clusterId ? (names.clusters.get(r.clusterId.toString()) ?? '') : '',
      schoolNames: r.schoolIds.map((s) => names.schools.get(s.toString()) ?? '').filter(Boolean),
      liveStartedAt: r.liveStartedAt?.toISOString() ?? null,
      liveEndedAt: r.liveEndedAt?.toISOString() ?? null,
      durationMs: r.durationMs ?? null,
      state: r.state,
      progress: r.progress,
      gaps,
      incomplete: gaps.some((g) => g.reason !== 'switched-off'),
      rawBytes: r.rawBytes,
      mp4Bytes: r.mp4Bytes,
      composeSpeed: r.composeSpeed ?? null,
      chapters: r.chapters.map(storedChapter),
      floors: floorChanges(r, names.classrooms),
      error: r.error ?? null,
      offReason: r.state === 'off' || r.offReason === 'over-quota' ? (r.offReason ?? null) : null,
      sharedRegion: r.sharedRegion ?? null,
      shareable: mayShare(identity, r) && r.state !== 'off' && r.state !== 'failed',
      deletable:
        MANAGERS.has(identity.role) && (r.state === 'ready' || r.state === 'failed' || r.state === 'off'),
      retryable: MANAGERS.has(identity.role) && r.state === 'failed' && r.runs.length > 0,
    };
  }
}

interface Names {
  teachers: Map<string, string>;
  clusters: Map<string, string>;
  /** Of research sessions' alliances. */
  alliances: Map<string, string>;
  schools: Map<string, string>;
  /** Of the classrooms that had the floor. */
  classrooms: Map<string, string>;
}

/** The recording's teacher, or a manager (whose scope the caller has checked). */
function mayShare(identity: Identity, r: Recording): boolean {
  return MANAGERS.has(identity.role) || r.teacherId.equals(identity.userId);
}

/** The lesson's day in China, YYYY-MM-DD. */
function localDay(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

function matches(r: Recording, q: LibraryQuery): boolean {
  if (q.subject && r.subject !== q.subject) return false;
  if (q.grade && r.grade !== q.grade) return false;
  if (q.teacherId && !r.teacherId.equals(q.teacherId)) return false;
  if (q.clusterId && !r.clusterId?.equals(q.clusterId)) return false;
  if (q.schoolId && !r.schoolIds.some((s) => s.equals(q.schoolId))) return false;
  const day = r.liveStartedAt ? localDay(r.liveStartedAt) : null;
  if (q.from && (!day || day < q.from)) return false;
  if (q.to && (!day || day > q.to)) return false;
  if (q.q && !r.title.toLowerCase().includes(q.q.toLowerCase())) return false;
  return true;
}

function facets(all: readonly Recording[], names: Names): LibraryFacets {
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'zh');
  const list = (map: Map<string, string>, ids: string[]) =>
    [...new Set(ids)].map((id) => ({ id, name: map.get(id) ?? id })).sort(byName);
  return {
    subjects: [...new Set(all.map((r) => r.subject))].sort(),
    grades: [...new Set(all.flatMap((r) => (typeof r.grade === 'number' ? [r.grade] : [])))].sort(
      (a, b) => a - b,
    ),
    teachers: list(
      names.teachers,
      all.map((r) => r.teacherId.toString()),
    ),
    clusters: list(
      names.clusters,
      all.flatMap((r) => (r.clusterId ? [r.clusterId.toString()] : [])),
    ),
    schools: list(
      names.schools,
      all.flatMap((r) => r.schoolIds.map(String)),
    ),
  };
}
