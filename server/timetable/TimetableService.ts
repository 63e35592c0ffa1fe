import { Timetable, checkTimetable, dayName } from '../../scheduler/index.ts';
import { isText, joinTexts, text, verbatim } from '../../scheduler/text.ts';
import type { Lang } from '../../scheduler/text.ts';
import type { Conflict, Session, Weekday } from '../../scheduler/index.ts';
import type { Scope } from '../auth/Scope.ts';
import type { CheckResponse, ConflictView, SessionView, TimetableView } from '../contract/timetable.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { clusterInScope } from '../resources/scoping.ts';
import { toClock } from './clock.ts';
import { gridWorkbook } from './grid.ts';
import { fromSession, loadProblem, offeringName, toSession } from './problem.ts';
import type { LoadedProblem } from './problem.ts';
import type { LessonAudience } from '../lessons/LessonService.ts';
import { publishTimetable } from './publish.ts';
import type { SolveJob, SolveJobs } from './SolveJobs.ts';

/** A hub slot: weekday and the hub school's period. */
export interface Slot {
  weekday: number;
  period: number;
}

/** An edit of the draft: add (`to` only), move (`from` and `to`) or remove (`from` only) a session. */
export interface Edit {
  offeringId: string;
  from?: Slot;
  to?: Slot;
}

const conflictView = (c: Conflict): ConflictView => ({
  constraint: c.constraint,
  subject: c.subject,
  message: c.message,
});

/**
 * The joint timetable of a cluster and term, as coordinators plan it: solve (in a worker
 * thread), check a move as it is dragged, edit and lock sessions, publish as dated lessons,
 * export the week grid. Every edit is checked against the hard rules first; an edit that
 * would break one is refused and changes nothing.
 */
export class TimetableService {
  readonly #models: Models;
  readonly #jobs: SolveJobs;
  readonly #now: () => number;
  readonly #onPublished: (audience: LessonAudience) => void;

  /** @param onPublished told whose lessons a publication replaced (their pages ask again) */
  constructor(
    models: Models,
    jobs: SolveJobs,
    now: () => number = Date.now,
    onPublished: (audience: LessonAudience) => void = () => undefined,
  ) {
    this.#models = models;
    this.#jobs = jobs;
    this.#now = now;
    this.#onPublished = onPublished;
  }

  /** @throws NotFoundError for a cluster outside the caller's scope */
  /** @throws ConflictError while a solve of the timetable runs (its result would overwrite the change) */
  async #openForChange(scope: Scope, clusterId: string, term: string): Promise<LoadedProblem> {
    const loaded = await this.#open(scope, clusterId, term);
    if (this.#jobs.running(`${clusterId}/${term}`))
      throw new ConflictError(
        text('正在自动排课，请等排课完成后再修改', 'a solve is running; edit once it has finished'),
      );
    return loaded;
  }

  async #open(scope: Scope, clusterId: string, term: string): Promise<LoadedProblem> {
    return loadProblem(this.#models, await clusterInScope(scope, this.#models, clusterId), term);
  }

  async view(scope: Scope, clusterId: string, term: string): Promise<TimetableView> {
    return this.#view(await this.#open(scope, clusterId, term));
  }

