import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseInput } from './validate.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);

/** A comma-separated list's items, trimmed, empty ones dropped. */
const commaList = (v: string): string[] =>
  v
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** A share, 0–1 (e.g. 0.8). */
const share = z.coerce.number().gt(0).max(1);

const mediaNodeSecret = z.string().min(32, 'use at least 32 characters');
const redisUrl = z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://');
const metricsToken = z.string().min(16, 'use at least 16 characters');
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Where mediasoup's workers and transports run: a server process with its own, or a media node. */
const mediaFields = {
  RTC_LISTEN_IP: z.string().min(1).default('127.0.0.1'),
  RTC_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  RTC_MIN_PORT: port.default(40000),
  RTC_MAX_PORT: port.default(49999),
  /**
   * How classrooms' camera layers follow their links (sfu/downlink.ts). `adaptive` uses a
   * 1 Mbit/s link better in bench:links, but is not the default yet: with it the shaped-link
   * e2e's healthy classroom did not get its top layer back within 150 s (a move down blocks
   * the layers above it for 60–240 s).
   */
  RTC_LINK_POLICY: z.enum(['adaptive', 'previous']).default('previous'),
  SFU_WORKERS: z.coerce.number().int().min(1).max(256).default(Math.max(1, os.availableParallelism())),
};
const rtcPortsInOrder: [
  (e: { RTC_MIN_PORT: number; RTC_MAX_PORT: number }) => boolean,
  { message: string; path: string[] },
] = [
  (e) => e.RTC_MIN_PORT <= e.RTC_MAX_PORT,
  { message: 'RTC_MIN_PORT must not exceed RTC_MAX_PORT', path: ['RTC_MIN_PORT'] },
];

const EnvSchema = z
  .object({
    PORT: port.default(3000),
    /** Unset: loopback with demo data (its passwords are published), every interface without. */
    HOST: z.string().min(1).optional(),
    NODE_ENV: z.string().optional(),
    /** Origins (scheme://host[:port]) besides the server's own that browsers may call from. */
    ALLOWED_ORIGINS: z
      .string()
      .transform(commaList)
      .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)))
      .optional(),
    DATA_DIR: z.string().min(1).default('data'),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    FERRETDB_BIN: z.string().min(1).optional(),
    REDIS_URL: redisUrl.optional(),
    JWT_SECRET: z.string().min(32, 'use at least 32 characters').optional(),
    METRICS_TOKEN: metricsToken.optional(),
    /**
     * Load balancers whose X-Forwarded-For/-Host/-Proto are believed: addresses, CIDR
     * ranges, or loopback / linklocal / uniquelocal, comma-separated.
     */
    TRUST_PROXY: z
      .string()
      .transform(commaList)
      .pipe(
        z
          .array(
            z.string().refine(isProxyAddress, {
              error: (issue) =>
                `"${String(issue.input)}" is not an address, a CIDR range, loopback, linklocal or uniquelocal`,
            }),
          )
          .min(1),
      )
      .default(['loopback']),
    /** How long a lesson that is not live stays hosted by a process after its last board there closed. */
    LESSON_IDLE_RELEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(30)
      .max(24 * 3600)
      .default(15 * 60),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(365 * 24 * 3600)
      .default(30 * 24 * 3600),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
    LOGIN_ADDRESS_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(30),
    DEVICE_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(3600)
      .max(2 * 365 * 24 * 3600)
      .default(180 * 24 * 3600),
    ...mediaFields,
    /** Lessons' media on media nodes (`npm run media-node`) found through Redis, not on this process's workers. */
    MEDIA_NODES: bool.default(false),
    /** A lesson with more classrooms is a broadcast spread over several routers (piped together). */
    CLASSROOMS_PER_ROUTER: z.coerce.number().int().min(1).max(1000).default(50),
    /** Signs the RPC between server processes and media nodes, and the nodes' load reports. */
    MEDIA_NODE_SECRET: mediaNodeSecret.optional(),
    DEMO_DATA: bool.default(true),
    /** With the demo: its term so far (past lessons, attendance, link samples); false seeds only the rest. */
    DEMO_HISTORY: bool.default(true),
    DEMO_LESSON_MINUTES: z.coerce.number().min(0.25).max(180).default(40),
    /** A composition may run this long plus RECORDING_COMPOSE_PER_LESSON × its lesson's length. */
    RECORDING_COMPOSE_MIN_SECONDS: z.coerce.number().min(0.1).max(86_400).default(120),
    RECORDING_COMPOSE_PER_LESSON: z.coerce.number().min(0).max(100).default(2),
    DELIVERY_MIN_LIVE_SHARE: share.default(0.8),
    DELIVERY_MIN_CONNECTED_SHARE: share.default(0.8),
    DELIVERY_LATE_AFTER_MINUTES: z.coerce.number().min(0).max(60).default(5),
    DELIVERY_MISSED_GRACE_MINUTES: z.coerce
      .number()
      .min(0)
      .max(24 * 60)
      .default(15),
    LOG_LEVEL: logLevel,
  })
  .refine(...rtcPortsInOrder)
  .refine((e) => !e.MEDIA_NODES || (e.REDIS_URL && e.MEDIA_NODE_SECRET), {
    message:
      'MEDIA_NODES=true needs REDIS_URL (where nodes report) and MEDIA_NODE_SECRET (shared with the nodes)',
    path: ['MEDIA_NODES'],
  })
  .refine((e) => !(e.NODE_ENV === 'production' && e.DEMO_DATA && !isLoopbackHost(e.HOST ?? '0.0.0.0')), {
    message:
      'a production start (NODE_ENV=production) refuses demo data on a non-loopback HOST: ' +
      'the demo passwords are published; set DEMO_DATA=false and create accounts with "npm run admin"',
    path: ['DEMO_DATA'],
  });

