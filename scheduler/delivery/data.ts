/**
 * The plain rows the figures are computed from, and the lookups built over them once per
 * call. The caller (the server) reads them from the database; nothing here does I/O.
 */
import type { ClassroomStatus, Verdict } from './rules.ts';
import { ArgumentError } from '../errors.ts';

/** Administrative level of a region, and the organizing level of a cluster. */
export type RegionLevel = 'province' | 'city' | 'county';

/** A region: province → city (市州) → county (县市区), by administrative code. */
export interface RegionInput {
  code: string;
  name: string;
  level: RegionLevel;
  /** The enclosing region; null for a province. */
  parentCode: string | null;
}

/** A network school cluster (联校群). */
export interface ClusterInput {
  id: string;
  /** Shown in drill-down rows; the id when absent. */
  name?: string;
  /** Organizing level: counts toward the province / city / county cluster target. */
  level: RegionLevel;
  /** The organizing region (a province, city or county code, matching `level`). */
  regionCode: string;
  /** Receiving schools. */
  memberSchoolIds: readonly string[];
  /** Hub (teaching) schools: one for 1+N, several for N+N. */
  hubSchoolIds: readonly string[];
}

/** A school or teaching point. */
export interface SchoolInput {
  id: string;
  /** Shown in drill-down rows; the id when absent. */
  name?: string;
  /** The region it is registered in (normally a county). */
  regionCode: string;
  /** Rural schools and teaching points are the ones the coverage target counts. */
  kind: 'hub' | 'rural' | 'teaching_point';
}

/** A course offering (门次): one course taught by one hub teacher to receiving classes for a term. */
export interface OfferingInput {
  id: string;
  clusterId: string;
  /** The school of its hub teacher's recording classroom. */
  hubSchoolId: string;
  /** The term, e.g. "2026-2027-1" (carried into the per-offering rows). */
  term: string;
}

/** A receiving classroom's status in a judged session, and the school it belongs to. */
export interface ClassroomFact {
  schoolId: string;
  status: ClassroomStatus;
  /**
   * How many classroom-sessions this row stands for (of a session fact with a `count`: the
   * sessions in which this classroom had this status). @default 1
   */
  count?: number;
}

/**
 * What became of a session's recording (云录播), as the resource figures count it:
 * - `recording`: being recorded (live); `composing`: its MP4 is being made; `ready`:
 *   playable in the library; `failed`: the composition failed; `deleted`: it was recorded and
 *   later deleted (by a manager or the retention policy), so it still counts as recorded.
 * - `incomplete`: a part of it is missing (a recorder died); a teacher's switch-off is not.
 * - `shared`: shared to the region (共享), every teacher of the region may watch it.
 * A lesson with nothing recorded (recording off) has no recording fact.
 */
export interface RecordingFact {
  state: 'recording' | 'composing' | 'ready' | 'failed' | 'deleted';
  incomplete: boolean;
  shared: boolean;
}

/**
 * A session as judged by the rules (see `judgeSession`), reduced to what the figures need.
 * Sessions on holidays are simply absent: the calendar expansion never plans them.
 */
export interface SessionFact {
  id: string;
  /** Null for a lesson outside any offering (it counts as a session, not toward an offering). */
  offeringId: string | null;
  clusterId: string;
  teacherId: string;
  hubSchoolId: string;
  /** ms since the epoch; a session belongs to the period its scheduled start falls in. */
  scheduledStart: number;
  verdict: Verdict;
  /** One per receiving classroom. */
  classrooms: readonly ClassroomFact[];
  /** Its recording; absent or null when nothing was recorded. */
  recording?: RecordingFact | null;
  /**
   * How many sessions this fact stands for: sessions alike in every field the figures count
   * (cluster, offering, teacher, hub school, verdict, recording, and a scheduled start in the
   * same report period), counted once with their number; its classrooms then carry counts
   * that add up to that many sessions each. A group must not straddle a report period's
   * bounds. @default 1
   */
  count?: number;
}

/** A hub teacher's periods in the report period, local and synchronized together. */
export interface TeacherPeriodsInput {
  teacherId: string;
  /** The teacher's school; the teacher's periods and online sessions count there. */
  schoolId: string;
  /** Periods scheduled in the report period, local + synchronized. */
  periods: number;
}

/** A research alliance (名师网络教研联盟): counts toward the 200 / 500 / 1,300 targets by level. */
export interface AllianceInput {
  id: string;
  /** Organizing level. */
  level: RegionLevel;
  /** The organizing region (a province, city or county code, matching `level`). */
  regionCode: string;
}

