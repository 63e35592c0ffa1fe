import { periodContaining } from '../../scheduler/delivery/index.ts';

/** Reporting periods (China Standard Time); a term is a half-year from August or February. */
export type PeriodKind = 'month' | 'quarter' | 'term' | 'year';

const CST = 8 * 3600_000;

/** The date (YYYY-MM-DD) of an instant in China Standard Time. */
export const chinaDate = (ms: number): string => new Date(ms + CST).toISOString().slice(0, 10);

/** The month, quarter, term or year around `at`, with a label: "2026年11月", "2026年第4季度", "2026-2027学年第一学期", "2026年". */
export function periodAround(kind: PeriodKind, at: number): { from: number; to: number; label: string } {
  const { from, to } = periodContaining(kind, at);
  const d = new Date(from + CST);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const label =
    kind === 'month'
      ? `${y}年${m + 1}月`
      : kind === 'quarter'
        ? `${y}年第${m / 3 + 1}季度`
        : kind === 'term'
          ? m === 7
            ? `${y}-${y + 1}学年第一学期`
            : `${y - 1}-${y}学年第二学期`
          : `${y}年`;
  return { from, to, label };
}

/** Buckets of a trend: weeks (from Monday) for a month, months otherwise. */
export function trendBuckets(
  kind: PeriodKind,
  from: number,
  to: number,
): { label: string; from: number; to: number }[] {
  const out: { label: string; from: number; to: number }[] = [];
  for (let start = from; start < to;) {
    const d = new Date(start + CST);
    const end =
      kind === 'month'
        ? Math.min(
            to,
            Date.UTC(
              d.getUTCFullYear(),
              d.getUTCMonth(),
              d.getUTCDate() + ((8 - (d.getUTCDay() || 7)) % 7 || 7),
            ) - CST,
          )
        : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - CST;
    out.push({
      label: kind === 'month' ? `${d.getUTCMonth() + 1}/${d.getUTCDate()}` : `${d.getUTCMonth() + 1}月`,
      from: start,
      to: end,
    });
    start = end;
  }
  return out;
}
