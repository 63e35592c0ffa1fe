/**
 * The delivery and attendance rules: when a scheduled session counts as delivered, and how
 * each receiving classroom attended it. Pure: the caller passes the record and the clock.
 *
 * The rules in one place (also as sentences, from {@link describeRules}):
 * - Live time counts only where it overlaps the scheduled period: a lesson started 10 minutes
 *   late and run 10 minutes over the bell has 30 of 40 minutes, because the receiving schools
 *   keep their own bells and the overrun is not time their classes have.
 * - A classroom is judged against the lesson's whole live time (from going live to ending),
 *   as the union of its connection intervals: reconnecting, or overlapping intervals, never
 *   count a millisecond twice.
 * - A session is delivered when its live share is at least `minLiveShare` and at least one
 *   receiving classroom was connected for at least `minConnectedShare` of the live time.
 * - A session that never went live is missed once its scheduled end plus a grace has passed,
 *   and upcoming before that.
 */
import { clippedUnion, overlap, totalLength } from './intervals.ts';
import type { Span } from './intervals.ts';
import { text } from '../text.ts';
import type { Text } from '../text.ts';
import { minutes, percent } from './text.ts';
import { ArgumentError } from '../errors.ts';

/** One connection of a receiving classroom, ms since the epoch. */
export interface ConnectionInterval {
  join: number;
  /** When it left; null while still connected (clipped at the lesson's end, or at `now`). */
  leave: number | null;
}

/** A receiving classroom's part in a session. */
export interface ClassroomRecord {
  classroomId: string;
  /** Every connection, in any order; overlapping intervals are fine. */
  intervals: readonly ConnectionInterval[];
  /** Students present, as the assistant teacher entered it on the kiosk. */
  headcount?: number | null;
  /** Students in the receiving class. */
  classSize?: number | null;
}

/** What happened to one scheduled session (课时), in the shape the rules judge. */
export interface SessionRecord {
  /** Scheduled start and end, ms since the epoch. */
  scheduledStart: number;
  scheduledEnd: number;
  /** The lesson's state in the live system. */
  state: 'scheduled' | 'live' | 'ended';
  /** When the hub teacher went live, ms since the epoch; null if the lesson never went live. */
  liveStart: number | null;
  /** When the lesson ended, ms since the epoch; null while live (or if it never went live). */
  liveEnd: number | null;
  /** The receiving classrooms (the hub's recording classroom is not one of them). */
  classrooms: readonly ClassroomRecord[];
}

/** The thresholds of the rules. Shares are fractions in (0, 1]. */
export interface DeliveryRules {
  /** Share of the scheduled time the lesson must be live (inside the scheduled period). @default 0.8 */
  minLiveShare: number;
  /** Share of the live time a classroom must be connected to count as present (or late). @default 0.8 */
  minConnectedShare: number;
  /**
   * A classroom first connected more than this many minutes after the lesson was due to be
   * joined (the later of the live start and the scheduled start) is late. @default 5
   */
  lateAfterMinutes: number;
  /** Minutes after the scheduled end before a session that never went live is missed. @default 15 */
  missedGraceMinutes: number;
}

/** The rules as the provincial report uses them unless configured otherwise. */
export const DEFAULT_RULES: Readonly<DeliveryRules> = Object.freeze({
  minLiveShare: 0.8,
  minConnectedShare: 0.8,
  lateAfterMinutes: 5,
  missedGraceMinutes: 15,
});

/** How a session stands: judged once ended, provisional while live or before it was due. */
export type Verdict = 'delivered' | 'not-delivered' | 'missed' | 'upcoming' | 'live';

/**
 * How a receiving classroom attended: present (connected enough, on time), late (connected
 * enough, first joined late), partial (connected, not enough), absent (never connected).
 */
export type ClassroomStatus = 'present' | 'late' | 'partial' | 'absent';

/** One receiving classroom's attendance of a session. */
export interface ClassroomJudgement {
  classroomId: string;
  status: ClassroomStatus;
  /** Connected time over live time, 0–1 (0 when the lesson never went live). */
  connectedShare: number;
  /** First moment connected while the lesson was live, ms since the epoch; null if never. */
  firstJoin: number | null;
  /** Connected time while the lesson was live, minutes. */
  minutesConnected: number;
  /** As recorded, null when not entered. */
  headcount: number | null;
  classSize: number | null;
}

