import fs from 'node:fs';
import { Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import {
  LibraryQuerySchema,
  RecordingIdParams,
  RecordingSettingsSchema,
  RecordingShareSchema,
  RecordingSwitchSchema,
} from '../../contract/library.ts';
import { LessonIdParams } from '../../contract/schemas.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import type { LessonService } from '../../lessons/LessonService.ts';
import type { Library } from '../../recording/Library.ts';
import type { RecordingService } from '../../recording/RecordingService.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';

const ClusterParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hex id') });
const VideoQuery = z.object({ download: z.enum(['1']).optional() });
const readers = ['admin', 'bureau', 'coordinator', 'teacher'] as const;
const managers = ['admin', 'bureau', 'coordinator'] as const;

/**
 * Recording and the library: a lesson's recording status and the teacher's switch (under
 * /api/lessons), the library's list, a recording, its MP4 (HTTP ranges, for seeking and
 * downloads), deletion, storage and the cluster's policy (under /api/library). Mounted at the root.
 */
export function libraryRoutes(
  library: Library,
  recordings: RecordingService,
  lessons: LessonService,
  auth: Authenticator,
  table: RouteTable,
): Router {
  const router = Router();

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/lessons/:id/recording',
      summary: 'Whether the lesson is recorded, and whether a recorder is writing now (录制中)',
      tag: 'Library',
      access: { kind: 'authenticated' },
      params: LessonIdParams,
    },
    authenticate(auth),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      res.json(await recordings.status(await lessons.view(identityOf(res), id)));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'put',
      path: '/api/lessons/:id/recording',
      summary: 'The teacher turns recording of the lesson on or off',
      tag: 'Library',
      access: { kind: 'roles', roles: ['teacher'], scoped: true },
      params: LessonIdParams,
      body: RecordingSwitchSchema,
    },
    authenticate(auth),
    allowRoles('teacher'),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      const { enabled } = parseInput(RecordingSwitchSchema, req.body, 'body');
      const identity = identityOf(res);
      const { as } = await lessons.participation(identity, id).catch((error: unknown) => {
        throw error instanceof ForbiddenError ? new NotFoundError(`lesson ${id} not found`) : error;
      });
      if (as.role !== 'teacher') throw new NotFoundError(`lesson ${id} not found`);
      res.json(await recordings.setEnabled(identity, id, enabled));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/library/recordings',
      summary: 'Recorded lessons in scope, newest first, with the choices of each filter',
      tag: 'Library',
      access: { kind: 'roles', roles: readers, scoped: true },
      query: LibraryQuerySchema,
    },
    authenticate(auth),
    allowRoles(...readers),
    async (req, res) => {
      const query = parseInput(LibraryQuerySchema, req.query, 'query');
      res.json(await library.list(identityOf(res), query));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/library/recordings/:id',
      summary: 'One recording: state, composition progress, gaps, chapters',
      tag: 'Library',
      access: { kind: 'roles', roles: readers, scoped: true },
      params: RecordingIdParams,
    },
    authenticate(auth),
    allowRoles(...readers),
    async (req, res) => {
      const { id } = parseInput(RecordingIdParams, req.params, 'recording id');
      res.json(await library.get(identityOf(res), id));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/library/recordings/:id/video',
      summary: 'The recording’s MP4 (H.264 + AAC); byte ranges for seeking; ?download=1 to save it',
      tag: 'Library',
      access: { kind: 'roles', roles: readers, scoped: true },
      params: RecordingIdParams,
      query: VideoQuery,
      responses: {
        200: { content: { 'video/mp4': null } },
        206: { description: 'The requested byte range', content: { 'video/mp4': null } },
        416: { description: 'The range lies outside the file' },
      },
    },
    authenticate(auth),
    allowRoles(...readers),
    async (req, res, next) => {
      const { id } = parseInput(RecordingIdParams, req.params, 'recording id');
      const { download } = parseInput(VideoQuery, req.query, 'query');
      const video = await library.mp4(identityOf(res), id);
      const size = (await fs.promises.stat(video.path).catch(() => null))?.size;
      if (size === undefined) throw new NotFoundError(`the video of ${id} is missing`);
      if (download)
        res.setHeader(
          'Content-Disposition',
          `attachment; filename*=UTF-8''${encodeURIComponent(`${video.title}.mp4`)}`,
        );
      res.setHeader('Cache-Control', 'private, no-cache');
      res.sendFile(video.path, { acceptRanges: true, lastModified: true, dotfiles: 'allow' }, (error) => {
        if (!error || res.headersSent) return;
        if ((error as { status?: number }).status === 416) {
          res.removeHeader('Content-Disposition');
          res.setHeader('Content-Range', `bytes */${size}`);
          res.status(416).json({
            name: 'RangeNotSatisfiableError',
            code: 'RANGE_NOT_SATISFIABLE',
            message: `the range lies outside the file (${size} bytes)`,
          });
          return;
        }
        next(error);
      });
    },
  );

  table.add(
    router,
    '',
    {
      method: 'delete',
      path: '/api/library/recordings/:id',
      summary: 'Deletes a recording (its files and entry); audited. Coordinators, bureaus, admins',
      tag: 'Library',
      access: { kind: 'roles', roles: managers, scoped: true },
      params: RecordingIdParams,
      status: 204,
    },
    authenticate(auth),
    allowRoles(...managers),
    async (req, res) => {
      const { id } = parseInput(RecordingIdParams, req.params, 'recording id');
      await library.remove(identityOf(res), id);
      res.status(204).end();
    },
  );

  table.add(
    router,
    '',
    {
      method: 'post',
      path: '/api/library/recordings/:id/compose',
      summary:
        'Composes a failed recording again from its raw segments (重新合成); coordinators, bureaus, admins; audited',
      tag: 'Library',
      access: { kind: 'roles', roles: managers, scoped: true },
      params: RecordingIdParams,
    },
    authenticate(auth),
    allowRoles(...managers),
    async (req, res) => {
      const { id } = parseInput(RecordingIdParams, req.params, 'recording id');
      res.json(await library.retry(identityOf(res), id, (lessonId) => recordings.recompose(lessonId)));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'put',
      path: '/api/library/recordings/:id/share',
      summary:
        'Shares a recording to its cluster’s region (共享: every teacher there finds it) or stops sharing it; its teacher or a manager; audited',
      tag: 'Library',
      access: { kind: 'roles', roles: readers, scoped: true },
      params: RecordingIdParams,
      body: RecordingShareSchema,
    },
    authenticate(auth),
    allowRoles(...readers),
    async (req, res) => {
      const { id } = parseInput(RecordingIdParams, req.params, 'recording id');
      const { shared } = parseInput(RecordingShareSchema, req.body, 'body');
      res.json(await library.share(identityOf(res), id, shared));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/library/storage',
      summary: 'Space the recordings take per cluster in scope, with each cluster’s recording policy',
      tag: 'Library',
      access: { kind: 'roles', roles: managers, scoped: true },
    },
    authenticate(auth),
    allowRoles(...managers),
    async (_req, res) => {
      res.json(await library.storage(identityOf(res)));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'put',
      path: '/api/library/clusters/:id/settings',
      summary: 'A cluster’s recording policy: on/off, storage quota, retention; audited',
      tag: 'Library',
      access: { kind: 'roles', roles: managers, scoped: true },
      params: ClusterParams,
      body: RecordingSettingsSchema,
    },
    authenticate(auth),
    allowRoles(...managers),
    async (req, res) => {
      const { id } = parseInput(ClusterParams, req.params, 'cluster id');
      const body = parseInput(RecordingSettingsSchema, req.body, 'body');
      const storage = await library.setSettings(identityOf(res), id, body);
      // Its live lessons follow the policy now, not from their next lesson on.
      await recordings.clusterSwitched(id);
      res.json(storage);
    },
  );

  return router;
}
