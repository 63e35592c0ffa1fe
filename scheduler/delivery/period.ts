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
  if (!Number.isInteger(year)) throw new TypeError(`not a year: ${year}`);
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
    throw new TypeError(`not a month (1–12): ${month}`);
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
    throw new TypeError(`not a quarter (1–4): ${quarter}`);
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
 * The month, quarter or year that contains the instant `at` (ms since the epoch), local time:
 * "this month" for a report, given the clock.
 */
export function periodContaining(
  unit: 'month' | 'quarter' | 'year',
  at: number,
  options: PeriodOptions = {},
): Period {
  const local = new Date(at + (options.utcOffsetMinutes ?? 480) * MINUTE);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  if (unit === 'year') return yearPeriod(year, options);
  if (unit === 'quarter') return quarterPeriod(year, Math.ceil(month / 3), options);
  return monthPeriod(year, month, options);
}

/**
 * Checks a period.
 * @throws TypeError when `from` or `to` is not finite, or `to` is not after `from`
 */
export function checkPeriod(period: Period): void {
  if (!Number.isFinite(period.from) || !Number.isFinite(period.to) || !(period.to > period.from))
    throw new TypeError(`not a period: [${period.from}, ${period.to})`);
}
