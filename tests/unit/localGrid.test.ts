import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { LocalLessonView, PeriodView } from '../../server/contract/timetable.ts';
import { readGrids } from '../../server/imports/workbook.ts';
import { parseLessonCell, readWeek, weekWorkbook } from '../../server/timetable/localGrid.ts';
import { checkWeek } from '../../server/timetable/LocalTimetableService.ts';

const PERIODS: PeriodView[] = [1, 2, 3, 4, 5, 6].map((period) => ({
  period,
  start: `0${7 + period}:00`.slice(-5),
  end: `0${7 + period}:40`.slice(-5),
  weekdays: period === 6 ? [1, 2, 3, 4] : [1, 2, 3, 4, 5],
}));
const CLASSES = [
  { id: 'a', name: '四年级(1)班', grade: 4 },
  { id: 'b', name: '四年级(2)班', grade: 4 },
  { id: 'c', name: '一班', grade: 3 },
  { id: 'd', name: '一班', grade: 5 },
];
const lesson = (
  classId: string,
  weekday: number,
  period: number,
  subject: string,
  teacher = '',
  locked = false,
): LocalLessonView => ({
  classId,
  weekday,
  period,
  subject,
  teacher,
  locked,
});

async function workbook(sheets: Record<string, (string | number)[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) wb.addWorksheet(name).addRows(rows);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('a school’s week in Excel (localGrid)', () => {
  it('reads a cell as subject, teacher and lock, in the ways people type them', () => {
    expect(parseLessonCell('英语 周小燕')).toEqual({
      subject: '英语',
      teacher: '周小燕',
      locked: false,
      remote: false,
    });
    expect(parseLessonCell('升旗 锁定')).toEqual({
      subject: '升旗',
      teacher: '',
      locked: true,
      remote: false,
    });
    expect(parseLessonCell('班会/李春梅/（锁定）')).toEqual({
      subject: '班会',
      teacher: '李春梅',
      locked: true,
      remote: false,
    });
    expect(parseLessonCell('英语（4年级） 同步')?.remote).toBe(true);
    expect(parseLessonCell('  ')).toBeNull();
  });

  it('reads back exactly the week it wrote, with grades added where two classes share a name', async () => {
    const lessons = [
      lesson('a', 1, 1, '升旗', '', true),
      lesson('a', 1, 2, '数学', '陈建国'),
      lesson('b', 4, 6, '英语', '周小燕'),
      lesson('c', 2, 3, '语文', '李春梅'),
      lesson('d', 5, 5, '美术', '彭丽'),
    ];
    const data = await weekWorkbook(CLASSES, PERIODS, lessons);
    const grids = await readGrids(data, 'xlsx');
    expect(grids.map((g) => g.name)).toEqual(['四年级(1)班', '四年级(2)班', '3年级一班', '5年级一班']);
    const read = readWeek(grids, CLASSES, PERIODS);
    expect(read.errors).toEqual([]);
    expect(read.classIds).toEqual(['a', 'b', 'c', 'd']);
    expect(new Set(read.lessons.map((l) => JSON.stringify(l)))).toEqual(
      new Set(lessons.map((l) => JSON.stringify(l))),
    );
  });

  it('writes a sheet for each class even when Excel’s 31-character limit makes two names alike', async () => {
    const long = '某某县某某镇某某村完全小学附属幼儿园大班兴趣小组第一组（春季学期）';
    expect(long.length).toBeGreaterThan(31);
    const classes = [
      { id: 'x', name: `${long}甲`, grade: 1 },
      { id: 'y', name: `${long}乙`, grade: 1 },
    ];
    const grids = await readGrids(await weekWorkbook(classes, PERIODS, []), 'xlsx');
    expect(grids).toHaveLength(2);
    expect(new Set(grids.map((g) => g.name)).size).toBe(2);
  });

  it('names sheet, row and column of every problem: unknown or ambiguous class, a header that is no weekday, a period the bells do not ring, no subject', async () => {
    const data = await workbook({
      无此班: [['节次', '周一']],
      一班: [['节次', '周一']],
      '四年级(1)班': [
        ['节次', '周一', '周五', '礼拜八'],
        ['第6节', '英语 周', '科学 王', ''],
        ['第二节', '数学', '', ''],
        ['第3节', '锁定', '', ''],
      ],
    });
    const read = readWeek(await readGrids(data, 'xlsx'), CLASSES, PERIODS);
    expect(read.errors).toEqual([
      expect.objectContaining({ sheet: '无此班', row: 0, column: null }),
      expect.objectContaining({ sheet: '一班', row: 0 }),
      expect.objectContaining({ sheet: '四年级(1)班', row: 1, column: 'D' }),
      // Friday has no 6th period at this school.
      expect.objectContaining({ sheet: '四年级(1)班', row: 2, column: 'C' }),
      expect.objectContaining({ sheet: '四年级(1)班', row: 3, column: 'A' }),
      expect.objectContaining({ sheet: '四年级(1)班', row: 4, column: 'B' }),
    ]);
    expect(read.errors[1]?.message.en).toContain('several classes are called');
    expect(read.errors[5]?.message.en).toContain('no subject');
    expect(read.lessons).toEqual([lesson('a', 1, 6, '英语', '周')]);
  });

  it('checkWeek: one lesson a class and period, one class a teacher and period, only periods the bells ring, only the school’s classes', () => {
    const issues = checkWeek(
      [
        lesson('a', 1, 1, '语文', '李'),
        lesson('a', 1, 1, '数学', '陈'),
        lesson('b', 1, 1, '英语', '李'),
        lesson('b', 5, 6, '英语', '周'),
        lesson('zz', 1, 2, '英语', '周'),
      ],
      CLASSES,
      PERIODS,
    );
    expect(issues.map((i) => i.index)).toEqual([1, 2, 3, 4]);
  });
});
