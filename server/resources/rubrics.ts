import type { Model } from 'mongoose';
import { z } from 'zod';
import { RubricCreateSchema, RubricUpdateSchema, rubricProblems } from '../contract/research.ts';
import type { RubricItem } from '../contract/research.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { regionReach, reaches } from '../research/reach.ts';
import { plainView } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';

/**
 * Evaluation rubrics (听课评课量表) a region's bureau configures. Everyone who evaluates or is
 * evaluated reads the rubrics of its region and those above it; bureaus also those below.
 * A rubric that evaluations were made with is kept (switched off, not deleted).
 */
export function rubricsSpec(models: Models): ResourceSpec {
  return {
    name: 'rubrics',
    title: 'Rubrics',
    model: models.Rubric as unknown as Model<never>,
    create: RubricCreateSchema,
    update: RubricUpdateSchema,
    filters: z.object({ active: z.enum(['true', 'false']).optional() }),
    roles: {
      read: ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'],
      create: ['admin', 'bureau'],
      update: ['admin', 'bureau'],
      remove: ['admin', 'bureau'],
    },
    async scopeFilter(scope, m) {
      const reach = await regionReach(scope, m);
      if (reach.within === 'all') return null;
      return {
        $or: [
          { regionCode: { $in: reach.above } },
          ...reach.within.map((p) => ({ regionCode: { $regex: `^${p}` } })),
        ],
      };
    },
    toFilter: (f) => (f['active'] ? { active: f['active'] === 'true' } : {}),
    async authorizeWrite(scope, m, next) {
      const problems = rubricProblems({
        levels: Number(next['levels']),
        items: next['items'] as RubricItem[],
      });
      if (problems.length)
        throw new ValidationError(
          `invalid rubric: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
          problems,
        );
      if (!reaches(await regionReach(scope, m), String(next['regionCode'])))
        throw new ForbiddenError('this rubric is outside your region');
    },
    async beforeDelete(m, existing) {
      if (await m.Evaluation.exists({ rubricId: existing._id }))
        throw new ConflictError('evaluations were made with this rubric: switch it off instead');
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc) => Promise.resolve((doc['regionCode'] as string) ?? null),
  };
}