/** A research session of an alliance, scheduled in some period; `held` once it went live. */
export interface ResearchSessionFact {
  id: string;
  allianceId: string;
  /** ms since the epoch; a session belongs to the period its scheduled start falls in. */
  scheduledStart: number;
  held: boolean;
}

/** A teacher at a school, and whether they joined a research session held in the report period. */
export interface ResearchTeacherInput {
  teacherId: string;
  schoolId: string;
  tookPart: boolean;
}

/**
 * 网络教研 rows: alliances (alliance family: they live with their organizing region, like
 * clusters), their sessions, and teachers (school family: rural teachers count at their
 * school's region; only teachers of rural schools and teaching points are counted).
 */
export interface ResearchData {
  alliances: readonly AllianceInput[];
  sessions: readonly ResearchSessionFact[];
  teachers: readonly ResearchTeacherInput[];
}

/** Everything the figures are computed from. Not mutated. */
export interface FigureData<S extends SessionFact = SessionFact> {
  regions: readonly RegionInput[];
  clusters: readonly ClusterInput[];
  schools: readonly SchoolInput[];
  offerings: readonly OfferingInput[];
  /** Sessions of any period: those outside the report period are skipped. */
  sessions: readonly S[];
  /**
   * Hub teachers' total periods in the report period, for the IT-use share. When absent the
   * share is unknown (`teacherPeriods.total` is null); when given, only the listed teachers'
   * delivered sessions count as online periods, so the share is over the same teachers.
   */
  teacherPeriods?: readonly TeacherPeriodsInput[];
  /** Research alliances, sessions and teachers; absent: the figures have no `research` block. */
  research?: ResearchData;
}

/** What a scope is: a region (and its subtree), a cluster, or a school (optionally inside one cluster). */
export type Scope =
  | { kind: 'region'; code: string }
  | { kind: 'cluster'; id: string }
  | { kind: 'school'; id: string; clusterId?: string };

/** Lookups over {@link FigureData}. */
export interface DataIndex {
  regions: Map<string, RegionInput>;
  clusters: Map<string, ClusterInput>;
  schools: Map<string, SchoolInput>;
  /** Member and hub schools of each cluster. */
  clusterSchools: Map<string, Set<string>>;
  /** Schools in at least one cluster (member or hub). */
  inAnyCluster: Set<string>;
  /** Per teacher: school and periods; null when the data has no teacher periods. */
  teachers: Map<string, { schoolId: string; periods: number }> | null;
}

function byId<T>(rows: readonly T[], id: (row: T) => string, what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const row of rows) {
    const key = id(row);
    if (map.has(key)) throw new ArgumentError(`duplicate ${what} ${key}`);
    map.set(key, row);
  }
  return map;
}

/**
 * Builds the lookups, O(regions + clusters' schools + schools + teachers).
 * @throws TypeError for duplicate region codes, cluster or school ids
 */
export function indexData(data: FigureData): DataIndex {
  const clusters = byId(data.clusters, (c) => c.id, 'cluster');
  const clusterSchools = new Map<string, Set<string>>();
  const inAnyCluster = new Set<string>();
  for (const c of data.clusters) {
    const ids = new Set([...c.memberSchoolIds, ...c.hubSchoolIds]);
    clusterSchools.set(c.id, ids);
    for (const id of ids) inAnyCluster.add(id);
  }
  let teachers: DataIndex['teachers'] = null;
  if (data.teacherPeriods) {
    teachers = new Map();
    // One row per teacher is expected; further rows add periods and keep the first school.
    for (const t of data.teacherPeriods) {
      const seen = teachers.get(t.teacherId);
      if (seen) seen.periods += t.periods;
      else teachers.set(t.teacherId, { schoolId: t.schoolId, periods: t.periods });
    }
  }
  return {
    regions: byId(data.regions, (r) => r.code, 'region'),
    clusters,
    schools: byId(data.schools, (s) => s.id, 'school'),
    clusterSchools,
    inAnyCluster,
    teachers,
  };
}

/**
 * For a region `scope`, a function telling where a region code sits: `scope` itself, the
 * code of the child of `scope` whose subtree holds it, or undefined when outside the scope
 * (or unknown). Memoized; a cycle in the parent links ends the walk.
 */
export function regionPlacer(index: DataIndex, scope: string): (code: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  return (code) => {
    if (memo.has(code)) return memo.get(code);
    let child: string | undefined;
    let at: string | null = code;
    let placed: string | undefined;
    for (let steps = 0; at !== null && steps <= index.regions.size; steps++) {
      if (at === scope) {
        placed = child ?? scope;
        break;
      }
      child = at;
      at = index.regions.get(at)?.parentCode ?? null;
    }
    memo.set(code, placed);
    return placed;
  };
}
