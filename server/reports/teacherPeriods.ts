import { schoolDays } from '../../scheduler/calendar.ts';
import type { TeacherPeriodsInput } from '../../scheduler/delivery/index.ts';
import type { School, TermCalendar, User } from '../models/index.ts';
import { calendarInput } from '../timetable/problem.ts';
import { chinaDate } from './periods.ts';

/** What {@link countTeacherPeriods} reads of a teacher. */
export type TeacherRow = Pick<User, '_id' | 'schoolId' | 'busy'>;
/** What {@link countTeacherPeriods} reads of a school. */
export type TeacherSchoolRow = Pick<School, '_id' | 'regionCode' | 'termCalendarId'>;

/**
 * Hub teachers' periods in a period, local and synchronized together: their local timetable
 * (busy periods a week) on each school day of their school's term calendars, plus their
 * synchronized sessions. Teachers whose school has no calendar for the period are left out
 * (their share is unknown, not zero). Over rows already read: the teachers, their schools
 * by id, and term calendars (any superset of the schools' own and their counties' calendars).
 */
export function countTeacherPeriods(
  teachers: Iterable<TeacherRow>,
  schools: ReadonlyMap<string, TeacherSchoolRow>,
  calendars: readonly TermCalendar[],
  sessions: readonly { teacherId: string; count?: number }[],
  period: { from: number; to: number },
): TeacherPeriodsInput[] {
  const from = chinaDate(period.from);
  const to = chinaDate(period.to - 1);
  const synchronized = new Map<string, number>();
  for (const s of sessions)
    synchronized.set(s.teacherId, (synchronized.get(s.teacherId) ?? 0) + (s.count ?? 1));
  const byId = new Map(calendars.map((c) => [c._id.toString(), c]));
  const byRegion = new Map<string, TermCalendar[]>();
  for (const c of calendars) byRegion.set(c.regionCode, [...(byRegion.get(c.regionCode) ?? []), c]);
  // School days per weekday of each calendar inside the period, counted once per calendar.
  const daysOf = new Map<TermCalendar, Map<number, number>>();
  const weekdays = (term: TermCalendar): Map<number, number> => {
    let days = daysOf.get(term);
    if (!days) {
      days = new Map();
      for (const day of schoolDays(calendarInput(term), [1, 2, 3, 4, 5, 6, 7]))
        if (day.date >= from && day.date <= to) days.set(day.weekday, (days.get(day.weekday) ?? 0) + 1);
      daysOf.set(term, days);
    }
    return days;
  };
  const out: TeacherPeriodsInput[] = [];
  for (const t of teachers) {
    const school = t.schoolId ? schools.get(t.schoolId.toString()) : undefined;
    if (!school) continue;
    // The school's own calendars, else its county's, that overlap the period.
    const ownId = school.termCalendarId?.toString();
    const own =
      ownId !== undefined ? [byId.get(ownId) ?? []].flat() : (byRegion.get(school.regionCode) ?? []);
    const terms = own.filter((c) => c.start <= to && c.end >= from);
    if (!terms.length) continue;
    const perWeekday = new Map<number, number>();
    for (const b of t.busy ?? []) perWeekday.set(b.weekday, (perWeekday.get(b.weekday) ?? 0) + 1);
    let local = 0;
    for (const term of terms)
      for (const [weekday, days] of weekdays(term)) local += days * (perWeekday.get(weekday) ?? 0);
    out.push({
      teacherId: t._id.toString(),
      schoolId: school._id.toString(),
      periods: local + (synchronized.get(t._id.toString()) ?? 0),
    });
  }
  return out;
}
