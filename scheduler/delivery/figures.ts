/**
 * Figures toward the provincial targets, for a region, a cluster or a school over a period,
 * and their drill-down rows. One pass over the sessions and their classroom rows, grouped
 * with Maps: built for a province's year (~700,000 sessions, a few million classroom rows).
 *
 * Every count has one home, which decides the scopes it counts in:
 * - **Cluster family** — clusters (by level), offerings, sessions, recordings and attendance — lives with
 *   the cluster, hence the cluster's organizing region. A province-level cluster's sessions
 *   count in the province, not in the cities its schools are in. Inside a cluster, sessions
 *   and offerings sit at their hub school and classroom attendance at the receiving school.
 * - **School family** — rural schools, rural schools in a cluster, hub teachers' periods —
 *   lives with the school, hence the school's region. Coverage counts a rural school covered
 *   by any cluster, of any level. A teacher's periods, and their delivered sessions as online
 *   periods, count at the teacher's school.
 *
 * All counts are additive. Ratios are never summed or averaged: {@link ratiosOf} recomputes
 * them from summed numerators and denominators. How drill-down rows add up to the total:
 * - region scope: cluster family = Σ region rows + Σ cluster rows (the clusters organized
 *   at this region); school family = Σ region rows + Σ school rows (schools registered at
 *   this region itself, i.e. a county's schools).
 * - cluster scope: rows are schools, seen inside the cluster; every count except `clusters`
 *   (a cluster is not split over its schools) = Σ school rows.
 *
 * 网络教研 (present when the data has `research`): alliances and their sessions live with
 * the alliance's organizing region (alliance family = Σ region rows + the alliances organized
 * at the scope itself, which have no row); rural teachers and those who took part in a
 * research session live with their school (school family).
 */
import { indexData } from './data.ts';
import type {
  AllianceInput,
  DataIndex,
  FigureData,
  RecordingFact,
  RegionLevel,
  Scope,
  SessionFact,
} from './data.ts';
import { TOTAL, checkScope, rowHomes, totalHomes } from './homes.ts';
import type { Homes } from './homes.ts';
import { checkPeriod } from './period.ts';
import type { Period } from './period.ts';

/** Additive counts of one scope (the shape of the report contract's `Figures`). */
export interface Figures {
  /** Clusters by organizing level (联校群: province, city, county). */
  clusters: { province: number; city: number; county: number };
  /** Rural schools and teaching points. */
  ruralSchools: number;
  /** Of those, the ones in at least one cluster (member or hub, any level). */
  ruralSchoolsInCluster: number;
  /** Offerings with at least one session scheduled in the period. */
  offeringsPlanned: number;
  /** Of those, the ones with at least one delivered session in the period (toward the 10,000). */
  offeringsSynchronized: number;
  /** Sessions scheduled in the period, by verdict; `planned` is their sum. */
  sessions: {
    planned: number;
    delivered: number;
    notDelivered: number;
    missed: number;
    upcoming: number;
    live: number;
  };
  /**
   * Receiving-classroom sessions that were due — of sessions that went live and ended
   * (delivered or not) — by status; missed sessions are not held against classrooms.
   */
  attendance: { due: number; present: number; late: number; partial: number; absent: number };
  /**
   * Hub teachers' delivered synchronized sessions (`online`) and all their periods, local and
   * synchronized (`total`, null when the data gives no teacher periods).
   */
  teacherPeriods: { online: number; total: number | null };
  /**
   * Recordings of the sessions scheduled in the period (资源同步共享): `recorded` counts every
   * session something was recorded of (deleted ones too); of those, `ready` are playable now,
   * `shared` were shared to the region, `composing` and `failed` are the composition's state
   * (`recording`: live now), `incomplete` have a part missing.
   */
  recordings: {
    recorded: number;
    ready: number;
    shared: number;
    recording: number;
    composing: number;
    failed: number;
    incomplete: number;
  };
  /** 网络教研, when the data has research rows. */
  research?: ResearchFigures;
}

