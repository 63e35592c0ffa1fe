/**
 * The independent checker: validates any timetable (a solver's output, a co-plan applied, an
 * edited or imported one) from the problem as given, comparing every pair of sessions. It
 * shares no code with the solver's bookkeeping — not the {@link ClusterIndex}, not the
 * {@link Timetable}'s checks, not the conflict builders, not the soft score — so that a bug in
 * one is caught by the other. What it shares is the written rules: the option defaults
 * ({@link resolveOptions}), the words of days and periods, and the model's types.
 */
import { resolveOptions } from './cluster.ts';
import type { ResolvedOptions } from './cluster.ts';
import { clock, dayName, slotName } from './messages.ts';
import { text } from '../text.ts';
import type {
  BellPeriod,
  ClassInput,
  ClusterProblem,
  Conflict,
  OfferingInput,
  PeriodRef,
  Session,
  Solution,
  SoftConstraint,
  TimetableOptions,
  Weekday,
} from './model.ts';
import { ArgumentError } from '../errors.ts';

/** What the checker reports: a {@link Solution} without search figures and unplaced reasons. */
export interface TimetableReport extends Pick<Solution, 'hardViolations' | 'score' | 'soft'> {
  /** Offerings with fewer sessions than their periods per week. */
  missing: { offeringId: string; missing: number }[];
  /** Offerings with more sessions than their periods per week. */
  surplus: { offeringId: string; surplus: number }[];
}

/** The problem as plain look-ups, built here and nowhere else. */
interface Facts {
  problem: ClusterProblem;
  options: ResolvedOptions;
  hubId: string;
  periods: Map<string, readonly BellPeriod[]>;
  offerings: Map<string, OfferingInput>;
  classes: Map<string, ClassInput>;
  /** `${id}|${weekday}|${period}` of every busy teacher, room and class (local lessons included). */
  busy: Set<string>;
  preferred: Map<string, Set<string>>;
  names: Map<string, string>;
}

function facts(problem: ClusterProblem, options: TimetableOptions): Facts {
  const resolved = resolveOptions(options);
  const hub = problem.schools.find((s) => s.id === problem.hubSchoolId);
  if (!hub) throw new ArgumentError(`unknown hub school: ${problem.hubSchoolId}`);
  const busy = new Set<string>();
  const mark = (id: string, refs: readonly PeriodRef[]): void => {
    for (const r of refs) busy.add(`${id}|${r.weekday}|${r.period}`);
  };
  for (const t of problem.teachers) mark(`t:${t.id}`, t.busy);
  for (const r of problem.recordingRooms) mark(`r:${r.id}`, r.busy);
  for (const c of problem.classes) mark(`c:${c.id}`, c.busy);
  for (const local of problem.localTimetables ?? []) {
    for (const l of local.lessons) busy.add(`c:${l.classId}|${l.weekday}|${l.period}`);
  }
  const names = new Map<string, string>();
  for (const t of problem.teachers) names.set(`t:${t.id}`, t.name);
  for (const r of problem.recordingRooms) names.set(`r:${r.id}`, r.name);
  for (const c of problem.classes) names.set(`c:${c.id}`, c.name);
  for (const o of problem.offerings) names.set(`o:${o.id}`, o.name);
  return {
    problem,
    options: resolved,
    hubId: hub.id,
    periods: new Map(problem.schools.map((s) => [s.id, s.periods])),
    offerings: new Map(problem.offerings.map((o) => [o.id, o])),
    classes: new Map(problem.classes.map((c) => [c.id, c])),
    busy,
    preferred: new Map(
      problem.teachers
        .filter((t) => t.preferred?.length)
        .map((t) => [t.id, new Set((t.preferred ?? []).map((r) => `${r.weekday}|${r.period}`))]),
    ),
    names,
  };
}

/** The school's period of that number ringing on that weekday. */
function periodOf(f: Facts, schoolId: string, weekday: Weekday, period: number): BellPeriod | undefined {
  return f.periods.get(schoolId)?.find((p) => p.period === period && p.weekdays.includes(weekday));
}

