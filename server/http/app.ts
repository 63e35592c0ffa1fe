import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { Express } from 'express';
import type { RoomRegistry, WorkerPool } from '../../sfu/index.ts';
import type { TokenService } from '../auth/tokens.ts';
import { NotFoundError } from '../errors.ts';
import type { LessonService } from '../lessons/LessonService.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { errorHandler } from './middleware.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { lessonRoutes } from './routes/lessons.ts';

export interface AppDeps {
  models: Models;
  tokens: TokenService;
  lessons: LessonService;
  pool: WorkerPool;
  rooms: RoomRegistry;
  logger: Logger;
  /** Folder of the built browser app. */
  clientDir: string;
}

/** The express app: JSON API under /api, the built browser app everywhere else. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(express.json({ limit: '256kb' }));

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, workers: deps.pool.pids.length });
  });
  app.use('/api/auth', authRoutes(deps.models, deps.tokens));
  app.use('/api/lessons', lessonRoutes(deps.lessons, deps.rooms, deps.tokens));
  app.use('/api/admin', adminRoutes(deps.pool, deps.rooms, deps.tokens));
  app.use('/api', (req) => {
    throw new NotFoundError(`no API route ${req.method} ${req.path}`);
  });

  const index = path.join(deps.clientDir, 'index.html');
  app.use(express.static(deps.clientDir, { index: false, maxAge: '1h' }));
  app.get(/.*/, (_req, res) => {
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send('The browser app is not built: run "npm run build:client".');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  app.use(errorHandler(deps.logger.child({ module: 'http' })));
  return app;
}
