/**
 * Figures toward the provincial targets, as the dashboard and the reports show them (types
 * only; the client imports them with `import type`).
 */

/** Additive counts and the ratios recomputed from them (never averaged across rows). */
export interface Figures {
  /** Clusters by organizing level (联校群: province, city, county). */
  clusters: { province: number; city: number; county: number };
  /** Rural schools and teaching points, and those in at least one cluster. */
  ruralSchools: number;
  ruralSchoolsInCluster: number;
  /** Course offerings (门次) planned in the period, and those with a delivered session. */
  offeringsPlanned: number;
  offeringsSynchronized: number;
  sessions: {
    planned: number;
    delivered: number;
    notDelivered: number;
    missed: number;
    upcoming: number;
    live: number;
  };
  /** Receiving-classroom sessions of lessons that went live and ended, by status (missed lessons are not held against classrooms). */
  attendance: { due: number; present: number; late: number; partial: number; absent: number };
  /** Hub teachers' synchronized periods delivered, and all their periods (null when unknown). */
  teacherPeriods: { online: number; total: number | null };
}

/** The targets of the provincial plan. */
export interface Targets {
  clusters: { province: number; city: number; county: number };
  offerings: number;
  /** Share of hub teachers' periods taught online, 0–1. */
  teacherOnlineShare: number;
}

/** A row of a drill-down: a child region, a cluster, or a school. */
export interface FigureRow {
  kind: 'region' | 'cluster' | 'school';
  id: string;
  name: string;
  /** For regions: province, city or county. */
  level?: string;
  figures: Figures;
}

/** One judged session, for the cluster view. */
export interface SessionRow {
  id: string;
  title: string;
  teacherName: string;
  scheduledStart: string;
  verdict: 'delivered' | 'not-delivered' | 'missed' | 'upcoming' | 'live';
  liveShare: number | null;
  classrooms: {
    classroomId: string;
    name: string;
    status: 'present' | 'late' | 'partial' | 'absent';
    headcount: number | null;
  }[];
  reasons: string[];
}

export interface ReportView {
  scope: {
    kind: 'region' | 'cluster';
    id: string;
    name: string;
    level?: string;
    parent?: { kind: 'region'; id: string; name: string };
  };
  period: { from: string; to: string; label: string };
  /** The rules the figures follow, to print beside them. */
  rules: string[];
  targets: Targets;
  figures: Figures;
  rows: FigureRow[];
  /** Per week (a month or shorter period) or per month: sessions planned, delivered, missed. */
  trend: { label: string; planned: number; delivered: number; missed: number }[];
  /** For a cluster: its sessions in the period. */
  sessions: SessionRow[];
}

/** A long report export in progress (GET /api/report-exports/:id). */
export interface ExportJobView {
  id: string;
  state: 'running' | 'done' | 'failed';
  fraction: number;
  error: string | null;
}
