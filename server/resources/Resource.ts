import { Router } from 'express';
import type { RequestHandler } from 'express';
import mongoose from 'mongoose';
import type { Model } from 'mongoose';
import { z } from 'zod';
import { Scope } from '../auth/Scope.ts';
import type { Authenticator } from '../auth/Authenticator.ts';
import type { SessionService } from '../auth/SessionService.ts';
import type { Role } from '../contract/api.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { RouteTable } from '../http/RouteTable.ts';
import { allowRoles, authenticate, identityOf } from '../http/middleware.ts';
import type { Models } from '../models/index.ts';
import { parseInput } from '../validate.ts';
import type { AuditLog } from './AuditLog.ts';

/** A stored document as the generic code sees it. */
export type Doc = Record<string, unknown> & { _id: mongoose.Types.ObjectId };

export const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hex id');
export const IdParams = z.object({ id: objectId });
/** A name or label: trimmed, 1–`max` characters, not only spaces (the pattern tells API clients so). */
export const nonBlank = (max: number) => z.string().trim().min(1).max(max).regex(/\S/, 'must not be blank');
/** Periods taken by a local timetable (a class's, a teacher's or a recording room's). */
export const busyPeriods = z
  .array(z.object({ weekday: z.number().int().min(1).max(7), period: z.number().int().min(1).max(15) }))
  .max(105);
const Paging = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/** What one REST resource (schools, clusters, …) declares; the router does the rest. */
export interface ResourceSpec {
  /** URL segment and audit entity name, e.g. 'schools'. */
  name: string;
  /** OpenAPI tag and summaries. */
  title: string;
  model: Model<never>;
  create: z.ZodObject;
  update: z.ZodObject;
  /** Query filters besides paging. */
  filters: z.ZodObject;
  roles: { read: readonly Role[]; create: readonly Role[]; update: readonly Role[]; remove: readonly Role[] };
  /** Mongo filter of the records `scope` may see; null: all. */
  scopeFilter(scope: Scope, models: Models): Promise<Record<string, unknown> | null>;
  /** Mongo filter from parsed query filters. */
  toFilter(filters: Record<string, unknown>): Record<string, unknown>;
  /**
   * Checks that `next` (the record as it would be stored) may be written by `scope` and that
   * its references exist within scope; throws ForbiddenError or NotFoundError. May return
   * fields to set (for example a hashed password).
   */
  authorizeWrite(
    scope: Scope,
    models: Models,
    next: Record<string, unknown>,
    existing: Doc | null,
  ): Promise<Record<string, unknown> | void>;
  /** Input fields that are not stored (a cluster to join, an initial password). */
  transient?: readonly string[];
  /** Runs after a create (for example: add the new school to a cluster). */
  afterCreate?(scope: Scope, created: Doc, input: Record<string, unknown>): Promise<void>;
  /** Checks a delete beyond scope (for example: still referenced); throws ConflictError or ForbiddenError. */
  beforeDelete?(models: Models, existing: Doc, scope: Scope): Promise<void>;
  /**
   * Runs after a write was stored (`before` null: created; `after` null: deleted), for
   * consequences elsewhere: an account disabled, demoted or moved has its sessions ended.
   */
  afterWrite?(change: { before: Doc | null; after: Doc | null }, sessions: SessionService): Promise<void>;
  toView(doc: Doc): Record<string, unknown>;
  /** Region code of a record, for the audit log's region filter. */
  regionOf(doc: Doc, models: Models): Promise<string | null>;
}

export interface ResourceDeps {
  models: Models;
  auth: Authenticator;
  audit: AuditLog;
  table: RouteTable;
}

/** Turns ObjectIds into strings and `_id` into `id`; drops internals. */
export function plainView(doc: Doc, omit: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { id: doc._id.toString() };
  for (const [key, value] of Object.entries(doc)) {
    if (key === '_id' || key === '__v' || omit.includes(key)) continue;
    out[key] = toPlain(value);
  }
  return out;
}

function toPlain(value: unknown): unknown {
  if (value instanceof mongoose.Types.ObjectId) return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

/** `filter` AND this id; `$and` keeps a scope filter on `_id` from being overwritten. */
export function withId(filter: Record<string, unknown> | null, id: unknown): Record<string, unknown> {
  return filter ? { $and: [filter, { _id: id }] } : { _id: id };
}

function stripTransient(spec: ResourceSpec, input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input };
  for (const key of spec.transient ?? []) delete out[key];
  return out;
}

/**
 * A unique index refused the write: MongoDB says so with code 11000; FerretDB 1.x on SQLite
 * says so for an update with code 1 and SQLite's own message (found by the HTTP fuzzer).
 */
function isDuplicateKey(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === 11000 || (typeof message === 'string' && /UNIQUE constraint failed|duplicate key/i.test(message))
  );
}

/** A request handler that resolves the caller's scope first. */
function withScope(
  models: Models,
  fn: (scope: Scope, ...args: Parameters<RequestHandler>) => Promise<void>,
): RequestHandler {
  return async (req, res, next) => {
    await fn(await Scope.resolve(models, identityOf(res)), req, res, next);
  };
}

