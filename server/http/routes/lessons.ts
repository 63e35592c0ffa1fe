import { Router } from 'express';
import type { RoomRegistry } from '../../../sfu/index.ts';
import type { AttendanceRecorder } from '../../attendance/AttendanceRecorder.ts';
import type { Authenticator } from '../../auth/Authenticator.ts';
import { z } from 'zod';
import type { LessonLinksResponse } from '../../contract/api.ts';
import { LessonIdParams } from '../../contract/schemas.ts';
import { LessonNotLiveError } from '../../errors.ts';
import type { LessonService } from '../../lessons/LessonService.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';

const HeadcountBody = z.object({ count: z.number().int().min(0).max(500) });

/** Lessons as the studio and the kiosk need them. */
export function lessonRoutes(
  lessons: LessonService,
  rooms: RoomRegistry,
  attendance: AttendanceRecorder,
  auth: Authenticator,
  table: RouteTable,
): Router {
  const router = Router();
  const mount = '/api/lessons';
  const signedIn = { kind: 'authenticated' as const };

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/current',
      summary: 'The lesson to show now (teacher or classroom device)',
      tag: 'Lessons',
      access: signedIn,
    },
    authenticate(auth),
    async (_req, res) => {
      res.json(await lessons.current(identityOf(res)));
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/:id/links',
      summary: 'Each participant’s link over the lesson, minute by minute (RTT, loss, bitrate)',
      tag: 'Lessons',
      access: signedIn,
      params: LessonIdParams,
    },
    authenticate(auth),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      const lesson = await lessons.view(identityOf(res), id);
      const body: LessonLinksResponse = { lessonId: lesson.id, series: await attendance.linkSeries(lesson) };
      res.json(body);
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/:id',
      summary: 'One lesson',
      tag: 'Lessons',
      access: signedIn,
      params: LessonIdParams,
    },
    authenticate(auth),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      res.json(await lessons.view(identityOf(res), id));
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/:id/rtp-capabilities',
      summary:
        'RTP capabilities of a lesson’s router, live or about to be (for mediasoup-client; the same on every server process)',
      tag: 'Lessons',
      access: { kind: 'roles', roles: ['teacher', 'classroom'], scoped: true },
      params: LessonIdParams,
    },
    authenticate(auth),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      const { lesson } = await lessons.participation(identityOf(res), id);
      // A scheduled lesson's too: its teacher and classrooms wait in its media room before the start.
      if (lesson.state === 'ended') throw new LessonNotLiveError(lesson.state);
      res.json({ routerRtpCapabilities: await rooms.routerCapabilities() });
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/:id/headcount',
      summary: 'The classroom’s head count, entered on the kiosk by the assistant teacher',
      tag: 'Lessons',
      access: { kind: 'roles', roles: ['classroom'], scoped: true },
      params: LessonIdParams,
      body: HeadcountBody,
      status: 204,
    },
    authenticate(auth),
    allowRoles('classroom'),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      const { count } = parseInput(HeadcountBody, req.body, 'body');
      const identity = identityOf(res);
      const { lesson } = await lessons.participation(identity, id);
      await attendance.headcount(identity, lesson, count);
      res.status(204).end();
    },
  );

  return router;
}
