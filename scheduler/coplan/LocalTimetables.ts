/**
 * The receiving schools' own timetables as the co-plan sees them: which lesson each receiving
 * class has in each of its periods, which local teacher is busy when, an estimate of what a
 * session would displace, and the repair that makes room for a set of sessions with the fewest
 * moves it finds while every local teacher keeps one class at a time and locked lessons stay.
 */
import { periodKey } from '../timetable/cluster.ts';
import type { ClusterIndex } from '../timetable/cluster.ts';
import type { LocalLessonInput, PeriodRef, Session, Weekday } from '../timetable/model.ts';
import type { LocalChange } from './model.ts';
import type { Bans } from './refusals.ts';
import { ArgumentError } from '../errors.ts';

/** A lesson and where it sits now (repairs work on copies). */
interface Lesson {
  input: LocalLessonInput;
  schoolId: string;
  /** Its original period, as a {@link periodKey}. */
  home: number;
}

/** A class period a session takes. */
interface Use {
  classId: string;
  key: number;
  weekday: Weekday;
  period: number;
  subject: string | undefined;
  offeringId: string;
}

/** A class period the repair could not free: the session that wanted it cannot stay. */
export interface RepairFailure {
  classId: string;
  weekday: Weekday;
  period: number;
  /** The lesson that found nowhere to go. */
  lesson: LocalLessonInput;
}

/** The outcome of a repair. */
export interface Repair {
  changes: LocalChange[];
  failures: RepairFailure[];
}

function refOf(key: number): PeriodRef {
  return { weekday: (key % 8) as Weekday, period: Math.floor(key / 8) };
}

/** The local timetables of a cluster's receiving schools, indexed for the co-plan. */
export class LocalTimetables {
  readonly #index: ClusterIndex;
  /** Receiving classes' lessons by `classId` then period key. */
  readonly #byClass = new Map<string, Map<number, Lesson>>();
  /** Movable lessons per class and subject: how many. */
  readonly #subjects = new Map<string, Map<string, number>>();
  /** Every lesson of each school (receiving classes or not). */
  readonly #bySchool = new Map<string, Lesson[]>();
  /** Period keys a class's lessons may move to: its school's periods on the teaching weekdays, minus its fixed busy. */
  readonly #open = new Map<string, number[]>();

  constructor(index: ClusterIndex) {
    this.#index = index;
    const receiving = new Set(index.problem.classes.map((c) => c.id));
    for (const local of index.problem.localTimetables ?? []) {
      const list = this.#bySchool.get(local.schoolId) ?? [];
      this.#bySchool.set(local.schoolId, list);
      for (const input of local.lessons) {
        const lesson: Lesson = {
          input,
          schoolId: local.schoolId,
          home: periodKey(input.weekday, input.period),
        };
        list.push(lesson);
        if (!receiving.has(input.classId)) continue;
        let slots = this.#byClass.get(input.classId);
        if (!slots) this.#byClass.set(input.classId, (slots = new Map<number, Lesson>()));
        if (slots.has(lesson.home)) {
          throw new ArgumentError(
            `class ${input.classId} has two lessons in weekday ${input.weekday} period ${input.period}`,
          );
        }
        slots.set(lesson.home, lesson);
        if (!input.locked) {
          let counts = this.#subjects.get(input.classId);
          if (!counts) this.#subjects.set(input.classId, (counts = new Map<string, number>()));
          counts.set(input.subject, (counts.get(input.subject) ?? 0) + 1);
        }
      }
    }
    for (const c of index.problem.classes) {
      const fixed = new Set(c.busy.map((b) => periodKey(b.weekday, b.period)));
      const open: number[] = [];
      for (const weekday of index.options.weekdays) {
        for (const p of index.day(c.schoolId, weekday).periods) {
          const key = periodKey(weekday, p.period);
          if (!fixed.has(key)) open.push(key);
        }
      }
      this.#open.set(c.id, open);
    }
  }

  /** The periods of each receiving class taken by a locked lesson (they take no session). */
  lockedPeriods(classId: string): PeriodRef[] {
    const out: PeriodRef[] = [];
    for (const lesson of this.#byClass.get(classId)?.values() ?? []) {
      if (lesson.input.locked) out.push({ weekday: lesson.input.weekday, period: lesson.input.period });
    }
    return out;
  }

