import type { Model } from 'mongoose';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { busyPeriods, nonBlank, objectId, plainView } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';
import { MANAGERS } from './schools.ts';
import { bySchoolInScope, regionOfSchool, schoolInScope, toId } from './scoping.ts';

const fields = {
  schoolId: objectId,
  name: nonBlank(50),
  kind: z.enum(['recording', 'receiving']),
  hasWhiteboard: z.boolean().default(true),
  deviceUserId: objectId.nullable().optional(),
  busy: busyPeriods.optional(),
};

export function classroomsSpec(models: Models): ResourceSpec {
  return {
    name: 'classrooms',
    title: 'Classrooms',
    model: models.Classroom as unknown as Model<never>,
    create: z.object(fields),
    update: z.object(fields).partial(),
    filters: z.object({ schoolId: objectId.optional(), kind: fields.kind.optional() }),
    roles: { read: MANAGERS, create: MANAGERS, update: MANAGERS, remove: MANAGERS },
    scopeFilter: (scope, m) => bySchoolInScope(scope, m),
    toFilter: (f) => ({
      ...(f['schoolId'] ? { schoolId: f['schoolId'] } : {}),
      ...(f['kind'] ? { kind: f['kind'] } : {}),
    }),
    async authorizeWrite(scope, m, next) {
      const school = await schoolInScope(scope, m, next['schoolId']);
      const device = toId(next['deviceUserId']);
      if (device && !(await m.User.exists({ _id: device, role: 'classroom', schoolId: school._id }))) {
        throw new NotFoundError('device account not found (a classroom account of the same school)');
      }
    },
    async beforeDelete(m, existing) {
      if (
        await m.Lesson.exists({
          $or: [{ hubClassroomId: existing._id }, { classroomIds: existing._id }],
          state: { $ne: 'ended' },
        })
      ) {
        throw new ConflictError('the classroom has lessons that have not ended');
      }
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc, m) => regionOfSchool(m, doc['schoolId']),
  };
}
