/**
 * A mutable weekly timetable of one cluster, indexed by teacher, recording room, class,
 * classroom and school so that checking one session against all others touches only the
 * few sessions of the same slot or day. Used by the solver and by the coordinator's
 * drag-and-drop editor (check a move, then make it).
 */
import { indexCluster, periodKey, streamLoads } from './cluster.ts';
import type { ClusterIndex, StreamLoad } from './cluster.ts';
import * as conflict from './conflicts.ts';
import { dayName, slotName } from './messages.ts';
import type {
  ClusterProblem,
  Conflict,
  OfferingInput,
  PeriodRef,
  Session,
  TimetableOptions,
} from './model.ts';
import { covers, overlapMinutes, sessionAt } from './slots.ts';
import { addOfferingPenalty, emptySoft } from './soft.ts';
import type { SoftReport } from './soft.ts';
import { ArgumentError } from '../errors.ts';

/** Everything the indexes and checks need of one session, computed once per session object. */
interface Entry {
  key: string;
  session: Session;
  offering: OfferingInput;
  busyKey: number;
  teacherSlot: string;
  teacherDay: string;
  roomSlot: string;
  /** The session's receiving classes with their day keys. */
  classes: { classId: string; period: number; day: string }[];
  classrooms: { id: string; day: string }[];
  loads: (StreamLoad & { day: string })[];
}

/** Receives each conflict found: the other session involved, if any, and how to describe it. */
type Sink = (other: Entry | undefined, describe: () => Conflict) => void;

/** Options of {@link Timetable.conflictsOf}. */
export interface ConflictQuery {
  /** A session to leave out, as if removed: the session being moved. */
  ignore?: Session;
}

/** The identity of a session in a timetable: its offering and hub slot. */
export function sessionKey(s: Pick<Session, 'offeringId' | 'weekday' | 'period'>): string {
  return `${s.offeringId}|${s.weekday}|${s.period}`;
}

