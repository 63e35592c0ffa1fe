import type {
  BellPeriod,
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
