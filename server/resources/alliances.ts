import type { Model } from 'mongoose';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { STAGES } from '../models/Alliance.ts';
import { regionReach, reaches, withinFilter } from '../research/reach.ts';
import { nonBlank, objectId, plainView } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';
import { toId } from './scoping.ts';

const fields = {
  name: nonBlank(100),
  level: z.enum(['province', 'city', 'county']),
  regionCode: z.string().regex(/^\d{6}$/, 'must be a 6-digit region code'),
  subject: nonBlank(20),
  stage: z.enum(STAGES),
  leadTeacherId: objectId,
  memberTeacherIds: z.array(objectId).max(500).default([]),
  description: z.string().trim().max(1000).default(''),
};

/** The level a region code is at: 430000 a province, 430700 a city, 430725 a county. */
export function levelOfCode(code: string): 'province' | 'city' | 'county' {
  return code.endsWith('0000') ? 'province' : code.endsWith('00') ? 'city' : 'county';
}

/** Teachers an alliance may be seen by: its leader and members. */
export const allianceOfTeacher = (userId: string): Record<string, unknown> => ({
  $or: [{ leadTeacherId: userId }, { memberTeacherIds: userId }],
});

/**
 * Research alliances (名师网络教研联盟), kept by bureaus: a leading teacher and member
 * teachers from many schools, one subject and stage, at a province, city or county. Its
 * teachers and the region's coordinators read it.
 */
export function alliancesSpec(models: Models): ResourceSpec {
  return {
    name: 'alliances',
    title: 'Alliances',
    model: models.Alliance as unknown as Model<never>,
    create: z.object(fields),
    update: z.object(fields).partial(),
    filters: z.object({
      regionCode: z
        .string()
        .regex(/^\d{2,6}$/)
        .optional(),
      level: fields.level.optional(),
    }),
    roles: {
      read: ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'],
      create: ['admin', 'bureau'],
      update: ['admin', 'bureau'],
      remove: ['admin', 'bureau'],
    },
    async scopeFilter(scope, m) {
      if (scope.role === 'teacher') return allianceOfTeacher(scope.userId);
      return withinFilter(await regionReach(scope, m));
    },
    toFilter: (f) => ({
      ...(f['regionCode'] ? { regionCode: { $regex: `^${f['regionCode'] as string}` } } : {}),
      ...(f['level'] ? { level: f['level'] } : {}),
    }),
    async authorizeWrite(scope, m, next) {
      const code = String(next['regionCode']);
      if (levelOfCode(code) !== next['level'])
        throw new ValidationError(
          `a ${String(next['level'])} alliance is organized at a ${String(next['level'])} code`,
          [{ path: 'regionCode', message: `${code} is a ${levelOfCode(code)} code` }],
        );
      if (!reaches(await regionReach(scope, m), code))
        throw new ForbiddenError('this alliance is outside your region');
      const lead = toId(next['leadTeacherId']);
      const members = ((next['memberTeacherIds'] as unknown[]) ?? []).map(toId);
      const ids = [lead, ...members].filter((id) => id !== null);
      const teachers = await m.User.countDocuments({ _id: { $in: ids }, role: 'teacher' });
      if (teachers !== new Set(ids.map(String)).size)
        throw new NotFoundError('a leading or member teacher is not a teacher account');
      // The leader is not listed again among the members.
      return { memberTeacherIds: [...new Set(members.map(String))].filter((id) => id !== String(lead)) };
    },
    async beforeDelete(m, existing) {
      if (await m.ResearchSession.exists({ allianceId: existing._id, startedAt: { $ne: null } }))
        throw new ConflictError('this alliance has held research sessions: they stay counted');
      await m.ResearchSession.deleteMany({ allianceId: existing._id });
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc) => Promise.resolve((doc['regionCode'] as string) ?? null),
  };
}
