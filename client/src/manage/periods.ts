import { m } from './resources/messages.ts';

/** A bell period as the API stores it. */
export interface Period {
  period: number;
  start: string;
  end: string;
  weekdays: number[];
}

/** "1-5" for consecutive weekdays, else "1,3,5". */
function weekdays(days: number[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const consecutive = sorted.every((d, i) => i === 0 || d === sorted[i - 1]! + 1);
  return consecutive && sorted.length > 2 ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(',');
}

/** One line per period: "1 08:00-08:40 1-5". */
export function formatPeriods(periods: Period[]): string {
  return periods.map((p) => `${p.period} ${p.start}-${p.end} ${weekdays(p.weekdays)}`).join('\n');
}

/** Parses the lines back; throws an Error naming the bad line. */
export function parsePeriods(text: string): Period[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line, i) => {
      const match = /^(\d{1,2})\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})(?:\s+([\d,\-\s]+))?$/.exec(line);
      if (!match) throw new Error(m('periodLineBad', { n: i + 1 }));
      const pad = (t: string): string => t.padStart(5, '0');
      const days = (match[4] ?? '1-5').split(',').flatMap((part) => {
        const [a, b] = part.trim().split('-').map(Number);
        return b ? Array.from({ length: b - a! + 1 }, (_, k) => a! + k) : [a!];
      });
      return { period: Number(match[1]), start: pad(match[2]!), end: pad(match[3]!), weekdays: days };
    });
}
