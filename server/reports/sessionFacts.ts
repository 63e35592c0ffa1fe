import { judgeSession, unstartedVerdict } from '../../scheduler/delivery/index.ts';
import type {
  ClassroomFact,
  ClassroomStatus,
  DeliveryRules,
  RecordingFact,
  SessionFact,
  Verdict,
} from '../../scheduler/delivery/index.ts';
import type { FactGroup, LessonFact } from './lessonFacts.ts';

/** A verdict with each receiving classroom's status, as judged or as held. */
export interface Judged {
  verdict: Verdict;
  /** Null: every receiving classroom of the lesson absent (not judged from records, or not live). */
  classrooms: readonly { classroomId: string; status: ClassroomStatus }[] | null;
}

/**
 * A session fact of a report; one made from a group of lessons ({@link FactGroup}) has a
 * `count`, and `days`: how many of its sessions start on each day, for the trend, flat as
 * {@link FactGroup.days} (when the day starts, ms, then how many; then the next day's).
 */
export type ReportSession = SessionFact & { days?: readonly number[] };

/** A session fact made from groups of lessons: its counts summed as groups are added. */
export type GroupSession = Omit<ReportSession, 'classrooms' | 'days' | 'count' | 'scheduledStart'> & {
  scheduledStart: number;
  count: number;
  days: number[];
  classrooms: (ClassroomFact & { count: number })[];
};

const STATUSES: readonly ClassroomStatus[] = ['present', 'late', 'partial', 'absent'];

/** Adds `count` classroom-sessions of a school and status to a group session's rows. */
function addRoom(
  rows: (ClassroomFact & { count: number })[],
  schoolId: string,
  status: ClassroomStatus,
  count: number,
): void {
  for (const row of rows)
    if (row.schoolId === schoolId && row.status === status) {
      row.count += count;
      return;
    }
  rows.push({ schoolId, status, count });
}

const unnamed = (): boolean => false;

const sameRecording = (a: RecordingFact | null | undefined, b: RecordingFact | null): boolean =>
  a === b ||
  (a != null && b !== null && a.state === b.state && a.incomplete === b.incomplete && a.shared === b.shared);

/**
 * A fact's verdict and classroom statuses when they need no records: the stored judgement of
 * an ended lesson, or one that never went live (missed or upcoming by the clock), or one live
 * now (its classrooms count toward no figure while live, so they are given as absent).
 * Null: judge it from its records (an ended lesson without a stored judgement).
 */
export function judgedFact(f: LessonFact, rules: DeliveryRules, now: number): Judged | null {
  if (f.judged) return f.judged;
  if (f.state === 'ended') return null;
  if (f.startedAt === null)
    return { verdict: unstartedVerdict(f.scheduledEnd, rules, now), classrooms: null };
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
      rules,
      now,
    );
  return null;
}

/**
 * The verdict {@link judgedFact} gives every lesson of a group, when it is one and needs
 * neither records nor the lessons' own times: the stored verdict, missed or upcoming alike
 * (by the earliest and latest scheduled end), or live. Null: the lessons one by one.
 */
