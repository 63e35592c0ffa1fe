import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import type mongoose from 'mongoose';
import { LocalPlacement, RoomRegistry, WorkerPool } from '../sfu/index.ts';
import type { MediaWorkers } from '../sfu/index.ts';
import { Authenticator } from './auth/Authenticator.ts';
import { LoginThrottle } from './auth/LoginThrottle.ts';
import { SessionService } from './auth/SessionService.ts';
import { TokenService } from './auth/tokens.ts';
import type { Config } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import { EmbeddedFerretDb, defaultFerretdbBin } from './db/EmbeddedFerretDb.ts';
import { createApp } from './http/app.ts';
import type { RouteTable } from './http/RouteTable.ts';
import { AttendanceRecorder } from './attendance/AttendanceRecorder.ts';
import { BoardService } from './board/BoardService.ts';
import { Interactions } from './lessons/Interactions.ts';
import { LocalLessonLeases } from './scale/LessonLeases.ts';
import { Metrics } from './metrics/Metrics.ts';
import { LessonService } from './lessons/LessonService.ts';
import { CompatService } from './timetable/CompatService.ts';
import { CoPlanJobs } from './timetable/CoPlanJobs.ts';
import { CoPlanService } from './timetable/CoPlanService.ts';
import { LocalTimetableService } from './timetable/LocalTimetableService.ts';
import { SolveJobs } from './timetable/SolveJobs.ts';
import { startJobs } from './jobs/index.ts';
import type { JobBackend } from './jobs/index.ts';
import { TimetableService } from './timetable/TimetableService.ts';
import { logListenerErrors } from './logger.ts';
import type { Logger } from './logger.ts';
import { createModels, syncIndexes } from './models/index.ts';
import type { Models } from './models/index.ts';
import { AuditLog } from './resources/AuditLog.ts';
import { ensureLessonNow, seedDemo } from './seed/demo.ts';
import { ensureFirstAdmin } from './auth/accounts.ts';
import { ExportJobs } from './reports/ExportJobs.ts';
import { ReportService } from './reports/ReportService.ts';
import { Signaling } from './signaling/Signaling.ts';
import { ResearchMedia } from './research/ResearchMedia.ts';
import { ResearchService } from './research/ResearchService.ts';
import { InspectionService } from './inspection/InspectionService.ts';
import { Watch } from './inspection/Watch.ts';
import { SharedRedis } from './scale/redis.ts';
import { NodePlacement } from './media/NodePlacement.ts';
import { lessonRegion } from './media/lessonRegion.ts';
import { Library } from './recording/Library.ts';
import { RecordingService } from './recording/RecordingService.ts';
import { RecordingStorage } from './recording/storage.ts';

export interface PlatformOptions {
  config: Config;
  logger: Logger;
  /** Folder of the built browser app. @default client/dist next to server/ */
  clientDir?: string;
  /** Clock for lesson logic, ms since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * The whole server, composed: database (embedded FerretDB or MONGODB_URI), models,
 * mediasoup worker pool, HTTP API, signaling. Tests start it on port 0.
 */
export class Platform {
  readonly models: Models;
  /** The workers lessons' media runs on: this process's, or the media nodes' as they report. */
  readonly pool: MediaWorkers;
  readonly rooms: RoomRegistry;
  readonly lessons: LessonService;
  readonly boards: BoardService;
  readonly timetables: TimetableService;
  /** Every HTTP route (for documentation and the authorization matrix). */
  readonly routes: RouteTable;
  readonly app: Express;
  /** The admin account this start created, with its one-time password (no demo data, no admin yet). */
  readonly firstAdmin: { username: string; password: string } | null;
  readonly #server: http.Server;
  readonly #signaling: Signaling;
  readonly #jobs: JobBackend;
  readonly #attendance: AttendanceRecorder;
  readonly #reports: ReportService;
  readonly #connection: mongoose.Connection;
  readonly #ferret: EmbeddedFerretDb | undefined;
  readonly #logger: Logger;
  readonly #closeMedia: () => void;
  readonly #redis: SharedRedis | undefined;
  /** Records live lessons and composes their MP4s (`server/recording`). */
  readonly recordings: RecordingService;
  #closed = false;