/** Mounts list/get/create/update/delete for a resource under /api/{name}. */
export function resourceRouter(spec: ResourceSpec, deps: ResourceDeps): Router {
  const { models, auth, audit, table } = deps;
  const router = Router();
  const mount = `/api/${spec.name}`;
  const model = spec.model as unknown as Model<Doc>;
  const access = (roles: readonly Role[]) => ({ kind: 'roles' as const, roles, scoped: true });
  const guard = (roles: readonly Role[]): RequestHandler[] => [authenticate(auth), allowRoles(...roles)];

  const findInScope = async (scope: Scope, id: string): Promise<Doc> => {
    const restrict = await spec.scopeFilter(scope, models);
    const doc = await model.findOne(withId(restrict, new mongoose.Types.ObjectId(id))).lean<Doc>();
    if (!doc) throw new NotFoundError(`${spec.name}/${id} not found`);
    return doc;
  };

  const query = spec.filters.extend(Paging.shape);
  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/',
      summary: `List ${spec.title}`,
      tag: spec.title,
      access: access(spec.roles.read),
      query,
    },
    ...guard(spec.roles.read),
    withScope(models, async (scope, req, res) => {
      const { page, pageSize, ...filters } = parseInput(query, req.query, 'query') as {
        page: number;
        pageSize: number;
      };
      const restrict = await spec.scopeFilter(scope, models);
      const filter = restrict ? { $and: [spec.toFilter(filters), restrict] } : spec.toFilter(filters);
      const [items, total] = await Promise.all([
        model
          .find(filter)
          .sort({ _id: 1 })
          .skip((page - 1) * pageSize)
          .limit(pageSize)
          .lean<Doc[]>(),
        model.countDocuments(filter),
      ]);
      res.json({ items: items.map((d) => spec.toView(d)), total, page, pageSize });
    }),
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/:id',
      summary: `Get one of ${spec.title}`,
      tag: spec.title,
      access: access(spec.roles.read),
      params: IdParams,
    },
    ...guard(spec.roles.read),
    withScope(models, async (scope, req, res) => {
      const { id } = parseInput(IdParams, req.params, 'id');
      res.json(spec.toView(await findInScope(scope, id)));
    }),
  );

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/',
      summary: `Create in ${spec.title}`,
      tag: spec.title,
      access: access(spec.roles.create),
      body: spec.create,
      status: 201,
    },
    ...guard(spec.roles.create),
    withScope(models, async (scope, req, res) => {
      const input: Record<string, unknown> = parseInput(spec.create, req.body, `${spec.name} body`);
      const extra = (await spec.authorizeWrite(scope, models, input, null)) ?? {};
      const fields = stripTransient(spec, { ...input, ...extra });
      let created: Doc;
      try {
        created = (await model.create(fields)).toObject();
      } catch (error) {
        if (isDuplicateKey(error))
          throw new ConflictError(`${spec.name}: a record with these unique fields exists`);
        throw error;
      }
      await spec.afterCreate?.(scope, created, input);
      await spec.afterWrite?.({ before: null, after: created }, auth.sessions);
      const view = spec.toView(created);
      await audit.record(
        identityOf(res),
        'create',
        spec.name,
        created._id.toString(),
        null,
        view,
        await spec.regionOf(created, models),
      );
      res.status(201).json(view);
    }),
  );

  table.add(
    router,
    mount,
    {
      method: 'patch',
      path: '/:id',
      summary: `Update one of ${spec.title}`,
      tag: spec.title,
      access: access(spec.roles.update),
      params: IdParams,
      body: spec.update,
    },
    ...guard(spec.roles.update),
    withScope(models, async (scope, req, res) => {
      const { id } = parseInput(IdParams, req.params, 'id');
      const parsed: Record<string, unknown> = parseInput(spec.update, req.body, `${spec.name} body`);
      // Only what the client sent: schema defaults must not reset fields it left alone.
      const sent = new Set(Object.keys(req.body as object));
      const changes = Object.fromEntries(Object.entries(parsed).filter(([key]) => sent.has(key)));
      const existing = await findInScope(scope, id);
      const merged = { ...existing, ...changes };
      const extra = (await spec.authorizeWrite(scope, models, merged, existing)) ?? {};
      const fields = stripTransient(spec, { ...changes, ...extra });
      let updated: Doc | null;
      try {
        updated = await model
          .findOneAndUpdate(
            { _id: existing._id },
            { $set: fields },
            { returnDocument: 'after', runValidators: true },
          )
          .lean<Doc>();
      } catch (error) {
        if (isDuplicateKey(error))
          throw new ConflictError(`${spec.name}: a record with these unique fields exists`);
        throw error;
      }
      if (!updated) throw new NotFoundError(`${spec.name}/${id} not found`);
      await spec.afterWrite?.({ before: existing, after: updated }, auth.sessions);
      const view = spec.toView(updated);
      await audit.record(
        identityOf(res),
        'update',
        spec.name,
        id,
        spec.toView(existing),
        view,
        await spec.regionOf(updated, models),
      );
      res.json(view);
    }),
  );

  table.add(
    router,
    mount,
    {
      method: 'delete',
      path: '/:id',
      summary: `Delete one of ${spec.title}`,
      tag: spec.title,
      access: access(spec.roles.remove),
      params: IdParams,
      status: 204,
    },
    ...guard(spec.roles.remove),
    withScope(models, async (scope, req, res) => {
      const { id } = parseInput(IdParams, req.params, 'id');
      const existing = await findInScope(scope, id);
      await spec.authorizeWrite(scope, models, existing, existing);
      await spec.beforeDelete?.(models, existing, scope);
      await model.deleteOne({ _id: existing._id });
      await spec.afterWrite?.({ before: existing, after: null }, auth.sessions);
      await audit.record(
        identityOf(res),
        'delete',
        spec.name,
        id,
        spec.toView(existing),
        null,
        await spec.regionOf(existing, models),
      );
      res.status(204).end();
    }),
  );

  return router;
}
