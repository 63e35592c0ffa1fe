import mongoose from 'mongoose';
import { nextCurrentChange, pickCurrentLesson } from '../../scheduler/index.ts';
import { TypedEmitter } from '../../sfu/index.ts';
import { Scope } from '../auth/Scope.ts';
import type { Identity } from '../auth/tokens.ts';
import type { ClassroomRef, CurrentLessonResponse, LessonSummary } from '../contract/api.ts';
import { ForbiddenError, InvalidStateError, NotFoundError } from '../errors.ts';
import type { Lesson, Models } from '../models/index.ts';
import { evaluatesLesson } from '../evaluation/recordingAccess.ts';
import { clusterInScope } from '../resources/scoping.ts';

export interface LessonServiceEvents extends Record<string, unknown[]> {
  /** A lesson went live or ended. */
  statechange: [LessonSummary];
  /** Lessons of these classrooms and teachers were planned, replaced or removed. */
  planchange: [LessonAudience];
}

/** Whose lessons changed: classroom ids and teachers' user ids. */
export interface LessonAudience {
  classroomIds: string[];
  teacherIds: string[];
}

/** How a participant takes part in a lesson's media. */
export interface Participation {
  role: 'teacher' | 'classroom';
  /** User id of the teacher, or classroom id. */
  refId: string;
  displayName: string;
  /** A classroom's receive budget for the lesson, kbit/s (a share of its school's downlink). */
  downlinkKbps?: number;
}

/** How long a live lesson's summary is reused for its participants' requests, ms. */
const LIVE_CACHE_MS = 5000;

/** Share of a school's downlink a lesson may take (the rest is the school's other traffic). */
export const LESSON_SHARE_OF_LINK = 0.6;

/**
 * Lessons as the live side sees them: who may see or join which lesson, which one is
 * current, and the scheduled → live → ended lifecycle (each step an atomic update, so two
 * clicks cannot start a lesson twice).
 */
export class LessonService extends TypedEmitter<LessonServiceEvents> {
  readonly #models: Models;
  readonly #now: () => number;
  /**
   * Live lessons as last read, for `participation`: when a lesson starts, each of its
   * participants asks several times within seconds (join, board, hands), and its host is the
   * one process that asks. Kept `LIVE_CACHE_MS` (a renamed classroom shows that much later);
   * forgotten when the lesson changes state here, or `forget` says it ended elsewhere.
   */
  readonly #live = new Map<
    string,
    { until: number; read: Promise<{ lesson: Lesson; summary: LessonSummary }> }
  >();

  constructor(models: Models, now: () => number = Date.now) {
    super();
    this.#models = models;
    this.#now = now;
  }

