import type { Scope } from '../auth/Scope.ts';
import type { Models } from '../models/index.ts';

/** A region code and the codes of the city and province above it (a county: three codes). */
export function ancestorCodes(code: string): string[] {
  return [...new Set([code, `${code.slice(0, 4)}00`, `${code.slice(0, 2)}0000`])];
}

/** The region code a significant prefix stands for (43 → 430000, 4307 → 430700). */
const codeOfPrefix = (prefix: string): string => prefix.padEnd(6, '0');

/**
 * Which regions' evaluations, rubrics, alliances and research sessions an account reaches:
 * - `within`: region prefixes whose records it oversees (a bureau or an inspector its region,
 *   a coordinator its clusters' regions); 'all' for an admin;
 * - `above`: region codes whose rubrics apply to it (its own region and those above it, so a
 *   province's rubric serves its counties).
 */
export interface RegionReach {
  within: readonly string[] | 'all';
  above: readonly string[];
}

/** The reach of `scope`; a teacher reaches no region but sees the rubrics above its school. */
export async function regionReach(scope: Scope, models: Models): Promise<RegionReach> {
  if (scope.isAdmin) return { within: 'all', above: [] };
  if (scope.regionPrefix)
    return scope.regionPrefix === '-'
      ? { within: [], above: [] }
      : { within: [scope.regionPrefix], above: ancestorCodes(codeOfPrefix(scope.regionPrefix)) };
  if (scope.clusterRegions.length)
    return {
      within: scope.clusterRegions,
      above: [...new Set(scope.clusterRegions.flatMap((p) => ancestorCodes(codeOfPrefix(p))))],
    };
  const user = await models.User.findById(scope.userId, { schoolId: 1 }).lean();
  const school = user?.schoolId
    ? await models.School.findById(user.schoolId, { regionCode: 1 }).lean()
    : null;
  return { within: [], above: school ? ancestorCodes(school.regionCode) : [] };
}

/** Mongo filter on `regionCode` for records organized within the reach; null: no restriction. */
export function withinFilter(reach: RegionReach): Record<string, unknown> | null {
  if (reach.within === 'all') return null;
  if (!reach.within.length) return { _id: { $in: [] } };
  return { $or: reach.within.map((p) => ({ regionCode: { $regex: `^${p}` } })) };
}

/** Whether a region code lies within the reach. */
export function reaches(reach: RegionReach, code: string): boolean {
  return reach.within === 'all' || reach.within.some((p) => code.startsWith(p));
}
