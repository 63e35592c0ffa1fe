import mongoose from 'mongoose';
import type { Scope } from '../auth/Scope.ts';
import { NotFoundError } from '../errors.ts';
import type { Cluster, Models, School } from '../models/index.ts';
import { withId } from './Resource.ts';

type Id = mongoose.Types.ObjectId;

/** Filter for records that hang off a school (`schoolId`), restricted to the scope's schools. */
export async function bySchoolInScope(scope: Scope, models: Models): Promise<Record<string, unknown> | null> {
  const ids = await scope.schoolIdsIn(models);
  return ids === 'all' ? null : { schoolId: { $in: ids } };
}

/** The school, if it exists within scope; NotFoundError otherwise (existence is not leaked). */
export async function schoolInScope(scope: Scope, models: Models, schoolId: unknown): Promise<School> {
  const id = toId(schoolId);
  const restrict = scope.schoolFilter();
  const school = id && (await models.School.findOne(withId(restrict, id)).lean<School>());
  if (!school) throw new NotFoundError(`school ${String(schoolId)} not found`);
  return school;
}

/** The cluster, if it exists within scope; NotFoundError otherwise (existence is not leaked). */
export async function clusterInScope(scope: Scope, models: Models, clusterId: unknown): Promise<Cluster> {
  const id = toId(clusterId);
  const cluster = id && (await models.Cluster.findOne(withId(scope.clusterFilter(), id)).lean<Cluster>());
  if (!cluster) throw new NotFoundError(`cluster ${String(clusterId)} not found`);
  return cluster;
}

/** Filter for clusters within scope, as ids (bureaus resolve their region's clusters). */
export async function clusterIdsInScope(scope: Scope, models: Models): Promise<Id[] | 'all'> {
  if (scope.isAdmin) return 'all';
  if (scope.regionPrefix)
    return (await models.Cluster.find(scope.clusterFilter() ?? {}, { _id: 1 }).lean()).map((c) => c._id);
  return [...scope.clusterIds];
}

export function toId(value: unknown): Id | null {
  if (value instanceof mongoose.Types.ObjectId) return value;
  return typeof value === 'string' && mongoose.isValidObjectId(value)
    ? new mongoose.Types.ObjectId(value)
    : null;
}

/** Region code of the school a record hangs off. */
export async function regionOfSchool(models: Models, schoolId: unknown): Promise<string | null> {
  const id = toId(schoolId);
  return id ? ((await models.School.findById(id, { regionCode: 1 }).lean())?.regionCode ?? null) : null;
}
