/**
 * Reading and writing single spreadsheet cells. Schools fill their sheets by hand in Excel
 * or WPS, so a cell may hold a number where text is meant (a phone number, a region code), a
 * date where a time is meant (Excel stores 08:00 as a fraction of a day), rich text, or a
 * formula; and values come in Chinese as often as in English (是/否, 录播教室, 周一至周五).
 */

import { both, text as words } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';

/** A cell's value as read: text, a number, a boolean, a date, or nothing. */
export type Cell = string | number | boolean | Date | null;

/** A cell could not be read as its column's type; the message is shown to the user. */
export class CellError extends Error {
  /** What is wrong, for people in both languages. */
  readonly text: Text;

  constructor(problem: Text) {
    super(both(problem));
    this.name = 'CellError';
    this.text = problem;
  }
}

/** Flattens what exceljs gives for a cell (rich text, formulas, hyperlinks, errors) to a Cell. */
export function cellValue(raw: unknown): Cell {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') {
    // The apostrophe our exports put before a formula character (spreadsheet.ts) reads back as nothing.
    const text = /^'[=+\-@\t\r]/.test(raw) ? raw.slice(1) : raw;
    return text.trim() === '' ? null : text.trim();
  }
  if (typeof raw === 'number' || typeof raw === 'boolean' || raw instanceof Date) return raw;
  if (typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    if (Array.isArray(o['richText']))
      return cellValue((o['richText'] as { text?: string }[]).map((r) => r.text ?? '').join(''));
    if ('result' in o) return cellValue(o['result']);
    if ('text' in o) return cellValue(o['text']);
    if ('error' in o) return null;
  }
  return null;
}

const FULL_WIDTH = /[\uFF01-\uFF5E]/g;

/** Full-width ASCII (Chinese input methods) to half-width, and trimmed. */
export function halfWidth(text: string): string {
  return text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).trim();
}

export function text(cell: Cell, max: number): string {
  if (cell === null) throw new CellError(words('不能为空', 'required'));
  const value = cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell).trim();
  if (value.length > max) throw new CellError(words(`不能超过 ${max} 个字符`, `at most ${max} characters`));
  return value;
}

/** Digits kept as text: Excel turns 430725 or a phone number into a number. */
export function digits(cell: Cell, pattern: RegExp, what: Text): string {
  const value = typeof cell === 'number' ? String(cell) : halfWidth(text(cell, 40));
  if (!pattern.test(value)) throw new CellError(words(`应为${what.zh}`, `should be ${what.en}`));
  return value;
}

export function number(cell: Cell, min: number, max: number, integer: boolean): number {
  const value = typeof cell === 'number' ? cell : Number(halfWidth(text(cell, 20)));
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new CellError(integer ? words('应为整数', 'a whole number') : words('应为数字', 'a number'));
  if (value < min || value > max)
    throw new CellError(words(`应在 ${min}–${max} 之间`, `between ${min} and ${max}`));
  return value;
}

const YES = new Set(['是', '有', 'y', 'yes', 'true', '1', '√', '✓']);
const NO = new Set(['否', '无', '没有', 'n', 'no', 'false', '0', '×', '✗']);

export function yesNo(cell: Cell, fallback: boolean): boolean {
  if (cell === null) return fallback;
  if (typeof cell === 'boolean') return cell;
  const value = halfWidth(String(cell)).toLowerCase();
  if (YES.has(value)) return true;
  if (NO.has(value)) return false;
  throw new CellError(words('应为“是”或“否”', 'yes or no'));
}

/** An enum cell: the stored value, its Chinese label or one of its aliases. */
export function choice<T extends string>(cell: Cell, labels: Record<T, readonly string[]>): T {
  const value = halfWidth(text(cell, 40)).toLowerCase();
  for (const [key, names] of Object.entries(labels) as [T, readonly string[]][])
    if (key === value || names.some((n) => n.toLowerCase() === value)) return key;
  const allowed = Object.values<readonly string[]>(labels)
    .map((names) => names[0])
    .join('、');
  throw new CellError(words(`应为 ${allowed} 之一`, `one of ${Object.keys(labels).join(', ')}`));
}

/** A time of day as HH:mm, from "8:00", "08:00", "8：00" or an Excel time value. */
export function timeOfDay(cell: Cell): string {
  if (cell instanceof Date) return `${pad(cell.getUTCHours())}:${pad(cell.getUTCMinutes())}`;
  if (typeof cell === 'number' && cell >= 0 && cell < 1) {
    const minutes = Math.round(cell * 24 * 60);
    return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
  }
  const match = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(halfWidth(text(cell, 10)));
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59)
    throw new CellError(words('应为时间，如 08:00', 'a time such as 08:00'));
  return `${pad(Number(match[1]))}:${match[2]}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

const WEEKDAY_NAMES: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  日: 7,
  天: 7,
  七: 7,
};

/**
 * ISO weekdays from "1-5", "1,3,5", "周一至周五", "星期一、星期三"; empty means Monday to Friday.
 */
export function weekdays(cell: Cell): number[] {
  if (cell === null) return [1, 2, 3, 4, 5];
  const value = halfWidth(String(cell))
    .replace(/星期|周|礼拜/g, '')
    .replace(/[一二三四五六日天七]/g, (c) => String(WEEKDAY_NAMES[c]))
    .replace(/至|到|~/g, '-');
  const days = new Set<number>();
  for (const part of value.split(/[,、;\s]+/).filter(Boolean)) {
    const range = /^([1-7])(?:-([1-7]))?$/.exec(part);
    if (!range) throw new CellError(words('应为星期，如 1-5 或 1,3,5', 'weekdays such as 1-5'));
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    if (to < from) throw new CellError(words('星期范围应从小到大', 'a range runs upwards'));
    for (let d = from; d <= to; d++) days.add(d);
  }
  if (!days.size) throw new CellError(words('不能为空', 'required'));
  return [...days].sort((a, b) => a - b);
}

/** Writes weekdays back compactly: [1,2,3,4,5] → "1-5", [1,3,5] → "1,3,5". */
export function formatWeekdays(days: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < days.length;) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === (days[j] ?? 0) + 1) j++;
    parts.push(j - i >= 2 ? `${days[i]}-${days[j]}` : days.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** A list of short names from "语文、数学" or "语文,数学" or "语文 数学". */
export function list(cell: Cell, maxItems: number, maxLength: number): string[] {
  if (cell === null) return [];
  const items = [
    ...new Set(
      halfWidth(String(cell))
        .split(/[,、;/\s]+/)
        .filter(Boolean),
    ),
  ];
  if (items.length > maxItems) throw new CellError(words(`最多 ${maxItems} 项`, `at most ${maxItems} items`));
  if (items.some((i) => i.length > maxLength))
    throw new CellError(words(`每项不超过 ${maxLength} 个字符`, `items of at most ${maxLength} characters`));
  return items;
}

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const GRADE_NAMES: Record<string, number> = {
  ...Object.fromEntries(NUMERALS.map((n, i) => [n, i + 1])),
  初一: 7,
  初二: 8,
  初三: 9,
  高一: 10,
  高二: 11,
  高三: 12,
};

/** A grade 1–12 from 3, "3年级", "三年级", "初一" or "高二". */
export function grade(cell: Cell): number {
  if (typeof cell === 'number') return number(cell, 1, 12, true);
  const value = halfWidth(text(cell, 10)).replace(/年级$/, '');
  const named = GRADE_NAMES[value];
  if (named) return named;
  return number(value, 1, 12, true);
}