export function groupVerdict(g: FactGroup, rules: DeliveryRules, now: number): Verdict | null {
  if (g.verdict !== null) return g.verdict;
  if (g.state === 'ended') return null;
  if (!g.started) {
    const first = unstartedVerdict(g.firstEnd, rules, now);
    return unstartedVerdict(g.lastEnd, rules, now) === first ? first : null;
  }
  return g.ended ? null : 'live';
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
   * Where a classroom judged in a lesson counts: its school, or '' when the lesson no longer
   * lists it and `named` (the report's offerings or lessons name it) says no.
   */
  #placed(
    classroomId: string,
    lesson: { hubClassroomId: string; classroomIds: readonly string[] },
    named: (classroomId: string) => boolean,
  ): string {
    if (
      classroomId === lesson.hubClassroomId ||
      lesson.classroomIds.includes(classroomId) ||
      named(classroomId)
    )
      return this.school(classroomId);
    return '';
  }

  /**
   * The session fact of `f` judged `judged`. `named` says whether a classroom is named by the
   * report's offerings or lessons: one judged in the lesson that it no longer lists, and no
   * other names, has no school.
   */
  session(f: LessonFact, judged: Judged, named: (classroomId: string) => boolean): ReportSession {
    const classrooms = (
      judged.classrooms ?? f.classroomIds.map((classroomId) => ({ classroomId, status: 'absent' as const }))
    ).map((c) => this.#room(this.#placed(c.classroomId, f, named), c.status));
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

  /**
   * The session fact of a group's lessons, all with `verdict` (see {@link groupVerdict}):
   * counted once with their number, each judged classroom once per status it had (not judged:
   * every receiving classroom absent in each). With `into` (made by this method from groups
   * alike: the same cluster, offering, teacher, hub school, verdict and recording), the group
   * is added to it instead: its count, days and classroom rows summed with theirs.
   */
  group(
    g: FactGroup,
    verdict: Verdict,
    named: (classroomId: string) => boolean,
    into?: GroupSession,
  ): GroupSession {
    const s: GroupSession = into ?? {
      id: g.firstId,
      offeringId: g.offeringId,
      clusterId: g.clusterId,
      teacherId: g.teacherId,
      hubSchoolId: this.school(g.hubClassroomId),
      scheduledStart: g.firstStart,
      verdict,
      classrooms: [],
      recording: g.recording,
      count: 0,
      days: [],
    };
    s.count += g.count;
    if (g.firstStart < s.scheduledStart) s.scheduledStart = g.firstStart;
    for (const n of g.days) s.days.push(n);
    if (g.verdict !== null)
      for (let i = 0; i < g.judged.length; i++) {
        const slot = g.judged[i]!;
        // Mostly the lesson's own classroom in its place: no need to ask whether it is named.
        const schoolId =
          slot.classroomId === g.classroomIds[i]
            ? this.school(slot.classroomId)
            : this.#placed(slot.classroomId, g, named);
        for (const status of STATUSES) {
          const count = slot[status];
          if (count > 0) addRoom(s.classrooms, schoolId, status, count);
        }
      }
    else for (const id of g.classroomIds) addRoom(s.classrooms, this.school(id), 'absent', g.count);
    return s;
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

/**
 * The session facts of one report as its lesson facts and groups arrive. Groups alike (the
 * same cluster, offering, teacher, hub school, verdict and recording: a course's months of a
 * year, say) are summed into one session fact, their counts, days and classrooms' statuses
 * added, so the figures count a course's delivered sessions of a year once. A classroom judged
 * in a lesson that no longer lists it gets its school only when the report's offerings or
 * lessons name it; those few are placed once every lesson has been seen. Lessons that need
 * their records to be judged are listed in `pending` (the caller judges them and adds them).
 */
export class SessionList {
  readonly #place: SessionFacts;
  readonly #rules: DeliveryRules;
  readonly #now: number;
  readonly #named: Set<string>;
  /** Classrooms of what was added (hub ids, receiving lists), named only when one is placed late. */
  readonly #hubs: string[] = [];
  readonly #lists: (readonly string[])[] = [];
  readonly #sessions: ReportSession[] = [];
  /** Session facts made from groups, by offering (or cluster, for lessons outside any). */
  readonly #sums = new Map<string, GroupSession[]>();
  readonly #later: (readonly [LessonFact, Judged] | readonly [FactGroup, Verdict])[] = [];
  /** Ids of lessons that need their records to be judged (ended without a stored judgement). */
  readonly pending: string[] = [];

  constructor(place: SessionFacts, offeringRooms: readonly string[], rules: DeliveryRules, now: number) {
    this.#place = place;
    this.#named = new Set(offeringRooms);
    this.#rules = rules;
    this.#now = now;
  }

  /** A lesson as its fact says, judged without records if it can be (else pending). */
  fact(f: LessonFact): void {
    const judged = judgedFact(f, this.#rules, this.#now);
    if (judged) this.add(f, judged);
    else this.pending.push(f.id);
  }

  /** A group's lessons: counted together when they have one verdict, else lesson by lesson. */
  group(g: FactGroup): void {
    const verdict = groupVerdict(g, this.#rules, this.#now);
    if (verdict === null) {
      for (const f of g.facts()) this.fact(f);
      return;
    }
    this.#name(g);
    const own = g.judged.every(
      (c, i) =>
        c.classroomId === g.classroomIds[i] ||
        c.classroomId === g.hubClassroomId ||
        g.classroomIds.includes(c.classroomId),
    );
    if (own) this.#sum(g, verdict);
    else this.#later.push([g, verdict]);
  }

  /** Adds a group to the session fact of the groups alike seen before, or makes one. */
  #sum(g: FactGroup, verdict: Verdict): void {
    const hubSchoolId = this.#place.school(g.hubClassroomId);
    const key = g.offeringId ?? `cluster:${g.clusterId}`;
    let list = this.#sums.get(key);
    if (!list) this.#sums.set(key, (list = []));
    const alike = list.find(
      (s) =>
        s.verdict === verdict &&
        s.clusterId === g.clusterId &&
        s.offeringId === g.offeringId &&
        s.teacherId === g.teacherId &&
        s.hubSchoolId === hubSchoolId &&
        sameRecording(s.recording, g.recording),
    );
    if (alike) this.#place.group(g, verdict, unnamed, alike);
    else {
      const made = this.#place.group(g, verdict, unnamed);
      list.push(made);
      this.#sessions.push(made);
    }
  }

  /** A lesson judged `judged`. */
  add(f: LessonFact, judged: Judged): void {
    this.#name(f);
    const own = (judged.classrooms ?? []).every(
      (c) => c.classroomId === f.hubClassroomId || f.classroomIds.includes(c.classroomId),
    );
    if (own) this.#sessions.push(this.#place.session(f, judged, () => false));
    else this.#later.push([f, judged]);
  }

  #name(f: { hubClassroomId: string; classroomIds: readonly string[] }): void {
    this.#hubs.push(f.hubClassroomId);
    this.#lists.push(f.classroomIds);
  }

  done(): ReportSession[] {
    if (this.#later.length > 0) {
      for (const id of this.#hubs) this.#named.add(id);
      for (const list of this.#lists) for (const id of list) this.#named.add(id);
    }
    const named = (id: string): boolean => this.#named.has(id);
    for (const [x, judged] of this.#later.splice(0))
      this.#sessions.push(
        typeof judged === 'string'
          ? this.#place.group(x, judged, named)
          : this.#place.session(x, judged, named),
      );
    return this.#sessions;
  }
}
