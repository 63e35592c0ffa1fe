/**
 * The spreadsheet layout of a school's own timetable, read and written here only: a sheet per
 * class (named after the class: "四年级(1)班", or "4年级 四年级(1)班" where two grades share a
 * name), periods down the first column ("第1节", "第1节 08:00-08:40" or "1"), weekdays across
 * the header row (周一 … 周日, or Mon … Sun), and in each cell the subject and the local
 * teacher ("英语 周小燕"); "锁定" in a cell marks a period the school fixes ("升旗 锁定",
 * "班会 李春梅 锁定"). A cell marked "同步" is a synchronized session of the joint timetable
 * (exports show them so); it is not a lesson of the school's own and is skipped on import.
 */
import ExcelJS from 'exceljs';
import { workbookBuffer } from '../exports/spreadsheet.ts';
import { halfWidth } from '../imports/cells.ts';
import type { Cell } from '../imports/cells.ts';
import type { LocalImportResponse } from '../contract/timetable.ts';
import type { Grid } from '../imports/workbook.ts';
import { dayName, slotName } from '../../scheduler/index.ts';
import type { Weekday } from '../../scheduler/index.ts';
import { text } from '../../scheduler/text.ts';
import type { CoPlanLessonView, LocalLessonView, PeriodView } from '../contract/timetable.ts';

/** A problem of a week's workbook (the co-plan's school page shows it in the reader's language). */
type RowError = LocalImportResponse['errors'][number];

const WEEKDAYS_ZH = ([1, 2, 3, 4, 5, 6, 7] as const).map((d) => dayName(d).zh);
const WEEKDAY_WORDS: Record<string, number> = {
  ...Object.fromEntries(WEEKDAYS_ZH.map((d, i) => [d, i + 1])),
  ...Object.fromEntries(
    ['星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'].map((d, i) => [d, i + 1]),
  ),
  ...Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d, i) => [d, i + 1])),
  星期天: 7,
  周天: 7,
};
const LOCK_WORDS = new Set(['锁定', '固定', 'locked']);
const REMOTE_WORD = '同步';

/** A class as the sheets name it. */
export interface GridClass {
  id: string;
  name: string;
  grade: number;
}

/** What the sheets hold, and every problem found reading them. */
export interface ReadWeek {
  lessons: LocalLessonView[];
  /** Where each lesson was found (same order as `lessons`). */
  cells: { sheet: string; row: number; column: string }[];
  /** Classes that had a sheet. */
  classIds: string[];
  errors: RowError[];
}

const columnLetter = (index: number): string => {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
};

const cellText = (cell: Cell | undefined): string =>
  cell === null || cell === undefined ? '' : halfWidth(cell instanceof Date ? '' : String(cell));

/** "第3节", "第3节 10:05-10:45", "3" → 3; anything else null. */
function periodOf(cell: Cell | undefined): number | null {
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell : null;
  const m = /^(?:第\s*)?(\d{1,2})(?:\s*节)?(?:\s|$)/.exec(cellText(cell));
  return m ? Number(m[1]) : null;
}

/** "英语 周小燕", "升旗 锁定", "班会/李春梅/锁定" → subject, teacher, locked; "" → null. */
export function parseLessonCell(
  text: string,
): { subject: string; teacher: string; locked: boolean; remote: boolean } | null {
  const words = text
    .split(/[\s/／,，、]+/)
    .map((w) => w.replace(/^[（(]|[）)]$/g, ''))
    .filter(Boolean);
  if (!words.length) return null;
  const locked = words.some((w) => LOCK_WORDS.has(w.toLowerCase()));
  const remote = words.some((w) => w === REMOTE_WORD);
  const rest = words.filter((w) => !LOCK_WORDS.has(w.toLowerCase()) && w !== REMOTE_WORD);
  const [subject = '', ...teacher] = rest;
  return { subject, teacher: teacher.join(' '), locked, remote };
}

/**
 * Reads a school's week from its sheets. Every problem is reported with its sheet, row and
 * column: an unknown class, a header that is not a weekday, a period the school's bells do
 * not ring that weekday, a cell without a subject or too long, two sheets for one class.
 */
