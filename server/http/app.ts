import express from 'express';
import type { Express } from 'express';
import type { MediaWorkers, RoomRegistry } from '../../sfu/index.ts';
import type { AttendanceRecorder } from '../attendance/AttendanceRecorder.ts';
import type { ExportJobs } from '../reports/ExportJobs.ts';
import type { ReportService } from '../reports/ReportService.ts';
import type { Authenticator } from '../auth/Authenticator.ts';
import { MethodNotAllowedError, NotFoundError } from '../errors.ts';
import type { BoardService } from '../board/BoardService.ts';
import type { LessonService } from '../lessons/LessonService.ts';
import type { CompatService } from '../timetable/CompatService.ts';
import type { CoPlanService } from '../timetable/CoPlanService.ts';
import type { LocalTimetableService } from '../timetable/LocalTimetableService.ts';
import type { SolveJobs } from '../timetable/SolveJobs.ts';
import type { TimetableService } from '../timetable/TimetableService.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import type { AuditLog } from '../resources/AuditLog.ts';
import { allResources } from '../resources/index.ts';
import { resourceRouter } from '../resources/Resource.ts';
import { clientApp } from './clientApp.ts';
import { errorHandler, requestId } from './middleware.ts';
import { openApiRoutes } from './openapi.ts';
import { RouteTable } from './RouteTable.ts';
import { adminRoutes } from './routes/admin.ts';
import { deviceRoutes } from './routes/devices.ts';
import { csrfGuard, securityHeaders } from './security.ts';
import { authRoutes } from './routes/auth.ts';
import { importRoutes } from './routes/imports.ts';
import type { AuthRouteOptions } from './routes/auth.ts';
import { boardRoutes } from './routes/board.ts';
import { lessonRoutes } from './routes/lessons.ts';
import { reportRoutes } from './routes/reports.ts';
import { timetableRoutes } from './routes/timetables.ts';
import { coPlanRoutes } from './routes/coplan.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { libraryRoutes } from './routes/library.ts';
import { evaluationRoutes } from './routes/evaluation.ts';
import { EvaluationService } from '../evaluation/EvaluationService.ts';
import type { ResearchService } from '../research/ResearchService.ts';
import type { Library } from '../recording/Library.ts';
import type { RecordingService } from '../recording/RecordingService.ts';
import type { Metrics } from '../metrics/Metrics.ts';
import type { InspectionService } from '../inspection/InspectionService.ts';
import { inspectionRoutes } from './routes/inspection.ts';

export interface AppDeps {
  models: Models;
  auth: Authenticator;
  audit: AuditLog;
  lessons: LessonService;
  boards: BoardService;
  attendance: AttendanceRecorder;
  reports: ReportService;
  exportJobs: ExportJobs;
  timetables: TimetableService;
  compat: CompatService;
  solveJobs: SolveJobs;
  /** Receiving schools' own timetables and co-plans. */
  coplan: { locals: LocalTimetableService; coplans: CoPlanService };
  now: () => number;
  pool: MediaWorkers;
  rooms: RoomRegistry;
  logger: Logger;
  /** Folder of the built browser app. */
  clientDir: string;
  authOptions: AuthRouteOptions;
  /** Origins besides the server's own that browsers may call from. @default none */
  allowedOrigins?: readonly string[];
  /** Proxies whose X-Forwarded-* headers are believed (express's `trust proxy`). @default loopback */
  trustProxy?: readonly string[];
  /** Prometheus metrics at GET /metrics, and the token that reads them (none: this machine only). */
  metrics?: { metrics: Metrics; token: string | undefined };
  /** Recording and the library (资源库). */
  library?: { library: Library; recordings: RecordingService };
  /** 巡课: the wall of live lessons, notes and the regions' notice rule. */
  inspection?: InspectionService;
  /** 网络教研 sessions (shared with their media, which closes a session's room when it ends). */
  research: ResearchService;
}

/** Methods the app answers at all; anything else (TRACE, CONNECT, …) is a 405. */
const KNOWN_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The express app: JSON API under /api (every route in `table`), the browser app elsewhere. */
export function createApp(deps: AppDeps): { app: Express; table: RouteTable } {
  const app = express();
  const table = new RouteTable();
  app.disable('x-powered-by');
  app.use(requestId());
  app.set('trust proxy', deps.trustProxy ?? ['loopback']);
  app.set('query parser', 'simple');
  app.use((req, _res, next) => {
    if (!KNOWN_METHODS.includes(req.method)) throw new MethodNotAllowedError(req.method, KNOWN_METHODS);
    next();
  });
  app.use(securityHeaders());
  if (deps.metrics) app.use(metricsRoutes(deps.metrics.metrics, deps.metrics.token));
  app.use('/api', csrfGuard(deps.allowedOrigins ?? []));
  app.use('/api', express.json({ limit: '256kb' }));

  const health = express.Router();
  table.add(
    health,
    '/api',
    { method: 'get', path: '/health', summary: 'Liveness', tag: 'Docs', access: { kind: 'public' } },
    (_req, res) => {
      res.json({ ok: true, workers: deps.pool.pids.length });
    },
  );
  app.use('/api', health);
  app.use('/api/auth', authRoutes(deps.models, deps.auth, deps.audit, table, deps.authOptions));
  app.use('/api/lessons', lessonRoutes(deps.lessons, deps.rooms, deps.attendance, deps.auth, table));
  app.use(
    '/api/lessons',
    boardRoutes(deps.models, deps.lessons, deps.research, deps.boards, deps.auth, table),
  );
  app.use('/api/admin', adminRoutes(deps.models, deps.pool, deps.rooms, deps.auth, table));
  app.use('/api/users', deviceRoutes(deps.models, deps.auth, deps.audit, table, deps.now));
  app.use(importRoutes(deps.models, deps.auth, deps.audit, table));
  app.use(reportRoutes(deps.models, deps.reports, deps.exportJobs, deps.auth, table));
  app.use(
    timetableRoutes(
      deps.models,
      deps.timetables,
      deps.compat,
      deps.solveJobs,
      deps.auth,
      deps.audit,
      table,
      deps.now,
    ),
  );
  app.use(coPlanRoutes(deps.models, deps.coplan.locals, deps.coplan.coplans, deps.auth, table));
  if (deps.inspection) app.use(inspectionRoutes(deps.inspection, deps.auth, table));
  app.use(evaluationRoutes(new EvaluationService(deps.models, deps.now), deps.research, deps.auth, table));
  for (const spec of allResources(deps.models)) {
    app.use(
      `/api/${spec.name}`,
      resourceRouter(spec, { models: deps.models, auth: deps.auth, audit: deps.audit, table }),
    );
  }
  if (deps.library)
    app.use(libraryRoutes(deps.library.library, deps.library.recordings, deps.lessons, deps.auth, table));
  app.use('/api', openApiRoutes(table));
  app.use('/api', (req) => {
    const allow = table.methodsAt(req.originalUrl.split('?')[0] ?? '');
    if (allow.length && !allow.includes(req.method)) throw new MethodNotAllowedError(req.method, allow);
    throw new NotFoundError(`no API route ${req.method} ${req.path}`);
  });

  app.use(clientApp(deps.clientDir));
  app.use(errorHandler(deps.logger.child({ module: 'http' })));
  return { app, table };
}
