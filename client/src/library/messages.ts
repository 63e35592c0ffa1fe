import { messages } from '../i18n.ts';

/** The library's own words (资源库: its player, a recording's description), Chinese and English. */
export const m = messages({
  play: ['播放', 'Play'],
  pause: ['暂停', 'Pause'],
  back10: ['后退 10 秒', 'Back 10 s'],
  forward10: ['前进 10 秒', 'Forward 10 s'],
  seek: ['播放进度', 'Position'],
  speed: ['倍速', 'Speed'],
  pages: ['板书页面', 'Board pages'],
  pagesHint: ['点选页面，跳到它第一次出现的时刻', 'Tap a page to jump to when it was first shown'],
  page: ['第 {n} 页', 'Page {n}'],
  pageAt: ['第 {n} 页，{time} 首次出现', 'Page {n}, first shown at {time}'],
  board: ['当前板书', 'Board now'],
  marks: ['时间轴标记', 'Timeline marks'],
  markPage: ['翻到第 {n} 页', 'Turned to page {n}'],
  markFloor: ['{name} 发言', '{name} given the floor'],
  markFloorNoName: ['一个教室发言', 'A classroom given the floor'],
  markGap: ['录制缺失 {from}–{to}：{why}', 'Not recorded {from}–{to}: {why}'],
  markComment: ['{name} 评语：{text}', 'Comment by {name}: {text}'],
  legendPage: ['翻页', 'Page turn'],
  legendFloor: ['发言', 'Floor'],
  legendGap: ['录制缺失', 'Gap'],
  legendComment: ['评语', 'Comment'],
  comments: ['评课评语', 'Evaluation comments'],
  commentLine: ['{name}：{text}', '{name}: {text}'],
  keys: [
    '键盘：空格 播放/暂停，← → 后退/前进 5 秒，[ ] 上一页/下一页',
    'Keys: Space play/pause, ← → 5 s back/forward, [ ] previous/next page',
  ],
  recorded: ['录制于 {when}', 'Recorded {when}'],
  research: ['教研活动', 'Research session'],
});
