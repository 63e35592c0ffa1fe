/**
 * Bell compatibility of a cluster: when the hub and its receiving schools are all in class, which
 * hub periods every school of an offering can sit, and, when too few, whose bells are in the way.
 */
import type { PeriodRef, Weekday } from '../timetable/model.ts';
import { countSlots, offeringMask, popcount, prepare, usableMask } from './cluster.ts';
import type { CompatInput, CompatOptions, Prepared, PreparedOffering } from './cluster.ts';
import { percent } from './text.ts';
import { text } from '../text.ts';
import type { Text } from '../text.ts';
import { bestPeriod, commonWindows } from './windows.ts';
import type { DayBells, TimeWindow } from './windows.ts';

/** How one receiving school sits one hub period. */
export interface SchoolMatch {
  schoolId: string;
  /** The school's period the hub period covers best; null when it meets none. */
  period: number | null;
  /** That period's start and end, minutes since midnight; null when none. */
  start: number | null;
  end: number | null;
  /** Share of that period the hub period covers, 0–1 (0 when none). */
  overlap: number;
  /** That period's start minus the hub period's start, minutes (positive: the school rings later). */
  offsetMinutes: number | null;
  /** `overlap` reaches `minOverlap`: the school can sit a session at this hub period. */
  ok: boolean;
}

/** One hub period of a weekday and how every receiving school sits it. */
export interface HubPeriodReport {
  weekday: Weekday;
  period: number;
  start: number;
  end: number;
  /** One entry per receiving school, in input order. */
  schools: SchoolMatch[];
  /** Every receiving school can sit it. */
  common: boolean;
}

/** One weekday of the analysis. */
export interface DayReport {
  weekday: Weekday;
  /** Windows in which the hub and every receiving school are all in class (not necessarily enough for a session). */
  commonWindows: TimeWindow[];
  hubPeriods: HubPeriodReport[];
}

/** A receiving school whose bells keep an offering from enough slots. */
export interface Blocker {
  schoolId: string;
  schoolName: string;
  /** Hub slots a week this school cannot sit. */
  blockedSlots: number;
  /** Best covered share of any of its periods by any hub period of the week, 0–1. */
  bestOverlap: number;
  /**
   * Typical offset of its bells from the hub's, minutes (positive: it rings later): the median,
   * over hub periods, of the start of its period with the same number (or else of its nearest
   * period) minus the hub period's start; null when it has no period on those weekdays.
   */
  offsetMinutes: number | null;
  /** Candidate slots the offering would have if this school's bells matched the hub's everywhere. */
  slotsWithout: number;
}

/** Whether an offering finds enough slots, and if not, why. */
export interface OfferingVerdict {
  offeringId: string;
  name: string;
  /** Its receiving schools, sorted by id. */
  schoolIds: string[];
  periodsPerWeek: number;
  /** Hub (weekday, period)s every one of its schools can sit. */
  slots: PeriodRef[];
  /** `slots.length`. */
  candidateSlots: number;
  /** `candidateSlots ≥ periodsPerWeek`. */
  enough: boolean;
  /** When not enough: the schools in the way, the most blocking first (most slots gained without it). */
  blocking: Blocker[];
  /** One line for the coordinator, in both languages. */
  message: Text;
}

/** The bell compatibility of a cluster. */
export interface CompatReport {
  /** The threshold used, 0–1. */
  minOverlap: number;
  days: DayReport[];
  offerings: OfferingVerdict[];
  /** Hub slots a week that every receiving school can sit. */
  commonSlots: number;
  /** Every offering has enough candidate slots. */
  feasible: boolean;
}

/**
 * Analyses a cluster's bells: for each weekday of the options, the windows the hub and every
 * receiving school share and, for each hub period, each school's best period and its covered
 * share; for each offering, its candidate slots (hub periods all its schools can sit) and a
 * verdict naming the blocking school when there are fewer than its periods per week. Pure and
 * deterministic; the verdicts do not depend on the order of the receiving schools.
 * @throws TypeError for bad options or bells (see {@link prepare}).
 */
export function analyzeCompatibility(input: CompatInput, options: CompatOptions = {}): CompatReport {
  return report(prepare(input, options));
}

function report(prepared: Prepared): CompatReport {
  const { schools, weekdays, minOverlap, bells } = prepared;
  const counts = countSlots(prepared, bells);
  const days = weekdays.map((weekday): DayReport => {
    const hubDay = bells[0]?.[weekday] ?? [];
    return {
      weekday,
      commonWindows: commonWindows(bells.map((b) => b[weekday] ?? [])),
      hubPeriods: hubDay.map((session) => {
        const matches = schools.slice(1).map((school, k): SchoolMatch => {
          const day = bells[k + 1]?.[weekday] ?? [];
          const best = bestPeriod(session, day, minOverlap);
          const period = best ? day[best.index] : undefined;
          return {
            schoolId: school.id,
            period: period?.period ?? null,
            start: period?.start ?? null,
            end: period?.end ?? null,
            overlap: best?.ratio ?? 0,
            offsetMinutes: period ? period.start - session.start : null,
            ok: best?.ok ?? false,
          };
        });
        return { weekday, ...session, schools: matches, common: matches.every((m) => m.ok) };
      }),
    };
  });
  const offerings = prepared.offerings.map((o, k) =>
    verdict(prepared, o, counts.perOffering[k] ?? 0, days, counts.masks),
  );
  return {
    minOverlap,
    days,
    offerings,
    commonSlots: counts.common,
    feasible: offerings.every((o) => o.enough),
  };
}

