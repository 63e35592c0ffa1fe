import type { ClassroomFact, ClassroomStatus, SessionFact, Verdict } from '../../scheduler/delivery/index.ts';
import type { LessonFact } from './lessonFacts.ts';

/** A verdict with each receiving classroom's status, as judged or as held. */
export interface Judged {
  verdict: Verdict;
  /** Null: every receiving classroom of the lesson absent (not judged from records, or not live). */
  classrooms: readonly { classroomId: string; status: ClassroomStatus }[] | null;
}

/**
 * Makes the session facts (the rows `drillDown` counts) of one report from lesson facts,
 * placing classrooms in their schools. Made per report and dropped with it; a province
 * year's few million classroom rows share a few hundred thousand (school, status) objects.
 */
export class SessionFacts {
  readonly #roomSchool: ReadonlyMap<string, string>;
  readonly #rooms = new Map<string, Record<ClassroomStatus, ClassroomFact>>();

  /** @param roomSchool classroom id → its school id */
  constructor(roomSchool: ReadonlyMap<string, string>) {
    this.#roomSchool = roomSchool;
  }

  /** A classroom's school; '' when unknown. */
  school(classroomId: string): string {
    return this.#roomSchool.get(classroomId) ?? '';
  }

  /**
   * The session fact of `f` judged `judged`. `named` says whether a classroom is named by the
   * report's offerings or lessons: one judged in the lesson that it no longer lists, and no
   * other names, has no school.
   */
  session(f: LessonFact, judged: Judged, named: (classroomId: string) => boolean): SessionFact {
    const classrooms = (
      judged.classrooms ?? f.classroomIds.map((classroomId) => ({ classroomId, status: 'absent' as const }))
    ).map((c) => {
      if (c.classroomId === f.hubClassroomId || f.classroomIds.includes(c.classroomId))
        return this.#room(this.school(c.classroomId), c.status);
      return this.#room(named(c.classroomId) ? this.school(c.classroomId) : '', c.status);
    });
    return {
      id: f.id,
      offeringId: f.offeringId,
      clusterId: f.clusterId,
      teacherId: f.teacherId,
      hubSchoolId: this.school(f.hubClassroomId),
      scheduledStart: f.scheduledStart,
      verdict: judged.verdict,
      classrooms,
      recording: f.recording,
    };
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
