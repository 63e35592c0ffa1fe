import { messages } from '../../i18n.ts';

/** The bell compatibility panel's words (作息协调), Chinese and English side by side. */
export const m = messages({
  title: ['作息协调', 'Bell compatibility'],
  cluster: ['联校群', 'Cluster'],
  noTerm: ['该联校群还没有学期', 'The cluster has no term yet'],
  noPeriods: ['这一天没有课', 'No periods this day'],
  hub: ['（主讲）', ' (hub)'],
  period: ['第{n}节', 'P{n}'],
  compatible: [
    '作息兼容：每周 {n} 个主讲节次各校都能同步上课。',
    'Compatible: {n} hub periods a week every school can sit.',
  ],
  incompatible: [
    '作息不兼容：部分课程找不到足够的共同节次。',
    'Not compatible: some offerings lack common periods.',
  ],
  offering: [
    '{name}：可排 {slots} 个节次，需要 {needed} 个',
    '{name}: {slots} candidate slots, {needed} needed',
  ],
  rule: [
    '规则：同步课须覆盖各接收班本节课时长的 {pct}% 以上。',
    "Rule: a synchronized lesson covers at least {pct} % of each receiving class's period.",
  ],
  proposals: ['调整建议', 'Proposed changes'],
  nothingToChange: ['无需调整。', 'Nothing to change.'],
  noProposal: [
    '在允许的范围内找不到调整方案，可放宽或手动修改作息。',
    'No proposal within the limits; edit the bells by hand.',
  ],
  cost: [
    '{changes} 处改动，共移动 {minutes} 分钟，涉及 {schools} 所学校',
    '{changes} changes, {minutes} minutes moved, {schools} schools',
  ],
  preview: ['预览', 'Preview'],
  endPreview: ['取消预览', 'End preview'],
  accept: ['采纳', 'Accept'],
  setAside: ['不采纳', 'Set aside'],
  accepted: [
    '已采纳，相关学校的作息时间已更新。请重新排课。',
    'Accepted: the schools’ bells are updated. Solve the timetable again.',
  ],
  legend: [
    '绿色底色：所有学校同时在上课的时段；绿框：各校都能同步的主讲节次；橙色：建议调整的节次。',
    'Green band: all schools in class; green outline: hub periods every school can sit; orange: periods a proposal moves.',
  ],
  dayList: ['、', ', '],
});
