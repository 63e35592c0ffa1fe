import ExcelJS from 'exceljs';
import type { SummaryRow, SummaryView } from '../contract/research.ts';
import { workbookBuffer } from '../exports/spreadsheet.ts';
import { text } from '../../scheduler/text.ts';
import type { Lang } from '../../scheduler/text.ts';

/** A submitted evaluation as the aggregation sees it. */
export interface Scored {
  teacherId: string;
  clusterId: string;
  regionCode: string;
  /** Weighted total 0–100. */
  total: number | null;
  /** Item name → score (1…levels). */
  items: readonly { name: string; score: number }[];
}

const mean = (sum: number, n: number): number => Math.round((sum / n) * 10) / 10;

/**
 * Groups evaluations by `keyOf` and gives each group its count, mean total and mean score
 * per item (items are matched by name across rubrics). Rows ordered by mean total, highest
 * first, then by name. Pure.
 */
export function summarize(
  rows: readonly Scored[],
  keyOf: (row: Scored) => string,
  nameOf: (id: string) => string,
): SummaryRow[] {
  const groups = new Map<
    string,
    { n: number; totals: number; totalN: number; items: Map<string, [number, number]> }
  >();
  for (const row of rows) {
    const id = keyOf(row);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { n: 0, totals: 0, totalN: 0, items: new Map() }));
    g.n++;
    if (row.total !== null) {
      g.totals += row.total;
      g.totalN++;
    }
    for (const { name, score } of row.items) {
      const acc = g.items.get(name) ?? [0, 0];
      g.items.set(name, [acc[0] + score, acc[1] + 1]);
    }
  }
  return [...groups]
    .map(([id, g]): SummaryRow => ({
      id,
      name: nameOf(id),
      evaluations: g.n,
      meanTotal: g.totalN ? mean(g.totals, g.totalN) : null,
      items: Object.fromEntries([...g.items].map(([name, [sum, n]]) => [name, mean(sum, n)])),
    }))
    .sort((a, b) => (b.meanTotal ?? -1) - (a.meanTotal ?? -1) || a.name.localeCompare(b.name, 'zh'));
}

/** What the rows are, by the aggregation's `by`. */
export const BY_LABEL = {
  teacher: text('教师', 'Teacher'),
  cluster: text('联校群', 'Cluster'),
  region: text('地区', 'Region'),
} as const;

/** The workbook's words (rubric item names are the rubric's own). */
export const SUMMARY_WORDS = {
  creator: text('同步课堂平台', 'Synchronized classrooms'),
  title: text('评课汇总', 'Lesson evaluations'),
  evaluations: text('评课次数', 'Evaluations'),
  meanTotal: text('平均总分', 'Mean total'),
  mean: (item: string) => text(`${item}（平均）`, `${item} (mean)`),
} as const;

/** The aggregation as a workbook (the platform's spreadsheet export: formula-safe cells), its titles in `lang`. */
export async function summaryWorkbook(
  view: SummaryView,
  format: 'xlsx' | 'csv',
  lang: Lang = 'zh',
): Promise<Buffer> {
  const items = [...new Set(view.rows.flatMap((r) => Object.keys(r.items)))];
  const w = SUMMARY_WORDS;
  const wb = new ExcelJS.Workbook();
  wb.creator = w.creator[lang];
  const ws = wb.addWorksheet(w.title[lang], { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow([
    BY_LABEL[view.by][lang],
    w.evaluations[lang],
    w.meanTotal[lang],
    ...items.map((i) => w.mean(i)[lang]),
  ]).font = { bold: true };
  for (const r of view.rows)
    ws.addRow([r.name, r.evaluations, r.meanTotal ?? '', ...items.map((i) => r.items[i] ?? '')]);
  ws.columns.forEach((c, i) => (c.width = i === 0 ? 28 : 14));
  return workbookBuffer(wb, format);
}
