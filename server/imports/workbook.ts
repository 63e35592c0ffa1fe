import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { cellValue } from './cells.ts';
import type { Cell } from './cells.ts';
import type { Column } from './columns.ts';
import { workbookBuffer } from '../exports/spreadsheet.ts';
import { both, text } from '../../scheduler/text.ts';
import type { Lang, Text } from '../../scheduler/text.ts';

export type FileFormat = 'xlsx' | 'csv';

/** A sheet as read: its name and its rows of cells, the header row first. */
export interface Grid {
  name: string;
  rows: Cell[][];
}

/** The file is not a workbook of the format it claims, or is damaged. */
export class UnreadableFileError extends Error {
  /** What is wrong, for people in both languages. */
  readonly text: Text;

  constructor(problem: Text) {
    super(both(problem));
    this.name = 'UnreadableFileError';
    this.text = problem;
  }
}

const ZIP_MAGIC = Buffer.from('PK\u0003\u0004', 'latin1');

/**
 * Reads every sheet of an .xlsx file, or the one sheet of a CSV file. CSV files saved by
 * Excel on a Chinese Windows are in GB18030 unless saved as "CSV UTF-8"; both are read.
 */
export async function readGrids(data: Buffer, format: FileFormat): Promise<Grid[]> {
  const workbook = new ExcelJS.Workbook();
  if (format === 'xlsx') {
    if (!data.subarray(0, 4).equals(ZIP_MAGIC))
      throw new UnreadableFileError(
        text('不是 Excel (.xlsx) 文件', 'the file is not an Excel (.xlsx) workbook'),
      );
    try {
      await workbook.xlsx.load(data as unknown as ExcelJS.Buffer);
    } catch (error) {
      throw new UnreadableFileError(
        text(
          `无法读取 Excel 文件（${(error as Error).message}）`,
          `the Excel file cannot be read (${(error as Error).message})`,
        ),
      );
    }
  } else {
    if (data.includes(0))
      throw new UnreadableFileError(text('不是 CSV 文本文件', 'the file is not a CSV text file'));
    await workbook.csv.read(Readable.from([decodeText(data)]), {
      sheetName: 'CSV',
      map: (value: unknown) => value,
    });
  }
  return workbook.worksheets.map((sheet) => {
    const rows: Cell[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, number) => {
      const values = row.values as unknown[];
      rows[number - 1] = values.slice(1).map(cellValue);
    });
    for (let i = 0; i < rows.length; i++) rows[i] ??= [];
    return { name: sheet.name, rows };
  });
}

function decodeText(data: Buffer): string {
  const body = data.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? data.subarray(3) : data;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return new TextDecoder('gb18030').decode(body);
  }
}

/** A sheet to write: its name, columns and rows of values by column key. */
export interface SheetOut {
  name: string;
  columns: readonly Column[];
  rows: readonly Record<string, unknown>[];
  /** A second sheet explaining the columns (templates). */
  notes?: boolean;
}

/** The notes sheet's words. */
const NOTES = {
  creator: text('同步课堂平台', 'Synchronized classrooms'),
  sheet: text('说明', ' notes'),
  column: text('列', 'Column'),
  other: text('Column', '列'),
  required: text('必填', 'Required'),
  hint: text('填写说明', 'What to write'),
  yes: text('是', 'yes'),
  no: text('否', 'no'),
} as const;

/**
 * Writes sheets as an .xlsx workbook, or the first one as CSV (UTF-8 with BOM, which Excel
 * opens correctly), with column titles, values and notes in `lang` (either reads back).
 */
export async function writeSheets(
  sheets: readonly SheetOut[],
  format: FileFormat,
  lang: Lang = 'zh',
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = NOTES.creator[lang];
  for (const sheet of format === 'csv' ? sheets.slice(0, 1) : sheets) {
    const ws = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheet.columns.map((c) => ({
      header: c[lang],
      key: c.key,
      width: c.width,
      style: { numFmt: '@' },
    }));
    ws.getRow(1).font = { bold: true };
    for (const row of sheet.rows)
      ws.addRow(Object.fromEntries(sheet.columns.map((c) => [c.key, c.write(row[c.key], lang)])));
    if (sheet.notes && format === 'xlsx') {
      // Each column's title in the file's language, then in the other (also accepted).
      const other: Lang = lang === 'en' ? 'zh' : 'en';
      const notes = workbook.addWorksheet(`${sheet.name}${NOTES.sheet[lang]}`);
      notes.columns = [
        { header: NOTES.column[lang], key: 'title', width: 18 },
        { header: NOTES.other[lang], key: 'other', width: 18 },
        { header: NOTES.required[lang], key: 'required', width: 8 },
        { header: NOTES.hint[lang], key: 'hint', width: 60 },
      ];
      notes.getRow(1).font = { bold: true };
      for (const c of sheet.columns)
        notes.addRow({
          title: c[lang],
          other: c[other],
          required: (c.required ? NOTES.yes : NOTES.no)[lang],
          hint: c.hint[lang],
        });
    }
  }
  return workbookBuffer(workbook, format);
}