  #view(loaded: LoadedProblem): TimetableView {
    const { cluster, timetable, problem } = loaded;
    const sessions = (timetable?.sessions ?? []).map(toSession);
    const report = checkTimetable(problem, sessions);
    const nameOf = (id: unknown): string =>
      loaded.teachers.find((t) => t._id.equals(id as never))?.realName ?? '';
    // Drafts solved before reasons were stored in both languages hold one bilingual string.
    const unplaced = ((timetable?.unplaced ?? []) as TimetableView['unplaced']).map((u) => ({
      ...u,
      reasons: u.reasons.map((r) => ({
        ...r,
        message: isText(r.message) ? r.message : verbatim(String(r.message)),
      })),
    }));
    const stillMissing = new Map(report.missing.map((m) => [m.offeringId, m.missing]));
    return {
      cluster: { id: cluster._id.toString(), name: cluster.name },
      term: loaded.term,
      state: !timetable ? 'none' : timetable.publishedAt && !timetable.dirty ? 'published' : 'draft',
      publishedAt: timetable?.publishedAt?.toISOString() ?? null,
      publishedLessons: timetable?.publishedLessons ?? 0,
      hubSchoolId: loaded.hubSchool._id.toString(),
      schools: problem.schools.map((s) => ({
        id: s.id,
        name: s.name,
        hub: s.id === problem.hubSchoolId,
        downlinkMbps: s.downlinkMbps,
        periods: s.periods.map((p) => ({
          period: p.period,
          start: toClock(p.start),
          end: toClock(p.end),
          weekdays: [...p.weekdays],
        })),
      })),
      offerings: loaded.offerings.map((o) => ({
        id: o._id.toString(),
        name: offeringName(o),
        teacherId: o.teacherId.toString(),
        teacherName: nameOf(o.teacherId),
        roomName: loaded.rooms.find((r) => r._id.equals(o.hubClassroomId))?.name ?? '',
        classIds: o.receivingClassIds.map(String),
        periodsPerWeek: o.periodsPerWeek,
      })),
      classes: loaded.classes.map((c) => ({
        id: c._id.toString(),
        name: c.name,
        schoolId: c.schoolId.toString(),
      })),
      teachers: loaded.teachers.map((t) => ({ id: t._id.toString(), name: t.realName })),
      sessions: (timetable?.sessions ?? []).map((s) => ({
        ...fromSession(toSession(s), s.locked),
      })),
      // What the last solve could not place, as far as it is still missing after edits.
      unplaced: [
        ...unplaced
          .filter((u) => stillMissing.has(u.offeringId))
          .map((u) => ({ ...u, missing: stillMissing.get(u.offeringId) ?? 0 })),
        ...report.missing
          .filter((m) => !unplaced.some((u) => u.offeringId === m.offeringId))
          .map((m) => ({ offeringId: m.offeringId, missing: m.missing, reasons: [] })),
      ],
      score: report.score,
      soft: { ...report.soft },
      calendar: loaded.calendar
        ? { name: loaded.calendar.name, start: loaded.calendar.start, end: loaded.calendar.end }
        : null,
    };
  }

  /** Starts solving the term's timetable, keeping locked sessions; the draft is saved when done. */
  async solve(
    scope: Scope,
    clusterId: string,
    term: string,
    options: { timeLimitMs: number; seed: number },
  ): Promise<SolveJob> {
    const loaded = await this.#open(scope, clusterId, term);
    if (!loaded.offerings.length)
      throw new ValidationError(text(`没有 ${term} 学期的开课计划`, `there are no offerings for ${term}`));
    // Whichever process runs the job saves the draft (SolveJobs' saveSolution).
    return this.#jobs.start(`${clusterId}/${term}`, loaded.problem, options);
  }

  /** Where a session would go and what it would break there (the editor calls this while dragging). */
  async check(scope: Scope, clusterId: string, term: string, edit: Edit): Promise<CheckResponse> {
    const loaded = await this.#open(scope, clusterId, term);
    const { session, conflicts } = this.#tryEdit(loaded, edit);
    return {
      session: session ? fromSession(session, false) : null,
      conflicts: conflicts.map(conflictView),
    };
  }

  /** Applies an edit to the draft. @throws ConflictError (nothing saved) when it breaks a hard rule */
  async edit(scope: Scope, clusterId: string, term: string, edit: Edit): Promise<TimetableView> {
    const loaded = await this.#openForChange(scope, clusterId, term);
    const { session, conflicts } = this.#tryEdit(loaded, edit);
    if (conflicts.length) throw new ConflictError(joinTexts(conflicts.map((c) => c.message)));
    const stored = loaded.timetable?.sessions ?? [];
    const fromKey = edit.from ? `${edit.offeringId}/${edit.from.weekday}/${edit.from.period}` : null;
    const wasLocked = stored.some(
      (s) => `${s.offeringId.toString()}/${s.weekday}/${s.period}` === fromKey && s.locked,
    );
    const kept = stored.filter((s) => `${s.offeringId.toString()}/${s.weekday}/${s.period}` !== fromKey);
    const sessions = [
      ...kept.map((s) => fromSession(toSession(s), s.locked)),
      ...(session ? [fromSession(session, wasLocked)] : []),
    ];
    await this.#save(loaded, sessions);
    return this.view(scope, clusterId, term);
  }

  /** Locks or unlocks a session, so that solving again keeps it in place. */
  async lock(
    scope: Scope,
    clusterId: string,
    term: string,
    at: { offeringId: string } & Slot,
    locked: boolean,
  ): Promise<TimetableView> {
    const loaded = await this.#openForChange(scope, clusterId, term);
    const stored = loaded.timetable?.sessions ?? [];
    const target = stored.find(
      (s) => s.offeringId.toString() === at.offeringId && s.weekday === at.weekday && s.period === at.period,
    );
    if (!target) throw new NotFoundError('no such session in the timetable');
    await this.#save(
      loaded,
      stored.map((s) => fromSession(toSession(s), s === target ? locked : s.locked)),
      false,
    );
    return this.view(scope, clusterId, term);
  }

  async #save(loaded: LoadedProblem, sessions: SessionView[], dirty = true): Promise<void> {
    await this.#models.Timetable.updateOne(
      { clusterId: loaded.cluster._id, term: loaded.term },
      { $set: { sessions, ...(dirty ? { dirty: true } : {}) } },
      { upsert: true },
    );
  }

  #tryEdit(loaded: LoadedProblem, edit: Edit): { session: Session | null; conflicts: Conflict[] } {
    const current = (loaded.timetable?.sessions ?? []).map(toSession);
    if (!loaded.problem.offerings.some((o) => o.id === edit.offeringId))
      throw new NotFoundError(`offering ${edit.offeringId} not found`);
    const timetable = Timetable.create(loaded.problem, {}, current);
    const from = edit.from && timetable.get(edit.offeringId, edit.from.weekday as Weekday, edit.from.period);
    if (edit.from && !from) throw new NotFoundError('no such session in the timetable');
    if (!edit.to) return { session: null, conflicts: [] };
    const session = timetable.sessionAt(edit.offeringId, edit.to.weekday as Weekday, edit.to.period);
    if (!session)
      throw new ValidationError(
        text(
          `主讲学校${dayName(edit.to.weekday as Weekday).zh}没有第${edit.to.period}节`,
          `the hub school has no period ${edit.to.period} on ${dayName(edit.to.weekday as Weekday).en}`,
        ),
      );
    const conflicts = timetable.conflictsOf(session, from ? { ignore: from } : {});
    const twin = timetable.get(edit.offeringId, session.weekday, session.period);
    if (twin && twin !== from) {
      const offering = loaded.problem.offerings.find((o) => o.id === edit.offeringId);
      conflicts.unshift({
        constraint: 'teacher-busy',
        subject: { kind: 'teacher', id: offering?.teacherId ?? '' },
        message: text(
          `${offering?.name ?? ''} 在这一节已经有课`,
          `${offering?.name ?? ''} already has this slot`,
        ),
      });
    }
    return { session, conflicts };
  }

  /** Publishes the draft as dated lessons from now to the end of the term. @returns lessons created */
  async publish(scope: Scope, clusterId: string, term: string): Promise<number> {
    const loaded = await this.#openForChange(scope, clusterId, term);
    const sessions = (loaded.timetable?.sessions ?? []).map(toSession);
    const { hardViolations } = checkTimetable(loaded.problem, sessions);
    if (hardViolations.length)
      throw new ConflictError(
        text(
          `课表有 ${hardViolations.length} 处冲突，不能发布`,
          `the timetable breaks hard rules in ${hardViolations.length} places and cannot be published`,
        ),
      );
    const published = await publishTimetable(this.#models, loaded, this.#now());
    this.#onPublished({
      classroomIds: [
        ...new Set([
          ...loaded.classes.flatMap((c) => (c.classroomId ? [c.classroomId.toString()] : [])),
          ...loaded.offerings.map((o) => o.hubClassroomId.toString()),
        ]),
      ],
      teacherIds: [...new Set(loaded.offerings.map((o) => o.teacherId.toString()))],
    });
    return published;
  }

  /** The week grid as an .xlsx workbook, its titles in `lang`. */
  async grid(
    scope: Scope,
    clusterId: string,
    term: string,
    lang: Lang = 'zh',
  ): Promise<{ name: string; data: Buffer }> {
    const view = await this.view(scope, clusterId, term);
    const title = text('课表', 'timetable')[lang];
    return { name: `${view.cluster.name}-${term}-${title}`, data: await gridWorkbook(view, lang) };
  }
}
