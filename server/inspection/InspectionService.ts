import mongoose from 'mongoose';
import type { RoomRegistry } from '../../sfu/index.ts';
import { Scope } from '../auth/Scope.ts';
import type { Identity } from '../auth/tokens.ts';
import type { LessonSummary, Role } from '../contract/api.ts';
import type {
  InspectionNoteRequest,
  InspectionNoteView,
  InspectionPolicyView,
  WallClassroom,
  WallFacet,
  WallPage,
  WallPageSize,
  WallTile,
} from '../contract/inspection.ts';
import {
  ForbiddenError,
  InvalidStateError,
  LessonNotLiveError,
  NotFoundError,
  ValidationError,
} from '../errors.ts';
import type { LessonService } from '../lessons/LessonService.ts';
import type { InspectionNote, Lesson, LessonEvent, Models } from '../models/index.ts';
import { clusterIdsInScope } from '../resources/scoping.ts';

type Id = mongoose.Types.ObjectId;

/** Who looks in on live lessons (巡课): inspectors, bureaus and coordinators, within their scope. */
export const WATCHER_ROLES = ['admin', 'bureau', 'coordinator', 'inspector'] as const satisfies Role[];
/** Who sets a region's notice rule. */
export const POLICY_ROLES = ['admin', 'bureau'] as const satisfies Role[];

/** Tiles per page of the wall: 16 small pictures fit a classroom screen and 2 Mbit/s. */
export const WALL_PAGE_SIZE: WallPageSize = 16;

/** Link samples older than this are not shown as a classroom's link, ms (samples come each minute). */
const SAMPLE_FRESH_MS = 3 * 60_000;

/** What the wall may be filtered by. */
export interface WallQuery {
  page: number;
  county?: string | undefined;
  subject?: string | undefined;
  schoolId?: string | undefined;
}

export interface InspectionServiceOptions {
  models: Models;
  lessons: LessonService;
  /** Rooms hosted by this process (their live link health is fresher than the samples), and the routers' capabilities. */
  rooms: Pick<RoomRegistry, 'get' | 'routerCapabilities'>;
  now?: () => number;
}

/** The region codes from `code` up to its province, nearest first (430725 → 430700 → 430000). */
export function regionChain(code: string): string[] {
  return [...new Set([code, `${code.slice(0, 4)}00`, `${code.slice(0, 2)}0000`])];
}

/**
 * 巡课: the wall of the lessons live now in the caller's scope (filtered, paged, each with
 * its classrooms' connection, attendance so far and link), the notes written while watching,
 * and each region's rule on whether a watched lesson shows 巡课中.
 */
export class InspectionService {
  readonly #models: Models;
  readonly #lessons: LessonService;
  readonly #rooms: Pick<RoomRegistry, 'get' | 'routerCapabilities'>;
  readonly #now: () => number;

  constructor(options: InspectionServiceOptions) {
    this.#models = options.models;
    this.#lessons = options.lessons;
    this.#rooms = options.rooms;
    this.#now = options.now ?? Date.now;
  }

