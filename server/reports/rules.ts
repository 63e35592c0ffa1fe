import type { SessionRow } from '../contract/reports.ts';
import type { LessonRecord } from './records.ts';

/** When a session counts as delivered and how a classroom's attendance is called. */
export interface DeliveryRules {
  /** Share of the scheduled time the lesson must be live (live time inside the schedule). @default 0.8 */
  minLiveShare: number;
  /** Share of the live time a classroom must be connected to count as present. @default 0.8 */
  minConnectedShare: number;
  /** A classroom first joining more than this after the lesson went live is late, minutes. @default 5 */
  lateAfterMinutes: number;
  /** A session never live is missed once its scheduled end is this far past, minutes. @default 15 */
  missedGraceMinutes: number;
}

export const DEFAULT_RULES: Readonly<DeliveryRules> = Object.freeze({
  minLiveShare: 0.8,
  minConnectedShare: 0.8,
  lateAfterMinutes: 5,
  missedGraceMinutes: 15,
});

/** The rules as sentences to print beside the figures they produce. */
export function describeRules(r: DeliveryRules): string[] {
  const p = (x: number): string => `${Math.round(x * 100)}%`;
  return [
    `已开课：直播时长（计划时段内）达到计划时长的 ${p(r.minLiveShare)}，且至少一个接收教室在线达到直播时长的 ${p(r.minConnectedShare)}。(Delivered: live for ${p(r.minLiveShare)} of the scheduled time, with at least one receiving classroom connected for ${p(r.minConnectedShare)} of it.)`,
    `缺课：计划结束 ${r.missedGraceMinutes} 分钟后仍未开始直播。(Missed: never live by ${r.missedGraceMinutes} minutes after the scheduled end.)`,
    `教室出勤：在线达到直播时长的 ${p(r.minConnectedShare)} 为出勤，其中开课 ${r.lateAfterMinutes} 分钟后才首次接入的为迟到；在线不足为部分参与；从未接入为缺席。多次断线重连按在线时段合并计算。(A classroom is present when connected for ${p(r.minConnectedShare)} of the live time, late when it first joined more than ${r.lateAfterMinutes} minutes in, partial when connected less, absent when never; reconnections are merged.)`,
    '同步开课门次：期间内至少一节课已开课的课程。(An offering counts as synchronized when at least one of its sessions in the period was delivered.)',
    '出勤率 = (出勤 + 迟到) / 应到教室节次；比率均由合计数重新计算，不对下级比率取平均。(Attendance = (present + late) / classroom-sessions due; every ratio is recomputed from summed counts, never averaged.)',
  ];
}

/** A session as judged by the rules. */
export interface Judged {
  verdict: SessionRow['verdict'];
  /** Live time inside the schedule over the scheduled time, 0–1; null before it went live. */
  liveShare: number | null;
  classrooms: {
    classroomId: string;
    status: 'present' | 'late' | 'partial' | 'absent';
    connectedShare: number;
    headcount: number | null;
  }[];
  reasons: string[];
}

/** Minutes of the union of intervals inside [from, to] (reconnections overlapping are counted once). */
function unionWithin(
  intervals: readonly { join: number; leave: number | null }[],
  from: number,
  to: number,
  now: number,
): number {
  const spans = intervals
    .map((i) => [Math.max(i.join, from), Math.min(i.leave ?? Math.min(now, to), to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** Judges one lesson's record at `now`. Pure. */
export function judge(record: LessonRecord, rules: DeliveryRules, now: number): Judged {
  const planned = record.scheduledEnd - record.scheduledStart;
  const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
  if (record.liveStart === null) {
    const missed = now > record.scheduledEnd + rules.missedGraceMinutes * 60_000;
    return {
      verdict: missed ? 'missed' : 'upcoming',
      liveShare: null,
      classrooms: record.classrooms.map((c) => ({
        classroomId: c.classroomId,
        status: 'absent',
        connectedShare: 0,
        headcount: c.headcount,
      })),
      reasons: missed ? ['计划时段已过，未开始直播 (never went live)'] : [],
    };
  }
  const liveEnd = record.liveEnd ?? now;
  const liveInPlan = Math.max(
    0,
    Math.min(liveEnd, record.scheduledEnd) - Math.max(record.liveStart, record.scheduledStart),
  );
  const liveShare = planned > 0 ? liveInPlan / planned : 0;
  const liveTime = Math.max(0, liveEnd - record.liveStart);
  const classrooms = record.classrooms.map((c) => {
    const connected = unionWithin(c.intervals, record.liveStart!, liveEnd, now);
    const connectedShare = liveTime > 0 ? connected / liveTime : 0;
    const firstJoin = c.intervals.reduce((m, i) => Math.min(m, i.join), Infinity);
    const status: Judged['classrooms'][number]['status'] =
      connected === 0
        ? 'absent'
        : connectedShare + 1e-9 < rules.minConnectedShare
          ? 'partial'
          : firstJoin - record.liveStart! > rules.lateAfterMinutes * 60_000
            ? 'late'
            : 'present';
    return { classroomId: c.classroomId, status, connectedShare, headcount: c.headcount };
  });
  if (record.liveEnd === null) return { verdict: 'live', liveShare, classrooms, reasons: [] };
  const reasons: string[] = [];
  const liveOk = liveShare + 1e-9 >= rules.minLiveShare;
  if (!liveOk)
    reasons.push(
      `直播时长为计划的 ${pct(liveShare)}，不足 ${pct(rules.minLiveShare)} (live ${pct(liveShare)} of the scheduled time)`,
    );
  const anyPresent = classrooms.some((c) => c.status === 'present' || c.status === 'late');
  if (!anyPresent)
    reasons.push(
      `没有接收教室在线达到 ${pct(rules.minConnectedShare)} (no receiving classroom connected long enough)`,
    );
  return { verdict: liveOk && anyPresent ? 'delivered' : 'not-delivered', liveShare, classrooms, reasons };
}
