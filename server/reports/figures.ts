import type { Figures } from '../contract/reports.ts';
import type { Judged } from './rules.ts';

/** A judged session with what the figures group it by. */
export interface JudgedSession {
  lessonId: string;
  clusterId: string;
  offeringId: string | null;
  teacherId: string;
  scheduledStart: number;
  judged: Judged;
}

export function emptyFigures(): Figures {
  return {
    clusters: { province: 0, city: 0, county: 0 },
    ruralSchools: 0,
    ruralSchoolsInCluster: 0,
    offeringsPlanned: 0,
    offeringsSynchronized: 0,
    sessions: { planned: 0, delivered: 0, notDelivered: 0, missed: 0, upcoming: 0 },
    attendance: { due: 0, present: 0, late: 0, partial: 0, absent: 0 },
    teacherPeriods: { online: 0, total: null },
  };
}

/**
 * Adds sessions into figures in one pass. Offerings are counted by distinct id within the
 * call, so rows that share no offering sum to their parent (offerings belong to one cluster).
 * A classroom filter restricts attendance to some classrooms (a school's row).
 */
export function addSessions(
  f: Figures,
  sessions: Iterable<JudgedSession>,
  classroomFilter?: (id: string) => boolean,
): Figures {
  const planned = new Set<string>();
  const synchronized = new Set<string>();
  for (const s of sessions) {
    const v = s.judged.verdict;
    f.sessions.planned++;
    if (v === 'delivered') f.sessions.delivered++;
    else if (v === 'not-delivered') f.sessions.notDelivered++;
    else if (v === 'missed') f.sessions.missed++;
    else f.sessions.upcoming++;
    if (s.offeringId) {
      planned.add(s.offeringId);
      if (v === 'delivered') synchronized.add(s.offeringId);
    }
    if (v === 'delivered') f.teacherPeriods.online++;
    // Attendance is due once a session is over (delivered, short or missed).
    if (v === 'upcoming' || v === 'live') continue;
    for (const c of s.judged.classrooms) {
      if (classroomFilter && !classroomFilter(c.classroomId)) continue;
      f.attendance.due++;
      f.attendance[c.status]++;
    }
  }
  f.offeringsPlanned += planned.size;
  f.offeringsSynchronized += synchronized.size;
  return f;
}

/** Sums figures (the parent of drill-down rows). */
export function sumFigures(rows: readonly Figures[]): Figures {
  const total = emptyFigures();
  for (const f of rows) {
    for (const k of ['province', 'city', 'county'] as const) total.clusters[k] += f.clusters[k];
    total.ruralSchools += f.ruralSchools;
    total.ruralSchoolsInCluster += f.ruralSchoolsInCluster;
    total.offeringsPlanned += f.offeringsPlanned;
    total.offeringsSynchronized += f.offeringsSynchronized;
    for (const k of Object.keys(total.sessions) as (keyof Figures['sessions'])[])
      total.sessions[k] += f.sessions[k];
    for (const k of Object.keys(total.attendance) as (keyof Figures['attendance'])[])
      total.attendance[k] += f.attendance[k];
    total.teacherPeriods.online += f.teacherPeriods.online;
  }
  return total;
}

/** Reporting periods in China Standard Time. */
export type PeriodKind = 'month' | 'quarter' | 'year';

const CST = 8 * 3600_000;

/** The month, quarter or year around `at`: [from, to) in ms and a label. */
export function periodAround(kind: PeriodKind, at: number): { from: number; to: number; label: string } {
  const d = new Date(at + CST);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const start = kind === 'month' ? m : kind === 'quarter' ? m - (m % 3) : 0;
  const months = kind === 'month' ? 1 : kind === 'quarter' ? 3 : 12;
  const from = Date.UTC(y, start, 1) - CST;
  const to = Date.UTC(y, start + months, 1) - CST;
  const label =
    kind === 'month' ? `${y}年${m + 1}月` : kind === 'quarter' ? `${y}年第${start / 3 + 1}季度` : `${y}年`;
  return { from, to, label };
}

/** Buckets of a trend: weeks (Monday-based) for a month, months otherwise. */
export function trendBuckets(
  kind: PeriodKind,
  from: number,
  to: number,
): { label: string; from: number; to: number }[] {
  const out: { label: string; from: number; to: number }[] = [];
  if (kind === 'month') {
    for (let start = from; start < to;) {
      const d = new Date(start + CST);
      const toMonday = (8 - (d.getUTCDay() || 7)) % 7 || 7;
      const end = Math.min(
        to,
        Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + toMonday) - CST,
      );
      out.push({ label: `${d.getUTCMonth() + 1}/${d.getUTCDate()}`, from: start, to: end });
      start = end;
    }
    return out;
  }
  for (let start = from; start < to;) {
    const d = new Date(start + CST);
    const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - CST;
    out.push({ label: `${d.getUTCMonth() + 1}月`, from: start, to: end });
    start = end;
  }
  return out;
}
