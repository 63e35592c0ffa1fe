import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import type { ApiErrorBody, LessonSummary, LoginResponse, UserView } from '../contract/api.ts';
import { ERROR_CODES } from '../contract/errors.ts';
import type { ExportJobView } from '../contract/reports.ts';
import type { SolveJobView } from '../contract/timetable.ts';
import { ROLES } from '../models/User.ts';
import { SHEET_MEDIA_TYPES } from './download.ts';
import type { RouteEntry, RouteTable } from './RouteTable.ts';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: a background job was started',
  204: 'No content',
  400: 'Invalid input (field-level issues in error.issues)',
  401: 'Not signed in, or the session expired',
  403: 'The role may not do this',
  404: 'Not found (or outside the caller’s scope)',
  409: 'Conflicts with the current state or an existing record',
  413: 'Body too large',
  429: 'Too many attempts',
  500: 'A fault of the server, logged under error.requestId',
};

/** The body of every error answer (`ApiErrorBody`); a refused import adds its rows. */
const ErrorBody = z.looseObject({
  error: z.looseObject({
    name: z.string(),
    message: z.string(),
    text: z
      .object({ zh: z.string(), en: z.string() })
      .optional()
      .meta({ description: 'For people: the refusal in Chinese and English, when worded so' }),
    code: z.enum(ERROR_CODES).meta({ description: 'Stable reason, for clients to match (not the message)' }),
    requestId: z.string().optional().meta({ description: 'With a 500: the id the server logged it under' }),
    issues: z.array(z.looseObject({ path: z.string(), message: z.string() })).optional(),
  }),
}) satisfies z.ZodType<ApiErrorBody>;

