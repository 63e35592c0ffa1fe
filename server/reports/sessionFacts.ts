import type { ClassroomFact, ClassroomStatus, SessionFact, Verdict } from '../../scheduler/delivery/index.ts';
import type { LessonFact } from './lessonFacts.ts';

/** A verdict with each receiving classroom's status, as judged or as held. */
export interface Judged {
  verdict: Verdict;
  /** Null: every receiving classroom of the lesson absent (not judged from records, or not live). */
  classrooms: readonly { classroomId: string; status: ClassroomStatus }[] | null;
}

/**
 * Session facts (the rows `drillDown` counts) made from lesson facts, kept from one report to
 * the next: a province year is ~700,000 of them, and making them anew for every report is
 * mostly garbage to collect. One is made again when its lesson fact is replaced (the lesson
 * changed), its verdict moves (upcoming → missed with the clock) or the classrooms' schools
 * are reloaded.
 */
export class SessionFacts {
  #roomSchool: ReadonlyMap<string, string> = new Map();
  /** By lesson id, with the fact it was made from (a Map: a WeakMap this large slows collection). */
  #made = new Map<string, { from: LessonFact; session: SessionFact }>();
  /** A few million classroom rows share a few hundred thousand (school, status) pairs. */
  #rooms = new Map<string, Record<ClassroomStatus, ClassroomFact>>();

  /**
   * Binds to the classrooms' schools now held; on a new map, forgets what was made from the
   * old. Also forgets sessions of lessons gone when they pile up (`lessons`: how many are held).
   */
  use(roomSchool: ReadonlyMap<string, string>, lessons: number): void {
    if (roomSchool === this.#roomSchool && this.#made.size <= lessons * 1.25 + 1000) return;
    this.#roomSchool = roomSchool;
    this.#made = new Map();
    this.#rooms = new Map();
  }

  /** A classroom's school; '' when unknown. */
  school(classroomId: string): string {
    return this.#roomSchool.get(classroomId) ?? '';
  }

  /**
   * The session fact of `f` judged `judged`. `named` says whether a classroom is named by the
   * report's offerings or lessons: one judged in the lesson that it no longer lists, and no
   * other names, has no school (as when the lessons are read) and is not kept.
   */
  session(f: LessonFact, judged: Judged, named: (classroomId: string) => boolean): SessionFact {
    const made = this.#made.get(f.id);
    if (made?.from === f && made.session.verdict === judged.verdict) return made.session;
    let own = true;
    const classrooms = (
      judged.classrooms ?? f.classroomIds.map((classroomId) => ({ classroomId, status: 'absent' as const }))
    ).map((c) => {
      if (c.classroomId === f.hubClassroomId || f.classroomIds.includes(c.classroomId))
        return this.#room(this.school(c.classroomId), c.status);
      own = false;
      return this.#room(named(c.classroomId) ? this.school(c.classroomId) : '', c.status);
    });
    const session: SessionFact = {
      id: f.id,
      offeringId: f.offeringId,
      clusterId: f.clusterId,
      teacherId: f.teacherId,
      hubSchoolId: this.school(f.hubClassroomId),
      scheduledStart: f.scheduledStart,
      verdict: judged.verdict,
      classrooms,
    };
    if (own) this.#made.set(f.id, { from: f, session });
    return session;
  }

  #room(schoolId: string, status: ClassroomStatus): ClassroomFact {
    let rows = this.#rooms.get(schoolId);
    if (!rows)
      this.#rooms.set(
        schoolId,
        (rows = {
          present: { schoolId, status: 'present' },
          late: { schoolId, status: 'late' },
          partial: { schoolId, status: 'partial' },
          absent: { schoolId, status: 'absent' },
        }),
      );
    return rows[status];
  }
}