  private constructor(parts: {
    models: Models;
    pool: MediaWorkers;
    /** Stops what hosts the media here (the workers, or the links to the media nodes). */
    closeMedia: () => void;
    rooms: RoomRegistry;
    lessons: LessonService;
    boards: BoardService;
    timetables: TimetableService;
    jobs: JobBackend;
    attendance: AttendanceRecorder;
    reports: ReportService;
    routes: RouteTable;
    app: Express;
    server: http.Server;
    signaling: Signaling;
    connection: mongoose.Connection;
    ferret: EmbeddedFerretDb | undefined;
    logger: Logger;
    firstAdmin: { username: string; password: string } | null;
    redis: SharedRedis | undefined;
    recordings: RecordingService;
  }) {
    this.#redis = parts.redis;
    this.recordings = parts.recordings;
    this.firstAdmin = parts.firstAdmin;
    this.models = parts.models;
    this.pool = parts.pool;
    this.#closeMedia = parts.closeMedia;
    this.rooms = parts.rooms;
    this.lessons = parts.lessons;
    this.boards = parts.boards;
    this.timetables = parts.timetables;
    this.#jobs = parts.jobs;
    this.#attendance = parts.attendance;
    this.#reports = parts.reports;
    this.routes = parts.routes;
    this.app = parts.app;
    this.#server = parts.server;
    this.#signaling = parts.signaling;
    this.#connection = parts.connection;
    this.#ferret = parts.ferret;
    this.#logger = parts.logger;
  }

