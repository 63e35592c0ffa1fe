import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { Redis } from 'ioredis';
import { LocalPlacement, WorkerPool } from '../../sfu/index.ts';
import type { MediaNodeConfig } from '../config.ts';
import { answerError } from '../errors.ts';
import { metricsRoutes } from '../http/routes/metrics.ts';
import { logListenerErrors } from '../logger.ts';
import type { Logger } from '../logger.ts';
import { MediaNodeServer } from './MediaNodeServer.ts';
import { NodeLoad } from './NodeLoad.ts';
import { NodeReports } from './NodeReports.ts';

/** A running media node: its workers, RPC, metrics and load reports. */
export interface MediaNode {
  readonly nodeId: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts a media node (`npm run media-node`): mediasoup workers that host lesson rooms for the
 * server processes, an RPC endpoint for them (`/media-rpc`), `GET /metrics` and `GET /health`,
 * and a load report in Redis every `reportIntervalMs` (how servers find it and place lessons).
 */
export async function startMediaNode(config: MediaNodeConfig, logger: Logger): Promise<MediaNode> {
  const log = logger.child({ module: 'media-node', nodeId: config.nodeId });
  logListenerErrors(logger);
  const pool = await WorkerPool.create({ numWorkers: config.sfuWorkers });
  pool.on('workerdied', ({ pid, error }) =>
    log.error({ pid, err: error }, 'mediasoup worker died; replacing it'),
  );
  const placement = new LocalPlacement(pool, {
    listen: {
      ip: config.rtc.listenIp,
      portRange: { min: config.rtc.minPort, max: config.rtc.maxPort },
      ...(config.rtc.announcedAddress ? { announcedAddress: config.rtc.announcedAddress } : {}),
    },
    linkPolicy: config.rtc.linkPolicy,
  });
  const app = express();
  app.disable('x-powered-by');
  const server = http.createServer(app);
  const rpc = new MediaNodeServer(server, { placement, secret: config.secret, logger });
  const load = new NodeLoad(pool, () => rpc.rooms(), {
    nodeId: config.nodeId,
    url: config.url,
    region: config.region,
  });
  app.get('/health', (_req, res) => {
    res.json({ ok: true, nodeId: config.nodeId, workers: pool.pids.length, rooms: rpc.rooms().length });
  });
  app.use(metricsRoutes(load, config.metricsToken));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = answerError(error, log, { url: req.originalUrl });
    res.status(status).json(body);
  });

  const redis = new Redis(config.redisUrl, { connectionName: `media-node:${config.nodeId}` });
  redis.on('error', (error: Error) => log.warn({ err: error }, 'redis'));
  const reports = new NodeReports(redis, config.secret, logger);
  const ttlMs = config.reportIntervalMs * 3;
  // One sample at a time: on a busy worker a sample (its transports' stats) can outlast the
  // interval, and piling them up would only make the worker busier.
  let sampling = false;
  const report = async (): Promise<void> => {
    if (sampling) return;
    sampling = true;
    try {
      await reports.publish(await load.sample(), ttlMs);
    } catch (error) {
      log.warn({ err: error }, 'load report not written');
    } finally {
      sampling = false;
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await report();
  const timer = setInterval(() => void report(), config.reportIntervalMs);
  log.info({ url: config.url, port, workers: pool.pids.length, region: config.region }, 'media node running');

  return {
    nodeId: config.nodeId,
    port,
    async close() {
      clearInterval(timer);
      await reports.withdraw(config.nodeId).catch(() => undefined);
      await rpc.close();
      pool.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
