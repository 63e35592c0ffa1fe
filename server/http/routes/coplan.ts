import express, { Router } from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import { Scope } from '../../auth/Scope.ts';
import { ClusterTermParams, SolverSeed, TermId } from '../../contract/schemas.ts';
import type { CoPlanJobView, LocalImportResponse } from '../../contract/timetable.ts';
import { ValidationError } from '../../errors.ts';
import { MAX_FILE_BYTES } from '../../imports/index.ts';
import { JobIdParams } from '../../jobs/index.ts';
import type { Models } from '../../models/index.ts';
import { objectId } from '../../resources/Resource.ts';
import { MANAGERS } from '../../resources/schools.ts';
import type { CoPlanJob } from '../../timetable/CoPlanJobs.ts';
import type { CoPlanService } from '../../timetable/CoPlanService.ts';
import type { LocalTimetableService } from '../../timetable/LocalTimetableService.ts';
import { parseInput } from '../../validate.ts';
import { SHEET_MEDIA_TYPES, sendDownload } from '../download.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteEntry, RouteTable } from '../RouteTable.ts';

const SchoolTermParams = z.object({ schoolId: objectId, term: TermId });
const DecisionParams = ClusterTermParams.extend({ schoolId: objectId });
const lesson = z.object({
  classId: objectId,
  weekday: z.number().int().min(1).max(7),
  period: z.number().int().min(1).max(15),
  subject: z.string().trim().min(1).max(20),
  teacher: z.string().trim().max(40).default(''),
  locked: z.boolean().default(false),
});
const WeekBody = z.object({
  lessons: z.array(lesson).max(2000),
  revision: z.number().int().min(0).optional(),
});
const ImportQuery = z.object({ dryRun: z.enum(['true', 'false']).default('true') });
const PlanBody = z.object({
  timeLimitMs: z.number().int().min(200).max(60_000).default(3000),
  seed: SolverSeed,
});
const DecisionBody = z.object({ approve: z.boolean(), note: z.string().trim().max(500).default('') });
const ChangeBody = z.object({
  kind: z.enum(['bell', 'local']),
  index: z.number().int().min(0).max(100_000),
  refused: z.boolean(),
});
const ApplyBody = z.object({ approvedOnly: z.boolean().default(false) });
const AlternativeBody = z.object({ index: z.number().int().min(0).max(100) });

/** Managers in scope, and a school's own timetabler (its school, its clusters' plans). */
const WITH_SCHOOL = [...MANAGERS, 'school'] as const;

/**
 * Receiving schools' own timetables (read, replace, Excel import and export) and co-plans
 * (start as a job, read, a school's decision on its part, the coordinator's refusal of single
 * changes, re-plan around the refusals as a job, choose a ranked alternative, apply).
 */