/** 网络教研 counts of one scope (when the data has research rows). */
export interface ResearchFigures {
  /** Research alliances by organizing level (targets: 200 / 500 / 1,300). */
  alliances: { province: number; city: number; county: number };
  /** Research sessions scheduled in the period, and of those the ones held (went live). */
  sessionsPlanned: number;
  sessionsHeld: number;
  /** Teachers of rural schools and teaching points, and of those the ones who joined a held session. */
  ruralTeachers: number;
  ruralTeachersTakingPart: number;
}

/** Zeroed research counts. */
export function emptyResearch(): ResearchFigures {
  return {
    alliances: { province: 0, city: 0, county: 0 },
    sessionsPlanned: 0,
    sessionsHeld: 0,
    ruralTeachers: 0,
    ruralTeachersTakingPart: 0,
  };
}

/** Zeroed figures as `data` gives them: teacher periods known or not, research or not. */
function blankFor(index: DataIndex, data: FigureData): Figures {
  const f = emptyFigures(index.teachers !== null);
  if (data.research) f.research = emptyResearch();
  return f;
}

/** One drill-down row: what {@link figuresFor} gives for that child scope. */
export interface FigureRow {
  kind: 'region' | 'cluster' | 'school';
  /** Region code, cluster id or school id. */
  id: string;
  name: string;
  /** For regions: their level; for clusters: their organizing level. */
  level?: RegionLevel;
  figures: Figures;
}

/** A scope's figures, its drill-down rows, and (for a cluster or school) its sessions. */
export interface DrillDown<S extends SessionFact = SessionFact> {
  total: Figures;
  /** Child regions, then clusters, then schools; each kind ordered by id. */
  rows: FigureRow[];
  /** For a cluster or a school: its sessions in the period by scheduled start; empty for a region. */
  sessions: S[];
}

/** Delivered / planned sessions of one offering in the period. */
export interface OfferingRow {
  offeringId: string;
  clusterId: string;
  hubSchoolId: string;
  term: string;
  sessions: Figures['sessions'];
  /** At least one session delivered in the period. */
  synchronized: boolean;
}

/** Zeroed figures; `teacherPeriods.total` starts at 0 when teacher periods are known. */
export function emptyFigures(teacherPeriodsKnown = false): Figures {
  return {
    clusters: { province: 0, city: 0, county: 0 },
    ruralSchools: 0,
    ruralSchoolsInCluster: 0,
    offeringsPlanned: 0,
    offeringsSynchronized: 0,
    sessions: { planned: 0, delivered: 0, notDelivered: 0, missed: 0, upcoming: 0, live: 0 },
    attendance: { due: 0, present: 0, late: 0, partial: 0, absent: 0 },
    teacherPeriods: { online: 0, total: teacherPeriodsKnown ? 0 : null },
    recordings: { recorded: 0, ready: 0, shared: 0, recording: 0, composing: 0, failed: 0, incomplete: 0 },
  };
}

/**
 * The sum of figures, count by count (a total from its rows, a quarter from its months).
 *
 * @param teacherPeriodsKnown whether `teacherPeriods.total` is a number (0 for no parts) or
 * null; @default true when any part has a number
 */
