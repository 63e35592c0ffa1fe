/**
 * Where each count goes for a given scope: the "homes" of the figures module. A home is a
 * list of accumulator keys — "total" for one scope's figures; "r:code", "c:id", "s:id" for
 * the rows of a drill-down (a count can belong to several rows of different families).
 */
import { regionPlacer } from './data.ts';
import type {
  AllianceInput,
  ClusterInput,
  DataIndex,
  FigureData,
  OfferingInput,
  Scope,
  SessionFact,
} from './data.ts';
import { ArgumentError } from '../errors.ts';

/** No key: the count is outside the scope. */
export const NONE: readonly string[] = Object.freeze([]);
/** The key of a scope's own figures. */
export const TOTAL = 'total';
const ONLY_TOTAL: readonly string[] = Object.freeze([TOTAL]);

/** Where each kind of count goes: the keys of the accumulators it adds to (none, one, several). */
export interface Homes {
  /** A cluster's count by level. */
  cluster(c: ClusterInput): readonly string[];
  /** A session in the period (its verdict count). */
  session(s: SessionFact): readonly string[];
  /** An offering with a session in the period. */
  offering(o: OfferingInput): readonly string[];
  /** One receiving classroom of a session that went live and ended. */
  attendance(s: SessionFact, schoolId: string): readonly string[];
  /** Set when `attendance` always equals `session`: the pass then looks keys up once per session. */
  attendanceFollowsSession?: true;
  /** School family: rural counts, teacher periods and online sessions of the school's teachers. */
  school(schoolId: string): readonly string[];
  /**
   * Alliance family: a research alliance and its sessions, by its organizing region (a
   * region's rows: the child region holding it; one organized at the scope itself counts in
   * the total only, as it has no row). Nothing for a cluster or a school.
   */
  alliance(a: AllianceInput): readonly string[];
}

/** A boolean per id, turned into the shared "total" key list. */
const toTotal = (inScope: boolean): readonly string[] => (inScope ? ONLY_TOTAL : NONE);

/** Homes that send everything inside `scope` to the single key "total". */
export function totalHomes(scope: Scope, index: DataIndex): Homes {
  if (scope.kind === 'region') {
    const place = regionPlacer(index, scope.code);
    const clusterIn = new Map<string, boolean>();
    for (const c of index.clusters.values()) clusterIn.set(c.id, place(c.regionCode) !== undefined);
    const schoolIn = (id: string): boolean => {
      const school = index.schools.get(id);
      return school !== undefined && place(school.regionCode) !== undefined;
    };
    return {
      cluster: (c) => toTotal(clusterIn.get(c.id) === true),
      session: (s) => toTotal(clusterIn.get(s.clusterId) === true),
      offering: (o) => toTotal(clusterIn.get(o.clusterId) === true),
      attendance: (s) => toTotal(clusterIn.get(s.clusterId) === true),
      attendanceFollowsSession: true,
      school: (id) => toTotal(schoolIn(id)),
      alliance: (a) => toTotal(place(a.regionCode) !== undefined),
    };
  }
  if (scope.kind === 'cluster') {
    const id = scope.id;
    const schools = index.clusterSchools.get(id) ?? new Set<string>();
    return {
      cluster: (c) => toTotal(c.id === id),
      session: (s) => toTotal(s.clusterId === id),
      offering: (o) => toTotal(o.clusterId === id),
      attendance: (s) => toTotal(s.clusterId === id),
      attendanceFollowsSession: true,
      school: (schoolId) => toTotal(schools.has(schoolId)),
      alliance: () => NONE,
    };
  }
  const { id, clusterId } = scope;
  const inCluster = (c: string): boolean => clusterId === undefined || c === clusterId;
  const member = clusterId === undefined || index.clusterSchools.get(clusterId)?.has(id) === true;
  return {
    cluster: () => NONE,
    session: (s) => toTotal(s.hubSchoolId === id && inCluster(s.clusterId)),
    offering: (o) => toTotal(o.hubSchoolId === id && inCluster(o.clusterId)),
    attendance: (s, schoolId) => toTotal(schoolId === id && inCluster(s.clusterId)),
    school: (schoolId) => toTotal(member && schoolId === id),
    alliance: () => NONE,
  };
}

/**
 * Checks the scope names something in the data. A school may be missing from `schools` when
 * a cluster or a session names it (a drill-down row shows it): it has the counts they give it.
 * @throws TypeError for an unknown region or cluster, or a school nothing names
 */
