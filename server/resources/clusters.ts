import type { Model } from 'mongoose';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { nonBlank, objectId, plainView, withId } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';
import { MANAGERS } from './schools.ts';
import { toId } from './scoping.ts';

const fields = {
  name: nonBlank(100),
  level: z.enum(['province', 'city', 'county']),
  mode: z.enum(['1+N', 'N+N']),
  regionCode: z.string().regex(/^\d{6}$/, 'must be a 6-digit region code'),
  /** Empty while the coordinator has yet to import or add the schools. */
  hubSchoolIds: z.array(objectId).max(20),
  memberSchoolIds: z.array(objectId).max(200),
  coordinatorIds: z.array(objectId).max(20).default([]),
  activeTerms: z
    .array(z.string().regex(/^\d{4}-\d{4}-[12]$/, 'term like 2026-2027-1'))
    .max(20)
    .default([]),
};

const oneHub = (c: { mode: string; hubSchoolIds: readonly unknown[] }): boolean =>
  c.mode !== '1+N' || c.hubSchoolIds.length <= 1;
const HUB_RULE = 'mode 1+N: at most one hub school (as stored, after an update too)';

export function clustersSpec(models: Models): ResourceSpec {
  return {
    name: 'clusters',
    title: 'Clusters',
    model: models.Cluster as unknown as Model<never>,
    create: z
      .object(fields)
      .refine(oneHub, { message: 'a 1+N cluster has one hub school', path: ['hubSchoolIds'] })
      .meta({ description: HUB_RULE }),
    update: z.object(fields).partial().meta({ description: HUB_RULE }),
    filters: z.object({
      regionCode: z
        .string()
        .regex(/^\d{2,6}$/)
        .optional(),
      level: fields.level.optional(),
    }),
    roles: { read: MANAGERS, create: ['admin', 'bureau'], update: MANAGERS, remove: ['admin', 'bureau'] },
    scopeFilter: (scope) => Promise.resolve(scope.clusterFilter()),
    toFilter: (f) => ({
      ...(f['regionCode'] ? { regionCode: { $regex: `^${f['regionCode'] as string}` } } : {}),
      ...(f['level'] ? { level: f['level'] } : {}),
    }),
    async afterWrite({ before, after }, sessions) {
      // A coordinator taken off a cluster loses its scope at once.
      const kept = new Set(((after?.['coordinatorIds'] as unknown[] | undefined) ?? []).map(String));
      const removed = ((before?.['coordinatorIds'] as unknown[] | undefined) ?? []).map(String);
      for (const id of removed) if (!kept.has(id)) await sessions.endAll(id, 'scope');
    },
    async authorizeWrite(scope, m, next, existing) {
      if (!oneHub({ mode: String(next['mode']), hubSchoolIds: (next['hubSchoolIds'] as unknown[]) ?? [] }))
        throw new ValidationError('a 1+N cluster has one hub school', [
          { path: 'hubSchoolIds', message: 'at most one in mode 1+N' },
        ]);
      const code = String(next['regionCode']);
      if (scope.role === 'bureau' && !scope.coversRegion(code))
        throw new ForbiddenError('this cluster is outside your region');
      if (scope.role === 'coordinator') {
        if (existing && String(existing['regionCode']) !== code)
          throw new ForbiddenError('coordinators cannot move a cluster to another region');
        const before = new Set((existing?.['coordinatorIds'] as unknown[] | undefined)?.map(String));
        const after = new Set((next['coordinatorIds'] as unknown[] | undefined)?.map(String));
        if (before.size !== after.size || [...before].some((id) => !after.has(id))) {
          throw new ForbiddenError('coordinators cannot change who coordinates a cluster');
        }
      }
      const schoolIds = [
        ...(next['hubSchoolIds'] as unknown[]),
        ...(next['memberSchoolIds'] as unknown[]),
      ].map(toId);
      const restrict =
        scope.role === 'coordinator'
          ? { regionCode: { $regex: `^(${scope.clusterRegions.join('|') || '-'})` } }
          : scope.schoolFilter();
      const found = await m.School.countDocuments(withId(restrict, { $in: schoolIds }));
      if (found !== new Set(schoolIds.map(String)).size)
        throw new NotFoundError('a hub or member school was not found');
      const coordinatorIds = ((next['coordinatorIds'] as unknown[] | undefined) ?? []).map(toId);
      if (
        coordinatorIds.length &&
        (await m.User.countDocuments({ _id: { $in: coordinatorIds }, role: 'coordinator' })) !==
          coordinatorIds.length
      ) {
        throw new NotFoundError('a coordinator account was not found');
      }
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc) => Promise.resolve((doc['regionCode'] as string) ?? null),
  };
}
