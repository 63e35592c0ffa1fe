import { Router } from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import { Scope } from '../../auth/Scope.ts';
import { ClusterTermParams, SolverSeed } from '../../contract/schemas.ts';
import type { SolveJobView } from '../../contract/timetable.ts';
import type { Models } from '../../models/index.ts';
import type { AuditLog } from '../../resources/AuditLog.ts';
import { NotFoundError } from '../../errors.ts';
import { JobIdParams } from '../../jobs/index.ts';
import { IdParams, objectId, plainView } from '../../resources/Resource.ts';
import type { Doc } from '../../resources/Resource.ts';
import { MANAGERS } from '../../resources/schools.ts';
import { clusterInScope } from '../../resources/scoping.ts';
import { createFeed, feedCalendar, listFeeds, revokeFeed } from '../../timetable/feeds.ts';
import type { CompatService } from '../../timetable/CompatService.ts';
import type { SolveJobs } from '../../timetable/SolveJobs.ts';
import type { TimetableService } from '../../timetable/TimetableService.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import { SHEET_MEDIA_TYPES, sendDownload } from '../download.ts';
import type { RouteEntry, RouteTable } from '../RouteTable.ts';
import { LangOnlyQuery, requestLang } from '../lang.ts';

const slot = z.object({ weekday: z.number().int().min(1).max(7), period: z.number().int().min(1).max(15) });
const EditBody = z
  .object({ offeringId: objectId, from: slot.optional(), to: slot.optional() })
  .refine((e) => e.from || e.to, { message: 'give from, to or both' });
const LockBody = slot.extend({ offeringId: objectId, locked: z.boolean() });
const SolveBody = z.object({
  timeLimitMs: z.number().int().min(100).max(60_000).default(3000),
  seed: SolverSeed,
});
const AcceptBody = z.object({ proposalId: z.string().min(1).max(200) });
const FeedBody = z.object({ kind: z.enum(['teacher', 'classroom', 'cluster']), subjectId: objectId });
const FeedParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,64}(\.ics)?$/) });

/**
 * The joint timetable of a cluster and term (coordinators, bureaus, admins in scope), solve
 * jobs, and subscribable iCal feeds.
 */
