import { Router } from 'express';
import { z } from 'zod';
import type { MediaWorkers, RoomRegistry } from '../../../sfu/index.ts';
import type { Authenticator } from '../../auth/Authenticator.ts';
import { Scope } from '../../auth/Scope.ts';
import type { SfuStatsResponse } from '../../contract/api.ts';
import { ObjectIdSchema } from '../../contract/schemas.ts';
import type { Models } from '../../models/index.ts';
import { plainView } from '../../resources/Resource.ts';
import type { Doc } from '../../resources/Resource.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';

const AuditQuery = z.object({
  entity: z
    .string()
    .regex(/^[a-z-]{1,30}$/)
    .optional(),
  entityId: ObjectIdSchema.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/** Operations views: media servers, and the audit log. */
export function adminRoutes(
  models: Models,
  pool: MediaWorkers,
  rooms: RoomRegistry,
  auth: Authenticator,
  table: RouteTable,
): Router {
  const router = Router();
  const mount = '/api/admin';

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/sfu',
      summary: 'Media workers, live rooms and their transports',
      tag: 'Admin',
      access: { kind: 'roles', roles: ['admin', 'coordinator'], scoped: false },
    },
    authenticate(auth),
    allowRoles('admin', 'coordinator'),
    (_req, res) => {
      const workers = pool.stats();
      const roomStats = rooms.stats();
      const body: SfuStatsResponse = {
        workers,
        rooms: roomStats,
        totals: {
          routers: workers.reduce((n, w) => n + w.routers, 0),
          transports: workers.reduce((n, w) => n + w.transports, 0),
          producers: roomStats.reduce((n, r) => n + r.producers, 0),
          consumers: roomStats.reduce((n, r) => n + r.consumers, 0),
        },
      };
      res.json(body);
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/audit',
      summary: 'Audit log: who changed what and when (newest first)',
      tag: 'Admin',
      access: { kind: 'roles', roles: ['admin', 'bureau'], scoped: true },
      query: AuditQuery,
    },
    authenticate(auth),
    allowRoles('admin', 'bureau'),
    async (req, res) => {
      const { entity, entityId, page, pageSize } = parseInput(AuditQuery, req.query, 'query');
      const scope = await Scope.resolve(models, identityOf(res));
      const filter = {
        ...(entity ? { entity } : {}),
        ...(entityId ? { entityId } : {}),
        ...(scope.isAdmin ? {} : { regionCode: { $regex: `^${scope.regionPrefix ?? '-'}` } }),
      };
      const [items, total] = await Promise.all([
        models.AuditEntry.find(filter)
          .sort({ at: -1 })
          .skip((page - 1) * pageSize)
          .limit(pageSize)
          .lean<Doc[]>(),
        models.AuditEntry.countDocuments(filter),
      ]);
      res.json({ items: items.map((d) => plainView(d)), total, page, pageSize });
    },
  );

  return router;
}
