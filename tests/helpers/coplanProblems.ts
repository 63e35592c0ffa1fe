import type { PlanOptions } from '../../scheduler/coplan/index.ts';
import type {
  BellPeriod,
  ClusterProblem,
  LocalLessonInput,
  PeriodRef,
  SchoolInput,
  Weekday,
} from '../../scheduler/timetable/index.ts';

/** The co-planning unit tests' schools: five days of six periods. */
export const WEEK: readonly Weekday[] = [1, 2, 3, 4, 5];
export const PERIODS = 6;

/** Six periods a day from `start`, `length` minutes, 10-minute breaks, lunch after period 4. */
export function bells(start = 480, length = 45): BellPeriod[] {
  const periods: BellPeriod[] = [];
  let t = start;
  for (let p = 1; p <= PERIODS; p++) {
    periods.push({ period: p, start: t, end: t + length, weekdays: WEEK });
    t += length + (p === 4 ? 120 : 10);
  }
  return periods;
}

export function school(id: string, periods = bells()): SchoolInput {
  return { id, name: `${id}学校`, periods, downlinkMbps: 100, uplinkMbps: 10 };
}

/** Every period of the week. */
export const every: PeriodRef[] = WEEK.flatMap((weekday) =>
  Array.from({ length: PERIODS }, (_, i) => ({ weekday, period: i + 1 })),
);

/**
 * A class's full week: the listed lessons ("2/2": ['英语', teacher]) and, in every other period
 * not left free, 语文 by its head teacher; 升旗 locked on Monday period 1.
 */
export function week(
  classId: string,
  head: string,
  lessons: Record<string, [string, string]>,
  free: readonly string[] = [],
): LocalLessonInput[] {
  return every.flatMap((r): LocalLessonInput[] => {
    const at = `${r.weekday}/${r.period}`;
    if (free.includes(at)) return [];
    if (at === '1/1') return [{ classId, ...r, subject: '升旗', locked: true }];
    const [subject, teacherId] = lessons[at] ?? ['语文', head];
    return [{ classId, ...r, subject, teacherId }];
  });
}

/** What a 1+1 cluster's people, rooms and offering are called (see `oneToOne`). */
export interface OneToOneNames {
  hub: string;
  school: string;
  class: string;
  teacher: string;
  room: string;
  offering: string;
  subject: string;
}

const CHINESE_NAMES: OneToOneNames = {
  hub: 'H学校',
  school: 'S学校',
  class: 'A班',
  teacher: '张老师',
  room: '录播1',
  offering: '英语',
  subject: '英语',
};

/** Latin names only: any Han character in a plan's English text is then the planner's own words. */
export const LATIN_NAMES: OneToOneNames = {
  hub: 'Hub School',
  school: 'School S',
  class: 'Class A',
  teacher: 'Ms Zhang',
  room: 'Studio',
  offering: 'English (grade 4)',
  subject: 'English',
};

/**
 * A 1+1 cluster: hub H's teacher T (free in `teacherFree`, "weekday/period") teaches the
 * offering O to class A of school S, whose week is `lessons`.
 */
export function oneToOne(
  teacherFree: readonly string[],
  lessons: LocalLessonInput[],
  {
    periodsPerWeek = 2,
    periods = bells(),
    names = CHINESE_NAMES,
  }: { periodsPerWeek?: number; periods?: BellPeriod[]; names?: OneToOneNames } = {},
): ClusterProblem {
  return {
    id: 'one-to-one',
    hubSchoolId: 'H',
    schools: [
      { ...school('H'), name: names.hub },
      { ...school('S', periods), name: names.school },
    ],
    classes: [{ id: 'A', name: names.class, schoolId: 'S', classroomId: 'A-room', busy: [] }],
    teachers: [
      {
        id: 'T',
        name: names.teacher,
        schoolId: 'H',
        busy: every.filter((r) => !teacherFree.includes(`${r.weekday}/${r.period}`)),
      },
    ],
    recordingRooms: [{ id: 'R', name: names.room, schoolId: 'H', busy: [] }],
    offerings: [
      {
        id: 'O',
        name: names.offering,
        subject: names.subject,
        teacherId: 'T',
        recordingRoomId: 'R',
        receivingClassIds: ['A'],
        periodsPerWeek,
      },
    ],
    localTimetables: [{ schoolId: 'S', lessons }],
  };
}

/** Fixed search effort and a fake clock: the same plan on every machine. */
export const FIXED_PLAN_OPTIONS: PlanOptions = {
  seed: 3,
  timeLimitMs: 1e9,
  maxIterations: 3000,
  stallIterations: 1500,
  now: () => 0,
};
