import { z } from 'zod';
import type { Model } from 'mongoose';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { nonBlank, objectId, plainView, withId } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';
import { toId } from './scoping.ts';

export const MANAGERS = ['admin', 'bureau', 'coordinator'] as const;
const regionCode = z.string().regex(/^\d{6}$/, 'must be a 6-digit region code');
const mbps = z.number().min(0).max(10_000);

const fields = {
  name: nonBlank(100),
  regionCode,
  kind: z.enum(['hub', 'rural', 'teaching_point']),
  downlinkMbps: mbps,
  uplinkMbps: mbps,
  bellScheduleId: objectId.nullable().optional(),
  termCalendarId: objectId.nullable().optional(),
};

export function schoolsSpec(models: Models): ResourceSpec {
  return {
    name: 'schools',
    title: 'Schools',
    model: models.School as unknown as Model<never>,
    create: z.object({
      ...fields,
      /** Coordinators create schools into one of their clusters (as hub or member by kind). */
      clusterId: objectId.optional(),
    }),
    update: z.object(fields).partial(),
    filters: z.object({
      regionCode: z
        .string()
        .regex(/^\d{2,6}$/)
        .optional(),
      kind: fields.kind.optional(),
      name: z.string().max(100).optional(),
    }),
    transient: ['clusterId'],
    roles: { read: MANAGERS, create: MANAGERS, update: MANAGERS, remove: ['admin', 'bureau'] },
    scopeFilter: (scope) => Promise.resolve(scope.schoolFilter()),
    toFilter: (f) => ({
      ...(f['regionCode'] ? { regionCode: { $regex: `^${f['regionCode'] as string}` } } : {}),
      ...(f['kind'] ? { kind: f['kind'] } : {}),
      ...(f['name'] ? { name: f['name'] } : {}),
    }),
    async authorizeWrite(scope, m, next, existing) {
      const code = String(next['regionCode']);
      const clusterId = existing ? null : toId(next['clusterId']);
      if (clusterId && !(await m.Cluster.exists(withId(scope.clusterFilter(), clusterId)))) {
        throw new NotFoundError(`cluster ${String(next['clusterId'])} not found`);
      }
      if (scope.isAdmin) return;
      if (scope.role === 'bureau') {
        if (!scope.coversRegion(code)) throw new ForbiddenError('this school is outside your region');
        return;
      }
      if (!scope.clusterRegions.some((prefix) => code.startsWith(prefix))) {
        throw new ForbiddenError('this school is outside your clusters’ regions');
      }
      if (!existing && !clusterId) {
        throw new NotFoundError('give clusterId: one of your clusters, which the new school joins');
      }
    },
    async afterCreate(_scope, created, input) {
      const clusterId = toId(input['clusterId']);
      if (!clusterId) return;
      const field = created['kind'] === 'hub' ? 'hubSchoolIds' : 'memberSchoolIds';
      await models.Cluster.updateOne({ _id: clusterId }, { $addToSet: { [field]: created._id } });
    },
    async beforeDelete(m, existing) {
      const used =
        (await m.Classroom.exists({ schoolId: existing._id })) ??
        (await m.Cluster.exists({
          $or: [{ hubSchoolIds: existing._id }, { memberSchoolIds: existing._id }],
        }));
      if (used) throw new ConflictError('the school still has classrooms or belongs to a cluster');
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc) => Promise.resolve((doc['regionCode'] as string) ?? null),
  };
}
