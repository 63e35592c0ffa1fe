/**
 * Seeded generator of cluster timetabling problems that look like real 1+3 / 1+4 clusters:
 * 7–8 periods of 40 or 45 minutes, bells roughly agreed between schools (0–10 minutes apart,
 * lunch breaks differing), busy local timetables, 2–6 offerings of 2–3 periods a week, thin
 * rural links. Equal seeds give equal problems.
 */
import { mulberry32, pick, randomBetween } from '../../../scheduler/timetable/index.ts';
import type {
  BellPeriod,
  ClassInput,
  ClusterProblem,
  LocalLessonInput,
  LocalTimetableInput,
  OfferingInput,
  PeriodRef,
  Random,
  SchoolInput,
  TeacherInput,
  Weekday,
} from '../../../scheduler/timetable/index.ts';

const WEEK: readonly Weekday[] = [1, 2, 3, 4, 5];
const MON_TO_THU: readonly Weekday[] = [1, 2, 3, 4];

/** Overrides for a generated cluster (the benchmark's incremental-check instance uses them). */
export interface ClusterShape {
  /** Receiving schools. @default 3 or 4 */
  receiving?: number;
  /** Course offerings. @default 2–6, mostly 2 */
  offerings?: number;
  /** Periods per week of every offering. @default 2, sometimes 3 */
  periodsPerWeek?: number;
  /** Every school on the hub's bells (no offsets, same lengths). @default false */
  aligned?: boolean;
  /** Share of a receiving class's periods taken by local lessons. @default 0.6–0.75 */
  classBusy?: number;
  /** Give the receiving schools local timetables (lessons with subjects and teachers). @default true */
  localTimetables?: boolean;
}

