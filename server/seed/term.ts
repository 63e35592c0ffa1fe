/** The demo's term calendar: the school term around a date, with its public holidays. */
export interface DemoTerm {
  /** "2026-2027-1" (autumn) or "2026-2027-2" (spring). */
  term: string;
  name: string;
  start: string;
  end: string;
  holidays: { from: string; to: string; name: string }[];
  makeupDays: { date: string; followsWeekday: number }[];
}

const iso = (y: number, m: number, d: number): string =>
  new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

/** The first Saturday on or after a date. */
function saturdayFrom(y: number, m: number, d: number): string {
  const day = new Date(Date.UTC(y, m - 1, d));
  day.setUTCDate(day.getUTCDate() + ((6 - day.getUTCDay() + 7) % 7));
  return day.toISOString().slice(0, 10);
}

/**
 * The term a date falls in (or, in a break, the next one): autumn from 1 September
 * to about 22 January with 国庆节 and 元旦, spring from about 20 February to early July with
 * 清明节 and 劳动节. Make-up working days are approximated as the Saturday after each long
 * holiday, following Friday's timetable (the real dates are set by the State Council each year).
 * `place` names the region whose calendar it is (the name only).
 */
export function demoTerm(now: Date, place = '桃源县'): DemoTerm {
  const y = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  const day = now.getUTCDate();
  // In a break, the term to come: the summer break belongs to autumn, the winter one to spring.
  const autumnStartYear = month > 7 || (month === 7 && day > 5) ? y : month === 1 && day <= 22 ? y - 1 : null;
  if (autumnStartYear !== null) {
    const a = autumnStartYear;
    return {
      term: `${a}-${a + 1}-1`,
      name: `${place} ${a}–${a + 1} 学年第一学期`,
      start: iso(a, 9, 1),
      end: iso(a + 1, 1, 22),
      holidays: [
        { from: iso(a, 10, 1), to: iso(a, 10, 7), name: '国庆节' },
        { from: iso(a + 1, 1, 1), to: iso(a + 1, 1, 3), name: '元旦' },
      ],
      makeupDays: [{ date: saturdayFrom(a, 10, 8), followsWeekday: 5 }],
    };
  }
  return {
    term: `${y - 1}-${y}-2`,
    name: `${place} ${y - 1}–${y} 学年第二学期`,
    start: iso(y, 2, 20),
    end: iso(y, 7, 5),
    holidays: [
      { from: iso(y, 4, 4), to: iso(y, 4, 6), name: '清明节' },
      { from: iso(y, 5, 1), to: iso(y, 5, 5), name: '劳动节' },
    ],
    makeupDays: [{ date: saturdayFrom(y, 5, 6), followsWeekday: 5 }],
  };
}
