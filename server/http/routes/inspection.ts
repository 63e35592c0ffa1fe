import { Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import type { InspectionNoteRequest } from '../../contract/inspection.ts';
import { LessonIdParams, ObjectIdSchema } from '../../contract/schemas.ts';
import { POLICY_ROLES, WATCHER_ROLES } from '../../inspection/InspectionService.ts';
import type { InspectionService } from '../../inspection/InspectionService.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';

const objectId = ObjectIdSchema;

export const WallQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  county: z
    .string()
    .regex(/^\d{6}$/, 'a 6-digit region code')
    .optional(),
  subject: z.string().trim().min(1).max(20).optional(),
  schoolId: objectId.optional(),
});

export const NoteSchema = z.object({
  text: z.string().trim().min(1, 'required').max(2000),
  at: z.iso.datetime({ offset: true }).optional(),
}) satisfies z.ZodType<InspectionNoteRequest>;

const RegionParams = z.object({ code: z.string().regex(/^\d{6}$/, 'a 6-digit region code') });
const PolicySchema = z.object({ showNotice: z.boolean() });

/**
 * 巡课 over HTTP: the wall of live lessons, the notes on a lesson, and a region's rule on
 * showing 巡课中. Watching itself is on the socket (`watch:*`, server/inspection/Watch.ts).
 */
export function inspectionRoutes(
  inspection: InspectionService,
  auth: Authenticator,
  table: RouteTable,
): Router {
  const router = Router();
  const watchers = { kind: 'roles' as const, roles: WATCHER_ROLES, scoped: true };

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/inspection/live',
      summary:
        'The wall (巡课): the lessons live now in scope, 16 a page, filtered by county, subject and school',
      tag: 'Inspection',
      access: watchers,
      query: WallQuerySchema,
    },
    authenticate(auth),
    allowRoles(...WATCHER_ROLES),
    async (req, res) => {
      const query = parseInput(WallQuerySchema, req.query, 'query');
      res.json(await inspection.wall(identityOf(res), query));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/inspection/lessons/:id/notes',
      summary: 'The notes written while watching a lesson (巡课记录), in the lesson’s order',
      tag: 'Inspection',
      access: watchers,
      params: LessonIdParams,
    },
    authenticate(auth),
    allowRoles(...WATCHER_ROLES),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      res.json(await inspection.notes(identityOf(res), id));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/inspection/lessons/:id/rtp-capabilities',
      summary: 'RTP capabilities of a live lesson’s router, for watching it (巡课)',
      tag: 'Inspection',
      access: watchers,
      params: LessonIdParams,
    },
    authenticate(auth),
    allowRoles(...WATCHER_ROLES),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      res.json(await inspection.capabilities(identityOf(res), id));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'post',
      path: '/api/inspection/lessons/:id/notes',
      summary: 'Writes a time-stamped note on a lesson that has gone live',
      tag: 'Inspection',
      access: watchers,
      params: LessonIdParams,
      body: NoteSchema,
      status: 201,
    },
    authenticate(auth),
    allowRoles(...WATCHER_ROLES),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      const body = parseInput(NoteSchema, req.body, 'body');
      res.status(201).json(await inspection.addNote(identityOf(res), id, body));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/inspection/regions/:code/policy',
      summary:
        'Whether the region’s watched lessons show 巡课中 to their classrooms, and which region set it',
      tag: 'Inspection',
      access: { kind: 'roles', roles: ['admin', 'bureau', 'inspector'], scoped: true },
      params: RegionParams,
    },
    authenticate(auth),
    allowRoles('admin', 'bureau', 'inspector'),
    async (req, res) => {
      const { code } = parseInput(RegionParams, req.params, 'region code');
      res.json(await inspection.policy(identityOf(res), code));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'put',
      path: '/api/inspection/regions/:code/policy',
      summary:
        'Sets whether the region’s watched lessons show 巡课中 (regions below without their own rule follow)',
      tag: 'Inspection',
      access: { kind: 'roles', roles: POLICY_ROLES, scoped: true },
      params: RegionParams,
      body: PolicySchema,
    },
    authenticate(auth),
    allowRoles(...POLICY_ROLES),
    async (req, res) => {
      const { code } = parseInput(RegionParams, req.params, 'region code');
      const { showNotice } = parseInput(PolicySchema, req.body, 'body');
      res.json(await inspection.setPolicy(identityOf(res), code, showNotice));
    },
  );

  return router;
}