/** A value from weighted choices. */
function weighted<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let x = random() * total;
  for (const [value, w] of choices) {
    x -= w;
    if (x < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (!last) throw new TypeError('no choices');
  return last[0];
}

interface BellShape {
  start: number;
  periods: number;
  length: number;
  /** The long morning break (大课间) after period 2, minutes. */
  bigBreak: number;
  lunch: number;
  /** Whether the last period is missing on Friday afternoon. */
  shortFriday: boolean;
}

function bellSchedule(shape: BellShape): BellPeriod[] {
  const periods: BellPeriod[] = [];
  let t = shape.start;
  for (let p = 1; p <= shape.periods; p++) {
    const last = p === shape.periods;
    periods.push({
      period: p,
      start: t,
      end: t + shape.length,
      weekdays: last && shape.shortFriday ? MON_TO_THU : WEEK,
    });
    t += shape.length + (p === 2 ? shape.bigBreak : p === 4 ? shape.lunch : 10);
  }
  return periods;
}

/** Minutes a school's bells sit from the hub's: mostly 0, sometimes a few, now and then up to 10. */
function offset(random: Random): number {
  const size = weighted(random, [
    [0, 60],
    [randomBetween(random, 1, 4), 32],
    [randomBetween(random, 5, 10), 8],
  ]);
  return random() < 0.5 ? -size : size;
}

function receivingBells(random: Random, hub: BellShape): BellPeriod[] {
  const morning = offset(random);
  // A different lunch break moves the afternoon too, but the schools stay within 10 minutes.
  const afternoon = Math.max(-10, Math.min(10, morning + (random() < 0.7 ? 0 : offset(random))));
  const shape: BellShape = {
    ...hub,
    start: hub.start + morning,
    periods: weighted(random, [
      [hub.periods, 3],
      [15 - hub.periods, 1],
    ]),
    // Schools of one cluster teach the same level, so period lengths rarely differ.
    length: random() < 0.97 ? hub.length : 85 - hub.length,
    lunch: hub.lunch + afternoon - morning,
    shortFriday: random() < 0.2,
  };
  return bellSchedule(shape);
}

/** About `share` of a school's (weekday, period) pairs. */
function someOf(random: Random, periods: readonly BellPeriod[], share: number): PeriodRef[] {
  return periods.flatMap((p) =>
    p.weekdays.filter(() => random() < share).map((weekday) => ({ weekday, period: p.period })),
  );
}

/**
 * A receiving class's local lessons: `busy` of its periods. Local timetables in a cluster are
 * not independent: the schools keep a common pool of periods (by weekday and period number)
 * mostly free for remote lessons, so a class is free in 90% of the pool and busy elsewhere
 * as much as it takes to reach `busy` overall.
 */
function classBusy(random: Random, periods: readonly BellPeriod[], pool: ReadonlySet<string>, busy: number) {
  const all = periods.flatMap((p) => p.weekdays.map((weekday) => ({ weekday, period: p.period })));
  const inPool = all.filter((r) => pool.has(`${r.weekday}|${r.period}`)).length;
  const freeInPool = 0.9;
  const freeOutside = Math.max(
    0,
    ((1 - busy) * all.length - freeInPool * inPool) / Math.max(1, all.length - inPool),
  );
  return all.filter((r) => random() >= (pool.has(`${r.weekday}|${r.period}`) ? freeInPool : freeOutside));
}

function downlink(random: Random): number {
  return weighted(random, [
    [4, 25],
    [6, 20],
    [10, 25],
    [20, 10],
    [50, 10],
    [100, 10],
  ]);
}

/** One cluster's problem from a seed. */
export function generateCluster(seed: number, id: string, shape: ClusterShape = {}): ClusterProblem {
  const random = mulberry32(seed);
  const hubShape: BellShape = {
    start: randomBetween(random, 470, 490),
    periods: random() < 0.5 ? 7 : 8,
    length: random() < 0.6 ? 45 : 40,
    bigBreak: randomBetween(random, 20, 30),
    lunch: randomBetween(random, 90, 150),
    shortFriday: false,
  };
  const hubBells = bellSchedule(hubShape);
  const n = shape.receiving ?? (random() < 0.5 ? 3 : 4);
  // The periods the cluster keeps for remote lessons: about 30% of the week.
  const pool = new Set(someOf(random, hubBells, 0.3).map((r) => `${r.weekday}|${r.period}`));
  const schools: SchoolInput[] = [
    { id: `${id}-hub`, name: `${id} 主讲学校`, periods: hubBells, downlinkMbps: 100, uplinkMbps: 50 },
  ];
  const classes: ClassInput[] = [];
  const classesBySchool: string[][] = [];
  for (let s = 1; s <= n; s++) {
    const school: SchoolInput = {
      id: `${id}-s${s}`,
      name: `${id} 接收学校${s}`,
      periods: shape.aligned ? hubBells : receivingBells(random, hubShape),
      downlinkMbps: downlink(random),
      uplinkMbps: 2,
    };
    schools.push(school);
    const count = random() < 0.7 ? 1 : 2;
    // A small school often has one remote classroom (专递课堂) that its classes take turns in.
    const shared = count === 2 && random() < 0.6;
    const ids: string[] = [];
    for (let c = 1; c <= count; c++) {
      const classId = `${school.id}-c${c}`;
      ids.push(classId);
      classes.push({
        id: classId,
        name: `${school.name} ${c}班`,
        schoolId: school.id,
        classroomId: shared ? `${school.id}-room` : `${school.id}-room${c}`,
        busy: classBusy(random, school.periods, pool, shape.classBusy ?? 0.6 + random() * 0.15),
      });
    }
    classesBySchool.push(ids);
  }
  const offeringCount =
    shape.offerings ??
    weighted(random, [
      [2, 70],
      [3, 15],
      [4, 8],
      [5, 4],
      [6, 3],
    ]);
  const teachers: TeacherInput[] = Array.from({ length: Math.ceil(offeringCount / 2) }, (_, i) => ({
    id: `${id}-t${i + 1}`,
    name: `${id} 教师${i + 1}`,
    schoolId: `${id}-hub`,
    maxPeriodsPerDay: random() < 0.5 ? 3 : 4,
    busy: someOf(random, hubBells, 0.4),
    ...(random() < 0.3 && { preferred: someOf(random, hubBells.slice(0, 4), 1) }),
  }));
  const rooms = Array.from({ length: offeringCount > 3 ? 2 : 1 }, (_, i) => ({
    id: `${id}-r${i + 1}`,
    name: `录播教室${i + 1}`,
    schoolId: `${id}-hub`,
    busy: someOf(random, hubBells, 0.1 + random() * 0.1),
  }));
  const offerings: OfferingInput[] = Array.from({ length: offeringCount }, (_, i) => {
    const schoolsIn = classesBySchool.filter((_, s) => random() >= 0.15 / n || s === 0);
    const subject = pick(random, REMOTE_SUBJECTS) ?? '英语';
    return {
      id: `${id}-o${i + 1}`,
      name: `${subject}${i + 1}`,
      teacherId: `${id}-t${(i % teachers.length) + 1}`,
      recordingRoomId: `${id}-r${(i % rooms.length) + 1}`,
      receivingClassIds: schoolsIn.map((ids) => pick(random, ids) ?? ''),
      periodsPerWeek: shape.periodsPerWeek ?? (random() < 0.9 ? 2 : 3),
      subject,
    };
  });
  const problem = {
    id,
    hubSchoolId: `${id}-hub`,
    schools,
    classes,
    teachers,
    recordingRooms: rooms,
    offerings,
  };
  return shape.localTimetables === false
    ? problem
    : withLocalTimetables(problem, mulberry32(seed ^ 0x5bd1e995));
}

/** Subjects the hub teaches remotely. */
const REMOTE_SUBJECTS = ['英语', '音乐', '美术', '科学', '信息技术'] as const;

/**
 * Turns each receiving class's busy periods into its own lessons (subject and local teacher) and
 * adds the school's other classes, with its own random stream so that the rest of the cluster
 * stays as it was generated. Per receiving school: each class has a head teacher (语文, 班会, and
 * the remote subjects, which the school has no specialist for) and a mathematics teacher shared
 * with one other class; 0–2 other classes keep the shared teachers busy; every class has 升旗
 * (Monday's first period) and 班会 (Friday's third) locked. The remote subject has as many local
 * periods as the offering has sessions, anywhere in the class's week (nothing aligns them with
 * the hub). Lessons that would double-book a shared teacher go to the class's head teacher.
 */
function withLocalTimetables(problem: ClusterProblem, random: Random): ClusterProblem {
  const localTimetables: LocalTimetableInput[] = [];
  const classes: ClassInput[] = [];
  for (const school of problem.schools) {
    if (school.id === problem.hubSchoolId) continue;
    const receiving = problem.classes.filter((c) => c.schoolId === school.id);
    const others = Array.from({ length: randomBetween(random, 0, 2) }, (_, k) => ({
      id: `${school.id}-x${k + 1}`,
      busy: someOf(random, school.periods, 0.7),
    }));
    const all = [...receiving.map((c) => ({ id: c.id, busy: c.busy })), ...others];
    const lessons: LocalLessonInput[] = [];
    const teaching = new Set<string>();
    const mathTeacher = (i: number): string => `${school.id}-math${Math.floor(i / 2) + 1}`;
    all.forEach((c, i) => {
      const head = `${school.id}-head${i + 1}`;
      const taken = new Set<string>();
      const add = (
        weekday: Weekday,
        period: number,
        subject: string,
        teacherId?: string,
        locked = false,
      ): void => {
        const at = `${weekday}|${period}`;
        if (taken.has(at)) return;
        taken.add(at);
        if (teacherId !== undefined) teaching.add(`${teacherId}|${at}`);
        lessons.push({
          classId: c.id,
          weekday,
          period,
          subject,
          ...(teacherId && { teacherId }),
          ...(locked && { locked }),
        });
      };
      const rings = (weekday: Weekday, period: number): boolean =>
        school.periods.some((p) => p.period === period && p.weekdays.includes(weekday));
      if (rings(1, 1)) add(1, 1, '升旗', undefined, true);
      if (rings(5, 3)) add(5, 3, '班会', head, true);
      const busy = c.busy.filter((b) => !taken.has(`${b.weekday}|${b.period}`));
      // The remote subjects' own periods, anywhere among the class's lessons.
      const remote = problem.offerings
        .filter((o) => o.receivingClassIds.includes(c.id))
        .flatMap((o) => Array.from({ length: o.periodsPerWeek }, () => o.subject ?? ''));
      for (const subject of remote) {
        const free = busy.filter((b) => !taken.has(`${b.weekday}|${b.period}`));
        const at = pick(random, free);
        if (at) add(at.weekday, at.period, subject, head);
      }
      for (const b of busy) {
        const subject = pick(random, LOCAL_SUBJECTS) ?? '语文';
        const shared =
          subject === '数学' ? mathTeacher(i) : subject === '体育' ? `${school.id}-pe` : undefined;
        const teacherId = shared && !teaching.has(`${shared}|${b.weekday}|${b.period}`) ? shared : head;
        add(b.weekday, b.period, teacherId === head && shared ? '语文' : subject, teacherId);
      }
    });
    localTimetables.push({ schoolId: school.id, lessons });
    // The lessons now say when the receiving classes are busy.
    classes.push(...receiving.map((c) => ({ ...c, busy: [] })));
  }
  return { ...problem, classes, localTimetables };
}

/** Subjects of the local lessons, by weight (语文 and 数学 most). */
const LOCAL_SUBJECTS = ['语文', '语文', '语文', '数学', '数学', '数学', '体育', '道德与法治'] as const;