function name(f: Facts, key: string): string {
  return f.names.get(key) ?? key.slice(2);
}

function clash(s: Pick<Session, 'weekday' | 'start' | 'end'>, t: Pick<Session, 'weekday' | 'start' | 'end'>) {
  return s.weekday === t.weekday && Math.min(s.end, t.end) > Math.max(s.start, t.start);
}

function withOf(s: Session): Conflict['with'] {
  return { offeringId: s.offeringId, weekday: s.weekday, period: s.period };
}

function checkOne(f: Facts, s: Session, out: Conflict[]): void {
  const o = f.offerings.get(s.offeringId);
  if (!o) throw new ArgumentError(`unknown offering: ${s.offeringId}`);
  const hub = { kind: 'school' as const, id: f.hubId };
  const at = slotName(s.weekday, s.period);
  if (!f.options.weekdays.includes(s.weekday)) {
    const day = dayName(s.weekday);
    out.push({
      constraint: 'unknown-period',
      subject: hub,
      message: text(`${day.zh}不排课`, `${day.en} is not a teaching day`),
    });
  }
  const hubPeriod = periodOf(f, f.hubId, s.weekday, s.period);
  if (!hubPeriod || hubPeriod.start !== s.start || hubPeriod.end !== s.end) {
    out.push({
      constraint: 'unknown-period',
      subject: hub,
      message: text(`${at.zh}与主讲学校作息不符`, `${at.en} does not match the hub bells`),
    });
  }
  if (f.busy.has(`t:${o.teacherId}|${s.weekday}|${s.period}`)) {
    out.push({
      constraint: 'teacher-busy',
      subject: { kind: 'teacher', id: o.teacherId },
      message: text(`教师 ${name(f, `t:${o.teacherId}`)} ${at.zh}不可用`, `teacher is busy on ${at.en}`),
    });
  }
  if (f.busy.has(`r:${o.recordingRoomId}|${s.weekday}|${s.period}`)) {
    out.push({
      constraint: 'room-busy',
      subject: { kind: 'room', id: o.recordingRoomId },
      message: text(
        `录播教室 ${name(f, `r:${o.recordingRoomId}`)} ${at.zh}不可用`,
        `recording room unavailable on ${at.en}`,
      ),
    });
  }
  const need = f.options.minOverlap;
  for (const classId of o.receivingClassIds) {
    const c = f.classes.get(classId);
    const r = s.receiving.find((x) => x.classId === classId);
    const subject = { kind: 'class' as const, id: classId };
    if (!c || !r) {
      out.push({
        constraint: 'no-overlap',
        subject,
        message: text(
          `班级 ${name(f, `c:${classId}`)} 没有接收此节 ${clock(s.start)}–${clock(s.end)} 的本校节次`,
          `class has no local period for ${clock(s.start)}–${clock(s.end)}`,
        ),
      });
      continue;
    }
    const local = periodOf(f, c.schoolId, s.weekday, r.period);
    const p = slotName(s.weekday, r.period);
    if (!local) {
      out.push({
        constraint: 'unknown-period',
        subject,
        message: text(`学校没有${p.zh}`, `no ${p.en} at its school`),
      });
    } else {
      const shared = Math.min(s.end, local.end) - Math.max(s.start, local.start);
      // Minutes, not shares: 36 of 40 minutes passes 90 % however the division rounds.
      if (shared < need * (local.end - local.start) - 1e-6) {
        out.push({
          constraint: 'no-overlap',
          subject,
          message: text(
            `班级 ${c.name} 的${p.zh}与 ${clock(s.start)}–${clock(s.end)} 重叠不足 ${Math.round(need * 100)}%`,
            `class ${c.name}: ${p.en} overlaps the session by less than ${Math.round(need * 100)} %`,
          ),
        });
      }
    }
    if (f.busy.has(`c:${classId}|${s.weekday}|${r.period}`)) {
      out.push({
        constraint: 'class-busy',
        subject,
        message: text(`班级 ${c.name} 本校${p.zh}已有本地课程`, `class has a local lesson in its ${p.en}`),
      });
    }
  }
}

