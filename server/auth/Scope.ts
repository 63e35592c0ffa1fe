import type mongoose from 'mongoose';
import type { Role } from '../contract/api.ts';
import type { Models } from '../models/index.ts';
import type { Identity } from './tokens.ts';

type Id = mongoose.Types.ObjectId;

/**
 * The significant prefix of a region code: a province (430000) covers "43", a city (430700)
 * "4307", a county (430725) itself.
 */
export function regionPrefix(code: string): string {
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

/** Whether `code` lies within the region `prefix` covers. */
export function inRegion(prefix: string, code: string | null | undefined): boolean {
  return !!code && code.startsWith(prefix);
}

/**
 * The codes of a region and of the regions above it (county → its city → its province):
 * whatever is shared to one of these reaches the region.
 */
export function regionsAbove(code: string): string[] {
  return [...new Set([code, `${code.slice(0, 4)}00`, `${code.slice(0, 2)}0000`])];
}

/**
 * The regions whose shared recordings (共享 in the library) a teacher finds: those above
 * the teacher's school's region. A teacher without a school, or a school without a region,
 * gets none; other roles see recordings by their scope and get none.
 */
export async function sharedRegionsOf(models: Models, identity: Identity): Promise<string[]> {
  if (identity.role !== 'teacher') return [];
  const user = await models.User.findById(identity.userId, { schoolId: 1 }).lean();
  if (!user?.schoolId) return [];
  const school = await models.School.findById(user.schoolId, { regionCode: 1 }).lean();
  return school?.regionCode ? regionsAbove(school.regionCode) : [];
}

/**
 * What part of the data an account may manage, resolved once per request from the
 * database (so a changed assignment takes effect at once, not at token expiry):
 * - admin: everything;
 * - bureau: everything under its region code; an inspector the same region, for 巡课 only
 *   (the routes let it no further);
 * - coordinator: its clusters, and the hub and member schools of those clusters;
 * - school (a school's timetabler): its own school, and the clusters it belongs to (to read
 *   and decide its part of their co-plans; the routes decide what more it may do);
 * - other roles: nothing to manage.
 */
export class Scope {
  readonly role: Role;
  readonly userId: string;
  /** Region prefix of a bureau account. */
  readonly regionPrefix: string | null;
  /** Clusters and schools of a coordinator. */
  readonly clusterIds: readonly Id[];
  readonly schoolIds: readonly Id[];
  /** Region prefixes of a coordinator's clusters (where it may create schools). */
  readonly clusterRegions: readonly string[];

  private constructor(init: {
    role: Role;
    userId: string;
    regionPrefix?: string | null;
    clusterIds?: Id[];
    schoolIds?: Id[];
    clusterRegions?: string[];
  }) {
    this.role = init.role;
    this.userId = init.userId;
    this.regionPrefix = init.regionPrefix ?? null;
    this.clusterIds = init.clusterIds ?? [];
    this.schoolIds = init.schoolIds ?? [];
    this.clusterRegions = init.clusterRegions ?? [];
  }

  static async resolve(models: Models, identity: Identity): Promise<Scope> {
    const base = { role: identity.role, userId: identity.userId };
    if (identity.role === 'bureau' || identity.role === 'inspector') {
      const user = await models.User.findById(identity.userId, { regionCode: 1 }).lean();
      // A bureau or inspector account without a region sees nothing rather than everything.
      return new Scope({ ...base, regionPrefix: user?.regionCode ? regionPrefix(user.regionCode) : '-' });
    }
    if (identity.role === 'coordinator') {
      const clusters = await models.Cluster.find(
        { coordinatorIds: identity.userId },
        { hubSchoolIds: 1, memberSchoolIds: 1, regionCode: 1 },
      ).lean();
      return new Scope({
        ...base,
        clusterIds: clusters.map((c) => c._id),
        schoolIds: clusters.flatMap((c) => [...c.hubSchoolIds, ...c.memberSchoolIds]),
        clusterRegions: [...new Set(clusters.map((c) => regionPrefix(c.regionCode)))],
      });
    }
    if (identity.role === 'school') {
      const user = await models.User.findById(identity.userId, { schoolId: 1 }).lean();
      const schoolId = user?.schoolId;
      if (!schoolId) return new Scope(base);
      const clusters = await models.Cluster.find(
        { $or: [{ hubSchoolIds: schoolId }, { memberSchoolIds: schoolId }] },
        { _id: 1 },
      ).lean();
      return new Scope({ ...base, clusterIds: clusters.map((c) => c._id), schoolIds: [schoolId] });
    }
    return new Scope(base);
  }

  get isAdmin(): boolean {
    return this.role === 'admin';
  }

  /** Mongo filter on schools within scope (`null`: no restriction). */
  schoolFilter(): Record<string, unknown> | null {
    if (this.isAdmin) return null;
    if (this.regionPrefix) return { regionCode: { $regex: `^${this.regionPrefix}` } };
    return { _id: { $in: this.schoolIds } };
  }

  /** Ids of schools within scope, or 'all'. */
  async schoolIdsIn(models: Models): Promise<Id[] | 'all'> {
    if (this.isAdmin) return 'all';
    if (this.regionPrefix) {
      const schools = await models.School.find(this.schoolFilter() ?? {}, { _id: 1 }).lean();
      return schools.map((s) => s._id);
    }
    return [...this.schoolIds];
  }

  /** Mongo filter on clusters within scope (`null`: no restriction). */
  clusterFilter(): Record<string, unknown> | null {
    if (this.isAdmin) return null;
    if (this.regionPrefix) return { regionCode: { $regex: `^${this.regionPrefix}` } };
    return { _id: { $in: this.clusterIds } };
  }

  /** Whether a region code is within a bureau's region (admins: always; others: never). */
  coversRegion(code: string | null | undefined): boolean {
    if (this.isAdmin) return true;
    return !!this.regionPrefix && inRegion(this.regionPrefix, code);
  }

  hasSchool(id: Id | string | null | undefined): boolean {
    return !!id && this.schoolIds.some((s) => s.equals(id));
  }

  hasCluster(id: Id | string | null | undefined): boolean {
    return !!id && this.clusterIds.some((c) => c.equals(id));
  }
}