/** A stored record as the API shows it (`plainView`): its fields, with `id`. */
const Stored = z.looseObject({ id: z.string() });
/** A page of records. */
const Page = z.looseObject({
  items: z.array(Stored),
  total: z.number().int().min(0).optional(),
  page: z.number().int().min(1).optional(),
  pageSize: z.number().int().min(1).optional(),
});
const Classroom = z.looseObject({
  id: z.string(),
  name: z.string(),
  schoolName: z.string(),
  downlinkMbps: z.number(),
  classSize: z.number(),
});
const Lesson = z.looseObject({
  id: z.string(),
  title: z.string(),
  subject: z.string(),
  grade: z.number(),
  clusterName: z.string(),
  teacherId: z.string(),
  teacherName: z.string(),
  hubClassroom: Classroom,
  classrooms: z.array(Classroom),
  scheduledStart: z.string(),
  scheduledEnd: z.string(),
  state: z.enum(['scheduled', 'live', 'ended']),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type _LessonCheck = z.infer<typeof Lesson> extends LessonSummary ? true : never;
const User = z.looseObject({
  id: z.string(),
  username: z.string(),
  realName: z.string(),
  role: z.enum(ROLES),
  schoolId: z.string().nullable(),
  classroomId: z.string().nullable(),
});
export type _UserCheck = z.infer<typeof User> extends UserView ? true : never;
const Session = z.looseObject({
  token: z.string(),
  expiresIn: z.number(),
  refreshToken: z.string(),
  user: User,
});
export type _SessionCheck = z.infer<typeof Session> extends LoginResponse ? true : never;
const Job = z.looseObject({
  id: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  fraction: z.number().min(0).max(1),
  error: z.string().nullable(),
});
export type _JobCheck = z.infer<typeof Job> extends ExportJobView ? true : never;
const SolveJob = Job.extend({ score: z.number().nullable(), placed: z.number(), wanted: z.number() });
export type _SolveJobCheck = z.infer<typeof SolveJob> extends SolveJobView ? true : never;
/** A spreadsheet download (Excel, or CSV: the media type without its charset). */
const Sheet = { [SHEET_MEDIA_TYPES.xlsx]: null, 'text/csv': null } as const;
const json = (body: z.ZodType): Record<string, z.ZodType> => ({ 'application/json': body });

/**
 * Success bodies of the routes registered outside this folder's reach (by `method path`);
 * an entry's own `responses` wins. Resource routes (`/api/{name}`, `/api/{name}/:id`) get
 * `Page` and `Stored` by their shape.
 */
const SUCCESS: Record<string, Record<string, z.ZodType | null>> = {
  'get /api/health': json(z.looseObject({ ok: z.literal(true), workers: z.number().int() })),
  'get /api/openapi.json': json(z.looseObject({ openapi: z.string(), paths: z.looseObject({}) })),
  'get /api/docs': { 'text/html': null },
  'post /api/auth/login': json(Session),
  'post /api/auth/refresh': json(Session),
  'get /api/auth/me': json(User),
  'get /api/lessons/current': json(
    z.looseObject({ lesson: Lesson.nullable(), upcoming: z.array(Lesson), next: Lesson.nullable() }),
  ),
  'get /api/lessons/:id': json(Lesson),
  'get /api/lessons/:id/links': json(
    z.looseObject({ lessonId: z.string(), series: z.array(z.looseObject({})) }),
  ),
  'get /api/lessons/:id/rtp-capabilities': json(z.looseObject({ routerRtpCapabilities: z.looseObject({}) })),
  'post /api/lessons/:id/board/assets': json(
    z.looseObject({ assetId: z.string(), mediaType: z.string(), bytes: z.number().int() }),
  ),
  'get /api/lessons/:id/board/assets/:assetId': { 'image/jpeg': null, 'image/png': null, 'image/webp': null },
  'get /api/lessons/:id/board': json(z.looseObject({ ops: z.array(z.looseObject({})) })),
  'get /api/admin/sfu': json(
    z.looseObject({
      workers: z.array(z.looseObject({})),
      rooms: z.array(z.looseObject({})),
      totals: z.looseObject({}),
    }),
  ),
  'get /api/admin/audit': json(Page),
  'get /api/import/:kind/template': Sheet,
  'post /api/import/:kind': json(
    z.looseObject({ kind: z.string(), dryRun: z.boolean(), errors: z.array(z.looseObject({})) }),
  ),
  'get /api/export/:kind': Sheet,
  'get /api/reports/figures': json(z.looseObject({})),
  'post /api/reports/exports': json(Job),
  'get /api/report-exports/:id': json(Job),
  'get /api/report-exports/:id/file': Sheet,
  'get /api/timetables/:clusterId/:term': json(z.looseObject({})),
  'post /api/timetables/:clusterId/:term/solve': json(SolveJob),
  'post /api/timetables/:clusterId/:term/check': json(z.looseObject({})),
  'post /api/timetables/:clusterId/:term/edit': json(z.looseObject({})),
  'post /api/timetables/:clusterId/:term/lock': json(z.looseObject({})),
  'post /api/timetables/:clusterId/:term/publish': json(z.looseObject({ lessons: z.number().int().min(0) })),
  'get /api/timetables/:clusterId/:term/export': { [SHEET_MEDIA_TYPES.xlsx]: null },
  'get /api/timetables/:clusterId/:term/compat': json(z.looseObject({})),
  'post /api/timetables/:clusterId/:term/compat/accept': json(z.looseObject({})),
  'get /api/solve-jobs/:id': json(SolveJob),
  'post /api/calendar-feeds': json(Stored.extend({ url: z.string() })),
  'get /api/ical/:token': { 'text/calendar': null },
};

/**
 * Error statuses a route can answer beyond those its access kind implies (by `method
 * path`): public routes that check credentials, and reads that refuse a state.
 */
const MORE_ERRORS: Record<string, number[]> = {
  'post /api/auth/login': [401, 403],
  'post /api/auth/refresh': [401],
  'post /api/auth/password': [401, 403],
  'post /api/auth/enrol': [401],
  'get /api/ical/:token': [404],
  'get /api/lessons/:id/rtp-capabilities': [409],
};

const schema = (s: z.ZodType, io: 'input' | 'output' = 'input'): unknown => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

/** The success body of a route: its own, a known one, or a resource's by the route's shape. */
function successContent(entry: RouteEntry, ok: number): Record<string, z.ZodType | null> | undefined {
  const own = entry.responses?.[ok]?.content;
  if (own) return own;
  const known = SUCCESS[`${entry.method} ${entry.path}`];
  if (known) return known;
  if (ok === 204) return undefined;
  if (!/^\/api\/[a-z-]+(\/:id)?$/.test(entry.path)) return undefined;
  return json(entry.method === 'get' && !entry.path.endsWith('/:id') ? Page : Stored);
}

/** Every status a route may answer, from its access, its inputs and its method. */
function errorStatuses(entry: RouteEntry): number[] {
  const statuses = new Set<number>([400]);
  const { kind } = entry.access;
  if (kind === 'public') statuses.add(429);
  else {
    statuses.add(401);
    // Roles: a refused role; any account: a record it may see but not change, or a
    // password it must change first.
    statuses.add(403);
    statuses.add(404);
    if (kind === 'roles') statuses.add(409);
  }
  if (entry.body || entry.rawBody) statuses.add(413);
  if (entry.method !== 'get' && kind !== 'public') statuses.add(409);
  for (const status of MORE_ERRORS[`${entry.method} ${entry.path}`] ?? []) statuses.add(status);
  for (const status of Object.keys(entry.responses ?? {})) statuses.add(Number(status));
  return [...statuses].filter((s) => s >= 400).sort((a, b) => a - b);
}

function content(media: Record<string, z.ZodType | null>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(media).map(([type, body]) => [type, body ? { schema: schema(body, 'output') } : {}]),
  );
}

function operation(entry: RouteEntry): Record<string, unknown> {
  const parameters = [
    ...Object.entries(entry.params?.shape ?? {}).map(([name, s]) => ({
      name,
      in: 'path',
      required: true,
      schema: schema(s as z.ZodType),
    })),
    ...Object.entries(entry.query?.shape ?? {}).map(([name, s]) => ({
      name,
      in: 'query',
      required: !(s as z.ZodType).safeParse(undefined).success,
      schema: schema(s as z.ZodType),
    })),
  ];
  const ok = entry.status ?? 200;
  const access =
    entry.access.kind === 'roles'
      ? `Roles: ${entry.access.roles.join(', ')}${entry.access.scoped ? ' (within their scope)' : ''}.`
      : entry.access.kind === 'authenticated'
        ? 'Any signed-in account.'
        : 'Public.';
  const success = successContent(entry, ok);
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  return {
    summary: entry.summary,
    description: access,
    tags: [entry.tag],
    ...(entry.access.kind === 'public' ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(entry.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schema(entry.body) } } } }
      : {}),
    ...(entry.rawBody
      ? {
          requestBody: {
            required: true,
            content: { [entry.rawBody]: { schema: { type: 'string', format: 'binary' } } },
          },
        }
      : {}),
    responses: Object.fromEntries([
      [
        String(ok),
        {
          description: entry.responses?.[ok]?.description ?? STATUS_TEXT[ok] ?? String(ok),
          ...(success ? { content: content(success) } : {}),
        },
      ],
      ...errorStatuses(entry).map((status) => [
        String(status),
        {
          description: entry.responses?.[status]?.description ?? STATUS_TEXT[status] ?? String(status),
          content: entry.responses?.[status]?.content
            ? content(entry.responses[status].content)
            : errorContent,
        },
      ]),
    ]),
  };
}

