import { hashPassword } from '../auth/passwords.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';

/** Teachers of the demo's village schools who take part in research (password: the demo's). */
export const RESEARCH_DEMO_ACCOUNTS = [
  { username: 'teacher3', realName: '周小燕（英语）', school: '茶庵铺镇中心小学', subjects: ['英语'] },
  { username: 'teacher4', realName: '杨志强（英语）', school: '热市镇杨溪桥村小学', subjects: ['英语'] },
  { username: 'teacher5', realName: '覃玉兰（全科）', school: '牛车河乡教学点', subjects: ['英语', '音乐'] },
  {
    username: 'teacher6',
    realName: '邓静（英语、美术）',
    school: '西安镇中心小学',
    subjects: ['英语', '美术'],
  },
] as const;

export const DEMO_RUBRIC = '桃源县专递课堂教学评价表';
export const DEMO_ALLIANCES = ['桃源县小学英语名师网络教研联盟', '常德市小学艺术名师网络教研联盟'] as const;

const LEVELS = ['待改进', '合格', '良好', '优秀'];
const describe = (what: string): string[] => LEVELS.map((level) => `${level}：${what}`);

/** The county's rubric: the four items of the issue, weighted, with a descriptor per level. */
const RUBRIC_ITEMS = [
  {
    key: 'design',
    name: '教学设计',
    weight: 25,
    descriptors: describe('目标清楚，环节兼顾主讲与远端课堂'),
  },
  {
    key: 'interaction',
    name: '课堂互动',
    weight: 30,
    descriptors: describe('提问、举手、上台书写覆盖各教室'),
  },
  {
    key: 'technology',
    name: '技术运用',
    weight: 20,
    descriptors: describe('课件、白板、画面切换流畅'),
  },
  {
    key: 'remote',
    name: '远端学生关注度',
    weight: 25,
    descriptors: describe('关注远端学生的反应与参与'),
  },
];

/**
 * The research demo, once (idempotent by name): four village teachers, the county's rubric,
 * a county English alliance led by the demo teacher and a city arts alliance led by
 * teacher2, and a research session of the English alliance opening now (so a new user can
 * join it on first start) plus one of the arts alliance next week.
 */
export async function seedResearch(
  models: Models,
  logger: Logger,
  now: Date,
  password: string,
): Promise<void> {
  const { User, School, Rubric, Alliance, ResearchSession } = models;
  const teacher = await User.findOne({ username: 'teacher' }).lean();
  const teacher2 = await User.findOne({ username: 'teacher2' }).lean();
  if (!teacher || !teacher2) return;
  const passwordHash = await hashPassword(password);
  const villagers = [];
  for (const a of RESEARCH_DEMO_ACCOUNTS) {
    const existing = await User.findOne({ username: a.username }).lean();
    if (existing) {
      villagers.push(existing._id);
      continue;
    }
    const school = await School.findOne({ name: a.school, regionCode: '430725' }).lean();
    const created = await User.create({
      username: a.username,
      passwordHash,
      demo: true,
      realName: a.realName,
      role: 'teacher',
      schoolId: school?._id ?? null,
      subjects: [...a.subjects],
    });
    villagers.push(created._id);
  }
  if (!(await Rubric.exists({ name: DEMO_RUBRIC })))
    await Rubric.create({
      name: DEMO_RUBRIC,
      regionCode: '430725',
      levels: LEVELS.length,
      items: RUBRIC_ITEMS,
    });
  if (await Alliance.exists({ name: DEMO_ALLIANCES[0] })) return;
  const english = await Alliance.create({
    name: DEMO_ALLIANCES[0],
    level: 'county',
    regionCode: '430725',
    subject: '英语',
    stage: 'primary',
    leadTeacherId: teacher._id,
    memberTeacherIds: villagers,
    description: '以专递课堂中的远端学生互动为主题，每月一次集体备课与课例研讨。',
  });
  const arts = await Alliance.create({
    name: DEMO_ALLIANCES[1],
    level: 'city',
    regionCode: '430700',
    subject: '音乐',
    stage: 'primary',
    leadTeacherId: teacher2._id,
    memberTeacherIds: [villagers[2], villagers[3]].filter((id) => id !== undefined),
    description: '市级艺术学科联盟：音乐、美术课例共享与同步教研。',
  });
  // Opening at the next ten minutes, for an hour and a half.
  const start = new Date(Math.ceil(now.getTime() / 600_000) * 600_000);
  await ResearchSession.create({
    allianceId: english._id,
    regionCode: english.regionCode,
    title: '远端课堂互动设计 · 集体备课',
    agenda: '1. 主讲教师说课（Unit 3）\n2. 各村小教师反馈远端学生情况\n3. 共同修改互动环节',
    scheduledStart: start,
    scheduledEnd: new Date(start.getTime() + 90 * 60_000),
  });
  const nextWeek = new Date(start.getTime() + 7 * 86_400_000);
  await ResearchSession.create({
    allianceId: arts._id,
    regionCode: arts.regionCode,
    title: '音乐课例研讨：《采山》',
    agenda: '课例观摩与评议',
    scheduledStart: nextWeek,
    scheduledEnd: new Date(nextWeek.getTime() + 60 * 60_000),
  });
  logger.info('demo research alliances, rubric and sessions seeded');
}
