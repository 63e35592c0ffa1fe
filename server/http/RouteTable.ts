import type { RequestHandler, Router } from 'express';
import { match } from 'path-to-regexp';
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

/** One documented answer of a route (OpenAPI). */
export interface ResponseDoc {
  /** @default the status's standard meaning */
  description?: string;
  /** Media type → schema of the body (a zod schema of JSON; null: any body of that type). */
  content?: Record<string, z.ZodType | null>;
}

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
  /**
   * Answers beyond those `openapi.ts` derives from the entry (the success status, and the
   * error statuses its access, inputs and method imply), by status; merged over them.
   */
  responses?: Partial<Record<number, ResponseDoc>>;
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

  /** The methods (upper case) that routes at `path` answer; empty for a path no route has. */
  methodsAt(path: string): string[] {
    const methods = new Set<string>();
    for (const entry of this.entries) {
      if (match(entry.path, { decode: false })(path)) methods.add(entry.method.toUpperCase());
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  }
}
