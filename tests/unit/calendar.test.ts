import { describe, expect, it } from 'vitest';
import { expandTerm, schoolDays } from '../../scheduler/calendar.ts';
import type { TermCalendarInput } from '../../scheduler/calendar.ts';

/** Autumn term around 国庆节 2026: Thu 1 Oct – Wed 7 Oct off, Sat 10 Oct worked as a Thursday. */
const AUTUMN: TermCalendarInput = Object.freeze({
  start: '2026-09-28',
  end: '2026-10-16',
  holidays: [{ from: '2026-10-01', to: '2026-10-07', name: '国庆节' }],
  makeupDays: [{ date: '2026-10-10', followsWeekday: 4 }],
});

describe('schoolDays', () => {
  it('skips the National Day week and works the make-up Saturday as a Thursday', () => {
    expect(schoolDays(AUTUMN).map((d) => `${d.date}:${d.weekday}`)).toEqual([
      '2026-09-28:1',
      '2026-09-29:2',
      '2026-09-30:3',
      '2026-10-08:4',
      '2026-10-09:5',
      '2026-10-10:4',
      '2026-10-12:1',
      '2026-10-13:2',
      '2026-10-14:3',
      '2026-10-15:4',
      '2026-10-16:5',
    ]);
    expect(schoolDays(AUTUMN).find((d) => d.date === '2026-10-10')?.makeup).toBe(true);
  });

  it('lets a make-up day inside a holiday range win, and crosses a year end', () => {
    const winter = {
      start: '2026-12-30',
      end: '2027-01-05',
      holidays: [{ from: '2027-01-01', to: '2027-01-04' }],
      makeupDays: [{ date: '2027-01-04', followsWeekday: 5 }],
    };
    expect(schoolDays(winter).map((d) => `${d.date}:${d.weekday}`)).toEqual([
      '2026-12-30:3',
      '2026-12-31:4',
      '2027-01-04:5',
      '2027-01-05:2',
    ]);
  });

  it('refuses impossible input with a TypeError naming it', () => {
    expect(() => schoolDays({ ...AUTUMN, end: '2026-09-01' })).toThrow(TypeError);
    expect(() => schoolDays({ ...AUTUMN, start: '2026-02-30' })).toThrow('no such date: 2026-02-30');
    expect(() => schoolDays({ ...AUTUMN, makeupDays: [{ date: '2026-10-10', followsWeekday: 8 }] })).toThrow(
      'follows no weekday',
    );
  });
});

describe('expandTerm', () => {
  const weekly = [
    { id: 'english-mon', weekday: 1 as const, start: 8 * 60, end: 8 * 60 + 40 },
    { id: 'english-thu', weekday: 4 as const, start: 14 * 60 + 30, end: 15 * 60 + 10 },
  ];

  it('dates each weekly session on the days that follow its weekday, in China Standard Time', () => {
    const dated = expandTerm(weekly, AUTUMN);
    expect(dated.map((d) => `${d.date} ${d.session.id}`)).toEqual([
      '2026-09-28 english-mon',
      '2026-10-08 english-thu',
      '2026-10-10 english-thu',
      '2026-10-12 english-mon',
      '2026-10-15 english-thu',
    ]);
    // 08:00 in Beijing is 00:00 UTC.
    expect(new Date(dated[0]!.start).toISOString()).toBe('2026-09-28T00:00:00.000Z');
    expect(dated[0]!.end - dated[0]!.start).toBe(40 * 60_000);
  });

  it('follows another offset when told', () => {
    const [first] = expandTerm(weekly, AUTUMN, { utcOffsetMinutes: 0 });
    expect(new Date(first!.start).toISOString()).toBe('2026-09-28T08:00:00.000Z');
  });
});