export function sumFigures(
  parts: readonly Figures[],
  teacherPeriodsKnown = parts.some((p) => p.teacherPeriods.total !== null),
): Figures {
  const sum = emptyFigures(teacherPeriodsKnown);
  for (const p of parts) {
    for (const level of ['province', 'city', 'county'] as const) sum.clusters[level] += p.clusters[level];
    sum.ruralSchools += p.ruralSchools;
    sum.ruralSchoolsInCluster += p.ruralSchoolsInCluster;
    sum.offeringsPlanned += p.offeringsPlanned;
    sum.offeringsSynchronized += p.offeringsSynchronized;
    for (const k of Object.keys(sum.sessions) as (keyof Figures['sessions'])[])
      sum.sessions[k] += p.sessions[k];
    for (const k of Object.keys(sum.attendance) as (keyof Figures['attendance'])[])
      sum.attendance[k] += p.attendance[k];
    for (const k of Object.keys(sum.recordings) as (keyof Figures['recordings'])[])
      sum.recordings[k] += p.recordings[k];
    sum.teacherPeriods.online += p.teacherPeriods.online;
    if (sum.teacherPeriods.total !== null) sum.teacherPeriods.total += p.teacherPeriods.total ?? 0;
    if (p.research) {
      const r = (sum.research ??= emptyResearch());
      for (const level of ['province', 'city', 'county'] as const)
        r.alliances[level] += p.research.alliances[level];
      r.sessionsPlanned += p.research.sessionsPlanned;
      r.sessionsHeld += p.research.sessionsHeld;
      r.ruralTeachers += p.research.ruralTeachers;
      r.ruralTeachersTakingPart += p.research.ruralTeachersTakingPart;
    }
  }
  return sum;
}

const VERDICT_FIELD = {
  delivered: 'delivered',
  'not-delivered': 'notDelivered',
  missed: 'missed',
  upcoming: 'upcoming',
  live: 'live',
} as const;

/** Adds `n` sessions' recording to the recording counts. */
function countRecording(counts: Figures['recordings'], rec: RecordingFact, n: number): void {
  counts.recorded += n;
  if (rec.state !== 'deleted') counts[rec.state] += n;
  if (rec.shared) counts.shared += n;
  if (rec.incomplete) counts.incomplete += n;
}

/** One pass over the data, adding every count to the accumulators its homes name. */
function tally(data: FigureData, index: DataIndex, period: Period, homes: Homes): Map<string, Figures> {
  const out = new Map<string, Figures>();
  const at = (key: string): Figures => {
    let f = out.get(key);
    if (!f) out.set(key, (f = blankFor(index, data)));
    return f;
  };
  if (data.research) tallyResearch(data.research, index, period, homes, at);

  for (const c of data.clusters) for (const key of homes.cluster(c)) at(key).clusters[c.level]++;
  for (const s of data.schools) {
    if (s.kind === 'hub') continue;
    const covered = index.inAnyCluster.has(s.id);
    for (const key of homes.school(s.id)) {
      const f = at(key);
      f.ruralSchools++;
      if (covered) f.ruralSchoolsInCluster++;
    }
  }
  if (index.teachers)
    for (const t of index.teachers.values())
      for (const key of homes.school(t.schoolId)) {
        const f = at(key);
        f.teacherPeriods.total = (f.teacherPeriods.total ?? 0) + t.periods;
      }

  // Per offering: did it have a session in the period, and a delivered one.
  const offerings = new Map<string, { delivered: boolean }>();
  for (const s of data.sessions) {
    if (s.scheduledStart < period.from || s.scheduledStart >= period.to) continue;
    const field = VERDICT_FIELD[s.verdict];
    const rec = s.recording;
    const n = s.count ?? 1;
    for (const key of homes.session(s)) {
      const f = at(key);
      f.sessions.planned += n;
      f.sessions[field] += n;
      if (rec) countRecording(f.recordings, rec, n);
    }
    const delivered = s.verdict === 'delivered';
    if (s.offeringId !== null) {
      const seen = offerings.get(s.offeringId);
      if (!seen) offerings.set(s.offeringId, { delivered });
      else if (delivered) seen.delivered = true;
    }
    if (delivered) {
      // Online periods count at the teacher's school: the listed one when teacher periods
      // are given (unlisted teachers are outside the share), else the session's hub school.
      const school = index.teachers ? index.teachers.get(s.teacherId)?.schoolId : s.hubSchoolId;
      if (school !== undefined) for (const key of homes.school(school)) at(key).teacherPeriods.online += n;
    }
    if (!delivered && s.verdict !== 'not-delivered') continue;
    if (homes.attendanceFollowsSession) {
      const keys = homes.session(s);
      if (keys.length === 0) continue;
      // A few million classroom rows: count them per session, then add once per key.
      let due = 0;
      let present = 0;
      let late = 0;
      let partial = 0;
      for (const room of s.classrooms) {
        const k = room.count ?? 1;
        due += k;
        if (room.status === 'present') present += k;
        else if (room.status === 'late') late += k;
        else if (room.status === 'partial') partial += k;
      }
      for (const key of keys) {
        const a = at(key).attendance;
        a.due += due;
        a.present += present;
        a.late += late;
        a.partial += partial;
        a.absent += due - present - late - partial;
      }
    } else
      for (const room of s.classrooms) {
        const k = room.count ?? 1;
        for (const key of homes.attendance(s, room.schoolId)) {
          const a = at(key).attendance;
          a.due += k;
          a[room.status] += k;
        }
      }
  }
  for (const o of data.offerings) {
    const seen = offerings.get(o.id);
    if (!seen) continue;
    for (const key of homes.offering(o)) {
      const f = at(key);
      f.offeringsPlanned++;
      if (seen.delivered) f.offeringsSynchronized++;
    }
  }
  return out;
}