export function readWeek(
  grids: readonly Grid[],
  classes: readonly GridClass[],
  periods: readonly PeriodView[],
): ReadWeek {
  const errors: RowError[] = [];
  const lessons: LocalLessonView[] = [];
  const cells: ReadWeek['cells'] = [];
  const classIds: string[] = [];
  const key = (s: string): string => halfWidth(s).replace(/\s+/g, '');
  const byName = new Map<string, GridClass[]>();
  for (const c of classes) {
    for (const name of [c.name, `${c.grade}年级${c.name}`]) {
      byName.set(key(name), [...(byName.get(key(name)) ?? []), c]);
    }
  }
  const rings = (weekday: number, period: number): boolean =>
    periods.some((p) => p.period === period && p.weekdays.includes(weekday));
  for (const grid of grids) {
    const sheet = grid.name;
    const found = byName.get(key(sheet)) ?? [];
    const klass = found.length === 1 ? found[0] : undefined;
    if (!klass) {
      errors.push({
        sheet,
        row: 0,
        column: null,
        message: found.length
          ? text(
              `有多个班级叫“${sheet}”，请在工作表名前加年级，如“4年级${sheet}”`,
              `several classes are called “${sheet}”: prefix the grade to the sheet's name, as in “4年级${sheet}”`,
            )
          : text(`本校没有名为“${sheet}”的班级`, `the school has no class called “${sheet}”`),
      });
      continue;
    }
    if (classIds.includes(klass.id)) {
      errors.push({
        sheet,
        row: 0,
        column: null,
        message: text('同一班级有两个工作表', 'two sheets for one class'),
      });
      continue;
    }
    classIds.push(klass.id);
    const header = grid.rows[0] ?? [];
    const days = new Map<number, number>();
    header.forEach((cell, i) => {
      if (i === 0 || cellText(cell) === '') return;
      const day = WEEKDAY_WORDS[cellText(cell).toLowerCase()];
      if (day === undefined) {
        errors.push({
          sheet,
          row: 1,
          column: columnLetter(i),
          message: text(`“${cellText(cell)}”不是星期几`, `“${cellText(cell)}” is not a weekday`),
        });
      } else days.set(i, day);
    });
    if (!days.size) {
      errors.push({
        sheet,
        row: 1,
        column: null,
        message: text(
          '第 1 行应为 周一、周二 …',
          'the first row names the weekdays (周一, 周二 … or Mon, Tue …)',
        ),
      });
      continue;
    }
    grid.rows.slice(1).forEach((row, r) => {
      const rowNumber = r + 2;
      const filled = row.some((cell, i) => i > 0 && days.has(i) && cellText(cell) !== '');
      if (!filled) return;
      const period = periodOf(row[0]);
      if (period === null) {
        errors.push({
          sheet,
          row: rowNumber,
          column: 'A',
          message: text('应为节次，如“第1节”', 'a period, like 第1节 or 1'),
        });
        return;
      }
      for (const [i, weekday] of days) {
        const content = cellText(row[i]);
        if (!content) continue;
        const at = { sheet, row: rowNumber, column: columnLetter(i) };
        const cell = parseLessonCell(content);
        if (!cell || cell.remote) continue;
        if (!cell.subject) {
          errors.push({ ...at, message: text('缺少科目', 'no subject') });
        } else if (cell.subject.length > 20 || cell.teacher.length > 40) {
          errors.push({ ...at, message: text('科目或教师名过长', 'subject or teacher too long') });
        } else if (!rings(weekday, period)) {
          errors.push({
            ...at,
            message: text(
              `本校作息${WEEKDAYS_ZH[weekday - 1] ?? ''}没有第${period}节`,
              `the school's bells have no ${slotName(weekday as Weekday, period).en}`,
            ),
          });
        } else {
          cells.push(at);
          lessons.push({
            classId: klass.id,
            weekday,
            period,
            subject: cell.subject,
            teacher: cell.teacher,
            locked: cell.locked,
          });
        }
      }
    });
  }
  if (!grids.length)
    errors.push({ row: 0, column: null, message: text('文件中没有工作表', 'the file has no sheet') });
  return { lessons, cells, classIds, errors };
}

/** What a cell shows: "英语 周小燕", "升旗 锁定", "英语（3年级） 同步". */
function cellOf(lesson: LocalLessonView | CoPlanLessonView, offeringName: (id: string) => string): string {
  const remote = 'offeringId' in lesson && lesson.offeringId;
  if (remote) return `${offeringName(remote)} ${REMOTE_WORD}`;
  return [lesson.subject, lesson.teacher, lesson.locked ? '锁定' : ''].filter(Boolean).join(' ');
}

/**
 * A school's week as a workbook in the layout {@link readWeek} reads back: a sheet per class.
 * Lessons taught by a synchronized session (after a co-plan) show as "… 同步".
 */
export async function weekWorkbook(
  classes: readonly GridClass[],
  periods: readonly PeriodView[],
  lessons: readonly (LocalLessonView | CoPlanLessonView)[],
  offeringName: (id: string) => string = (id) => id,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '同步课堂平台';
  const weekdays = [...new Set([1, 2, 3, 4, 5, ...periods.flatMap((p) => p.weekdays)])].sort((a, b) => a - b);
  const numbers = [...new Set(periods.map((p) => p.period))].sort((a, b) => a - b);
  const names = new Map<string, number>();
  for (const c of classes) names.set(c.name, (names.get(c.name) ?? 0) + 1);
  const used = new Set<string>();
  for (const c of classes) {
    const name = (names.get(c.name) ?? 0) > 1 ? `${c.grade}年级${c.name}` : c.name;
    // Excel's limits: 31 characters, none of * ? : \ / [ ], no two sheets alike (case aside).
    let sheet = name.slice(0, 31).replace(/[*?:\\/[\]]/g, ' ');
    for (let n = 2; used.has(sheet.toLowerCase()); n++) sheet = `${name.slice(0, 27)}(${n})`;
    used.add(sheet.toLowerCase());
    const ws = wb.addWorksheet(sheet, {
      views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }],
    });
    ws.columns = [
      { header: '节次', width: 18 },
      ...weekdays.map((d) => ({ header: WEEKDAYS_ZH[d - 1] ?? String(d), width: 20 })),
    ];
    ws.getRow(1).font = { bold: true };
    for (const n of numbers) {
      const p = periods.find((x) => x.period === n);
      ws.addRow([
        `第${n}节${p ? ` ${p.start}-${p.end}` : ''}`,
        ...weekdays.map((d) => {
          const l = lessons.find((x) => x.classId === c.id && x.weekday === d && x.period === n);
          return l ? cellOf(l, offeringName) : '';
        }),
      ]);
    }
  }
  if (!classes.length) wb.addWorksheet('课表');
  return workbookBuffer(wb, 'xlsx');
}
