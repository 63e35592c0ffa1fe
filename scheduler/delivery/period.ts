import { ArgumentError } from '../errors.ts';
/**
 * Report periods (月报、季报、年报) as half-open spans of time, with their boundaries at
 * local midnight in the schools' time zone (China Standard Time unless told otherwise).
 */

/** A report period: sessions scheduled to start in `[from, to)` belong to it; ms since the epoch. */
export interface Period {
  from: number;
  to: number;
}

/** Options of the period helpers. */
export interface PeriodOptions {
  /** The schools' offset from UTC, minutes (China Standard Time, no daylight saving). @default 480 */
  utcOffsetMinutes?: number;
}

const MINUTE = 60_000;

/** Local midnight of the first of `month` (0-based, may overflow into the next year). */
function monthStart(year: number, month0: number, utcOffsetMinutes: number): number {
  return Date.UTC(year, month0, 1) - utcOffsetMinutes * MINUTE;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year)) throw new ArgumentError(`not a year: ${year}`);
}

/**
 * A calendar month, local time.
 * @param month 1–12
 * @throws TypeError for a month outside 1–12 or a year that is not a whole number
 */
export function monthPeriod(
  year: number,
  month: number,
  { utcOffsetMinutes = 480 }: PeriodOptions = {},
): Period {
  checkYear(year);
  if (!Number.isInteger(month) || month < 1 || month > 12)
    throw new ArgumentError(`not a month (1–12): ${month}`);
  return {
    from: monthStart(year, month - 1, utcOffsetMinutes),
    to: monthStart(year, month, utcOffsetMinutes),
  };
}

/**
 * A calendar quarter (Q1 = January–March), local time.
 * @param quarter 1–4
 * @throws TypeError for a quarter outside 1–4 or a year that is not a whole number
 */
export function quarterPeriod(
  year: number,
  quarter: number,
  { utcOffsetMinutes = 480 }: PeriodOptions = {},
): Period {
  checkYear(year);
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4)
    throw new ArgumentError(`not a quarter (1–4): ${quarter}`);
  return {
    from: monthStart(year, (quarter - 1) * 3, utcOffsetMinutes),
    to: monthStart(year, quarter * 3, utcOffsetMinutes),
  };
}

/**
 * A calendar year, local time.
 * @throws TypeError for a year that is not a whole number
 */
export function yearPeriod(year: number, { utcOffsetMinutes = 480 }: PeriodOptions = {}): Period {
  checkYear(year);
  return { from: monthStart(year, 0, utcOffsetMinutes), to: monthStart(year + 1, 0, utcOffsetMinutes) };
}

/**
 * A school term as reports count it (学期): the first (autumn) term of school year `year`
 * from 1 August to 1 February, the second (spring) from 1 February to 1 August — half-years
 * that hold each term and the break after it, so that every instant is in one term.
 * @param term 1 (autumn, starting in `year`) or 2 (spring, in `year` + 1)
 * @throws TypeError for a term other than 1 or 2 or a year that is not a whole number
 */
export function termPeriod(
  year: number,
  term: number,
  { utcOffsetMinutes = 480 }: PeriodOptions = {},
): Period {
  checkYear(year);
  if (term !== 1 && term !== 2) throw new ArgumentError(`not a term (1 or 2): ${term}`);
  return term === 1
    ? { from: monthStart(year, 7, utcOffsetMinutes), to: monthStart(year + 1, 1, utcOffsetMinutes) }
    : { from: monthStart(year + 1, 1, utcOffsetMinutes), to: monthStart(year + 1, 7, utcOffsetMinutes) };
}

/**
 * The month, quarter, term or year that contains the instant `at` (ms since the epoch), local
 * time: "this month" for a report, given the clock.
 */
export function periodContaining(
  unit: 'month' | 'quarter' | 'term' | 'year',
  at: number,
  options: PeriodOptions = {},
): Period {
  const local = new Date(at + (options.utcOffsetMinutes ?? 480) * MINUTE);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  if (unit === 'year') return yearPeriod(year, options);
  if (unit === 'term')
    return month >= 8
      ? termPeriod(year, 1, options)
      : month >= 2
        ? termPeriod(year - 1, 2, options)
        : termPeriod(year - 1, 1, options);
  if (unit === 'quarter') return quarterPeriod(year, Math.ceil(month / 3), options);
  return monthPeriod(year, month, options);
}

/**
 * Checks a period.
 * @throws TypeError when `from` or `to` is not finite, or `to` is not after `from`
 */
export function checkPeriod(period: Period): void {
  if (!Number.isFinite(period.from) || !Number.isFinite(period.to) || !(period.to > period.from))
    throw new ArgumentError(`not a period: [${period.from}, ${period.to})`);
}