function classroomsAt(f: Facts, s: Session, schoolId?: string): Set<string> {
  const rooms = new Set<string>();
  for (const r of s.receiving) {
    const c = f.classes.get(r.classId);
    if (c && (schoolId === undefined || c.schoolId === schoolId)) rooms.add(c.classroomId);
  }
  return rooms;
}

function checkPair(f: Facts, a: Session, b: Session, out: Conflict[]): void {
  if (a.weekday !== b.weekday) return;
  const oa = f.offerings.get(a.offeringId);
  const ob = f.offerings.get(b.offeringId);
  if (!oa || !ob) return;
  const together = clash(a, b);
  const sameSlot = a.period === b.period;
  const other = `${name(f, `o:${a.offeringId}`)} ${slotName(a.weekday, a.period).en}`;
  if (oa.teacherId === ob.teacherId && (sameSlot || together)) {
    out.push({
      constraint: 'teacher-busy',
      subject: { kind: 'teacher', id: ob.teacherId },
      with: withOf(a),
      message: text(`教师 ${name(f, `t:${ob.teacherId}`)} 同时有两节课`, `teacher already teaches ${other}`),
    });
  }
  if (oa.recordingRoomId === ob.recordingRoomId && (sameSlot || together)) {
    out.push({
      constraint: 'room-busy',
      subject: { kind: 'room', id: ob.recordingRoomId },
      with: withOf(a),
      message: text(`录播教室 ${name(f, `r:${ob.recordingRoomId}`)} 同时被占用`, `room in use by ${other}`),
    });
  }
  for (const rb of b.receiving) {
    const ra = a.receiving.find((x) => x.classId === rb.classId);
    if (ra && (ra.period === rb.period || together)) {
      out.push({
        constraint: 'class-busy',
        subject: { kind: 'class', id: rb.classId },
        with: withOf(a),
        message: text(`班级 ${name(f, `c:${rb.classId}`)} 同时有两节同步课`, `class already sits ${other}`),
      });
    }
  }
  if (!together) return;
  const roomsA = classroomsAt(f, a);
  for (const room of classroomsAt(f, b)) {
    if (!roomsA.has(room)) continue;
    out.push({
      constraint: 'classroom-busy',
      subject: { kind: 'classroom', id: room },
      with: withOf(a),
      message: text(`接收教室 ${room} 同时被占用`, `receiving classroom ${room} in use by ${other}`),
    });
  }
}

function checkDayLimits(f: Facts, sessions: readonly Session[], out: Conflict[]): void {
  const perDay = new Map<string, number>();
  for (const s of sessions) {
    const teacherId = f.offerings.get(s.offeringId)?.teacherId ?? '';
    const k = `${teacherId}|${s.weekday}`;
    const n = (perDay.get(k) ?? 0) + 1;
    perDay.set(k, n);
    const teacher = f.problem.teachers.find((t) => t.id === teacherId);
    const limit = teacher?.maxPeriodsPerDay ?? f.options.maxPeriodsPerDay;
    if (n > limit) {
      const day = dayName(s.weekday);
      out.push({
        constraint: 'teacher-day-limit',
        subject: { kind: 'teacher', id: teacherId },
        message: text(
          `教师 ${name(f, `t:${teacherId}`)} ${day.zh}的同步课超过每日上限 ${limit} 节`,
          `teacher over the daily limit of ${limit} on ${day.en}`,
        ),
      });
    }
  }
}

