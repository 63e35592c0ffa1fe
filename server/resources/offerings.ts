import type { Model } from 'mongoose';
import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { nonBlank, objectId, plainView } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';
import { clusterIdsInScope, toId } from './scoping.ts';

const fields = {
  clusterId: objectId,
  term: z.string().regex(/^\d{4}-\d{4}-[12]$/, 'term like 2026-2027-1'),
  subject: nonBlank(20),
  grade: z.number().int().min(1).max(12),
  teacherId: objectId,
  hubClassroomId: objectId,
  receivingClassIds: z.array(objectId).min(1).max(50),
  periodsPerWeek: z.number().int().min(1).max(20),
};

/** Course offerings (门次): the unit of the 10,000 target. */
export function offeringsSpec(models: Models): ResourceSpec {
  return {
    name: 'offerings',
    title: 'Offerings',
    model: models.Offering as unknown as Model<never>,
    create: z.object(fields),
    update: z.object(fields).partial(),
    filters: z.object({
      clusterId: objectId.optional(),
      term: fields.term.optional(),
      teacherId: objectId.optional(),
    }),
    roles: {
      read: ['admin', 'bureau', 'coordinator'],
      create: ['admin', 'bureau', 'coordinator'],
      update: ['admin', 'bureau', 'coordinator'],
      remove: ['admin', 'bureau', 'coordinator'],
    },
    async scopeFilter(scope, m) {
      const ids = await clusterIdsInScope(scope, m);
      return ids === 'all' ? null : { clusterId: { $in: ids } };
    },
    toFilter: (f) => ({
      ...(f['clusterId'] ? { clusterId: f['clusterId'] } : {}),
      ...(f['term'] ? { term: f['term'] } : {}),
      ...(f['teacherId'] ? { teacherId: f['teacherId'] } : {}),
    }),
    async authorizeWrite(scope, m, next) {
      const clusterIds = await clusterIdsInScope(scope, m);
      const clusterId = toId(next['clusterId']);
      const cluster =
        clusterId && (clusterIds === 'all' || clusterIds.some((c) => c.equals(clusterId)))
          ? await m.Cluster.findById(clusterId).lean()
          : null;
      if (!cluster) throw new NotFoundError('cluster not found');
      const hubs = cluster.hubSchoolIds;
      const members = cluster.memberSchoolIds;
      if (
        !(await m.User.exists({ _id: toId(next['teacherId']), role: 'teacher', schoolId: { $in: hubs } }))
      ) {
        throw new NotFoundError('teacher not found in a hub school of this cluster');
      }
      if (
        !(await m.Classroom.exists({
          _id: toId(next['hubClassroomId']),
          kind: 'recording',
          schoolId: { $in: hubs },
        }))
      ) {
        throw new NotFoundError('recording classroom not found in a hub school of this cluster');
      }
      const classIds = (next['receivingClassIds'] as unknown[]).map(toId);
      if (
        (await m.TeachingClass.countDocuments({ _id: { $in: classIds }, schoolId: { $in: members } })) !==
        new Set(classIds.map(String)).size
      ) {
        throw new NotFoundError('a receiving class was not found in the member schools of this cluster');
      }
    },
    toView: (doc) => plainView(doc),
    regionOf: async (doc, m) =>
      (await m.Cluster.findById(doc['clusterId'], { regionCode: 1 }).lean())?.regionCode ?? null,
  };
}