  /** The lesson, if `identity` may see it; 404 for lessons outside the caller's reach. */
  async view(identity: Identity, lessonId: string): Promise<LessonSummary> {
    const lesson = await this.#find(lessonId);
    if (!(await this.#canView(identity, lesson))) throw new NotFoundError(`lesson ${lessonId} not found`);
    return this.#summarize(lesson);
  }

  /** The lesson's state, for the process hosting it (no one's view: not for a client). */
  async stateOf(lessonId: string): Promise<LessonSummary['state']> {
    return (await this.#find(lessonId)).state;
  }

  /** Whether and as whom `identity` takes part in the lesson's media. */
  async participation(
    identity: Identity,
    lessonId: string,
  ): Promise<{ lesson: LessonSummary; as: Participation }> {
    const { lesson, summary } = await this.#liveRead(lessonId);
    if (identity.role === 'teacher' && lesson.teacherId.equals(identity.userId)) {
      return {
        lesson: summary,
        as: { role: 'teacher', refId: identity.userId, displayName: identity.displayName },
      };
    }
    if (identity.role === 'classroom' && identity.classroomId) {
      const classroom = summary.classrooms.find((c) => c.id === identity.classroomId);
      if (classroom) {
        return {
          lesson: summary,
          as: {
            role: 'classroom',
            refId: classroom.id,
            displayName: `${classroom.schoolName} · ${classroom.name}`,
            ...(classroom.downlinkMbps > 0
              ? { downlinkKbps: Math.round(classroom.downlinkMbps * 1000 * LESSON_SHARE_OF_LINK) }
              : {}),
          },
        };
      }
    }
    throw new ForbiddenError('this account is neither the teacher nor a classroom of this lesson');
  }

  /** The lesson to show now for a teacher or classroom device, and the rest of today. */
  async current(identity: Identity): Promise<CurrentLessonResponse> {
    const now = this.#now();
    const dayStart = new Date(now - 24 * 3600_000);
    const dayEnd = new Date(now + 24 * 3600_000);
    let filter: Record<string, unknown>;
    if (identity.role === 'teacher') filter = { teacherId: identity.userId };
    else if (identity.role === 'classroom' && identity.classroomId)
      filter = { classroomIds: identity.classroomId };
    else
      return {
        lesson: null,
        upcoming: [],
        next: null,
        changesAt: null,
        serverTime: new Date(now).toISOString(),
      };
    const lessons = await this.#models.Lesson.find({
      ...filter,
      $or: [{ state: 'live' }, { scheduledStart: { $gte: dayStart, $lte: dayEnd } }],
    }).lean<Lesson[]>();
    const dated = lessons.map((l) => ({
      id: l._id.toString(),
      start: l.scheduledStart.getTime(),
      end: l.scheduledEnd.getTime(),
      state: l.state,
      doc: l,
    }));
    const { current, upcoming } = pickCurrentLesson(dated, now);
    const endOfToday = new Date(now);
    endOfToday.setHours(23, 59, 59, 999);
    const next = await this.#models.Lesson.findOne({
      ...filter,
      state: 'scheduled',
      scheduledStart: { $gt: new Date(Math.max(now, current?.start ?? 0)) },
      ...(current ? { _id: { $ne: current.doc._id } } : {}),
    })
      .sort({ scheduledStart: 1 })
      .lean<Lesson>();
    const changesAt = nextCurrentChange(
      next
        ? [
            ...dated,
            {
              id: next._id.toString(),
              start: next.scheduledStart.getTime(),
              end: next.scheduledEnd.getTime(),
              state: next.state,
            },
          ]
        : dated,
      now,
    );
    return {
      lesson: current ? await this.#summarize(current.doc) : null,
      upcoming: await Promise.all(
        upcoming.filter((l) => l.start <= endOfToday.getTime()).map((l) => this.#summarize(l.doc)),
      ),
      next: next ? await this.#summarize(next) : null,
      changesAt: changesAt === null ? null : new Date(changesAt).toISOString(),
      serverTime: new Date(now).toISOString(),
    };
  }

  /**
   * Lessons were planned, replaced or removed for these classrooms and teachers (a published
   * timetable, the demo's next lesson): their pages ask for their current lesson again.
   */
  planChanged(audience: LessonAudience): void {
    if (audience.classroomIds.length || audience.teacherIds.length) this.safeEmit('planchange', audience);
  }

  /** The lesson changed state in another process: read it afresh next time. */
  forget(lessonId: string): void {
    this.#live.delete(lessonId);
  }