/** At each session's start, the streams in flight into each school must fit its downlink. */
function checkBandwidth(f: Facts, sessions: readonly Session[], out: Conflict[]): void {
  for (const school of f.problem.schools) {
    const into = sessions
      .map((s) => ({ s, streams: classroomsAt(f, s, school.id).size }))
      .filter((x) => x.streams > 0);
    const seen = new Set<string>();
    for (const { s } of into) {
      const at = `${s.weekday}|${s.start}`;
      if (seen.has(at)) continue;
      seen.add(at);
      const load = into
        .filter((x) => x.s.weekday === s.weekday && x.s.start <= s.start && s.start < x.s.end)
        .reduce((sum, x) => sum + x.streams, 0);
      if (load * f.options.lessonDownlinkMbps > school.downlinkMbps + 1e-9) {
        out.push({
          constraint: 'bandwidth',
          subject: { kind: 'school', id: school.id },
          with: withOf(s),
          message: text(
            `学校 ${school.name} 下行带宽不足以同时接收 ${load} 路远程课`,
            `school ${school.name}: downlink too small for ${load} simultaneous lessons`,
          ),
        });
      }
    }
  }
}

/** The soft score, from the rules as documented in soft.ts, computed here independently. */
function softScore(f: Facts, sessions: readonly Session[]): Pick<TimetableReport, 'score' | 'soft'> {
  const w = f.options.weights;
  const soft: Record<SoftConstraint, number> = { spread: 0, 'same-time': 0, 'edge-period': 0, preference: 0 };
  const byOffering = new Map<string, Session[]>();
  for (const s of sessions) byOffering.set(s.offeringId, [...(byOffering.get(s.offeringId) ?? []), s]);
  for (const [offeringId, list] of byOffering) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const gap = Math.abs((list[i]?.weekday ?? 0) - (list[j]?.weekday ?? 0));
        soft.spread += (gap === 0 ? 4 : gap === 1 ? 1 : 0) * w.spread;
      }
    }
    soft['same-time'] += Math.max(0, new Set(list.map((s) => s.period)).size - 1) * w['same-time'];
    const preferred = f.preferred.get(f.offerings.get(offeringId)?.teacherId ?? '');
    for (const s of list) {
      if (preferred && !preferred.has(`${s.weekday}|${s.period}`)) soft.preference += w.preference;
      for (const r of s.receiving) {
        const c = f.classes.get(r.classId);
        const day = (c ? (f.periods.get(c.schoolId) ?? []) : [])
          .filter((p) => p.weekdays.includes(s.weekday))
          .sort((a, b) => a.start - b.start);
        if (day.length && (day[0]?.period === r.period || day[day.length - 1]?.period === r.period)) {
          soft['edge-period'] += w['edge-period'];
        }
      }
    }
  }
  const score = soft.spread + soft['same-time'] + soft['edge-period'] + soft.preference;
  return { score, soft };
}

/**
 * Checks a whole timetable: every hard rule over every session and pair of sessions (a class's
 * local lessons in `problem.localTimetables` count as busy periods), the soft score, and the
 * offerings with too few or too many sessions.
 * @throws TypeError for an unknown hub school or a session of an unknown offering.
 */
export function checkTimetable(
  problem: ClusterProblem,
  sessions: readonly Session[],
  options: TimetableOptions = {},
): TimetableReport {
  const f = facts(problem, options);
  const hardViolations: Conflict[] = [];
  sessions.forEach((s, i) => {
    checkOne(f, s, hardViolations);
    for (const earlier of sessions.slice(0, i)) checkPair(f, earlier, s, hardViolations);
  });
  checkDayLimits(f, sessions, hardViolations);
  checkBandwidth(f, sessions, hardViolations);
  const count = new Map<string, number>();
  for (const s of sessions) count.set(s.offeringId, (count.get(s.offeringId) ?? 0) + 1);
  const missing = [];
  const surplus = [];
  for (const o of problem.offerings) {
    const n = count.get(o.id) ?? 0;
    if (n < o.periodsPerWeek) missing.push({ offeringId: o.id, missing: o.periodsPerWeek - n });
    if (n > o.periodsPerWeek) surplus.push({ offeringId: o.id, surplus: n - o.periodsPerWeek });
  }
  return { hardViolations, ...softScore(f, sessions), missing, surplus };
}