function isProxyAddress(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address = '', bits, ...rest] = value.split('/');
  const family = net.isIP(address);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/** Whether a listen address or host name reaches this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The server's configuration, read once from the environment at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** External MongoDB; when absent the embedded FerretDB under dataDir is used. */
  mongodbUri: string | undefined;
  ferretdbBin: string | undefined;
  /** Redis shared by several server processes (socket.io adapter, login limits); none: one process. */
  redisUrl: string | undefined;
  jwtSecret: string;
  /** Bearer token for GET /metrics; none: metrics only for clients on this machine. */
  metricsToken: string | undefined;
  /** Proxies whose X-Forwarded-* headers are believed (express's `trust proxy` list). */
  trustProxy: string[];
  /** Seconds a lesson that is not live stays hosted after its last board here closed. */
  lessonIdleReleaseSeconds: number;
  /** Access token lifetime (short: logout and role changes take effect quickly). */
  accessTokenTtlSeconds: number;
  /** Refresh token lifetime (classroom devices stay signed in for weeks). */
  refreshTokenTtlSeconds: number;
  /** Failed logins per username (from any address) per 15 minutes. */
  loginRateLimit: number;
  /** Failed logins per client address (for any username) per 15 minutes. */
  loginAddressRateLimit: number;
  /** Lifetime of an enrolled classroom device's credential (renewed as it is used). */
  deviceTokenTtlSeconds: number;
  /** Origins browsers may call the API and socket.io from, besides the server's own. */
  allowedOrigins: string[];
  rtc: RtcConfig;
  sfuWorkers: number;
  /** Media nodes (through Redis) host lessons' media; absent: this process's own workers. */
  mediaNodes: { secret: string } | undefined;
  /** Classrooms one router carries; a lesson with more is a broadcast over several. */
  classroomsPerRouter: number;
  demoData: boolean;
  /** The demo comes with its term so far (past lessons with their records). */
  demoHistory: boolean;
  /** Length of the demo lesson kept ready to teach, minutes. */
  demoLessonMinutes: number;
  /** How long a recording's composition may run before it is stopped as failed. */
  recordingComposeBound: { floorMs: number; perLesson: number };
  /** When a session counts as delivered and how attendance is called. */
  delivery: {
    minLiveShare: number;
    minConnectedShare: number;
    lateAfterMinutes: number;
    missedGraceMinutes: number;
  };
  logLevel: string;
}