function push<K>(map: Map<K, Entry[]>, key: K, entry: Entry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

function drop<K>(map: Map<K, Entry[]>, key: K, entry: Entry): void {
  const list = map.get(key);
  const i = list ? list.indexOf(entry) : -1;
  if (list && i >= 0) list.splice(i, 1);
}

/**
 * A cluster's weekly timetable with incremental hard-rule checks and its soft score. Sessions
 * are values: a session object handed in is not changed, and must not be changed afterwards
 * (what the checks need of it is computed once).
 */
export class Timetable {
  /** The indexed problem and resolved options. */
  readonly index: ClusterIndex;
  readonly #entries = new Map<string, Entry>();
  readonly #byOffering = new Map<string, Session[]>();
  readonly #teacherSlot = new Map<string, Entry[]>();
  readonly #teacherDay = new Map<string, Entry[]>();
  readonly #roomSlot = new Map<string, Entry[]>();
  readonly #classDay = new Map<string, Entry[]>();
  readonly #classroomDay = new Map<string, Entry[]>();
  readonly #schoolDay = new Map<string, Entry[]>();
  readonly #cache = new WeakMap<Session, Entry>();
  readonly #hub: Conflict['subject'];

  /** An empty timetable of an indexed problem (see {@link Timetable.create}). */
  constructor(index: ClusterIndex) {
    this.index = index;
    this.#hub = { kind: 'school', id: index.hub.id };
  }

  /**
   * A timetable of a problem holding the given sessions (conflicting ones included).
   * @throws TypeError for an inconsistent problem or a session of an unknown offering.
   */
  static create(
    problem: ClusterProblem,
    options: TimetableOptions = {},
    sessions: readonly Session[] = [],
  ): Timetable {
    const timetable = new Timetable(indexCluster(problem, options));
    for (const s of sessions) timetable.add(s);
    return timetable;
  }

  /** Number of sessions. */
  get size(): number {
    return this.#entries.size;
  }

  /** All sessions, in the order they were added. */
  get sessions(): Session[] {
    return Array.from(this.#entries.values(), (e) => e.session);
  }

  /** One offering's sessions. */
  sessionsOf(offeringId: string): readonly Session[] {
    return this.#byOffering.get(offeringId) ?? [];
  }

  /** The offering's session at a hub slot, if there is one. */
  get(offeringId: string, weekday: PeriodRef['weekday'], period: number): Session | undefined {
    return this.#entries.get(sessionKey({ offeringId, weekday, period }))?.session;
  }

  /** Whether a session of that offering and hub slot is in the timetable. */
  has(session: Session): boolean {
    return this.#entries.has(sessionKey(session));
  }

  /**
   * The session an offering would have at a hub (weekday, period), with each class's
   * receiving period; undefined when the hub has no such period that day.
   */
  sessionAt(offeringId: string, weekday: PeriodRef['weekday'], period: number): Session | undefined {
    return sessionAt(this.index, offeringId, weekday, period);
  }

  /**
   * Adds a session without checking it (the editor may hold conflicting sessions and show them).
   * @throws TypeError for an unknown offering or when the offering already has a session in that slot.
   */
  add(session: Session): void {
    const entry = this.#entry(session);
    if (this.#entries.has(entry.key))
      throw new ArgumentError(`session already in the timetable: ${entry.key}`);
    this.#entries.set(entry.key, entry);
    const list = this.#byOffering.get(session.offeringId);
    if (list) list.push(session);
    else this.#byOffering.set(session.offeringId, [session]);
    this.#each(entry, push);
  }

  /** Removes the offering's session in that hub slot; false when there is none. */
  remove(session: Session): boolean {
    const key = sessionKey(session);
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    const list = this.#byOffering.get(session.offeringId) ?? [];
    list.splice(list.indexOf(entry.session), 1);
    this.#each(entry, drop);
    return true;
  }

  /**
   * Moves a session to another hub slot (without checking; see {@link conflictsOfMove}).
   * @returns the session in its new slot, with its classes' receiving periods.
   * @throws TypeError when the session is not in the timetable or the hub has no such period.
   */
  move(session: Session, to: PeriodRef): Session {
    const next = this.sessionAt(session.offeringId, to.weekday, to.period);
    if (!this.has(session)) throw new ArgumentError(`session not in the timetable: ${sessionKey(session)}`);
    if (!next) throw new ArgumentError(`the hub has no period ${to.period} on weekday ${to.weekday}`);
    this.remove(session);
    this.add(next);
    return next;
  }

  /** The hard rules a session would break if moved to another hub slot. */
  conflictsOfMove(session: Session, to: PeriodRef): Conflict[] {
    const next = this.sessionAt(session.offeringId, to.weekday, to.period);
    if (next) return this.conflictsOf(next, { ignore: session });
    const slot = slotName(to.weekday, to.period);
    const hub = { kind: 'school' as const, id: this.index.hub.id };
    return [conflict.unknownPeriod(hub, `主讲学校没有${slot.zh}`, `the hub school has no ${slot.en}`)];
  }

  /**
   * Every hard rule a session breaks against the rest of the timetable (a session of the same
   * offering and slot already in it is left out, so an existing session can be checked too).
   */
  conflictsOf(session: Session, { ignore }: ConflictQuery = {}): Conflict[] {
    const out: Conflict[] = [];
    this.#scan(session, ignore ? sessionKey(ignore) : undefined, (_, describe) => out.push(describe()));
    return out;
  }

  /**
   * The sessions that stand in a session's way: removing all of them would leave only the
   * rules they cause (a daily limit or downlink may need more than one removal). Undefined
   * when a rule that no removal can fix blocks it (busy periods, bells, an unknown period).
   */
  blockersOf(session: Session, { ignore }: ConflictQuery = {}): Session[] | undefined {
    const found: Session[] = [];
    let fixed = false;
    this.#scan(session, ignore ? sessionKey(ignore) : undefined, (other) => {
      if (!other) fixed = true;
      else if (!found.includes(other.session)) found.push(other.session);
    });
    return fixed ? undefined : found;
  }

  /** Whether a session breaks no hard rule: {@link conflictsOf} is empty, found faster. */
  fits(session: Session, ignore?: Session): boolean {
    return this.#scan(session, ignore ? sessionKey(ignore) : undefined, undefined);
  }

  /** The weighted soft penalty of the timetable and its parts. */
  softScore(): SoftReport {
    const soft = emptySoft();
    let score = 0;
    for (const [id, list] of this.#byOffering) score += addOfferingPenalty(this.index, id, list, soft);
    return { score, soft };
  }

  /** A session's entry; sessions are values, so the entry of one object is computed once. */
  #entry(session: Session): Entry {
    const cached = this.#cache.get(session);
    if (cached) return cached;
    const ix = this.index;
    const offering = ix.offerings.get(session.offeringId);
    if (!offering) throw new ArgumentError(`unknown offering: ${session.offeringId}`);
    const { weekday: w, period: p } = session;
    const classrooms = new Set<string>();
    for (const r of session.receiving) {
      const c = ix.classes.get(r.classId);
      if (c) classrooms.add(c.classroomId);
    }
    const entry: Entry = {
      key: sessionKey(session),
      session,
      offering,
      busyKey: periodKey(w, p),
      teacherSlot: `${offering.teacherId}|${w}|${p}`,
      teacherDay: `${offering.teacherId}|${w}`,
      roomSlot: `${offering.recordingRoomId}|${w}|${p}`,
      classes: session.receiving.map((r) => ({ ...r, day: `${r.classId}|${w}` })),
      classrooms: [...classrooms].map((id) => ({ id, day: `${id}|${w}` })),
      loads: streamLoads(
        ix,
        session.receiving.map((r) => r.classId),
      ).map((l) => ({ ...l, day: `${l.schoolId}|${w}` })),
    };
    this.#cache.set(session, entry);
    return entry;
  }

  #each(entry: Entry, op: (map: Map<string, Entry[]>, key: string, entry: Entry) => void): void {
    op(this.#teacherSlot, entry.teacherSlot, entry);
    op(this.#teacherDay, entry.teacherDay, entry);
    op(this.#roomSlot, entry.roomSlot, entry);
    for (const c of entry.classes) op(this.#classDay, c.day, entry);
    for (const room of entry.classrooms) op(this.#classroomDay, room.day, entry);
    for (const load of entry.loads) op(this.#schoolDay, load.day, entry);
  }

  /**
   * Checks a session against the rules and the other sessions (not itself, not `ignoreKey`).
   * Hands every conflict to `sink`; without one, returns false at the first conflict.
   */
  #scan(s: Session, ignoreKey: string | undefined, sink: Sink | undefined): boolean {
    const ix = this.index;
    const self = this.#entry(s);
    const skip = (e: Entry): boolean => e.key === self.key || e.key === ignoreKey;
    const w = s.weekday;
    if (!ix.options.weekdays.includes(w)) {
      if (!sink) return false;
      const day = dayName(w);
      sink(undefined, () =>
        conflict.unknownPeriod(this.#hub, `${day.zh}不排课`, `${day.en} is not a teaching day`),
      );
    }
    const hubPeriod = ix.day(ix.hub.id, w).byNumber.get(s.period);
    if (!hubPeriod || hubPeriod.start !== s.start || hubPeriod.end !== s.end) {
      if (!sink) return false;
      const at = slotName(w, s.period);
      const [zh, en] = hubPeriod
        ? ['时间与主讲学校作息不符', 'does not match the hub bells']
        : ['在主讲学校不存在', 'does not exist at the hub school'];
      sink(undefined, () => conflict.unknownPeriod(this.#hub, `${at.zh}${zh}`, `${at.en} ${en}`));
    }

    const { teacherId: t, recordingRoomId: room } = self.offering;
    if (ix.busy.teacher.get(t)?.has(self.busyKey)) {
      if (!sink) return false;
      sink(undefined, () => conflict.teacherBusy(ix, t, s));
    }
    let today = 0;
    let sameDay: Entry | undefined;
    for (const e of this.#teacherSlot.get(self.teacherSlot) ?? []) {
      if (skip(e)) continue;
      if (!sink) return false;
      sink(e, () => conflict.teacherBusy(ix, t, s, e.session));
    }
    for (const e of this.#teacherDay.get(self.teacherDay) ?? []) {
      if (skip(e)) continue;
      today++;
      sameDay = e;
    }
    const limit = ix.dayLimit(t);
    if (today >= limit) {
      if (!sink) return false;
      sink(sameDay, () => conflict.teacherDayLimit(ix, t, w, limit));
    }
    if (ix.busy.room.get(room)?.has(self.busyKey)) {
      if (!sink) return false;
      sink(undefined, () => conflict.roomBusy(ix, room, s));
    }
    for (const e of this.#roomSlot.get(self.roomSlot) ?? []) {
      if (skip(e)) continue;
      if (!sink) return false;
      sink(e, () => conflict.roomBusy(ix, room, s, e.session));
    }

    for (const classId of self.offering.receivingClassIds) {
      const r = self.classes.find((x) => x.classId === classId);
      const c = ix.classes.get(classId);
      if (!r || !c) {
        if (!sink) return false;
        sink(undefined, () => conflict.noOverlap(ix, classId, s));
        continue;
      }
      const local = ix.day(c.schoolId, w).byNumber.get(r.period);
      if (!local || !covers(s, local, ix.options.minOverlap)) {
        if (!sink) return false;
        const p = slotName(w, r.period);
        const subject = { kind: 'class' as const, id: classId };
        sink(undefined, () =>
          local
            ? conflict.noOverlap(ix, classId, s)
            : conflict.unknownPeriod(subject, `班级 ${c.name} 的学校没有${p.zh}`, `no ${p.en} at its school`),
        );
      }
      if (ix.busy.class.get(classId)?.has(periodKey(w, r.period))) {
        if (!sink) return false;
        sink(undefined, () => conflict.classBusy(ix, classId, w, r.period));
      }
      for (const e of this.#classDay.get(r.day) ?? []) {
        if (skip(e)) continue;
        const theirs = e.classes.find((x) => x.classId === classId)?.period;
        if (theirs !== r.period && overlapMinutes(s, e.session) <= 0) continue;
        if (!sink) return false;
        sink(e, () => conflict.classBusy(ix, classId, w, r.period, e.session));
      }
    }
    for (const classroom of self.classrooms) {
      for (const e of this.#classroomDay.get(classroom.day) ?? []) {
        if (skip(e) || overlapMinutes(s, e.session) <= 0) continue;
        if (!sink) return false;
        sink(e, () => conflict.classroomBusy(ix, classroom.id, e.session));
      }
    }
    for (const load of self.loads) {
      const overlapping = (this.#schoolDay.get(load.day) ?? []).filter(
        (e) => !skip(e) && overlapMinutes(s, e.session) > 0,
      );
      const peak = load.streams + peakStreams(s, overlapping, load.schoolId);
      if (peak > ix.capacity(load.schoolId)) {
        if (!sink) return false;
        sink(overlapping[0], () => conflict.bandwidth(ix, load.schoolId, peak, overlapping[0]?.session));
      }
    }
    return true;
  }
}

/** The most streams the entries send into a school at one moment within the session's span. */
function peakStreams(s: Session, entries: readonly Entry[], schoolId: string): number {
  if (entries.length === 0) return 0;
  const events: [number, number][] = [];
  for (const e of entries) {
    const streams = e.loads.find((l) => l.schoolId === schoolId)?.streams ?? 0;
    events.push([Math.max(s.start, e.session.start), streams], [Math.min(s.end, e.session.end), -streams]);
  }
  // Ends before starts at the same minute: spans are end-exclusive.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}