  /**
   * Local lessons a session would move, at least: per receiving class, 0 when it sits in a
   * lesson of its own subject; otherwise 1 when a lesson of its subject elsewhere moves in, plus
   * 1 when another lesson must move out. A lower bound of the repair when sessions do not
   * compete for the same lessons.
   */
  estimate(session: Session): number {
    const subject = this.#index.offerings.get(session.offeringId)?.subject;
    let moves = 0;
    for (const r of session.receiving) {
      const lesson = this.#byClass.get(r.classId)?.get(periodKey(session.weekday, r.period));
      if (lesson && subject !== undefined && lesson.input.subject === subject) continue;
      if (subject !== undefined && (this.#subjects.get(r.classId)?.get(subject) ?? 0) > 0) moves++;
      if (lesson) moves++;
    }
    return moves;
  }

  /**
   * Makes room in the receiving classes' own timetables for the sessions: each session replaces
   * a lesson of its subject (in its own period if there is one there, else one moved in from
   * elsewhere), and any other lesson in its way moves to a free period of the class where its
   * teacher is free, directly or by moving a lesson there on first. A move `bans` holds refused
   * is never made. Deterministic.
   */
  repair(sessions: readonly Session[], bans?: Bans): Repair {
    const uses = new Map<string, Use[]>();
    for (const s of sessions) {
      const subject = this.#index.offerings.get(s.offeringId)?.subject;
      for (const r of s.receiving) {
        if (!this.#byClass.has(r.classId)) continue;
        const list = uses.get(r.classId) ?? [];
        uses.set(r.classId, list);
        list.push({
          classId: r.classId,
          key: periodKey(s.weekday, r.period),
          weekday: s.weekday,
          period: r.period,
          subject,
          offeringId: s.offeringId,
        });
      }
    }
    const changes: LocalChange[] = [];
    const failures: RepairFailure[] = [];
    const bySchool = new Map<string, string[]>();
    for (const classId of [...uses.keys()].sort()) {
      const schoolId = this.#index.classes.get(classId)?.schoolId ?? '';
      bySchool.set(schoolId, [...(bySchool.get(schoolId) ?? []), classId]);
    }
    for (const [schoolId, classIds] of bySchool) {
      const result = this.#repairSchool(schoolId, classIds, uses, bans);
      changes.push(...result.changes);
      failures.push(...result.failures);
    }
    return { changes, failures };
  }

  #repairSchool(
    schoolId: string,
    classIds: readonly string[],
    uses: ReadonlyMap<string, Use[]>,
    bans: Bans | undefined,
  ): Repair {
    /** `${classId}|${key}` → lesson there now. */
    const at = new Map<string, Lesson>();
    /** `${teacherId}|${key}` → how many lessons the teacher has then (1 in a valid timetable). */
    const teaching = new Map<string, number>();
    const where = new Map<Lesson, number>();
    const remote = new Map<Lesson, Use>();
    for (const lesson of this.#bySchool.get(schoolId) ?? []) {
      at.set(`${lesson.input.classId}|${lesson.home}`, lesson);
      where.set(lesson, lesson.home);
      const t = lesson.input.teacherId;
      if (t !== undefined)
        teaching.set(`${t}|${lesson.home}`, (teaching.get(`${t}|${lesson.home}`) ?? 0) + 1);
    }
    const used = new Set<string>();
    for (const classId of classIds) for (const u of uses.get(classId) ?? []) used.add(`${classId}|${u.key}`);

    const lift = (lesson: Lesson): void => {
      const key = where.get(lesson) ?? lesson.home;
      at.delete(`${lesson.input.classId}|${key}`);
      const t = lesson.input.teacherId;
      if (t !== undefined) teaching.set(`${t}|${key}`, (teaching.get(`${t}|${key}`) ?? 1) - 1);
    };
    const put = (lesson: Lesson, key: number): void => {
      at.set(`${lesson.input.classId}|${key}`, lesson);
      where.set(lesson, key);
      const t = lesson.input.teacherId;
      if (t !== undefined) teaching.set(`${t}|${key}`, (teaching.get(`${t}|${key}`) ?? 0) + 1);
    };
    /** A refused move of the lesson to `key` (moving back home is no move). */
    const banned = (lesson: Lesson, key: number): boolean =>
      key !== lesson.home &&
      (bans?.move(lesson.input.classId, lesson.input.subject, refOf(lesson.home), refOf(key)) ?? false);
    const teacherFree = (lesson: Lesson, key: number): boolean => {
      const t = lesson.input.teacherId;
      return !banned(lesson, key) && (t === undefined || (teaching.get(`${t}|${key}`) ?? 0) === 0);
    };
    const freeFor = (lesson: Lesson, key: number): boolean => {
      const cell = `${lesson.input.classId}|${key}`;
      return !used.has(cell) && !at.has(cell) && teacherFree(lesson, key);
    };

    // 1. Natural slots: a session in a period holding a lesson of its subject replaces it.
    const pending: Use[] = [];
    for (const classId of classIds) {
      for (const u of [...(uses.get(classId) ?? [])].sort((a, b) => a.key - b.key)) {
        const lesson = at.get(`${classId}|${u.key}`);
        if (lesson && !lesson.input.locked && u.subject !== undefined && lesson.input.subject === u.subject) {
          lift(lesson);
          remote.set(lesson, u);
        } else pending.push(u);
      }
    }
    // 2. A session elsewhere takes a lesson of its subject from another period, first one that
    // is in some session's way anyway, so that the period it leaves takes a displaced lesson.
    for (const u of pending) {
      if (u.subject === undefined) continue;
      let chosen: Lesson | undefined;
      for (const lesson of at.values()) {
        const i = lesson.input;
        if (i.classId !== u.classId || i.locked || i.subject !== u.subject || remote.has(lesson)) continue;
        const key = where.get(lesson) ?? lesson.home;
        const inWay = used.has(`${u.classId}|${key}`);
        const best = chosen && (where.get(chosen) ?? chosen.home);
        const chosenInWay = chosen !== undefined && used.has(`${u.classId}|${best}`);
        if (!chosen || (inWay && !chosenInWay) || (inWay === chosenInWay && key < (best ?? 0)))
          chosen = lesson;
      }
      if (chosen) {
        lift(chosen);
        remote.set(chosen, u);
      }
    }
    // 3. Lessons still in a session's period move out: to a free period of the class with the
    // teacher free (periods just vacated first, which makes swaps), else by moving a lesson
    // out of the way first (an ejection chain of two).
    const failures: RepairFailure[] = [];
    const vacated = (classId: string): Set<number> =>
      new Set(
        [...remote.keys()]
          .filter((l) => l.input.classId === classId && !used.has(`${classId}|${l.home}`))
          .map((l) => l.home),
      );
    for (const u of pending) {
      const lesson = at.get(`${u.classId}|${u.key}`);
      if (!lesson) continue;
      const open = this.#open.get(u.classId) ?? [];
      const first = vacated(u.classId);
      const ordered = [...open].sort((a, b) => Number(first.has(b)) - Number(first.has(a)) || a - b);
      lift(lesson);
      const direct = ordered.find((key) => freeFor(lesson, key));
      if (direct !== undefined) {
        put(lesson, direct);
        continue;
      }
      let done = false;
      for (const key of ordered) {
        const other = at.get(`${u.classId}|${key}`);
        if (!other || other.input.locked || used.has(`${u.classId}|${key}`) || remote.has(other)) continue;
        lift(other);
        const next = teacherFree(lesson, key)
          ? ordered.find((k) => k !== key && freeFor(other, k))
          : undefined;
        if (next !== undefined) {
          put(other, next);
          put(lesson, key);
          done = true;
          break;
        }
        put(other, key);
      }
      if (!done) {
        put(lesson, u.key);
        failures.push({ classId: u.classId, weekday: u.weekday, period: u.period, lesson: lesson.input });
      }
    }

    const changes: LocalChange[] = [];
    for (const lesson of this.#bySchool.get(schoolId) ?? []) {
      const i = lesson.input;
      const base = {
        schoolId,
        classId: i.classId,
        subject: i.subject,
        ...(i.teacherId !== undefined && { teacherId: i.teacherId }),
        from: refOf(lesson.home),
      };
      const u = remote.get(lesson);
      if (u) {
        changes.push({
          kind: 'remote',
          ...base,
          to: { weekday: u.weekday, period: u.period },
          offeringId: u.offeringId,
        });
        continue;
      }
      const now = where.get(lesson) ?? lesson.home;
      if (now !== lesson.home) changes.push({ kind: 'move', ...base, to: refOf(now) });
    }
    return { changes, failures };
  }
}