/** The 网络教研 counts: alliances, their sessions in the period, rural teachers taking part. */
function tallyResearch(
  research: NonNullable<FigureData['research']>,
  index: DataIndex,
  period: Period,
  homes: Homes,
  at: (key: string) => Figures,
): void {
  const alliances = new Map<string, AllianceInput>();
  for (const a of research.alliances) {
    alliances.set(a.id, a);
    for (const key of homes.alliance(a)) at(key).research!.alliances[a.level]++;
  }
  for (const s of research.sessions) {
    const alliance = alliances.get(s.allianceId);
    if (!alliance || s.scheduledStart < period.from || s.scheduledStart >= period.to) continue;
    for (const key of homes.alliance(alliance)) {
      const r = at(key).research!;
      r.sessionsPlanned++;
      if (s.held) r.sessionsHeld++;
    }
  }
  for (const t of research.teachers) {
    const kind = index.schools.get(t.schoolId)?.kind;
    if (kind === undefined || kind === 'hub') continue;
    for (const key of homes.school(t.schoolId)) {
      const r = at(key).research!;
      r.ruralTeachers++;
      if (t.tookPart) r.ruralTeachersTakingPart++;
    }
  }
}

/**
 * The figures of one scope over `period` (sessions whose scheduled start is in
 * `[period.from, period.to)`). Clusters, schools and teacher periods are counted as given:
 * pass the ones that apply to the period.
 *
 * @throws TypeError for an unknown scope, an empty period or duplicate ids in the data
 */
export function figuresFor(scope: Scope, data: FigureData, period: Period): Figures {
  checkPeriod(period);
  const index = indexData(data);
  checkScope(scope, index, data);
  return tally(data, index, period, totalHomes(scope, index)).get(TOTAL) ?? blankFor(index, data);
}

/** The rows a scope always shows, even when all their counts are zero. */
function rowsOf(scope: Scope, index: DataIndex, data: FigureData): FigureRow[] {
  const blank = (): Figures => blankFor(index, data);
  const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (scope.kind === 'region') {
    const regions: FigureRow[] = [];
    for (const r of index.regions.values())
      if (r.parentCode === scope.code && r.code !== scope.code)
        regions.push({ kind: 'region', id: r.code, name: r.name, level: r.level, figures: blank() });
    const clusters: FigureRow[] = [];
    for (const c of index.clusters.values())
      if (c.regionCode === scope.code)
        clusters.push({ kind: 'cluster', id: c.id, name: c.name ?? c.id, level: c.level, figures: blank() });
    const schools: FigureRow[] = [];
    for (const s of index.schools.values())
      if (s.regionCode === scope.code)
        schools.push({ kind: 'school', id: s.id, name: s.name ?? s.id, figures: blank() });
    return [...regions.sort(byId), ...clusters.sort(byId), ...schools.sort(byId)];
  }
  if (scope.kind === 'cluster')
    return [...(index.clusterSchools.get(scope.id) ?? [])]
      .map((id): FigureRow => ({
        kind: 'school',
        id,
        name: index.schools.get(id)?.name ?? id,
        figures: blank(),
      }))
      .sort(byId);
  return [];
}