  /** The lesson and its summary, from the cache of live lessons when there. */
  #liveRead(lessonId: string): Promise<{ lesson: Lesson; summary: LessonSummary }> {
    const hit = this.#live.get(lessonId);
    if (hit && hit.until > performance.now()) return hit.read;
    const read = this.#find(lessonId).then(async (lesson) => ({
      lesson,
      summary: await this.#summarize(lesson),
    }));
    const entry = { until: performance.now() + LIVE_CACHE_MS, read };
    this.#live.set(lessonId, entry);
    read.then(
      ({ lesson }) => {
        if (lesson.state !== 'live' && this.#live.get(lessonId) === entry) this.#live.delete(lessonId);
      },
      () => {
        if (this.#live.get(lessonId) === entry) this.#live.delete(lessonId);
      },
    );
    if (this.#live.size > 10_000) {
      const now = performance.now();
      for (const [id, e] of this.#live) if (e.until <= now) this.#live.delete(id);
    }
    return read;
  }

  /** The teacher starts the lesson. Starting a live lesson again is a no-op. */
  async start(identity: Identity, lessonId: string): Promise<LessonSummary> {
    return this.#transition(identity, lessonId, 'live');
  }

  /** The teacher ends the lesson. Ending an ended lesson again is a no-op. */
  async end(identity: Identity, lessonId: string): Promise<LessonSummary> {
    return this.#transition(identity, lessonId, 'ended');
  }

  /** scheduled → live → ended, as one conditional update (a concurrent click re-reads). */
  async #transition(identity: Identity, lessonId: string, to: 'live' | 'ended'): Promise<LessonSummary> {
    const lesson = await this.#teacherLesson(identity, lessonId);
    if (lesson.state === to) return this.#summarize(lesson);
    const from = to === 'live' ? 'scheduled' : 'live';
    if (lesson.state !== from) {
      throw new InvalidStateError(to === 'live' ? 'this lesson has ended' : 'this lesson has not started');
    }
    const stamp = to === 'live' ? 'startedAt' : 'endedAt';
    const updated = await this.#models.Lesson.findOneAndUpdate(
      { _id: lesson._id, state: from },
      { $set: { state: to, [stamp]: new Date(this.#now()) } },
      { returnDocument: 'after' },
    ).lean<Lesson>();
    this.#live.delete(lessonId);
    if (!updated) return this.#transition(identity, lessonId, to);
    const summary = await this.#summarize(updated);
    this.safeEmit('statechange', summary);
    return summary;
  }

  async #teacherLesson(identity: Identity, lessonId: string): Promise<Lesson> {
    const lesson = await this.#find(lessonId);
    if (identity.role !== 'teacher' || !lesson.teacherId.equals(identity.userId)) {
      if (!(await this.#canView(identity, lesson))) throw new NotFoundError(`lesson ${lessonId} not found`);
      throw new ForbiddenError('only the lesson’s teacher can start or end it');
    }
    return lesson;
  }

  async #canView(identity: Identity, lesson: Lesson): Promise<boolean> {
    switch (identity.role) {
      case 'admin':
      case 'bureau':
      case 'inspector':
      case 'coordinator':
        // A bureau (and its inspectors) sees its region's clusters' lessons, a coordinator its clusters'.
        return clusterInScope(
          await Scope.resolve(this.#models, identity),
          this.#models,
          lesson.clusterId,
        ).then(
          () => true,
          (error: unknown) => {
            if (error instanceof NotFoundError) return false;
            throw error;
          },
        );
      case 'teacher':
        // An invited evaluator reads the lesson (its board log, for the recording's player).
        return (
          lesson.teacherId.equals(identity.userId) ||
          evaluatesLesson(this.#models, identity, lesson._id.toString())
        );
      case 'school':
        // A school's timetabler keeps timetables; lessons are its classrooms' and teachers'.
        return false;
      case 'classroom':
      case 'assistant':
        return !!identity.classroomId && lesson.classroomIds.some((id) => id.equals(identity.classroomId));
    }
  }

  async #find(lessonId: string): Promise<Lesson> {
    if (!mongoose.isValidObjectId(lessonId)) throw new NotFoundError(`lesson ${lessonId} not found`);
    const lesson = await this.#models.Lesson.findById(lessonId).lean<Lesson>();
    if (!lesson) throw new NotFoundError(`lesson ${lessonId} not found`);
    return lesson;
  }

  async #summarize(lesson: Lesson): Promise<LessonSummary> {
    const { Classroom, School, Cluster, User, TeachingClass } = this.#models;
    const classroomIds = [lesson.hubClassroomId, ...lesson.classroomIds];
    const [classrooms, cluster, teacher, classes] = await Promise.all([
      Classroom.find({ _id: { $in: classroomIds } }).lean(),
      Cluster.findById(lesson.clusterId).lean(),
      User.findById(lesson.teacherId).lean(),
      TeachingClass.find({ classroomId: { $in: lesson.classroomIds } }, { classroomId: 1, size: 1 }).lean(),
    ]);
    const schools = await School.find({ _id: { $in: classrooms.map((c) => c.schoolId) } }).lean();
    const ref = (id: mongoose.Types.ObjectId): ClassroomRef => {
      const classroom = classrooms.find((c) => c._id.equals(id));
      const school = classroom && schools.find((s) => s._id.equals(classroom.schoolId));
      return {
        id: id.toString(),
        name: classroom?.name ?? '?',
        schoolName: school?.name ?? '?',
        downlinkMbps: school?.downlinkMbps ?? 0,
        classSize: classes.filter((c) => c.classroomId?.equals(id)).reduce((n, c) => n + c.size, 0),
      };
    };
    return {
      id: lesson._id.toString(),
      title: lesson.title,
      subject: lesson.subject,
      grade: lesson.grade,
      clusterName: cluster?.name ?? '',
      teacherId: lesson.teacherId.toString(),
      teacherName: teacher?.realName ?? '',
      hubClassroom: ref(lesson.hubClassroomId),
      classrooms: lesson.classroomIds.map(ref),
      scheduledStart: lesson.scheduledStart.toISOString(),
      scheduledEnd: lesson.scheduledEnd.toISOString(),
      state: lesson.state,
      startedAt: lesson.startedAt?.toISOString() ?? null,
      endedAt: lesson.endedAt?.toISOString() ?? null,
    };
  }
}
