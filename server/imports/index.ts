/**
 * Spreadsheet import and export of a cluster's schools, classrooms, classes, teachers and
 * bell schedules (.xlsx or CSV). Parsing checks every row and reports every problem with
 * its sheet, row number and column; `ClusterImport` applies checked rows to the database.
 */
import { CellError } from './cells.ts';
import type { Cell } from './cells.ts';
import { checkRows } from './checks.ts';
import type { ParsedRow, RowError } from './checks.ts';
import { COLUMNS, SHEET_KINDS, SHEET_NAMES, columnFor, columnTitle, headerKey } from './columns.ts';
import { joinTexts, text } from '../../scheduler/text.ts';
import type { Lang, Text } from '../../scheduler/text.ts';
import type { Column, ImportKind, RowOf, SheetKind } from './columns.ts';
import { UnreadableFileError, readGrids, writeSheets } from './workbook.ts';
import type { FileFormat, Grid } from './workbook.ts';

export { COLUMNS, IMPORT_KINDS, SHEET_KINDS, SHEET_NAMES } from './columns.ts';
export type { ImportKind, RowOf, SheetKind } from './columns.ts';
export type { ParsedRow, RowError } from './checks.ts';
export type { FileFormat } from './workbook.ts';

/** Largest file accepted. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Most data rows in one sheet. */
export const MAX_ROWS = 20_000;

/** The checked rows of one sheet, by kind. */
export type ParsedSheet = {
  [K in SheetKind]: { kind: K; rows: ParsedRow<K>[]; /** Of a cluster workbook. */ sheet?: string };
}[SheetKind];

/** A file as parsed: the sheets found, and every problem (none: the file can be imported). */
export interface ParsedFile {
  sheets: ParsedSheet[];
  errors: RowError[];
}

/**
 * Parses a file of `kind`: one sheet (the first), or for `cluster` the sheets named 学校,
 * 教室, 教学班, 教师 and 作息时间 (or their English names), any of which may be left out.
 */
export async function parseFile(kind: ImportKind, data: Buffer, format: FileFormat): Promise<ParsedFile> {
  if (data.length > MAX_FILE_BYTES)
    return fileError(
      text(
        `文件超过 ${MAX_FILE_BYTES / 1024 / 1024} MB`,
        `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`,
      ),
    );
  if (kind === 'cluster' && format === 'csv')
    return fileError(text('整个联校群只能用 Excel 导入', 'a whole cluster imports from Excel (.xlsx) only'));
  let grids: Grid[];
  try {
    grids = await readGrids(data, format);
  } catch (error) {
    if (error instanceof UnreadableFileError) return fileError(error.text);
    throw error;
  }
  const chosen: [SheetKind, Grid][] =
    kind === 'cluster'
      ? SHEET_KINDS.flatMap((k) => {
          const grid = grids.find((g) => sheetNames(k).includes(headerKey(g.name)));
          return grid ? [[k, grid] as [SheetKind, Grid]] : [];
        })
      : grids[0]
        ? [[kind, grids[0]]]
        : [];
  if (!chosen.length)
    return fileError(
      kind === 'cluster'
        ? text(
            `找不到工作表：${SHEET_KINDS.map((k) => SHEET_NAMES[k].zh).join('、')}`,
            `no sheet named ${SHEET_KINDS.map((k) => SHEET_NAMES[k].en).join(', ')}`,
          )
        : text('文件中没有工作表', 'the file has no sheet'),
    );
  const sheets: ParsedSheet[] = [];
  const errors: RowError[] = [];
  for (const [k, grid] of chosen) {
    const parsed = parseGrid(k, grid);
    const sheet = kind === 'cluster' ? grid.name : undefined;
    sheets.push({ kind: k, rows: parsed.rows, ...(sheet ? { sheet } : {}) } as ParsedSheet);
    errors.push(...parsed.errors.map((e) => (sheet ? { sheet, ...e } : e)));
  }
  return { sheets, errors };
}

const sheetNames = (kind: SheetKind): string[] =>
  [SHEET_NAMES[kind].zh, SHEET_NAMES[kind].en, kind].map(headerKey);