function verdict(
  prepared: Prepared,
  offering: PreparedOffering,
  candidateSlots: number,
  days: readonly DayReport[],
  masks: readonly (readonly number[])[],
): OfferingVerdict {
  const { schools, minOverlap } = prepared;
  const slots: PeriodRef[] = [];
  for (const day of days) {
    const mask = usableMask(masks[day.weekday] ?? [], offering, day.weekday);
    day.hubPeriods.forEach((p, i) => {
      if (mask & (1 << i)) slots.push({ weekday: day.weekday, period: p.period });
    });
  }
  const enough = candidateSlots >= offering.periodsPerWeek;
  const blocking = enough
    ? []
    : offering.members
        .map((s): Blocker => {
          const school = schools[s];
          const seen = days.flatMap((d) => d.hubPeriods.map((p) => p.schools[s - 1]));
          const offsets = days.flatMap((d) =>
            d.hubPeriods.flatMap((p) => offset(p, prepared.bells[s]?.[d.weekday])),
          );
          const others = offering.members.filter((t) => t !== s);
          return {
            schoolId: school?.id ?? '',
            schoolName: school?.name ?? '',
            blockedSlots: seen.filter((m) => !m?.ok).length,
            bestOverlap: Math.max(0, ...seen.map((m) => m?.overlap ?? 0)),
            offsetMinutes: offsets.length ? median(offsets) : null,
            slotsWithout: days.reduce(
              (n, d) =>
                n +
                popcount(offeringMask(masks[d.weekday] ?? [], others) & (offering.allowed[d.weekday] ?? -1)),
              0,
            ),
          };
        })
        .filter((b) => b.blockedSlots > 0)
        .sort(
          (a, b) =>
            b.slotsWithout - a.slotsWithout ||
            b.blockedSlots - a.blockedSlots ||
            a.bestOverlap - b.bestOverlap ||
            (a.schoolId < b.schoolId ? -1 : a.schoolId > b.schoolId ? 1 : 0),
        );
  return {
    offeringId: offering.id,
    name: offering.name,
    schoolIds: offering.members.map((s) => schools[s]?.id ?? '').sort(),
    periodsPerWeek: offering.periodsPerWeek,
    slots,
    candidateSlots,
    enough,
    blocking,
    message: message(candidateSlots, offering.periodsPerWeek, blocking[0], minOverlap),
  };
}

function message(slots: number, wanted: number, blocker: Blocker | undefined, minOverlap: number): Text {
  const pct = percent(minOverlap);
  if (slots >= wanted || !blocker) {
    return text(
      `每周有 ${slots} 个共同节次，需要 ${wanted} 个`,
      `${slots} common periods a week, ${wanted} needed`,
    );
  }
  const name = blocker.schoolName;
  if (slots > 0) {
    return text(
      `每周只有 ${slots} 个共同节次，需要 ${wanted} 个；${name}的作息挡住了 ${blocker.blockedSlots} 个主讲节次`,
      `only ${slots} common periods a week, ${wanted} needed; ${name}'s bells rule out ${blocker.blockedSlots} hub periods`,
    );
  }
  if (blocker.bestOverlap < minOverlap - 1e-9) {
    const offset = blocker.offsetMinutes === null ? null : Math.abs(Math.round(blocker.offsetMinutes));
    if (offset === null) {
      return text(`${name}没有与主讲学校同时上课的节次`, `${name} has no period that meets the hub's`);
    }
    if (offset === 0) {
      return text(
        `${name}的节次长度与主讲学校不同，没有重叠 ${pct}% 以上的节次`,
        `${name}'s periods differ in length from the hub's; no period overlaps ${pct} %`,
      );
    }
    return text(
      `${name}的作息与主讲学校错开 ${offset} 分钟，没有重叠 ${pct}% 以上的节次`,
      `${name}'s bells are offset by ${offset} min from the hub's; no period overlaps ${pct} %`,
    );
  }
  return text(
    `${name}与其他接收学校的作息互相错开，没有各校都重叠 ${pct}% 以上的节次`,
    `the receiving schools' bells are offset from one another; no hub period overlaps ${pct} % at all of them`,
  );
}

/** Start of the school's period of the same number as the hub period (else the nearest) minus the hub's. */
function offset(hub: HubPeriodReport, day: DayBells | undefined): number[] {
  const same = day?.find((p) => p.period === hub.period);
  if (same) return [same.start - hub.start];
  const nearest = day?.reduce<number | null>(
    (best, p) =>
      best === null || Math.abs(p.start - hub.start) < Math.abs(best) ? p.start - hub.start : best,
    null,
  );
  return nearest == null ? [] : [nearest];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 ? upper : ((sorted[mid - 1] ?? 0) + upper) / 2;
}
