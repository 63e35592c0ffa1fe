import type { Model } from 'mongoose';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { Alliance, Models } from '../models/index.ts';
import { regionReach, withinFilter } from '../research/reach.ts';
import type { Scope } from '../auth/Scope.ts';
import { allianceOfTeacher } from './alliances.ts';
import { nonBlank, objectId, plainView, withId } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';
import { toId } from './scoping.ts';

const fields = {
  allianceId: objectId,
  title: nonBlank(100),
  agenda: z.string().trim().max(2000).default(''),
  scheduledStart: z.iso.datetime({ offset: true }),
  scheduledEnd: z.iso.datetime({ offset: true }),
};

/** Alliances whose sessions `scope` may see (a teacher: its own; others: by region). */
export async function allianceFilter(scope: Scope, models: Models): Promise<Record<string, unknown> | null> {
  if (scope.role === 'teacher') return allianceOfTeacher(scope.userId);
  return withinFilter(await regionReach(scope, models));
}

/**
 * Scheduled research sessions (网络教研活动) of alliances. Bureaus and an alliance's leading
 * teacher schedule them; its teachers and the region's coordinators read them. A session
 * that went live is history: not moved, not deleted.
 */
export function researchSessionsSpec(models: Models): ResourceSpec {
  return {
    name: 'research-sessions',
    title: 'Research sessions',
    model: models.ResearchSession as unknown as Model<never>,
    create: z.object(fields),
    update: z.object(fields).omit({ allianceId: true }).partial(),
    filters: z.object({
      allianceId: objectId.optional(),
      state: z.enum(['scheduled', 'live', 'ended']).optional(),
    }),
    roles: {
      read: ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'],
      create: ['admin', 'bureau', 'teacher'],
      update: ['admin', 'bureau', 'teacher'],
      remove: ['admin', 'bureau', 'teacher'],
    },
    async scopeFilter(scope, m) {
      if (scope.role !== 'teacher') return withinFilter(await regionReach(scope, m));
      const alliances = await m.Alliance.find(allianceOfTeacher(scope.userId), { _id: 1 }).lean();
      return { allianceId: { $in: alliances.map((a) => a._id) } };
    },
    toFilter: (f) => ({
      ...(f['allianceId'] ? { allianceId: f['allianceId'] } : {}),
      ...(f['state'] ? { state: f['state'] } : {}),
    }),
    async authorizeWrite(scope, m, next, existing) {
      const alliance = await m.Alliance.findOne(
        withId(await allianceFilter(scope, m), toId(next['allianceId'])),
      ).lean<Alliance>();
      if (!alliance) throw new NotFoundError(`alliance ${String(next['allianceId'])} not found`);
      if (scope.role === 'teacher' && String(alliance.leadTeacherId) !== scope.userId)
        throw new ForbiddenError('only the alliance’s leading teacher schedules its sessions');
      if (existing && existing['state'] !== 'scheduled')
        throw new ConflictError('this session went live: it is no longer changed');
      if (new Date(String(next['scheduledEnd'])) <= new Date(String(next['scheduledStart'])))
        throw new ValidationError('a session ends after it starts', [
          { path: 'scheduledEnd', message: 'must be after scheduledStart' },
        ]);
      return { regionCode: alliance.regionCode };
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc) => Promise.resolve((doc['regionCode'] as string) ?? null),
  };
}
