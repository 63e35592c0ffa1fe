import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import type { RouteEntry, RouteTable } from './RouteTable.ts';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'Invalid input (field-level issues in error.issues)',
  401: 'Not signed in, or the session expired',
  403: 'The role may not do this',
  404: 'Not found (or outside the caller’s scope)',
  409: 'Conflicts with the current state or an existing record',
  413: 'Body too large',
  429: 'Too many attempts',
};

const schema = (s: z.ZodType): unknown => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

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
  const errors =
    entry.access.kind === 'public'
      ? [400, 429]
      : entry.access.kind === 'authenticated'
        ? [400, 401, 404]
        : [400, 401, 403, 404, 409];
  const access =
    entry.access.kind === 'roles'
      ? `Roles: ${entry.access.roles.join(', ')}${entry.access.scoped ? ' (within their scope)' : ''}.`
      : entry.access.kind === 'authenticated'
        ? 'Any signed-in account.'
        : 'Public.';
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
    responses: Object.fromEntries(
      [ok, ...errors].map((status) => [
        String(status),
        { description: STATUS_TEXT[status] ?? String(status) },
      ]),
    ),
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
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

const DOCS_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>同步课堂 API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger' });</script>
</body></html>`;

/** GET /api/openapi.json and a browsable page at /api/docs (served offline from swagger-ui-dist). */
export function openApiRoutes(table: RouteTable): Router {
  const router = Router();
  const assets = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const doc = (): Record<string, unknown> => openApiDocument(table);
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
      res.type('html').send(DOCS_PAGE);
    },
  );
  router.use('/docs/assets', express.static(assets, { index: false, maxAge: '1d' }));
  return router;
}
