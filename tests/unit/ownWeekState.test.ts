import { describe, expect, it } from 'vitest';
import { issuesByLesson, lessonAt, setCell } from '../../client/src/manage/ownWeekState.ts';
import type { LocalLessonView } from '../../server/contract/timetable.ts';
import { checkWeek } from '../../server/timetable/LocalTimetableService.ts';

const periods = [1, 2, 3].map((period) => ({
  period,
  start: '08:00',
  end: '08:40',
  weekdays: [1, 2, 3, 4, 5],
}));
const classes = [
  { id: 'A', name: '三(1)班' },
  { id: 'B', name: '三(2)班' },
];
const week: LocalLessonView[] = [
  { classId: 'A', weekday: 1, period: 1, subject: '升旗', teacher: '', locked: true },
  { classId: 'A', weekday: 1, period: 2, subject: '语文', teacher: '李', locked: false },
  { classId: 'B', weekday: 1, period: 2, subject: '数学', teacher: '王', locked: false },
];

describe('the own-week cell editor’s draft', () => {
  it('sets an empty cell, replaces a set one in place, clears one; other classes and the input stay', () => {
    const added = setCell(
      week,
      'A',
      { weekday: 2, period: 3 },
      { subject: ' 英语 ', teacher: ' 张 ', locked: false },
    );
    expect(added).toHaveLength(4);
    expect(added[3]).toEqual({
      classId: 'A',
      weekday: 2,
      period: 3,
      subject: '英语',
      teacher: '张',
      locked: false,
    });
    const replaced = setCell(
      week,
      'A',
      { weekday: 1, period: 2 },
      { subject: '美术', teacher: '赵', locked: true },
    );
    expect(replaced).toHaveLength(3);
    expect(replaced[1]).toMatchObject({ classId: 'A', subject: '美术', locked: true });
    expect(replaced[2]).toBe(week[2]);
    const cleared = setCell(week, 'B', { weekday: 1, period: 2 }, null);
    expect(cleared.map((l) => l.classId)).toEqual(['A', 'A']);
    expect(lessonAt(cleared, 'B', { weekday: 1, period: 2 })).toBe(-1);
    expect(setCell(week, 'B', { weekday: 5, period: 3 }, null)).toEqual(week);
    expect(week).toHaveLength(3);
  });

  it('a cell that double-books a teacher is named by the server’s rules at its place in the draft', () => {
    // 王 teaches B in Monday period 2; giving A's cell to 王 too breaks checkWeek on that lesson.
    const draft = setCell(
      week,
      'A',
      { weekday: 1, period: 2 },
      { subject: '数学', teacher: '王', locked: false },
    );
    const issues = checkWeek(draft, classes, periods);
    expect(issues).toHaveLength(1);
    // The later of the two in the list is named: B's lesson, left where it was.
    const named = issuesByLesson(issues.map((i) => ({ path: `lessons.${i.index}`, message: i.message.zh })));
    expect([...named.keys()]).toEqual([lessonAt(draft, 'B', { weekday: 1, period: 2 })]);
    expect(named.get(2)).toContain('王');
    // Moved to another cell, the clash is gone.
    const moved = setCell(
      setCell(draft, 'A', { weekday: 1, period: 2 }, null),
      'A',
      { weekday: 1, period: 3 },
      {
        subject: '数学',
        teacher: '王',
        locked: false,
      },
    );
    expect(checkWeek(moved, classes, periods)).toEqual([]);
  });

  it('maps a refused save’s problems to lessons, joining two on one lesson and leaving out the others', () => {
    const named = issuesByLesson([
      { path: 'lessons.2', message: 'a' },
      { path: 'lessons.2.subject', message: 'b' },
      { path: 'lessons', message: 'too many' },
      { path: 'revision', message: 'c' },
      { path: 'lessons.12', message: 'd' },
    ]);
    expect([...named.entries()]).toEqual([
      [2, 'a；b'],
      [12, 'd'],
    ]);
  });
});