export function checkScope(scope: Scope, index: DataIndex, data: FigureData): void {
  if (scope.kind === 'region' && !index.regions.has(scope.code))
    throw new ArgumentError(`unknown region ${scope.code}`);
  if (scope.kind === 'cluster' && !index.clusters.has(scope.id))
    throw new ArgumentError(`unknown cluster ${scope.id}`);
  if (scope.kind === 'school') {
    const id = scope.id;
    const named =
      index.schools.has(id) ||
      index.inAnyCluster.has(id) ||
      data.sessions.some((s) => s.hubSchoolId === id || s.classrooms.some((c) => c.schoolId === id));
    if (!named) throw new ArgumentError(`unknown school ${id}`);
    if (scope.clusterId !== undefined && !index.clusters.has(scope.clusterId))
      throw new ArgumentError(`unknown cluster ${scope.clusterId}`);
  }
}

/** Homes that send counts to the drill-down rows of `scope` (keys "r:code", "c:id", "s:id"). */
export function rowHomes(scope: Scope, index: DataIndex): Homes {
  if (scope.kind === 'region') {
    const place = regionPlacer(index, scope.code);
    // A cluster's own counts go to its child-region row, or to its own row when organized here.
    const clusterKey = new Map<string, readonly string[]>();
    const directClusters = new Map<string, string[]>();
    for (const c of index.clusters.values()) {
      const where = place(c.regionCode);
      if (where === undefined) continue;
      clusterKey.set(c.id, [where === scope.code ? `c:${c.id}` : `r:${where}`]);
      if (where === scope.code)
        for (const s of index.clusterSchools.get(c.id) ?? []) {
          const list = directClusters.get(s) ?? [];
          list.push(`c:${c.id}`);
          directClusters.set(s, list);
        }
    }
    // A school's counts go to its child-region row or its own row, and to the rows of the
    // clusters organized here that it belongs to (even a school missing from the data).
    const schoolKeys = new Map<string, readonly string[]>(directClusters);
    const directSchool = new Map<string, string>();
    for (const s of index.schools.values()) {
      const where = place(s.regionCode);
      if (where === undefined) continue;
      const own = where === scope.code ? `s:${s.id}` : `r:${where}`;
      if (where === scope.code) directSchool.set(s.id, own);
      schoolKeys.set(s.id, [...(directClusters.get(s.id) ?? []), own]);
    }
    const withSchool = (keys: readonly string[], schoolId: string): readonly string[] => {
      const own = directSchool.get(schoolId);
      return own === undefined ? keys : [...keys, own];
    };
    return {
      cluster: (c) => clusterKey.get(c.id) ?? NONE,
      session: (s) => withSchool(clusterKey.get(s.clusterId) ?? NONE, s.hubSchoolId),
      offering: (o) => withSchool(clusterKey.get(o.clusterId) ?? NONE, o.hubSchoolId),
      attendance: (s, schoolId) => withSchool(clusterKey.get(s.clusterId) ?? NONE, schoolId),
      // A province or city has no schools of its own (normally): attendance then goes where the session goes.
      ...(directSchool.size === 0 ? { attendanceFollowsSession: true as const } : {}),
      school: (id) => schoolKeys.get(id) ?? NONE,
      alliance: (a) => {
        const where = place(a.regionCode);
        return where === undefined || where === scope.code ? NONE : [`r:${where}`];
      },
    };
  }
  if (scope.kind === 'cluster') {
    const id = scope.id;
    const schools = index.clusterSchools.get(id) ?? new Set<string>();
    const key = new Map<string, readonly string[]>();
    const keyOf = (schoolId: string): readonly string[] => {
      let k = key.get(schoolId);
      if (!k) key.set(schoolId, (k = [`s:${schoolId}`]));
      return k;
    };
    return {
      cluster: () => NONE,
      session: (s) => (s.clusterId === id ? keyOf(s.hubSchoolId) : NONE),
      offering: (o) => (o.clusterId === id ? keyOf(o.hubSchoolId) : NONE),
      attendance: (s, schoolId) => (s.clusterId === id ? keyOf(schoolId) : NONE),
      school: (schoolId) => (schools.has(schoolId) ? keyOf(schoolId) : NONE),
      alliance: () => NONE,
    };
  }
  return {
    cluster: () => NONE,
    session: () => NONE,
    offering: () => NONE,
    attendance: () => NONE,
    school: () => NONE,
    alliance: () => NONE,
  };
}