/** The judgement of one session, with the reasons to print beside it. */
export interface SessionJudgement {
  verdict: Verdict;
  /** Live time inside the scheduled period over the scheduled time, 0–1 (0 if never live). */
  liveShare: number;
  /** Live time inside the scheduled period, minutes. */
  liveMinutes: number;
  /** Scheduled length, minutes. */
  scheduledMinutes: number;
  /** In the order of the record. */
  classrooms: ClassroomJudgement[];
  /** For people, in both languages. */
  reasons: Text[];
}

const MINUTE = 60_000;

function checkShare(name: string, value: number): void {
  if (!(value > 0 && value <= 1)) throw new ArgumentError(`${name} must be in (0, 1], got ${value}`);
}

function checkMinutes(name: string, value: number): void {
  if (!(value >= 0 && Number.isFinite(value)))
    throw new ArgumentError(`${name} must be a finite number of minutes ≥ 0, got ${value}`);
}

/**
 * The rules with defaults filled in, checked.
 * @throws TypeError when a share is outside (0, 1] or a number of minutes is negative
 */
export function resolveRules(rules: Partial<DeliveryRules> = {}): DeliveryRules {
  const resolved: DeliveryRules = {
    minLiveShare: rules.minLiveShare ?? DEFAULT_RULES.minLiveShare,
    minConnectedShare: rules.minConnectedShare ?? DEFAULT_RULES.minConnectedShare,
    lateAfterMinutes: rules.lateAfterMinutes ?? DEFAULT_RULES.lateAfterMinutes,
    missedGraceMinutes: rules.missedGraceMinutes ?? DEFAULT_RULES.missedGraceMinutes,
  };
  checkShare('minLiveShare', resolved.minLiveShare);
  checkShare('minConnectedShare', resolved.minConnectedShare);
  checkMinutes('lateAfterMinutes', resolved.lateAfterMinutes);
  checkMinutes('missedGraceMinutes', resolved.missedGraceMinutes);
  return resolved;
}

/** Judges one classroom over the live window `[from, to]`; `due` is when it should have joined. */
function judgeClassroom(
  room: ClassroomRecord,
  from: number,
  to: number,
  due: number,
  rules: DeliveryRules,
): ClassroomJudgement {
  const spans: Span[] = room.intervals.map((i) => ({ start: i.join, end: i.leave ?? to }));
  const union = clippedUnion(spans, from, to);
  const connected = totalLength(union);
  const share = to > from ? connected / (to - from) : 0;
  const firstJoin = union[0]?.start ?? null;
  const late = firstJoin !== null && firstJoin - due > rules.lateAfterMinutes * MINUTE;
  const status: ClassroomStatus =
    connected === 0 ? 'absent' : share >= rules.minConnectedShare ? (late ? 'late' : 'present') : 'partial';
  return {
    classroomId: room.classroomId,
    status,
    connectedShare: share,
    firstJoin,
    minutesConnected: connected / MINUTE,
    headcount: room.headcount ?? null,
    classSize: room.classSize ?? null,
  };
}

function absentAll(record: SessionRecord): ClassroomJudgement[] {
  return record.classrooms.map((room) => ({
    classroomId: room.classroomId,
    status: 'absent',
    connectedShare: 0,
    firstJoin: null,
    minutesConnected: 0,
    headcount: room.headcount ?? null,
    classSize: room.classSize ?? null,
  }));
}

/** "3 个接收课堂：出勤 1，迟到 1，部分 0，缺席 1" / "3 receiving classrooms: 1 present, …". */
function attendanceLine(classrooms: readonly ClassroomJudgement[]): Text {
  const n = { present: 0, late: 0, partial: 0, absent: 0 };
  for (const c of classrooms) n[c.status]++;
  return text(
    `${classrooms.length} 个接收课堂：出勤 ${n.present}，迟到 ${n.late}，部分 ${n.partial}，缺席 ${n.absent}`,
    `${classrooms.length} receiving classrooms: ${n.present} present, ${n.late} late, ${n.partial} partial, ${n.absent} absent`,
  );
}