  /** One page of the live lessons in scope. @throws ForbiddenError for a role that does not watch */
  async wall(identity: Identity, query: WallQuery): Promise<WallPage> {
    assertWatcher(identity);
    const { Lesson, Cluster, Classroom, School, Region } = this.#models;
    const clusterIds = await clusterIdsInScope(await Scope.resolve(this.#models, identity), this.#models);
    const live = await Lesson.find({
      state: 'live',
      ...(clusterIds === 'all' ? {} : { clusterId: { $in: clusterIds } }),
    })
      .sort({ startedAt: 1, _id: 1 })
      .lean<Lesson[]>();
    const [clusters, classrooms] = await Promise.all([
      Cluster.find({ _id: { $in: live.map((l) => l.clusterId) } }, { name: 1 }).lean(),
      Classroom.find(
        { _id: { $in: live.flatMap((l) => [l.hubClassroomId, ...l.classroomIds]) } },
        { name: 1, schoolId: 1 },
      ).lean(),
    ]);
    const schools = await School.find(
      { _id: { $in: classrooms.map((c) => c.schoolId) } },
      { name: 1, regionCode: 1 },
    ).lean();
    const schoolOf = (classroomId: Id): { id: string; name: string; regionCode: string } | undefined => {
      const room = classrooms.find((c) => c._id.equals(classroomId));
      const school = room && schools.find((s) => s._id.equals(room.schoolId));
      return school && { id: school._id.toString(), name: school.name, regionCode: school.regionCode };
    };
    const counties = await Region.find(
      { code: { $in: [...new Set(schools.map((s) => s.regionCode))] } },
      { code: 1, name: 1 },
    ).lean();
    const countyName = (code: string): string => counties.find((r) => r.code === code)?.name ?? code;
    // A lesson's county is its hub school's; its schools are the hub's and the receiving ones'.
    const described = live.map((lesson) => {
      const hub = schoolOf(lesson.hubClassroomId);
      const schoolIds = new Set(
        [lesson.hubClassroomId, ...lesson.classroomIds].flatMap((id) => schoolOf(id)?.id ?? []),
      );
      return { lesson, hub, county: hub?.regionCode ?? '', schoolIds };
    });
    const facets = {
      counties: facet(described.map((d) => [d.county, countyName(d.county)])),
      subjects: facet(described.map((d) => [d.lesson.subject, d.lesson.subject])),
      schools: facet(
        described.flatMap((d) =>
          [...d.schoolIds].map((id) => [id, schools.find((s) => s._id.equals(id))?.name ?? id] as const),
        ),
      ),
    };
    const matching = described.filter(
      (d) =>
        (!query.county || d.county === query.county) &&
        (!query.subject || d.lesson.subject === query.subject) &&
        (!query.schoolId || d.schoolIds.has(query.schoolId)),
    );
    const page = Math.max(1, Math.min(query.page, Math.ceil(matching.length / WALL_PAGE_SIZE) || 1));
    const shown = matching.slice((page - 1) * WALL_PAGE_SIZE, page * WALL_PAGE_SIZE);
    const tiles = await this.#tiles(
      shown.map((d) => ({
        lesson: d.lesson,
        hubSchoolName: d.hub?.name ?? '',
        countyCode: d.county,
        countyName: countyName(d.county),
        clusterName: clusters.find((c) => c._id.equals(d.lesson.clusterId))?.name ?? '',
        classroom: (id: Id) => ({
          name: classrooms.find((c) => c._id.equals(id))?.name ?? '?',
          schoolName: schoolOf(id)?.name ?? '?',
        }),
      })),
    );
    return {
      tiles,
      page,
      pageSize: WALL_PAGE_SIZE,
      total: matching.length,
      facets,
      at: new Date(this.#now()).toISOString(),
    };
  }

  /** Tiles of the shown lessons: teachers, class sizes, attendance so far and links, read in one go each. */
  async #tiles(
    shown: {
      lesson: Lesson;
      hubSchoolName: string;
      countyCode: string;
      countyName: string;
      clusterName: string;
      classroom: (id: Id) => { name: string; schoolName: string };
    }[],
  ): Promise<WallTile[]> {
    const { User, TeachingClass, LessonEvent, LinkSample } = this.#models;
    const ids = shown.map((s) => s.lesson._id);
    const now = this.#now();
    const [teachers, classes, events, samples] = await Promise.all([
      User.find({ _id: { $in: shown.map((s) => s.lesson.teacherId) } }, { realName: 1 }).lean(),
      TeachingClass.find(
        { classroomId: { $in: shown.flatMap((s) => s.lesson.classroomIds) } },
        { classroomId: 1, size: 1 },
      ).lean(),
      LessonEvent.find({ lessonId: { $in: ids }, role: 'classroom' })
        .sort({ at: 1 })
        .lean<LessonEvent[]>(),
      LinkSample.find({
        lessonId: { $in: ids },
        role: 'classroom',
        minute: { $gte: new Date(now - SAMPLE_FRESH_MS) },
      })
        .sort({ minute: 1 })
        .lean(),
    ]);
    return Promise.all(
      shown.map(async (s) => {
        const id = s.lesson._id;
        const mine = events.filter((e) => e.lessonId.equals(id));
        const liveHealth = await this.#liveHealth(id.toString());
        const classrooms = s.lesson.classroomIds.map((roomId): WallClassroom => {
          const key = roomId.toString();
          const attendance = attendanceSoFar(
            mine.filter((e) => e.refId === key),
            now,
          );
          const live = liveHealth?.find((h) => h.refId === key);
          // The last sample of the minute, if it is recent.
          const sample = samples.filter((x) => x.lessonId.equals(id) && x.refId === key).at(-1);
          return {
            id: key,
            ...s.classroom(roomId),
            ...attendance,
            classSize: classes.filter((c) => c.classroomId?.equals(roomId)).reduce((n, c) => n + c.size, 0),
            link: live
              ? { connection: live.connection, rttMs: live.rttMs, lossPct: live.lossPct, source: 'live' }
              : sample
                ? {
                    connection: sample.connection,
                    rttMs: sample.rttMs ?? null,
                    lossPct: sample.lossPct ?? null,
                    source: 'sample',
                  }
                : null,
          };
        });
        return {
          id: id.toString(),
          title: s.lesson.title,
          subject: s.lesson.subject,
          grade: s.lesson.grade,
          teacherName: teachers.find((t) => t._id.equals(s.lesson.teacherId))?.realName ?? '',
          clusterName: s.clusterName,
          hubSchoolName: s.hubSchoolName,
          countyCode: s.countyCode,
          countyName: s.countyName,
          startedAt: s.lesson.startedAt?.toISOString() ?? null,
          scheduledEnd: s.lesson.scheduledEnd.toISOString(),
          classrooms,
        };
      }),
    );
  }

  /** The SFU's link health of a lesson hosted here, or null. */
  async #liveHealth(
    lessonId: string,
  ): Promise<{ refId: string; connection: string; rttMs: number | null; lossPct: number | null }[] | null> {
    const room = this.#rooms.get(lessonId);
    if (!room || room.closed) return null;
    return room.health().catch(() => null);
  }

