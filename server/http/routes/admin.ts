import { Router } from 'express';
import type { RoomRegistry, WorkerPool } from '../../../sfu/index.ts';
import type { TokenService } from '../../auth/tokens.ts';
import type { SfuStatsResponse } from '../../contract/api.ts';
import { allowRoles, authenticate } from '../middleware.ts';

/** Operations views for admins and coordinators. */
export function adminRoutes(pool: WorkerPool, rooms: RoomRegistry, tokens: TokenService): Router {
  const router = Router();
  router.use(authenticate(tokens), allowRoles('admin', 'coordinator'));

  router.get('/sfu', (_req, res) => {
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
  });

  return router;
}
