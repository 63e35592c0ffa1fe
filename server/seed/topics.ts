/** What the demo's synchronized lessons teach through the term, in order (lesson titles). */

const units = (list: readonly string[]): string[] =>
  list.flatMap((unit) =>
    ["A Let's talk", "A Let's learn", "B Let's talk", "B Let's learn"].map((p) => `${unit} · ${p}`),
  );

/** PEP English, grade 4, first half-year. */
export const ENGLISH_4 = units([
  'Unit 1 My classroom',
  'Unit 2 My schoolbag',
  'Unit 3 My friends',
  'Unit 4 My home',
  "Unit 5 Dinner's ready",
  'Unit 6 Meet my family',
]);

/** PEP English, grade 5, first half-year. */
export const ENGLISH_5 = units([
  "Unit 1 What's he like?",
  'Unit 2 My week',
  'Unit 3 What would you like?',
  'Unit 4 What can you do?',
  'Unit 5 There is a big bed',
  'Unit 6 In a nature park',
]);

/** Songs of the music lessons. */
export const MUSIC = [
  '歌曲《我们的田野》',
  '欣赏《森林与小鸟》',
  '歌曲《唱脸谱》',
  '歌曲《彝家娃娃真幸福》',
  '歌曲《小螺号》',
  '欣赏《龙里格龙》',
  '歌曲《采山》',
  '歌曲《送别》',
  '歌曲《让我们荡起双桨》',
  '欣赏《春节序曲》',
];

/** Topics of the art lessons. */
export const ART = [
  '色彩的明与暗',
  '三原色与三间色',
  '纸卷造型',
  '有趣的纸花',
  '童年的游戏',
  '线条的魅力',
  '民间玩具',
  '家乡的桥',
  '秋天的树叶',
  '水墨游戏',
];
