import ExcelJS from 'exceljs';
import { workbookBuffer } from '../exports/spreadsheet.ts';
import type { TimetableView } from '../contract/timetable.ts';
import { dayName } from '../../scheduler/index.ts';

const WEEKDAYS = ([1, 2, 3, 4, 5, 6, 7] as const).map((d) => dayName(d).zh);

/**
 * The week grid as a workbook to print or send round: a sheet per school (its own periods
 * down, weekdays across, in each cell the synchronized lesson its classes sit), and a sheet
 * per hub teacher.
 */
export async function gridWorkbook(view: TimetableView): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '同步课堂平台';
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
      { header: '节次', width: 16 },
      ...days.map((d) => ({ header: WEEKDAYS[d - 1] ?? String(d), width: 26 })),
    ];
    ws.getRow(1).font = { bold: true };
    for (const p of periods) {
      const row = ws.addRow([
        `第${p.period}节 ${p.start}-${p.end}`,
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
        if (school.hub) return s.period === period && o ? [`${o.name} ${o.teacherName}`] : [];
        const here = s.receiving.filter(
          (r) => r.period === period && view.classes.find((c) => c.id === r.classId)?.schoolId === school.id,
        );
        return here.length && o
          ? [`${o.name}（${here.map((r) => className.get(r.classId)).join('、')}）`]
          : [];
      }),
    );
  }
  const hub = view.schools.find((s) => s.hub);
  for (const teacher of view.teachers)
    sheet(`教师 ${teacher.name}`, uniquePeriods(hub?.periods ?? []), (day, period) =>
      view.sessions
        .filter(
          (s) =>
            s.weekday === day && s.period === period && offering.get(s.offeringId)?.teacherId === teacher.id,
        )
        .map((s) => offering.get(s.offeringId)?.name ?? ''),
    );
  return workbookBuffer(wb, 'xlsx');
}

/** A school's periods by number (the times of the first weekday that rings it). */
function uniquePeriods(periods: TimetableView['schools'][number]['periods']) {
  const byNumber = new Map<number, { period: number; start: string; end: string }>();
  for (const p of periods) if (!byNumber.has(p.period)) byNumber.set(p.period, p);
  return [...byNumber.values()].sort((a, b) => a.period - b.period);
}