const fileError = (message: Text): ParsedFile => ({
  sheets: [],
  errors: [{ row: 0, column: null, message }],
});

/** The header is the first row, among the first ten, that names at least half the columns. */
function findHeader(kind: SheetKind, grid: Grid): number {
  const needed = Math.ceil(COLUMNS[kind].length / 2);
  for (let i = 0; i < Math.min(10, grid.rows.length); i++) {
    const named = (grid.rows[i] ?? []).filter((c) => typeof c === 'string' && columnFor(kind, c)).length;
    if (named >= needed) return i;
  }
  return -1;
}

function parseGrid<K extends SheetKind>(kind: K, grid: Grid): { rows: ParsedRow<K>[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const headerAt = findHeader(kind, grid);
  if (headerAt < 0) {
    const expected = joinTexts(COLUMNS[kind].map(columnTitle), text('、', ', '));
    return {
      rows: [],
      errors: [
        {
          row: 1,
          column: null,
          message: text(`找不到表头，应包含：${expected.zh}`, `no header row naming: ${expected.en}`),
        },
      ],
    };
  }
  const headerRow = headerAt + 1;
  const positions = new Map<Column, number>();
  for (const [i, cell] of (grid.rows[headerAt] ?? []).entries()) {
    const column = typeof cell === 'string' ? columnFor(kind, cell) : undefined;
    if (!column) continue;
    if (positions.has(column))
      errors.push({
        row: headerRow,
        column: columnTitle(column),
        message: text('该列出现了两次', 'the column appears twice'),
      });
    else positions.set(column, i);
  }
  for (const column of COLUMNS[kind])
    if (column.required && !positions.has(column))
      errors.push({
        row: headerRow,
        column: columnTitle(column),
        message: text('缺少此列', 'the column is missing'),
      });
  if (errors.length) return { rows: [], errors };

  const data = grid.rows.slice(headerAt + 1);
  if (data.length > MAX_ROWS)
    return {
      rows: [],
      errors: [{ row: 0, column: null, message: text(`超过 ${MAX_ROWS} 行`, `more than ${MAX_ROWS} rows`) }],
    };
  const rows: ParsedRow<K>[] = [];
  for (const [i, cells] of data.entries()) {
    if (cells.every((c) => c === null)) continue;
    const row = headerRow + 1 + i;
    const value = readRow(kind, positions, cells, row, errors);
    if (value) rows.push({ row, value });
  }
  errors.push(...checkRows(kind, rows));
  return { rows, errors };
}

function readRow<K extends SheetKind>(
  kind: K,
  positions: Map<Column, number>,
  cells: Cell[],
  row: number,
  errors: RowError[],
): RowOf<K> | null {
  const value: Record<string, unknown> = {};
  let ok = true;
  for (const column of COLUMNS[kind]) {
    const at = positions.get(column);
    const cell = at === undefined ? null : (cells[at] ?? null);
    try {
      if (cell === null && column.required) throw new CellError(text('不能为空', 'required'));
      value[column.key] = column.read(cell);
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      errors.push({ row, column: columnTitle(column), message: error.text });
      ok = false;
    }
  }
  return ok ? (value as unknown as RowOf<K>) : null;
}

/** Writes rows of a kind (an export); for `cluster`, one sheet per kind. */
export async function buildFile(
  sheets: readonly { kind: SheetKind; rows: readonly Record<string, unknown>[] }[],
  format: FileFormat,
  lang: Lang = 'zh',
): Promise<Buffer> {
  return writeSheets(
    sheets.map((s) => ({ name: SHEET_NAMES[s.kind][lang], columns: COLUMNS[s.kind], rows: s.rows })),
    format,
    lang,
  );
}

/** An empty file to fill in, with a notes sheet on each column (xlsx), its titles in `lang`. */
export async function templateFile(kind: ImportKind, format: FileFormat, lang: Lang = 'zh'): Promise<Buffer> {
  const kinds = kind === 'cluster' ? SHEET_KINDS : [kind];
  return writeSheets(
    kinds.map((k) => ({ name: SHEET_NAMES[k][lang], columns: COLUMNS[k], rows: [], notes: true })),
    format,
    lang,
  );
}
