/**
 * The targets of the provincial plan, and the ratios a report prints, always recomputed from
 * additive counts (a total's rate is never an average of its rows' rates).
 */
import type { Figures } from './figures.ts';

/** The targets of the provincial plan (Hunan "Internet + Education" 2019–2022). */
export interface Targets {
  /** Clusters by organizing level. @default { province: 500, city: 1500, county: 3000 } */
  clusters: { province: number; city: number; county: number };
  /** Course offerings taught synchronously (门次). @default 10000 */
  offerings: number;
  /** Share of hub teachers' periods taught online, 0–1. @default 0.6 */
  teacherOnlineShare: number;
}

/** The plan's targets. */
export const DEFAULT_TARGETS: Readonly<Targets> = Object.freeze({
  clusters: Object.freeze({ province: 500, city: 1500, county: 3000 }),
  offerings: 10_000,
  teacherOnlineShare: 0.6,
});

/** Ratios of one scope's figures; null where the denominator is zero or unknown. */
export interface FigureRatios {
  /** Clusters over the target, per level (1 = target met; may exceed 1). */
  clusterProgress: { province: number | null; city: number | null; county: number | null };
  /** Rural schools in a cluster over rural schools, 0–1. */
  ruralCoverage: number | null;
  /** Synchronized offerings over the target (1 = target met). */
  offeringProgress: number | null;
  /** Synchronized offerings over planned offerings, 0–1. */
  offeringsSynchronizedShare: number | null;
  /** Delivered sessions over sessions that were due (delivered + not delivered + missed), 0–1. */
  deliveryRate: number | null;
  /** Present + late over classroom-sessions due, 0–1. */
  attendanceRate: number | null;
  /** Hub teachers' online periods over all their periods, 0–1. */
  teacherOnlineShare: number | null;
  /** That share over its target (1 = target met). */
  teacherOnlineProgress: number | null;
}

const ratio = (n: number, d: number | null): number | null => (d !== null && d > 0 ? n / d : null);

/**
 * The ratios of a scope's figures, from its own counts. The targets are the province's:
 * progress at a smaller scope reads as its contribution to the province's target.
 */
export function ratiosOf(figures: Figures, targets: Targets = DEFAULT_TARGETS): FigureRatios {
  const s = figures.sessions;
  const a = figures.attendance;
  const onlineShare = ratio(figures.teacherPeriods.online, figures.teacherPeriods.total);
  return {
    clusterProgress: {
      province: ratio(figures.clusters.province, targets.clusters.province),
      city: ratio(figures.clusters.city, targets.clusters.city),
      county: ratio(figures.clusters.county, targets.clusters.county),
    },
    ruralCoverage: ratio(figures.ruralSchoolsInCluster, figures.ruralSchools),
    offeringProgress: ratio(figures.offeringsSynchronized, targets.offerings),
    offeringsSynchronizedShare: ratio(figures.offeringsSynchronized, figures.offeringsPlanned),
    deliveryRate: ratio(s.delivered, s.delivered + s.notDelivered + s.missed),
    attendanceRate: ratio(a.present + a.late, a.due),
    teacherOnlineShare: onlineShare,
    teacherOnlineProgress: onlineShare === null ? null : ratio(onlineShare, targets.teacherOnlineShare),
  };
}