  /**
   * The lesson, if `identity` may watch it now: a watcher role, the lesson in its scope (404
   * otherwise, as for any lesson out of reach), and live.
   */
  async watchable(identity: Identity, lessonId: string): Promise<LessonSummary> {
    assertWatcher(identity);
    const lesson = await this.#lessons.view(identity, lessonId);
    if (lesson.state !== 'live') throw new LessonNotLiveError(lesson.state);
    return lesson;
  }

  /** The RTP capabilities of a lesson's router, for a watcher's mediasoup-client (the same on every process). */
  async capabilities(identity: Identity, lessonId: string): Promise<{ routerRtpCapabilities: unknown }> {
    await this.watchable(identity, lessonId);
    return { routerRtpCapabilities: await this.#rooms.routerCapabilities() };
  }

  /** Whether the region of the lesson's hub school (or the nearest above it with a rule) shows 巡课中. */
  async showsNotice(lessonId: string): Promise<boolean> {
    const lesson = await this.#models.Lesson.findById(lessonId, { hubClassroomId: 1 }).lean();
    const room =
      lesson && (await this.#models.Classroom.findById(lesson.hubClassroomId, { schoolId: 1 }).lean());
    const school = room && (await this.#models.School.findById(room.schoolId, { regionCode: 1 }).lean());
    if (!school?.regionCode) return false;
    return (await this.#ruleFor(school.regionCode)).showNotice;
  }

  async #ruleFor(code: string): Promise<{ showNotice: boolean; setBy: string | null }> {
    const chain = regionChain(code);
    const rules = await this.#models.InspectionPolicy.find({ regionCode: { $in: chain } }).lean();
    for (const c of chain) {
      const rule = rules.find((r) => r.regionCode === c);
      if (rule) return { showNotice: rule.showNotice, setBy: c };
    }
    return { showNotice: false, setBy: null };
  }

  /** A region's rule, for a bureau (or inspector) of it or above it; 404 for other regions. */
  async policy(identity: Identity, code: string): Promise<InspectionPolicyView> {
    const region = await this.#regionInScope(identity, code);
    return { regionCode: code, regionName: region.name, ...(await this.#ruleFor(code)) };
  }

  /** Sets a region's own rule (a bureau of it or above it, or an admin). */
  async setPolicy(identity: Identity, code: string, showNotice: boolean): Promise<InspectionPolicyView> {
    if (!(POLICY_ROLES as readonly Role[]).includes(identity.role))
      throw new ForbiddenError('only a bureau sets its region’s rule');
    await this.#regionInScope(identity, code);
    await this.#models.InspectionPolicy.updateOne(
      { regionCode: code },
      { $set: { showNotice, updatedBy: new mongoose.Types.ObjectId(identity.userId) } },
      { upsert: true },
    );
    return this.policy(identity, code);
  }

  async #regionInScope(identity: Identity, code: string): Promise<{ name: string }> {
    const scope = await Scope.resolve(this.#models, identity);
    const region = await this.#models.Region.findOne({ code }, { name: 1 }).lean();
    if (!region || !scope.coversRegion(code)) throw new NotFoundError(`region ${code} not found`);
    return region;
  }

  /** The notes written on a lesson in the caller's scope, in the lesson's order. */
  async notes(identity: Identity, lessonId: string): Promise<InspectionNoteView[]> {
    assertWatcher(identity);
    const lesson = await this.#lessons.view(identity, lessonId);
    const notes = await this.#models.InspectionNote.find({ lessonId: lesson.id })
      .sort({ at: 1, _id: 1 })
      .lean<InspectionNote[]>();
    return notes.map((n) => noteView(n, lesson, identity));
  }

  /**
   * Writes a note on a lesson in the caller's scope that has gone live, about `at` (default
   * now), which must lie between the lesson going live and now.
   */
  async addNote(
    identity: Identity,
    lessonId: string,
    request: InspectionNoteRequest,
  ): Promise<InspectionNoteView> {
    assertWatcher(identity);
    const lesson = await this.#lessons.view(identity, lessonId);
    if (!lesson.startedAt) throw new InvalidStateError('the lesson has not gone live');
    const now = this.#now();
    const at = request.at ? Date.parse(request.at) : now;
    if (at < Date.parse(lesson.startedAt) || at > now + 5000)
      throw new ValidationError('a note is about a moment of the lesson, not before it or in the future', [
        { path: 'at', message: 'between the lesson going live and now' },
      ]);
    const author = await this.#models.User.findById(identity.userId, { realName: 1 }).lean();
    const note = await this.#models.InspectionNote.create({
      lessonId: lesson.id,
      authorId: identity.userId,
      authorName: author?.realName ?? identity.displayName,
      at: new Date(at),
      text: request.text,
    });
    return noteView(note.toObject(), lesson, identity);
  }
}

function assertWatcher(identity: Identity): void {
  if (!(WATCHER_ROLES as readonly Role[]).includes(identity.role))
    throw new ForbiddenError('only inspectors, bureaus and coordinators look in on lessons');
}

function noteView(note: InspectionNote, lesson: LessonSummary, identity: Identity): InspectionNoteView {
  return {
    id: note._id.toString(),
    lessonId: lesson.id,
    authorName: note.authorName,
    mine: note.authorId.equals(identity.userId),
    at: note.at.toISOString(),
    offsetSeconds: lesson.startedAt
      ? Math.round((note.at.getTime() - Date.parse(lesson.startedAt)) / 1000)
      : null,
    text: note.text,
  };
}

/** Values with how often each occurs, most frequent first. */
function facet(values: (readonly [string, string])[]): WallFacet[] {
  const counts = new Map<string, WallFacet>();
  for (const [value, label] of values) {
    if (!value) continue;
    const entry = counts.get(value) ?? { value, label, count: 0 };
    entry.count++;
    counts.set(value, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'zh'));
}

/**
 * A classroom's attendance so far from its join, leave and head count events (in order):
 * connected now, seconds connected over every stretch, and its last head count.
 */
export function attendanceSoFar(
  events: Pick<LessonEvent, 'kind' | 'at' | 'count'>[],
  now: number,
): Pick<WallClassroom, 'connected' | 'connectedSeconds' | 'headcount'> {
  let since: number | null = null;
  let ms = 0;
  let headcount: number | null = null;
  for (const e of events) {
    if (e.kind === 'join' && since === null) since = e.at.getTime();
    if (e.kind === 'leave' && since !== null) {
      ms += Math.max(0, e.at.getTime() - since);
      since = null;
    }
    if (e.kind === 'headcount' && typeof e.count === 'number') headcount = e.count;
  }
  if (since !== null) ms += Math.max(0, now - since);
  return { connected: since !== null, connectedSeconds: Math.round(ms / 1000), headcount };
}
