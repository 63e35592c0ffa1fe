import crypto from 'node:crypto';
import { Router } from 'express';
import type { Request } from 'express';
import { isLoopbackHost } from '../../config.ts';
import { ForbiddenError, UnauthorizedError } from '../../errors.ts';
import type { Metrics } from '../../metrics/Metrics.ts';

/**
 * Whether `req` may read the metrics: with a token configured, only with it (Bearer); without
 * one, only a client on this machine that came straight in (a request through a load balancer
 * on loopback carries X-Forwarded-For and is refused).
 * @throws UnauthorizedError, ForbiddenError
 */
function assertMayScrape(req: Request, token: string | undefined): void {
  if (token) {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = crypto.createHash('sha256').update(given).digest();
    const b = crypto.createHash('sha256').update(token).digest();
    if (!crypto.timingSafeEqual(a, b))
      throw new UnauthorizedError('metrics need the METRICS_TOKEN', 'INVALID_TOKEN');
    return;
  }
  if (!isLoopbackHost(req.socket.remoteAddress ?? '') || req.headers['x-forwarded-for'] !== undefined)
    throw new ForbiddenError('metrics are read from this machine, or with METRICS_TOKEN set');
}

/** GET /metrics: Prometheus' text format, for this process. */
export function metricsRoutes(metrics: Pick<Metrics, 'render'>, token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    assertMayScrape(req, token);
    const { contentType, body } = await metrics.render();
    res.setHeader('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  });
  return router;
}
