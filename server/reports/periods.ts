import { periodContaining } from '../../scheduler/delivery/index.ts';
import { text } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';

/** Reporting periods (China Standard Time); a term is a half-year from August or February. */
export type PeriodKind = 'month' | 'quarter' | 'term' | 'year';

const CST = 8 * 3600_000;

/** The date (YYYY-MM-DD) of an instant in China Standard Time. */
export const chinaDate = (ms: number): string => new Date(ms + CST).toISOString().slice(0, 10);

/**
 * The month, quarter, term or year around `at`, with its name in both languages: "2026年11月" /
 * "November 2026", "2026年第4季度" / "Q4 2026", "2026-2027学年第一学期" / "2026–2027 first term",
 * "2026年" / "2026".
 */
export function periodAround(kind: PeriodKind, at: number): { from: number; to: number; label: Text } {
  const { from, to } = periodContaining(kind, at);
  const d = new Date(from + CST);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const label =
    kind === 'month'
      ? text(`${y}年${m + 1}月`, `${MONTHS[m] ?? ''} ${y}`)
      : kind === 'quarter'
        ? text(`${y}年第${m / 3 + 1}季度`, `Q${m / 3 + 1} ${y}`)
        : kind === 'term'
          ? m === 7
            ? text(`${y}-${y + 1}学年第一学期`, `${y}–${y + 1} first term`)
            : text(`${y - 1}-${y}学年第二学期`, `${y - 1}–${y} second term`)
          : text(`${y}年`, `${y}`);
  return { from, to, label };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * Buckets of a trend: weeks (from Monday) for a month, months otherwise, each labelled by its
 * first day (YYYY-MM-DD, China Standard Time): the reader words it in its language.
 */
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
      label: chinaDate(start),
      from: start,
      to: end,
    });
    start = end;
  }
  return out;
}
