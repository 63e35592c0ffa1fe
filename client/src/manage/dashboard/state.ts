import type { Figures, ReportView } from '../../../../server/contract/reports.ts';
import { dayOfMonth, monthName, monthOfYear, yearOf } from '../../i18n.ts';
import { m } from './messages.ts';

/** The reporting periods the dashboard offers (server/reports/periods.ts). */
export type PeriodKind = 'month' | 'quarter' | 'term' | 'year';

/** Where the drill-down stands: a region or a cluster (null: the account's own scope). */
export interface Scope {
  kind: 'region' | 'cluster';
  id: string;
}

/** What the dashboard shows: the period and scope asked for, and the figures last fetched. */
export interface DashboardState {
  period: PeriodKind;
  scope: Scope | null;
  view: ReportView | null;
}

/** The query string of the figures and exports for `state`. */
export function figuresQuery({ period, scope }: DashboardState): string {
  return new URLSearchParams({
    period,
    ...(scope ? { [scope.kind === 'cluster' ? 'clusterId' : 'region']: scope.id } : {}),
  }).toString();
}

/** `n / d` as a percentage with one decimal ("–" when there is nothing to divide by). */
export const pct = (n: number, d: number | null): string => (d ? `${Math.round((n / d) * 1000) / 10}%` : '–');

/** Attendance rate: present or late over the classroom-sessions that were due. */
export const attendanceRate = (f: Figures): [number, number] => [
  f.attendance.present + f.attendance.late,
  f.attendance.due,
];

/** Reports count periods in China Standard Time (server/reports/periods.ts). */
const CST_MS = 8 * 3600_000;

/** The calendar date (YYYY-MM-DD) in China Standard Time of an ISO instant. */
export const chinaDate = (iso: string): string =>
  new Date(Date.parse(iso) + CST_MS).toISOString().slice(0, 10);

/**
 * The period's name in the interface language, from its start (an ISO instant; the server's
 * label is Chinese): "2026年12月" / "December 2026", a quarter, a school term or a year.
 */
export function periodName(kind: PeriodKind, start: string): string {
  const from = chinaDate(start);
  const y = Number(from.slice(0, 4));
  const month = Number(from.slice(5, 7));
  if (kind === 'month') return monthOfYear(from);
  if (kind === 'quarter') return m('quarterLabel', { y, q: Math.floor((month - 1) / 3) + 1 });
  if (kind === 'term')
    return month >= 8
      ? m('termLabel', { a: y, b: y + 1, n: m('first') })
      : m('termLabel', { a: y - 1, b: y, n: m('second') });
  return yearOf(from);
}

/**
 * The trend's bucket labels in the interface language, from each bucket's first day: a week of
 * a month by its day ("8月3日" / "3 Aug"), a month by its name ("8月" / "Aug").
 */
export function trendLabels(kind: PeriodKind, view: ReportView): string[] {
  return view.trend.map((bucket) => (kind === 'month' ? dayOfMonth(bucket.label) : monthName(bucket.label)));
}
