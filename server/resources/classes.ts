import type { Model } from 'mongoose';
import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { busyPeriods, nonBlank, objectId, plainView } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';
import { MANAGERS } from './schools.ts';
import { bySchoolInScope, regionOfSchool, schoolInScope, toId } from './scoping.ts';

const fields = {
  schoolId: objectId,
  grade: z.number().int().min(1).max(12),
  name: nonBlank(50),
  size: z.number().int().min(1).max(200),
  classroomId: objectId.nullable().optional(),
  busy: busyPeriods.optional(),
};

/** Classes of pupils (教学班). */
export function classesSpec(models: Models): ResourceSpec {
  return {
    name: 'classes',
    title: 'Classes',
    model: models.TeachingClass as unknown as Model<never>,
    create: z.object(fields),
    update: z.object(fields).partial(),
    filters: z.object({
      schoolId: objectId.optional(),
      grade: z.coerce.number().int().min(1).max(12).optional(),
    }),
    roles: { read: MANAGERS, create: MANAGERS, update: MANAGERS, remove: MANAGERS },
    scopeFilter: (scope, m) => bySchoolInScope(scope, m),
    toFilter: (f) => ({
      ...(f['schoolId'] ? { schoolId: f['schoolId'] } : {}),
      ...(f['grade'] ? { grade: f['grade'] } : {}),
    }),
    async authorizeWrite(scope, m, next) {
      const school = await schoolInScope(scope, m, next['schoolId']);
      const room = toId(next['classroomId']);
      if (room && !(await m.Classroom.exists({ _id: room, schoolId: school._id }))) {
        throw new NotFoundError('classroom not found in this school');
      }
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc, m) => regionOfSchool(m, doc['schoolId']),
  };
}