export function timetableRoutes(
  models: Models,
  service: TimetableService,
  compat: CompatService,
  jobs: SolveJobs,
  auth: Authenticator,
  audit: AuditLog,
  table: RouteTable,
  now: () => number,
): Router {
  const timetables = Router();
  const solveJobs = Router();
  const feeds = Router();
  const ical = Router();
  const managers = { kind: 'roles' as const, roles: MANAGERS, scoped: true };
  const guard = [authenticate(auth), allowRoles(...MANAGERS)];
  const scopeOf = (res: Response) => Scope.resolve(models, identityOf(res));
  const regionOf = async (clusterId: string): Promise<string | null> =>
    (await models.Cluster.findById(clusterId, { regionCode: 1 }).lean())?.regionCode ?? null;

  /** A route on one cluster's timetable for a term: managers, within their scope (else 404). */
  const termRoute = (
    entry: Pick<RouteEntry, 'method' | 'summary' | 'body' | 'status' | 'query'> & { path: string },
    handler: (at: { clusterId: string; term: string }, req: Request, res: Response) => Promise<void>,
  ): void =>
    table.add(
      timetables,
      '/api/timetables',
      {
        ...entry,
        path: `/:clusterId/:term${entry.path}`,
        tag: 'Timetable',
        access: managers,
        params: ClusterTermParams,
      },
      ...guard,
      async (req, res) => handler(parseInput(ClusterTermParams, req.params, 'path'), req, res),
    );

  termRoute(
    {
      method: 'get',
      path: '',
      summary: 'A cluster’s joint timetable for a term, with names, conflicts and what is unplaced',
    },
    async ({ clusterId, term }, _req, res) => {
      res.json(await service.view(await scopeOf(res), clusterId, term));
    },
  );

  termRoute(
    {
      method: 'post',
      path: '/solve',
      summary: 'Solve the term’s timetable in the background, keeping locked sessions; poll the job',
      body: SolveBody,
      status: 202,
    },
    async ({ clusterId, term }, req, res) => {
      const options = parseInput(SolveBody, req.body ?? {}, 'body');
      res.status(202).json(jobView(await service.solve(await scopeOf(res), clusterId, term, options)));
    },
  );

  termRoute(
    {
      method: 'post',
      path: '/check',
      summary: 'What a session would break at another slot (for dragging)',
      body: EditBody,
    },
    async ({ clusterId, term }, req, res) => {
      res.json(
        await service.check(await scopeOf(res), clusterId, term, parseInput(EditBody, req.body, 'body')),
      );
    },
  );

  termRoute(
    {
      method: 'post',
      path: '/edit',
      summary: 'Add, move or remove a session; refused with 409 when it breaks a hard rule',
      body: EditBody,
    },
    async ({ clusterId, term }, req, res) => {
      const edit = parseInput(EditBody, req.body, 'body');
      const view = await service.edit(await scopeOf(res), clusterId, term, edit);
      await audit.record(
        identityOf(res),
        'update',
        'timetables',
        clusterId,
        edit.from ?? null,
        { term, ...edit },
        await regionOf(clusterId),
      );
      res.json(view);
    },
  );

  termRoute(
    {
      method: 'post',
      path: '/lock',
      summary: 'Lock or unlock a session (solving again keeps locked ones)',
      body: LockBody,
    },
    async ({ clusterId, term }, req, res) => {
      const { locked, ...at } = parseInput(LockBody, req.body, 'body');
      res.json(await service.lock(await scopeOf(res), clusterId, term, at, locked));
    },
  );

  termRoute(
    {
      method: 'post',
      path: '/publish',
      summary: 'Publish the timetable as dated lessons from now to the end of the term',
    },
    async ({ clusterId, term }, _req, res) => {
      const lessons = await service.publish(await scopeOf(res), clusterId, term);
      await audit.record(
        identityOf(res),
        'update',
        'timetables',
        clusterId,
        null,
        { term, published: lessons },
        await regionOf(clusterId),
      );
      res.json({ lessons });
    },
  );

  termRoute(
    {
      method: 'get',
      path: '/export',
      summary: 'The week grid as an Excel workbook (a sheet per school and per hub teacher)',
      query: LangOnlyQuery,
    },
    async ({ clusterId, term }, req, res) => {
      const lang = parseInput(LangOnlyQuery, req.query, 'query').lang ?? requestLang(req);
      const { name, data } = await service.grid(await scopeOf(res), clusterId, term, lang);
      sendDownload(res, data, `${name}.xlsx`, SHEET_MEDIA_TYPES.xlsx);
    },
  );

  termRoute(
    {
      method: 'get',
      path: '/compat',
      summary:
        'Bell compatibility: common windows per weekday, each offering’s candidate slots and whose bells block them, and proposed bell changes',
    },
    async ({ clusterId, term }, _req, res) => {
      res.json(await compat.analyze(await scopeOf(res), clusterId, term));
    },
  );

  termRoute(
    {
      method: 'post',
      path: '/compat/accept',
      summary: 'Accept a proposed bell change: the schools’ bell schedules are rewritten (audited)',
      body: AcceptBody,
    },
    async ({ clusterId, term }, req, res) => {
      const { proposalId } = parseInput(AcceptBody, req.body, 'body');
      res.json(await compat.accept(await scopeOf(res), identityOf(res), clusterId, term, proposalId));
    },
  );

  table.add(
    solveJobs,
    '/api/solve-jobs',
    {
      method: 'get',
      path: '/:id',
      summary: 'Progress of a solve',
      tag: 'Timetable',
      access: { ...managers, scoped: false },
      params: JobIdParams,
    },
    ...guard,
    async (req, res) => {
      const { id } = parseInput(JobIdParams, req.params, 'path');
      const job = await jobs.get(id);
      // Another cluster's solve is as unknown as no solve.
      await clusterInScope(await scopeOf(res), models, job.clusterId).catch((error: unknown) => {
        throw error instanceof NotFoundError ? new NotFoundError(`solve job ${id} not found`) : error;
      });
      res.json(jobView(job));
    },
  );

  const signedIn = { kind: 'authenticated' as const };
  table.add(
    feeds,
    '/api/calendar-feeds',
    { method: 'get', path: '/', summary: 'My iCal feeds', tag: 'Timetable', access: signedIn },
    authenticate(auth),
    async (_req, res) => {
      const items = await listFeeds(models, identityOf(res));
      res.json({ items: items.map((f) => plainView(f as unknown as Doc, ['tokenHash'])) });
    },
  );

  table.add(
    feeds,
    '/api/calendar-feeds',
    {
      method: 'post',
      path: '/',
      summary:
        'Create an iCal feed of a teacher’s, a classroom’s or a cluster’s lessons; the URL is shown once',
      tag: 'Timetable',
      access: signedIn,
      body: FeedBody,
      status: 201,
    },
    authenticate(auth),
    async (req, res) => {
      const { kind, subjectId } = parseInput(FeedBody, req.body, 'body');
      const identity = identityOf(res);
      const { feed, token } = await createFeed(models, identity, await scopeOf(res), kind, subjectId);
      res.status(201).json({ ...plainView(feed, ['tokenHash']), url: `/api/ical/${token}.ics` });
    },
  );

  table.add(
    feeds,
    '/api/calendar-feeds',
    {
      method: 'delete',
      path: '/:id',
      summary: 'Revoke an iCal feed: its URL stops working',
      tag: 'Timetable',
      access: signedIn,
      params: IdParams,
      status: 204,
    },
    authenticate(auth),
    async (req, res) => {
      const { id } = parseInput(IdParams, req.params, 'path');
      await revokeFeed(models, identityOf(res), id, now());
      res.status(204).end();
    },
  );

  table.add(
    ical,
    '/api/ical',
    {
      method: 'get',
      path: '/:token',
      summary: 'An iCal feed, by its secret URL (for calendar apps)',
      tag: 'Timetable',
      access: { kind: 'public' },
      params: FeedParams,
    },
    async (req, res) => {
      const { token } = parseInput(FeedParams, req.params, 'path');
      const text = await feedCalendar(models, token.replace(/\.ics$/, ''), now());
      res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
      res.setHeader('Cache-Control', 'private, max-age=300');
      res.send(text);
    },
  );

  return Router()
    .use('/api/timetables', timetables)
    .use('/api/solve-jobs', solveJobs)
    .use('/api/calendar-feeds', feeds)
    .use('/api/ical', ical);
}

function jobView(job: SolveJobView): SolveJobView {
  const { id, state, fraction, score, placed, wanted, error } = job;
  return { id, state, fraction, score, placed, wanted, error };
}