export function coPlanRoutes(
  models: Models,
  locals: LocalTimetableService,
  coplans: CoPlanService,
  auth: Authenticator,
  table: RouteTable,
): Router {
  const weeks = Router();
  const plans = Router();
  const jobs = Router();
  const list = Router();
  const scopeOf = (res: Response) => Scope.resolve(models, identityOf(res));
  const access = (roles: readonly (typeof WITH_SCHOOL)[number][]) => ({
    kind: 'roles' as const,
    roles,
    scoped: true,
  });

  const weekRoute = (
    entry: Pick<RouteEntry, 'method' | 'summary' | 'body' | 'query' | 'rawBody'> & { path: string },
    handler: (at: { schoolId: string; term: string }, req: Request, res: Response) => Promise<void>,
    ...before: express.RequestHandler[]
  ): void =>
    table.add(
      weeks,
      '/api/local-timetables',
      {
        ...entry,
        path: `/:schoolId/:term${entry.path}`,
        tag: 'Timetable',
        access: access(WITH_SCHOOL),
        params: SchoolTermParams,
      },
      authenticate(auth),
      allowRoles(...WITH_SCHOOL),
      ...before,
      async (req, res) => handler(parseInput(SchoolTermParams, req.params, 'path'), req, res),
    );

  weekRoute(
    { method: 'get', path: '', summary: 'A school’s own timetable for a term (per class, weekday × period)' },
    async ({ schoolId, term: t }, _req, res) => {
      res.json(await locals.view(await scopeOf(res), schoolId, t));
    },
  );

  weekRoute(
    {
      method: 'put',
      path: '',
      summary: 'Replace a school’s own week; every rule checked first (nothing saved when one breaks)',
      body: WeekBody,
    },
    async ({ schoolId, term: t }, req, res) => {
      const body = parseInput(WeekBody, req.body, 'body');
      res.json(await locals.replace(await scopeOf(res), identityOf(res), schoolId, t, body));
    },
  );

  weekRoute(
    {
      method: 'post',
      path: '/import',
      summary:
        'Import a school’s whole week from Excel (a sheet per class); dryRun=true checks only; any problem: nothing written',
      query: ImportQuery,
      rawBody: 'application/octet-stream',
    },
    async ({ schoolId, term: t }, req, res) => {
      const { dryRun } = parseInput(ImportQuery, req.query, 'query');
      if (!Buffer.isBuffer(req.body) || !req.body.length)
        throw new ValidationError('send the file itself as the request body (application/octet-stream)');
      const answer: LocalImportResponse = await locals.importWeek(
        await scopeOf(res),
        identityOf(res),
        schoolId,
        t,
        req.body,
        dryRun === 'true',
      );
      if (answer.errors.length && dryRun === 'false') {
        // The report of every problem, under the error every 400 carries (as the cluster import).
        res.status(400).json({
          ...answer,
          error: {
            name: 'ValidationError',
            code: 'INVALID_INPUT',
            message: `${answer.errors.length} problems; nothing was imported`,
          },
        });
        return;
      }
      res.json(answer);
    },
    express.raw({ type: () => true, limit: MAX_FILE_BYTES + 1024 * 1024 }),
  );

  weekRoute(
    {
      method: 'get',
      path: '/export',
      summary:
        'A school’s own week as Excel (the layout the import reads), synchronized sessions marked 同步',
    },
    async ({ schoolId, term: t }, _req, res) => {
      const { name, data } = await locals.exportWeek(await scopeOf(res), schoolId, t);
      sendDownload(res, data, `${name}.xlsx`, SHEET_MEDIA_TYPES.xlsx);
    },
  );

  const planRoute = (
    entry: Pick<RouteEntry, 'method' | 'summary' | 'body' | 'status'> & { path: string },
    roles: readonly (typeof WITH_SCHOOL)[number][],
    params: typeof ClusterTermParams | typeof DecisionParams,
    handler: (at: Record<string, string>, req: Request, res: Response) => Promise<void>,
  ): void =>
    table.add(
      plans,
      '/api/timetables',
      {
        ...entry,
        path: `/:clusterId/:term/coplan${entry.path}`,
        tag: 'Timetable',
        access: access(roles),
        params,
      },
      authenticate(auth),
      allowRoles(...roles),
      async (req, res) => handler(parseInput(params, req.params, 'path'), req, res),
    );

  planRoute(
    {
      method: 'post',
      path: '',
      summary:
        'Co-plan the term in the background: sessions with the bell changes and moves of the schools’ own lessons they need; poll the job',
      body: PlanBody,
      status: 202,
    },
    MANAGERS,
    ClusterTermParams,
    async ({ clusterId = '', term: t = '' }, req, res) => {
      const options = parseInput(PlanBody, req.body ?? {}, 'body');
      const job = await coplans.start(await scopeOf(res), identityOf(res), clusterId, t, options);
      res.status(202).json(jobView(job));
    },
  );

  planRoute(
    {
      method: 'get',
      path: '',
      summary:
        'The term’s co-plan: sessions, bell changes, local moves, what cannot be placed, each school’s part',
    },
    WITH_SCHOOL,
    ClusterTermParams,
    async ({ clusterId = '', term: t = '' }, _req, res) => {
      res.json(await coplans.view(await scopeOf(res), clusterId, t));
    },
  );

  planRoute(
    {
      method: 'post',
      path: '/schools/:schoolId/decision',
      summary:
        'A school approves or refuses its part of the co-plan (409 STALE_PLAN when the data changed since)',
      body: DecisionBody,
    },
    WITH_SCHOOL,
    DecisionParams,
    async ({ clusterId = '', term: t = '', schoolId = '' }, req, res) => {
      const body = parseInput(DecisionBody, req.body, 'body');
      res.json(await coplans.decide(await scopeOf(res), identityOf(res), clusterId, t, schoolId, body));
    },
  );

  planRoute(
    {
      method: 'post',
      path: '/changes',
      summary: 'Refuse (or take back refusing) one bell change or local move of the co-plan',
      body: ChangeBody,
    },
    MANAGERS,
    ClusterTermParams,
    async ({ clusterId = '', term: t = '' }, req, res) => {
      const body = parseInput(ChangeBody, req.body, 'body');
      res.json(await coplans.refuseChange(await scopeOf(res), identityOf(res), clusterId, t, body));
    },
  );

  planRoute(
    {
      method: 'post',
      path: '/replan',
      summary:
        'Re-plan around the refusals (changes the coordinator refused, parts schools refused) in the background: none is proposed again; poll the job (409 STALE_PLAN when the data changed since)',
      body: PlanBody,
      status: 202,
    },
    MANAGERS,
    ClusterTermParams,
    async ({ clusterId = '', term: t = '' }, req, res) => {
      const options = parseInput(PlanBody, req.body ?? {}, 'body');
      const job = await coplans.replan(await scopeOf(res), identityOf(res), clusterId, t, options);
      res.status(202).json(jobView(job));
    },
  );

  planRoute(
    {
      method: 'post',
      path: '/alternative',
      summary:
        'Choose one of the co-plan’s ranked alternatives instead (then approved and applied as usual; 409 STALE_PLAN when the data changed since)',
      body: AlternativeBody,
    },
    MANAGERS,
    ClusterTermParams,
    async ({ clusterId = '', term: t = '' }, req, res) => {
      const { index } = parseInput(AlternativeBody, req.body, 'body');
      res.json(await coplans.chooseAlternative(await scopeOf(res), identityOf(res), clusterId, t, index));
    },
  );

  planRoute(
    {
      method: 'post',
      path: '/apply',
      summary:
        'Apply the co-plan once the schools approved (approvedOnly: their parts only): bells, the schools’ own timetables and the draft sessions',
      body: ApplyBody,
    },
    MANAGERS,
    ClusterTermParams,
    async ({ clusterId = '', term: t = '' }, req, res) => {
      const body = parseInput(ApplyBody, req.body ?? {}, 'body');
      res.json(await coplans.apply(await scopeOf(res), identityOf(res), clusterId, t, body));
    },
  );

  table.add(
    list,
    '/api/coplans',
    {
      method: 'get',
      path: '/',
      summary: 'Co-plans in scope (a school’s timetabler: those asking something of its school)',
      tag: 'Timetable',
      access: access(WITH_SCHOOL),
    },
    authenticate(auth),
    allowRoles(...WITH_SCHOOL),
    async (_req, res) => {
      res.json({ items: await coplans.list(await scopeOf(res)) });
    },
  );

  table.add(
    jobs,
    '/api/coplan-jobs',
    {
      method: 'get',
      path: '/:id',
      summary: 'Progress of a co-plan',
      tag: 'Timetable',
      access: { kind: 'roles', roles: MANAGERS, scoped: false },
      params: JobIdParams,
    },
    authenticate(auth),
    allowRoles(...MANAGERS),
    async (req, res) => {
      const { id } = parseInput(JobIdParams, req.params, 'path');
      res.json(jobView(await coplans.job(await scopeOf(res), id)));
    },
  );

  return Router()
    .use('/api/local-timetables', weeks)
    .use('/api/timetables', plans)
    .use('/api/coplan-jobs', jobs)
    .use('/api/coplans', list);
}

function jobView(job: CoPlanJob): CoPlanJobView {
  const { id, state, fraction, placed, wanted, error } = job;
  return { id, state, fraction, placed, wanted, error };
}