/**
 * The verdict of a session that never went live, which needs no record: `missed` once `now`
 * is past the scheduled end plus the grace, `upcoming` before (what {@link judgeSession}
 * gives it, for readers that hold many such sessions).
 */
export function unstartedVerdict(
  scheduledEnd: number,
  rules: DeliveryRules,
  now: number,
): 'missed' | 'upcoming' {
  return now > scheduledEnd + rules.missedGraceMinutes * MINUTE ? 'missed' : 'upcoming';
}

/**
 * Judges a session by the rules at time `now` (ms since the epoch).
 *
 * - Never went live: `missed` once `now` is past the scheduled end plus the grace, else
 *   `upcoming`; every classroom absent.
 * - Live (no end yet): `live`; shares so far, open intervals clipped at `now`.
 * - Ended: `delivered` or `not-delivered`. An ended record without an end time counts no
 *   live time (the conservative reading), and says so in the reasons.
 *
 * @param rules thresholds; missing ones take {@link DEFAULT_RULES}
 * @throws TypeError when the scheduled end is not after the scheduled start, or a rule is out of range
 */
export function judgeSession(
  record: SessionRecord,
  rules: Partial<DeliveryRules>,
  now: number,
): SessionJudgement {
  const r = resolveRules(rules);
  const { scheduledStart, scheduledEnd } = record;
  if (!(scheduledEnd > scheduledStart))
    throw new ArgumentError(
      `scheduled end (${scheduledEnd}) is not after the scheduled start (${scheduledStart})`,
    );
  const scheduled = scheduledEnd - scheduledStart;
  const base = { scheduledMinutes: scheduled / MINUTE };

  if (record.liveStart === null) {
    const classrooms = absentAll(record);
    if (unstartedVerdict(scheduledEnd, r, now) === 'missed')
      return {
        ...base,
        verdict: 'missed',
        liveShare: 0,
        liveMinutes: 0,
        classrooms,
        reasons: [
          text(
            `未开课：计划结束 ${r.missedGraceMinutes} 分钟后仍未直播`,
            `missed: never went live by ${r.missedGraceMinutes} min after the scheduled end`,
          ),
        ],
      };
    return {
      ...base,
      verdict: 'upcoming',
      liveShare: 0,
      liveMinutes: 0,
      classrooms,
      reasons: [text('尚未开课', 'not live yet')],
    };
  }

  const liveStart = record.liveStart;
  const ongoing = record.liveEnd === null && record.state !== 'ended';
  const reasons: Text[] = [];
  let liveEnd: number;
  if (record.liveEnd !== null) liveEnd = record.liveEnd;
  else if (ongoing) liveEnd = now;
  else {
    liveEnd = liveStart;
    reasons.push(text('记录缺少结束时间，直播时长按 0 计', 'no end time recorded: no live time counted'));
  }
  liveEnd = Math.max(liveEnd, liveStart);

  const liveInSchedule = overlap(liveStart, liveEnd, scheduledStart, scheduledEnd);
  const liveShare = liveInSchedule / scheduled;
  const due = Math.max(liveStart, scheduledStart);
  const classrooms = record.classrooms.map((room) => judgeClassroom(room, liveStart, liveEnd, due, r));
  const judged = { ...base, liveShare, liveMinutes: liveInSchedule / MINUTE, classrooms };
  const liveLine = `${minutes(liveInSchedule)}/${minutes(scheduled)}`;

  if (ongoing) {
    reasons.push(
      text(`直播中，计划时段内已直播 ${liveLine} 分钟`, `live: ${liveLine} min of the scheduled time so far`),
      attendanceLine(classrooms),
    );
    return { ...judged, verdict: 'live', reasons };
  }

  const liveOk = liveShare >= r.minLiveShare;
  const connectedEnough = classrooms.filter((c) => c.connectedShare >= r.minConnectedShare).length;
  if (liveOk)
    reasons.push(
      text(
        `计划时段内直播 ${liveLine} 分钟，达到 ${percent(r.minLiveShare)}%`,
        `live ${percent(liveShare)} % of the scheduled time`,
      ),
    );
  else {
    reasons.push(
      text(
        `计划时段内直播 ${liveLine} 分钟，不足 ${percent(r.minLiveShare)}%`,
        `live ${percent(liveShare)} % of the scheduled time, under ${percent(r.minLiveShare)} %`,
      ),
    );
    if (liveStart > scheduledStart)
      reasons.push(
        text(
          `晚开课 ${minutes(liveStart - scheduledStart)} 分钟`,
          `started ${minutes(liveStart - scheduledStart)} min late`,
        ),
      );
    if (liveEnd < scheduledEnd)
      reasons.push(
        text(
          `提前 ${minutes(scheduledEnd - liveEnd)} 分钟结束`,
          `ended ${minutes(scheduledEnd - liveEnd)} min early`,
        ),
      );
  }
  if (record.classrooms.length === 0) reasons.push(text('没有接收课堂', 'no receiving classroom'));
  else if (connectedEnough === 0)
    reasons.push(
      text(
        `没有接收课堂连接达到直播时长的 ${percent(r.minConnectedShare)}%`,
        `no receiving classroom connected for ${percent(r.minConnectedShare)} % of the live time`,
      ),
    );
  else
    reasons.push(
      text(
        `${connectedEnough} 个接收课堂连接达到直播时长的 ${percent(r.minConnectedShare)}%`,
        `${connectedEnough} receiving classroom(s) connected for ${percent(r.minConnectedShare)} % of the live time`,
      ),
    );
  reasons.push(attendanceLine(classrooms));
  return { ...judged, verdict: liveOk && connectedEnough > 0 ? 'delivered' : 'not-delivered', reasons };
}

