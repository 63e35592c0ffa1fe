/**
 * Figures toward the provincial targets, as the dashboard and the reports show them (types
 * only; the client imports them with `import type`). The figures themselves are the delivery
 * library's: additive counts, with ratios always recomputed from them.
 */
import type { FigureRow, Figures, RecordingFact } from '../../scheduler/delivery/index.ts';
import type { Text } from './text.ts';

export type { FigureRow, Figures, RecordingFact } from '../../scheduler/delivery/index.ts';

/** The targets of the provincial plan. */
export interface Targets {
  clusters: { province: number; city: number; county: number };
  offerings: number;
  /** Share of hub teachers' periods taught online, 0–1. */
  teacherOnlineShare: number;
  /** Research alliances (名师网络教研联盟) by level: 200 / 500 / 1,300. */
  alliances: { province: number; city: number; county: number };
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
  /** Why the verdict, for people in both languages. */
  reasons: Text[];
  /** What became of its recording (null: nothing recorded). */
  recording: RecordingFact | null;
}

export interface ReportView {
  scope: {
    kind: 'region' | 'cluster';
    id: string;
    name: string;
    level?: string;
    parent?: { kind: 'region'; id: string; name: string };
  };
  /** `label` names the period for people ("2026年11月" / "November 2026"). */
  period: { from: string; to: string; label: Text };
  /** The rules the figures follow, to print beside them (in both languages). */
  rules: Text[];
  targets: Targets;
  figures: Figures;
  rows: FigureRow[];
  /** Per week (a month or shorter period) or per month: sessions planned, delivered, missed. */
  /** Per bucket (a week of a month, else a month), labelled by its first day (YYYY-MM-DD, China Standard Time). */
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
