import type { RequestHandler, Router } from 'express';
import type { z } from 'zod';
import type { Role } from '../contract/api.ts';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** Who may call a route. */
export type Access =
  | { kind: 'public' }
  /** Any signed-in account. */
  | { kind: 'authenticated' }
  /** These roles; with `scoped`, only on records within the caller's scope (others: 404). */
  | { kind: 'roles'; roles: readonly Role[]; scoped: boolean };

/** One HTTP route as documented (OpenAPI) and tested (authorization matrix). */
export interface RouteEntry {
  method: Method;
  /** Express path, e.g. /api/schools/:id. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Media type of a raw body (file uploads), instead of JSON. */
  rawBody?: string;
  /** Success status. @default 200 */
  status?: number;
}

/**
 * Every route of the API, registered through `add()` so that the documentation and the
 * authorization matrix test cannot miss one.
 */
export class RouteTable {
  readonly entries: RouteEntry[] = [];

  /** Registers `handlers` on `router` at `entry.path` relative to `mount`, and records the entry. */
  add(
    router: Router,
    mount: string,
    entry: Omit<RouteEntry, 'path'> & { path: string },
    ...handlers: RequestHandler[]
  ): void {
    const full = `${mount}${entry.path === '/' ? '' : entry.path}`;
    this.entries.push({ ...entry, path: full });
    router[entry.method](entry.path, ...handlers);
  }
}