  static async start(options: PlatformOptions): Promise<Platform> {
    const { config, logger } = options;
    logListenerErrors(logger);
    let ferret: EmbeddedFerretDb | undefined;
    let pool: WorkerPool | undefined;
    let placements: NodePlacement | undefined;
    let connection: mongoose.Connection | undefined;
    let redis: SharedRedis | undefined;
    let jobs: JobBackend | undefined;
    try {
      if (config.redisUrl) redis = await SharedRedis.connect(config.redisUrl, logger);
      let uri = config.mongodbUri;
      if (!uri) {
        ferret = await EmbeddedFerretDb.start({
          bin: config.ferretdbBin ?? defaultFerretdbBin(),
          dataDir: config.dataDir,
          logger: logger.child({ module: 'ferretdb' }),
        });
        uri = ferret.uri;
      }
      connection = await connectDatabase(uri, logger, { embedded: ferret !== undefined });
      const models = createModels(connection);
      await syncIndexes(models);
      const firstAdmin = config.demoData ? null : await ensureFirstAdmin(models);
      if (config.demoData)
        await seedDemo(models, logger.child({ module: 'seed' }), {
          now: new Date((options.now ?? Date.now)()),
          lessonMinutes: config.demoLessonMinutes,
          rules: config.delivery,
          history: config.demoHistory,
        });

      let workers: MediaWorkers;
      let rooms: RoomRegistry;
      if (config.mediaNodes && redis) {
        // Lessons' media on media nodes (npm run media-node), placed by their reports in Redis.
        const placement = new NodePlacement({
          reports: redis.mediaNodeReports(config.mediaNodes.secret, logger),
          secret: config.mediaNodes.secret,
          processName: redis.processName,
          logger,
          regionOf: (lessonId) => lessonRegion(models, lessonId),
        });
        placements = placement;
        workers = placement;
        rooms = new RoomRegistry(placement, { classroomsPerRoom: config.classroomsPerRouter });
      } else {
        pool = await WorkerPool.create({ numWorkers: config.sfuWorkers });
        const sfuLog = logger.child({ module: 'sfu' });
        pool.on('workerdied', ({ pid, error }) =>
          sfuLog.error({ pid, err: error }, 'mediasoup worker died; replacing it'),
        );
        pool.on('workerreplaced', ({ deadPid, pid }) =>
          sfuLog.info({ deadPid, pid }, 'mediasoup worker replaced'),
        );
        workers = pool;
        rooms = new RoomRegistry(
          new LocalPlacement(pool, {
            listen: {
              ip: config.rtc.listenIp,
              portRange: { min: config.rtc.minPort, max: config.rtc.maxPort },
              ...(config.rtc.announcedAddress ? { announcedAddress: config.rtc.announcedAddress } : {}),
            },
            linkPolicy: config.rtc.linkPolicy,
          }),
          { classroomsPerRoom: config.classroomsPerRouter },
        );
      }
      const now = options.now ?? Date.now;
      const tokens = new TokenService(config.jwtSecret, config.accessTokenTtlSeconds);
      const auth = new Authenticator(
        tokens,
        new SessionService(models, tokens, {
          refreshTtlSeconds: config.refreshTokenTtlSeconds,
          deviceTtlSeconds: config.deviceTokenTtlSeconds,
          now,
        }),
        { now },
      );
      const audit = new AuditLog(models, logger, now);
      const compat = new CompatService(models, audit);
      const lessons = new LessonService(models, now);
      const boards = new BoardService(models, logger, now);
      const reports = new ReportService(models, {
        rules: config.delivery,
        now,
        logger: logger.child({ module: 'reports' }),
      });
      // Jobs on BullMQ when processes share a Redis, else in this process.
      jobs = await startJobs(config.redisUrl, logger);
      const exportJobs = new ExportJobs(jobs, models, reports);
      // Before signaling, so that its statechange listener sees the room's peers before it closes.
      const attendance = new AttendanceRecorder({
        models,
        rooms,
        lessons,
        logger,
        now,
        onEnded: async (lessonId) => {
          await reports.judgeEnded(lessonId);
          if (config.demoData) {
            const planned = await ensureLessonNow(
              models,
              logger.child({ module: 'seed' }),
              new Date(now()),
              config.demoLessonMinutes,
            );
            if (planned) lessons.planChanged(planned);
          }
        },
      });
      const leases = redis ? redis.lessonLeases(logger) : new LocalLessonLeases();
      // Lessons another process hosts now are not this restart's to close.
      await attendance.reconcile(undefined, async (lessonId) => (await leases.holderOf(lessonId)) !== null);
      // Taken over from a process that stopped: its participants' stretches end where it did.
      leases.on('taken', (lessonId, fence, previousSeenAt) => {
        if (fence > 1)
          attendance
            .takeOver(lessonId, now(), previousSeenAt)
            .catch((error: unknown) => logger.warn({ err: error, lessonId }, 'attendance not taken over'));
      });
      reports.prime().catch((error: unknown) => logger.warn({ err: error }, 'report rows not loaded ahead'));
      const solveJobs = new SolveJobs(jobs, models, logger, now);
      const timetables = new TimetableService(models, solveJobs, now, (audience) =>
        lessons.planChanged(audience),
      );
      const localTimetables = new LocalTimetableService(models, audit);
      const coplans = new CoPlanService(models, audit, new CoPlanJobs(jobs, models, logger), solveJobs, now);
      const db = connection;
      const shared = redis;
      const backend = jobs;
      const metrics = new Metrics({
        rooms: () => {
          const stats = rooms.stats();
          return { rooms: stats.length, peers: stats.reduce((n, s) => n + s.peers, 0) };
        },
        databaseLatency: async () => {
          const started = performance.now();
          await db.db!.admin().ping();
          return (performance.now() - started) / 1000;
        },
        ...(shared ? { redisLatency: () => shared.latency() } : {}),
        jobs: () =>
          Promise.all(
            [...backend.queues].map(async ([queue, q]) => {
              const { waiting, running, oldestWaitingMs } = await q.stats();
              return { queue, waiting, running, oldestWaitingSeconds: (oldestWaitingMs ?? 0) / 1000 };
            }),
          ),
      });
      leases.on('taken', () => metrics.hosting('taken'));
      leases.on('lost', () => metrics.hosting('lost'));
      const storage = new RecordingStorage(path.join(config.dataDir, 'recordings'));
      const library = new Library(models, storage, audit);
      const recordings = new RecordingService({
        models,
        rooms,
        lessons,
        boards,
        jobs,
        storage,
        logger,
        now,
        housekeeping: () => library.enforceRetention(now()),
        composeBound: config.recordingComposeBound,
      });
      await recordings.reconcile();
      const inspection = new InspectionService({ models, lessons, rooms, now });
      const research = new ResearchService(models, now);
      const clientDir = options.clientDir ?? path.resolve(import.meta.dirname, '..', 'client', 'dist');
      const { app, table } = createApp({
        models,
        auth,
        audit,
        lessons,
        boards,
        attendance,
        reports,
        exportJobs,
        timetables,
        compat,
        solveJobs,
        coplan: { locals: localTimetables, coplans },
        now,
        pool: workers,
        rooms,
        logger,
        clientDir,
        authOptions: {
          throttle: new LoginThrottle({
            perUsername: config.loginRateLimit,
            perAddress: config.loginAddressRateLimit,
            ...(redis
              ? { limiters: redis.loginLimiters(config.loginRateLimit, config.loginAddressRateLimit) }
              : {}),
          }),
        },
        allowedOrigins: config.allowedOrigins,
        trustProxy: config.trustProxy,
        metrics: { metrics, token: config.metricsToken },
        library: { library, recordings },
        inspection,
        research,
      });
      const server = http.createServer(app);
      // Idle keep-alive connections outlive the clients' and the load balancer's (HAProxy keeps
      // them 10 s): a server that closes first races a request sent on the closing connection,
      // which the client sees as ECONNRESET (Node's default is 5 s).
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      const signaling = new Signaling({
        httpServer: server,
        auth,
        lessons,
        rooms,
        boards,
        interactions: new Interactions(rooms, models, now),
        leases,
        metrics,
        logger,
        allowedOrigins: config.allowedOrigins,
        trustsProxy: app.get('trust proxy fn') as (address: string, hop: number) => boolean,
        idleReleaseMs: config.lessonIdleReleaseSeconds * 1000,
        watch: new Watch({ inspection, rooms, leases, boards, logger }),
        recordings,
        ...(redis ? { adapter: redis.adapter() } : {}),
      });
      // 网络教研 sessions' media (N+N), on the signaling server's engine (namespace /research).
      new ResearchMedia({
        io: signaling.io,
        auth,
        rooms,
        research,
        boards,
        endedWithoutRoom: (sessionId) => recordings.subjectEnded(sessionId),
        logger,
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const media = pool ?? placements;
      return new Platform({
        models,
        pool: workers,
        closeMedia: () => media?.close(),
        rooms,
        lessons,
        boards,
        attendance,
        reports,
        timetables,
        jobs,
        routes: table,
        app,
        server,
        signaling,
        connection,
        ferret,
        logger,
        firstAdmin,
        redis,
        recordings,
      });
    } catch (error) {
      await jobs?.close();
      await redis?.close();
      pool?.close();
      placements?.close();
      await connection?.close();
      await ferret?.stop();
      throw error;
    }
  }

  /** The port the HTTP server listens on (useful with port 0). */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops taking requests, closes every lesson's media, the workers and the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#signaling.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.recordings.close();
    this.rooms.closeAll('shutdown');
    this.#closeMedia();
    await this.#jobs.close();
    await this.#attendance.close();
    await this.#reports.close();
    await this.boards.drain();
    await this.#connection.close();
    await this.#redis?.close();
    await this.#ferret?.stop();
    this.#logger.info('platform stopped');
  }
}
