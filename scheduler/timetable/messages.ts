/**
 * The words of conflicts and unplaced reasons, in both languages (`Text`, scheduler/text.ts).
 * Pure formatting, no rules.
 */
import { text } from '../text.ts';
import type { Text } from '../text.ts';
import type { HardConstraint, Weekday } from './model.ts';

const ZH_DAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const EN_DAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "周二" and "Tue": the one table of weekday names (ISO weekdays, 1 = Monday). */
export function dayName(weekday: Weekday): Text {
  return { zh: ZH_DAYS[weekday] ?? '', en: EN_DAYS[weekday] ?? '' };
}

/** "周二第3节" and "Tue period 3". */
export function slotName(weekday: Weekday, period: number): Text {
  return { zh: `${ZH_DAYS[weekday]}第${period}节`, en: `${EN_DAYS[weekday]} period ${period}` };
}

/** Minutes since midnight as "08:05". */
export function clock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** How each rule reads when it blocks candidate slots of an unplaced offering. */
const BLOCKED: Record<HardConstraint, { zh: string; zhAll: string; en: string; label: [string, string] }> = {
  'teacher-busy': { zh: '已有课或不可用', zhAll: '都已有课', en: 'teacher busy', label: ['教师', 'teacher'] },
  'teacher-day-limit': {
    zh: '当天同步课已达上限',
    zhAll: '当天同步课都已达上限',
    en: 'teacher at the daily limit',
    label: ['教师', 'teacher'],
  },
  'room-busy': {
    zh: '已被占用或不可用',
    zhAll: '都已被占用或不可用',
    en: 'recording room busy',
    label: ['录播教室', 'recording room'],
  },
  'class-busy': {
    zh: '已有课',
    zhAll: '都已有课',
    en: 'class busy',
    label: ['班级', 'class'],
  },
  'classroom-busy': {
    zh: '已被占用',
    zhAll: '都已被占用',
    en: 'receiving classroom busy',
    label: ['接收教室', 'receiving classroom'],
  },
  'no-overlap': {
    zh: '找不到与主讲节次重叠足够的本校节次',
    zhAll: '都找不到与主讲节次重叠足够的本校节次',
    en: 'no local period overlaps the hub period enough',
    label: ['班级', 'class'],
  },
  bandwidth: {
    zh: '下行带宽不足',
    zhAll: '下行带宽都不足',
    en: 'downlink too small for another simultaneous lesson',
    label: ['学校', 'school'],
  },
  'unknown-period': {
    zh: '节次不存在',
    zhAll: '节次都不存在',
    en: 'no such period',
    label: ['', ''],
  },
};

/**
 * Why an offering found no slot, e.g. "教师 张老师 在所有可用节次都已有课" / "teacher busy in
 * every slot", or "班级 三年级1班 在 12/40 个候选节次已有课" / "class busy in 12 of 40 slots".
 */
export function blockedMessage(constraint: HardConstraint, name: string, slots: number, total: number): Text {
  const words = BLOCKED[constraint];
  const who = words.label[0] ? `${words.label[0]} ${name} ` : '';
  const all = slots >= total;
  const zh = all ? `${who}在所有可用节次${words.zhAll}` : `${who}在 ${slots}/${total} 个候选节次${words.zh}`;
  const en = all ? `${words.en} in every slot` : `${words.en} in ${slots} of ${total} slots`;
  return text(zh, en);
}

/** No candidate slot at all: the hub has no period on the allowed weekdays. */
export function noSlotsMessage(hubName: string): Text {
  return text(
    `主讲学校 ${hubName} 在可排课的日子里没有节次`,
    'the hub school has no periods on the allowed weekdays',
  );
}