/**
 * The rules as short sentences in both languages, to print beside the
 * figures they produce (delivery, attendance, missed sessions, offerings, the rates).
 *
 * @param rules thresholds; missing ones take {@link DEFAULT_RULES}
 */
export function describeRules(rules: Partial<DeliveryRules> = {}): Text[] {
  const r = resolveRules(rules);
  const live = percent(r.minLiveShare);
  const conn = percent(r.minConnectedShare);
  return [
    text(
      `课时在计划时段内直播不少于计划时长的 ${live}%，且至少一个接收课堂连接不少于直播时长的 ${conn}%，计为已开课`,
      `a session is delivered when it was live for at least ${live} % of its scheduled time (live time outside the scheduled period does not count) and at least one receiving classroom was connected for at least ${conn} % of the live time`,
    ),
    text(
      `计划结束 ${r.missedGraceMinutes} 分钟后仍未直播的课时计为缺课`,
      `a session that never went live by ${r.missedGraceMinutes} min after its scheduled end is missed`,
    ),
    text(
      `接收课堂：连接不少于直播时长的 ${conn}% 且在开课 ${r.lateAfterMinutes} 分钟内接入为出勤，${r.lateAfterMinutes} 分钟后才接入为迟到；有连接但不足 ${conn}% 为部分出勤；未连接为缺席；断线重连的时长合并计算`,
      `per receiving classroom: present when connected for at least ${conn} % of the live time and joined within ${r.lateAfterMinutes} min of the start, late when joined later, partial when connected for less, absent when never connected; reconnections are merged, never counted twice`,
    ),
    text(
      '出勤率 =（出勤 + 迟到）÷ 已直播课时的接收课堂数；缺课的课时不计入出勤率',
      'attendance rate = (present + late) ÷ classroom-sessions of sessions that went live and ended; missed sessions are not counted against classrooms',
    ),
    text(
      '课程门次在统计期内至少一节课时已开课，计为同步开课门次',
      'a course offering counts as synchronized when at least one of its sessions in the period was delivered',
    ),
    text(
      '主讲教师网络授课占比 = 已开课的同步课时 ÷ 主讲教师全部课时（本校 + 同步）',
      "hub teachers' online share = delivered synchronized sessions ÷ all their periods (local + synchronized)",
    ),
    text('节假日不排课，不计入计划课时', 'holidays have no sessions: they are not planned, so never missed'),
  ];
}