/**
 * A scope's figures and the rows one level down, each row being what {@link figuresFor}
 * gives for that child (see the module comment for which rows add up to which counts):
 * - a province or city: its child regions, the clusters it organizes, and schools registered
 *   at it directly (rare);
 * - a county: the clusters it organizes and its schools;
 * - a cluster: its schools, plus any other school that hosted or received its sessions;
 * - a school: no rows.
 *
 * Also the sessions of a cluster or a school in the period (hub or receiving), ordered by
 * scheduled start then id; a region lists none (a province has ~700,000 a year).
 *
 * @throws TypeError for an unknown scope, an empty period or duplicate ids in the data
 */
export function drillDown<S extends SessionFact>(
  scope: Scope,
  data: FigureData<S>,
  period: Period,
): DrillDown<S> {
  checkPeriod(period);
  const index = indexData(data);
  checkScope(scope, index, data);
  const total = tally(data, index, period, totalHomes(scope, index)).get(TOTAL) ?? blankFor(index, data);
  const tallied = tally(data, index, period, rowHomes(scope, index));
  const rows = rowsOf(scope, index, data);
  const shown = new Set(rows.map((r) => `${r.kind[0]}:${r.id}`));
  for (const row of rows) row.figures = tallied.get(`${row.kind[0]}:${row.id}`) ?? row.figures;
  // Schools outside the cluster that still hosted or received its sessions get a row too.
  const extra: FigureRow[] = [];
  for (const [key, figures] of tallied)
    if (!shown.has(key) && key.startsWith('s:')) {
      const id = key.slice(2);
      extra.push({ kind: 'school', id, name: index.schools.get(id)?.name ?? id, figures });
    }
  extra.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const sessions: S[] = [];
  if (scope.kind !== 'region') {
    const home = totalHomes(scope, index);
    for (const s of data.sessions) {
      if (s.scheduledStart < period.from || s.scheduledStart >= period.to) continue;
      if (home.session(s).length > 0 || s.classrooms.some((c) => home.attendance(s, c.schoolId).length > 0))
        sessions.push(s);
    }
    sessions.sort((a, b) => a.scheduledStart - b.scheduledStart || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return { total, rows: [...rows, ...extra], sessions };
}

/**
 * Per offering in the scope (by the offering's cluster and hub school), its sessions in the
 * period by verdict. Only offerings with a session in the period are listed, so the list
 * has `offeringsPlanned` rows, `offeringsSynchronized` of them synchronized. Ordered by id.
 *
 * @throws TypeError for an unknown scope, an empty period or duplicate ids in the data
 */
export function offeringRows(scope: Scope, data: FigureData, period: Period): OfferingRow[] {
  checkPeriod(period);
  const index = indexData(data);
  checkScope(scope, index, data);
  const home = totalHomes(scope, index);
  const rows = new Map<string, OfferingRow>();
  for (const o of data.offerings)
    if (home.offering(o).length > 0)
      rows.set(o.id, {
        offeringId: o.id,
        clusterId: o.clusterId,
        hubSchoolId: o.hubSchoolId,
        term: o.term,
        sessions: emptyFigures().sessions,
        synchronized: false,
      });
  for (const s of data.sessions) {
    if (s.offeringId === null || s.scheduledStart < period.from || s.scheduledStart >= period.to) continue;
    const row = rows.get(s.offeringId);
    if (!row) continue;
    const n = s.count ?? 1;
    row.sessions.planned += n;
    row.sessions[VERDICT_FIELD[s.verdict]] += n;
    if (s.verdict === 'delivered') row.synchronized = true;
  }
  return [...rows.values()]
    .filter((r) => r.sessions.planned > 0)
    .sort((a, b) => (a.offeringId < b.offeringId ? -1 : a.offeringId > b.offeringId ? 1 : 0));
}