/** The OpenAPI 3.1 document of every route in the table. */
export function openApiDocument(table: RouteTable): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const entry of table.entries) {
    const p = entry.path.replace(/:(\w+)/g, '{$1}');
    (paths[p] ??= {})[entry.method] = operation(entry);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '同步课堂 Synchronized Classroom API',
      version: '0.1.0',
      description:
        'Clusters, schools, accounts and live lessons. Sign in with POST /api/auth/login; send the token as a bearer token.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: schema(ErrorBody, 'output') },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

const DOCS_INIT = "window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger' });";
/** The page's one inline script, allowed by its hash (the site's policy allows no inline script). */
const DOCS_INIT_HASH = `'sha256-${crypto.createHash('sha256').update(DOCS_INIT).digest('base64')}'`;
const DOCS_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>同步课堂 API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>${DOCS_INIT}</script>
</body></html>`;

/** GET /api/openapi.json and a browsable page at /api/docs (served offline from swagger-ui-dist). */
export function openApiRoutes(table: RouteTable): Router {
  const router = Router();
  const assets = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  // Built on first use, when every route is in the table; the table does not change after.
  let built: Record<string, unknown> | undefined;
  const doc = (): Record<string, unknown> => (built ??= openApiDocument(table));
  table.add(
    router,
    '/api',
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This OpenAPI document',
      tag: 'Docs',
      access: { kind: 'public' },
    },
    (_req, res) => {
      res.json(doc());
    },
  );
  table.add(
    router,
    '/api',
    {
      method: 'get',
      path: '/docs',
      summary: 'Browsable API documentation',
      tag: 'Docs',
      access: { kind: 'public' },
    },
    (_req, res) => {
      const policy = res.getHeader('Content-Security-Policy');
      if (typeof policy === 'string')
        res.setHeader(
          'Content-Security-Policy',
          policy.replace("script-src 'self'", `script-src 'self' ${DOCS_INIT_HASH}`),
        );
      res.type('html').send(DOCS_PAGE);
    },
  );
  router.use('/docs/assets', express.static(assets, { index: false, maxAge: '1d' }));
  return router;
}
