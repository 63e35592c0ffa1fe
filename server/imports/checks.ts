import { text } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';
import { columnTitles } from './columns.ts';
import type { BellRow, RowOf, SheetKind } from './columns.ts';

/**
 * One problem of an import, where a user can find it: sheet (its name as in the file), row
 * (header = 1) and column (its title in both languages), and what is wrong (both languages).
 */
export interface RowError {
  sheet?: string;
  row: number;
  column: Text | null;
  message: Text;
}

export interface ParsedRow<K extends SheetKind> {
  row: number;
  value: RowOf<K>;
}

/**
 * What identifies a record within one file; two rows sharing a key are an error. A bell
 * period may appear twice with different weekdays (periods that ring at other times on some
 * days), so its keys are per weekday.
 */
const KEYS: { [K in SheetKind]: { columns: Text; keys: (v: RowOf<K>) => string[] } } = {
  schools: { columns: columnTitles('schools', 'name'), keys: (v) => [v.name] },
  classrooms: {
    columns: columnTitles('classrooms', 'schoolName', 'name'),
    keys: (v) => [`${v.schoolName}\u0000${v.name}`],
  },
  classes: {
    columns: columnTitles('classes', 'schoolName', 'grade', 'name'),
    keys: (v) => [`${v.schoolName}\u0000${v.grade}\u0000${v.name}`],
  },
  teachers: { columns: columnTitles('teachers', 'username'), keys: (v) => [v.username] },
  bellSchedules: {
    columns: columnTitles('bellSchedules', 'schoolName', 'period', 'weekdays'),
    keys: (v) => v.weekdays.map((d) => `${v.schoolName}\u0000${v.period}\u0000${d}`),
  },
};

/** Checks across the rows of one sheet: duplicate keys, and bell periods that overlap. */
export function checkRows<K extends SheetKind>(kind: K, rows: readonly ParsedRow<K>[]): RowError[] {
  const errors: RowError[] = [];
  const { columns, keys } = KEYS[kind] as { columns: Text; keys: (v: RowOf<K>) => string[] };
  const seen = new Map<string, number>();
  for (const { row, value } of rows) {
    const first = keys(value)
      .map((k) => seen.get(k))
      .find((r) => r !== undefined);
    if (first !== undefined)
      errors.push({
        row,
        column: columns,
        message: text(`与第 ${first} 行重复`, `duplicate of row ${first}`),
      });
    else for (const k of keys(value)) seen.set(k, row);
  }
  if (kind === 'classrooms') {
    const devices = new Map<string, number>();
    for (const { row, value } of rows as readonly ParsedRow<'classrooms'>[]) {
      if (!value.deviceUsername) continue;
      const first = devices.get(value.deviceUsername);
      if (first !== undefined)
        errors.push({
          row,
          column: columnTitles('classrooms', 'deviceUsername'),
          message: text(`与第 ${first} 行使用同一账号`, `same account as row ${first}`),
        });
      else devices.set(value.deviceUsername, row);
    }
  }
  if (kind === 'bellSchedules') errors.push(...checkBells(rows as readonly ParsedRow<'bellSchedules'>[]));
  return errors;
}

function checkBells(rows: readonly ParsedRow<'bellSchedules'>[]): RowError[] {
  const errors: RowError[] = [];
  const bySchool = new Map<string, ParsedRow<'bellSchedules'>[]>();
  for (const r of rows) {
    if (r.value.start >= r.value.end) {
      errors.push({
        row: r.row,
        column: columnTitles('bellSchedules', 'end'),
        message: text('结束时间应晚于开始时间', 'the period ends before it starts'),
      });
      continue;
    }
    bySchool.set(r.value.schoolName, [...(bySchool.get(r.value.schoolName) ?? []), r]);
  }
  for (const periods of bySchool.values())
    for (const [i, a] of periods.entries())
      for (const b of periods.slice(0, i))
        if (overlap(a.value, b.value))
          errors.push({
            row: a.row,
            column: columnTitles('bellSchedules', 'start'),
            message: text(
              `与第 ${b.row} 行（第 ${b.value.period} 节）时间重叠`,
              `overlaps row ${b.row} (period ${b.value.period})`,
            ),
          });
  return errors;
}

const overlap = (a: BellRow, b: BellRow): boolean =>
  a.weekdays.some((d) => b.weekdays.includes(d)) && a.start < b.end && b.start < a.end;
