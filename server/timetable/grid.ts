import ExcelJS from 'exceljs';
import { workbookBuffer } from '../exports/spreadsheet.ts';
import type { TimetableView } from '../contract/timetable.ts';
import { dayName } from '../../scheduler/index.ts';
import type { Weekday } from '../../scheduler/index.ts';
import { text } from '../../scheduler/text.ts';
import type { Lang } from '../../scheduler/text.ts';

const WORDS = {
  creator: text('同步课堂平台', 'Synchronized classrooms'),
  period: text('节次', 'Period'),
  periodAt: (n: number, start: string, end: string) =>
    text(`第${n}节 ${start}-${end}`, `Period ${n} ${start}-${end}`),
  teacher: (name: string) => text(`教师 ${name}`, `Teacher ${name}`),
  classes: (offering: string, classes: string[]) =>
    text(`${offering}（${classes.join('、')}）`, `${offering} (${classes.join(', ')})`),
} as const;

/**
 * The week grid as a workbook to print or send round: a sheet per school (its own periods
 * down, weekdays across, in each cell the synchronized lesson its classes sit), and a sheet
 * per hub teacher; titles and weekdays in `lang`, names as they are.
 */
export async function gridWorkbook(view: TimetableView, lang: Lang = 'zh'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = WORDS.creator[lang];
  const days = [...new Set([1, 2, 3, 4, 5, ...view.sessions.map((s) => s.weekday)])].sort();
  const offering = new Map(view.offerings.map((o) => [o.id, o]));
  const className = new Map(view.classes.map((c) => [c.id, c.name]));

  const sheet = (
    name: string,
    periods: { period: number; start: string; end: string }[],
    cell: (day: number, period: number) => string[],
  ) => {
    const ws = wb.addWorksheet(name.slice(0, 31).replace(/[*?:\\/[\]]/g, ' '), {
      views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }],
    });
    ws.columns = [
      { header: WORDS.period[lang], width: 16 },
      ...days.map((d) => ({ header: dayName(d as Weekday)[lang] || String(d), width: 26 })),
    ];
    ws.getRow(1).font = { bold: true };
    for (const p of periods) {
      const row = ws.addRow([
        WORDS.periodAt(p.period, p.start, p.end)[lang],
        ...days.map((d) => cell(d, p.period).join('\n')),
      ]);
      row.alignment = { wrapText: true, vertical: 'top' };
    }
  };

  for (const school of view.schools) {
    const periods = uniquePeriods(school.periods);
    sheet(school.name, periods, (day, period) =>
      view.sessions.flatMap((s) => {
        if (s.weekday !== day) return [];
        const o = offering.get(s.offeringId);
        if (school.hub) return s.period === period && o ? [`${o.name[lang]} ${o.teacherName}`] : [];
        const here = s.receiving.filter(
          (r) => r.period === period && view.classes.find((c) => c.id === r.classId)?.schoolId === school.id,
        );
        return here.length && o
          ? [
              WORDS.classes(
                o.name[lang],
                here.map((r) => className.get(r.classId) ?? ''),
              )[lang],
            ]
          : [];
      }),
    );
  }
  const hub = view.schools.find((s) => s.hub);
  for (const teacher of view.teachers)
    sheet(WORDS.teacher(teacher.name)[lang], uniquePeriods(hub?.periods ?? []), (day, period) =>
      view.sessions
        .filter(
          (s) =>
            s.weekday === day && s.period === period && offering.get(s.offeringId)?.teacherId === teacher.id,
        )
        .map((s) => offering.get(s.offeringId)?.name[lang] ?? ''),
    );
  return workbookBuffer(wb, 'xlsx');
}

/** A school's periods by number (the times of the first weekday that rings it). */
function uniquePeriods(periods: TimetableView['schools'][number]['periods']) {
  const byNumber = new Map<number, { period: number; start: string; end: string }>();
  for (const p of periods) if (!byNumber.has(p.period)) byNumber.set(p.period, p);
  return [...byNumber.values()].sort((a, b) => a.period - b.period);
}