/**
 * Reads and validates the environment. A missing JWT_SECRET is generated once and kept in
 * DATA_DIR, so sessions survive a restart.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseInput(EnvSchema, stripEmpty(env), 'environment');
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST ?? (e.DEMO_DATA ? '127.0.0.1' : '0.0.0.0'),
    dataDir,
    mongodbUri: e.MONGODB_URI,
    ferretdbBin: e.FERRETDB_BIN,
    redisUrl: e.REDIS_URL,
    jwtSecret: e.JWT_SECRET ?? persistentSecret(dataDir),
    metricsToken: e.METRICS_TOKEN,
    trustProxy: e.TRUST_PROXY,
    lessonIdleReleaseSeconds: e.LESSON_IDLE_RELEASE_SECONDS,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    loginAddressRateLimit: e.LOGIN_ADDRESS_RATE_LIMIT,
    deviceTokenTtlSeconds: e.DEVICE_TOKEN_TTL_SECONDS,
    allowedOrigins: e.ALLOWED_ORIGINS ?? [],
    rtc: rtcConfig(e),
    sfuWorkers: e.SFU_WORKERS,
    mediaNodes: e.MEDIA_NODES && e.MEDIA_NODE_SECRET ? { secret: e.MEDIA_NODE_SECRET } : undefined,
    classroomsPerRouter: e.CLASSROOMS_PER_ROUTER,
    demoData: e.DEMO_DATA,
    demoHistory: e.DEMO_HISTORY,
    demoLessonMinutes: e.DEMO_LESSON_MINUTES,
    recordingComposeBound: {
      floorMs: e.RECORDING_COMPOSE_MIN_SECONDS * 1000,
      perLesson: e.RECORDING_COMPOSE_PER_LESSON,
    },
    delivery: {
      minLiveShare: e.DELIVERY_MIN_LIVE_SHARE,
      minConnectedShare: e.DELIVERY_MIN_CONNECTED_SHARE,
      lateAfterMinutes: e.DELIVERY_LATE_AFTER_MINUTES,
      missedGraceMinutes: e.DELIVERY_MISSED_GRACE_MINUTES,
    },
    logLevel: e.LOG_LEVEL,
  };
}

/** Where WebRTC transports listen (a server process with its own workers, or a media node). */
export interface RtcConfig {
  listenIp: string;
  announcedAddress: string | undefined;
  minPort: number;
  maxPort: number;
  /** How classrooms' teacher camera layers follow their links (sfu/downlink.ts). */
  linkPolicy: 'adaptive' | 'previous';
}

function rtcConfig(e: {
  RTC_LISTEN_IP: string;
  RTC_ANNOUNCED_ADDRESS?: string | undefined;
  RTC_MIN_PORT: number;
  RTC_MAX_PORT: number;
  RTC_LINK_POLICY: 'adaptive' | 'previous';
}): RtcConfig {
  return {
    listenIp: e.RTC_LISTEN_IP,
    announcedAddress: e.RTC_ANNOUNCED_ADDRESS,
    minPort: e.RTC_MIN_PORT,
    maxPort: e.RTC_MAX_PORT,
    linkPolicy: e.RTC_LINK_POLICY,
  };
}

/** A media node's settings (`npm run media-node`). */
export interface MediaNodeConfig {
  nodeId: string;
  /** Where its RPC and /metrics listen. */
  host: string;
  port: number;
  /** How server processes reach it. */
  url: string;
  region: string | null;
  redisUrl: string;
  secret: string;
  metricsToken: string | undefined;
  rtc: RtcConfig;
  sfuWorkers: number;
  /** How often it reports its load, ms. */
  reportIntervalMs: number;
  logLevel: string;
}

const MediaNodeEnvSchema = z
  .object({
    MEDIA_NODE_ID: z
      .string()
      .regex(/^[\w.:-]{1,100}$/, 'letters, digits, . _ : - (at most 100)')
      .optional(),
    MEDIA_NODE_HOST: z.string().min(1).default('127.0.0.1'),
    MEDIA_NODE_PORT: port.default(4400),
    MEDIA_NODE_URL: z.url({ protocol: /^https?$/ }).optional(),
    MEDIA_NODE_REGION: z.string().min(1).max(100).optional(),
    MEDIA_NODE_REPORT_MS: z.coerce.number().int().min(200).max(60_000).default(2000),
    REDIS_URL: redisUrl,
    MEDIA_NODE_SECRET: mediaNodeSecret,
    METRICS_TOKEN: metricsToken.optional(),
    ...mediaFields,
    LOG_LEVEL: logLevel,
  })
  .refine(...rtcPortsInOrder);

/** Reads and validates a media node's environment. */
export function loadMediaNodeConfig(env: NodeJS.ProcessEnv = process.env): MediaNodeConfig {
  const e = parseInput(MediaNodeEnvSchema, stripEmpty(env), 'environment');
  const host = e.MEDIA_NODE_HOST;
  const reachable = host === '0.0.0.0' || host === '::' ? os.hostname() : host;
  return {
    nodeId: e.MEDIA_NODE_ID ?? `${os.hostname()}:${e.MEDIA_NODE_PORT}`,
    host,
    port: e.MEDIA_NODE_PORT,
    url:
      e.MEDIA_NODE_URL ??
      `http://${net.isIPv6(reachable) ? `[${reachable}]` : reachable}:${e.MEDIA_NODE_PORT}`,
    region: e.MEDIA_NODE_REGION ?? null,
    redisUrl: e.REDIS_URL,
    secret: e.MEDIA_NODE_SECRET,
    metricsToken: e.METRICS_TOKEN,
    rtc: rtcConfig(e),
    sfuWorkers: e.SFU_WORKERS,
    reportIntervalMs: e.MEDIA_NODE_REPORT_MS,
    logLevel: e.LOG_LEVEL,
  };
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => !!kv[1]));
}

function persistentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: generate below
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
