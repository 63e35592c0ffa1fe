/**
 * Conflict records, named and worded the same way by the timetable's incremental checks and
 * by the independent checker.
 */
import type { ClusterIndex } from './cluster.ts';
import { clock, dayName, slotName } from './messages.ts';
import { text } from '../text.ts';
import type { Text } from '../text.ts';
import type { Conflict, Session, Weekday } from './model.ts';

type Other = Pick<Session, 'offeringId' | 'weekday' | 'period'>;

function other(index: ClusterIndex, s: Other | undefined): Text & { with?: Conflict['with'] } {
  if (!s) return { zh: '', en: '' };
  const name = index.offerings.get(s.offeringId)?.name ?? s.offeringId;
  const at = slotName(s.weekday, s.period);
  return {
    zh: `《${name}》（${at.zh}）`,
    en: `${name} (${at.en})`,
    with: { offeringId: s.offeringId, weekday: s.weekday, period: s.period },
  };
}

/** The teacher already teaches `with` then, or is busy in the hub period. */
export function teacherBusy(
  index: ClusterIndex,
  teacherId: string,
  at: Other,
  withSession?: Other,
): Conflict {
  const name = index.teachers.get(teacherId)?.name ?? teacherId;
  const slot = slotName(at.weekday, at.period);
  const o = other(index, withSession);
  return {
    constraint: 'teacher-busy',
    subject: { kind: 'teacher', id: teacherId },
    ...(o.with && { with: o.with }),
    message: o.with
      ? text(`教师 ${name} ${slot.zh}已有课 ${o.zh}`, `teacher ${name} already teaches ${o.en} then`)
      : text(`教师 ${name} ${slot.zh}不可用`, `teacher ${name} is busy on ${slot.en}`),
  };
}

/** The teacher already has their daily maximum of synchronized periods that day. */
export function teacherDayLimit(
  index: ClusterIndex,
  teacherId: string,
  weekday: Weekday,
  limit: number,
): Conflict {
  const name = index.teachers.get(teacherId)?.name ?? teacherId;
  const day = dayName(weekday);
  return {
    constraint: 'teacher-day-limit',
    subject: { kind: 'teacher', id: teacherId },
    message: text(
      `教师 ${name} ${day.zh}的同步课超过每日上限 ${limit} 节`,
      `teacher ${name} would exceed the daily limit of ${limit} synchronized periods on ${day.en}`,
    ),
  };
}

/** The recording room is in use by `with` then, or unavailable in the hub period. */
export function roomBusy(index: ClusterIndex, roomId: string, at: Other, withSession?: Other): Conflict {
  const name = index.rooms.get(roomId)?.name ?? roomId;
  const slot = slotName(at.weekday, at.period);
  const o = other(index, withSession);
  return {
    constraint: 'room-busy',
    subject: { kind: 'room', id: roomId },
    ...(o.with && { with: o.with }),
    message: o.with
      ? text(`录播教室 ${name} ${slot.zh}已被 ${o.zh} 占用`, `recording room ${name} is in use by ${o.en}`)
      : text(`录播教室 ${name} ${slot.zh}不可用`, `recording room ${name} is unavailable on ${slot.en}`),
  };
}

/** The class sits `with` at that time, or has a local lesson in its own period. */
export function classBusy(
  index: ClusterIndex,
  classId: string,
  weekday: Weekday,
  localPeriod: number,
  withSession?: Other,
): Conflict {
  const name = index.classes.get(classId)?.name ?? classId;
  const slot = slotName(weekday, localPeriod);
  const o = other(index, withSession);
  return {
    constraint: 'class-busy',
    subject: { kind: 'class', id: classId },
    ...(o.with && { with: o.with }),
    message: o.with
      ? text(`班级 ${name} 此时已有同步课 ${o.zh}`, `class ${name} already sits ${o.en} at that time`)
      : text(`班级 ${name} 本校${slot.zh}已有本地课程`, `class ${name} has a local lesson in its ${slot.en}`),
  };
}

/** The receiving classroom hosts `with` at an overlapping time. */
export function classroomBusy(index: ClusterIndex, classroomId: string, withSession: Other): Conflict {
  const o = other(index, withSession);
  return {
    constraint: 'classroom-busy',
    subject: { kind: 'classroom', id: classroomId },
    ...(o.with && { with: o.with }),
    message: text(
      `接收教室 ${classroomId} 此时已被 ${o.zh} 占用`,
      `receiving classroom ${classroomId} is in use by ${o.en} at an overlapping time`,
    ),
  };
}

/** No period of the class's school covers the session by the minimum overlap. */
export function noOverlap(
  index: ClusterIndex,
  classId: string,
  at: Pick<Session, 'weekday' | 'start' | 'end'>,
): Conflict {
  const c = index.classes.get(classId);
  const school = (c && index.schools.get(c.schoolId)?.name) ?? '';
  const percent = Math.round(index.options.minOverlap * 100);
  const span = `${dayName(at.weekday).zh} ${clock(at.start)}–${clock(at.end)}`;
  return {
    constraint: 'no-overlap',
    subject: { kind: 'class', id: classId },
    message: text(
      `班级 ${c?.name ?? classId}（${school}）没有与 ${span} 重叠至少 ${percent}% 的本校节次`,
      `no period of class ${c?.name ?? classId} overlaps ${clock(at.start)}–${clock(at.end)} by ${percent}% or more`,
    ),
  };
}

/** The school's downlink cannot take this many simultaneous remote lessons. */
export function bandwidth(
  index: ClusterIndex,
  schoolId: string,
  streams: number,
  withSession?: Other,
): Conflict {
  const school = index.schools.get(schoolId);
  const name = school?.name ?? schoolId;
  const down = school?.downlinkMbps ?? 0;
  const each = index.options.lessonDownlinkMbps;
  const o = other(index, withSession);
  return {
    constraint: 'bandwidth',
    subject: { kind: 'school', id: schoolId },
    ...(o.with && { with: o.with }),
    message: text(
      `学校 ${name} 下行带宽 ${down} Mbit/s 不足以同时接收 ${streams} 路远程课（每路 ${each} Mbit/s）`,
      `school ${name}: a ${down} Mbit/s downlink cannot take ${streams} simultaneous lessons at ${each} Mbit/s`,
    ),
  };
}

/** A session that refers to a period or day that does not exist or may not be used. */
export function unknownPeriod(subject: Conflict['subject'], zh: string, en: string): Conflict {
  return { constraint: 'unknown-period', subject, message: text(zh, en) };
}
