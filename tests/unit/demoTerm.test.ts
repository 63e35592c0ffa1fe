import { describe, expect, it } from 'vitest';
import { schoolDays } from '../../scheduler/calendar.ts';
import { demoTerm } from '../../server/seed/term.ts';

describe('demoTerm', () => {
  it.each([
    ['2026-11-25', '2026-2027-1'],
    ['2027-01-10', '2026-2027-1'],
    ['2027-02-01', '2026-2027-2'],
    ['2027-06-30', '2026-2027-2'],
    ['2027-07-20', '2027-2028-1'],
  ])('on %s is the term %s, and the day is before its end', (date, term) => {
    const t = demoTerm(new Date(`${date}T04:00:00Z`));
    expect(t.term).toBe(term);
    expect(t.end >= date).toBe(true);
  });

  it('gives a make-up Saturday that expands as a school day', () => {
    const t = demoTerm(new Date('2026-11-25T04:00:00Z'));
    expect(t.makeupDays).toEqual([{ date: '2026-10-10', followsWeekday: 5 }]);
    expect(schoolDays(t).find((d) => d.date === '2026-10-10')).toEqual({
      date: '2026-10-10',
      weekday: 5,
      makeup: true,
    });
  });
});
