import { Router } from 'express';
import type { Response } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import { Scope } from '../../auth/Scope.ts';
import { JobIdParams } from '../../jobs/index.ts';
import type { Models } from '../../models/index.ts';
import { objectId } from '../../resources/Resource.ts';
import { MANAGERS } from '../../resources/schools.ts';
import type { ExportJobs } from '../../reports/ExportJobs.ts';
import type { ReportService } from '../../reports/ReportService.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import { LangQuery, requestLang } from '../lang.ts';
import { sendDownload } from '../download.ts';
import type { RouteTable } from '../RouteTable.ts';

const FiguresQuery = z.object({
  region: z
    .string()
    .regex(/^\d{6}$/, 'a 6-digit region code')
    .optional(),
  clusterId: objectId.optional(),
  period: z.enum(['month', 'quarter', 'term', 'year']).default('month'),
});
const ExportQuery = FiguresQuery.extend({ format: z.enum(['xlsx', 'csv']).default('xlsx'), lang: LangQuery });

/** Figures toward the targets, drill-down, and report exports (bureaus, coordinators, admins in scope). */
export function reportRoutes(
  models: Models,
  reports: ReportService,
  jobs: ExportJobs,
  auth: Authenticator,
  table: RouteTable,
): Router {
  const figures = Router();
  const exports = Router();
  const guard = [authenticate(auth), allowRoles(...MANAGERS)];
  const managers = { kind: 'roles' as const, roles: MANAGERS, scoped: true };
  const userRegion = async (res: Response): Promise<string | null> =>
    (await models.User.findById(identityOf(res).userId, { regionCode: 1 }).lean())?.regionCode ?? null;
  const scopeOf = (res: Response) => Scope.resolve(models, identityOf(res));

  table.add(
    figures,
    '/api/reports',
    {
      method: 'get',
      path: '/figures',
      summary:
        'Figures toward the provincial targets for a region or cluster and a period, with the drill-down one level down and the rules used',
      tag: 'Reports',
      access: managers,
      query: FiguresQuery,
    },
    ...guard,
    async (req, res) => {
      const query = parseInput(FiguresQuery, req.query, 'query');
      res.json(await reports.view(await scopeOf(res), await userRegion(res), query));
    },
  );

  table.add(
    figures,
    '/api/reports',
    {
      method: 'post',
      path: '/exports',
      summary:
        'Start a monthly, quarterly or annual report export (Excel or CSV); poll the job, then fetch the file',
      tag: 'Reports',
      access: managers,
      query: ExportQuery,
      status: 202,
    },
    ...guard,
    async (req, res) => {
      const { format, lang, ...query } = parseInput(ExportQuery, req.query, 'query');
      const scope = await scopeOf(res);
      const region = await userRegion(res);
      // The scope is checked before answering, so that a refused export fails here, not in the job.
      await reports.resolve(scope, region, query);
      res
        .status(202)
        .json(await jobs.start(identityOf(res), { query, format, lang: lang ?? requestLang(req) }));
    },
  );

  table.add(
    exports,
    '/api/report-exports',
    {
      method: 'get',
      path: '/:id',
      summary: 'Progress of a report export',
      tag: 'Reports',
      access: { ...managers, scoped: false },
      params: JobIdParams,
    },
    ...guard,
    async (req, res) => {
      const { id } = parseInput(JobIdParams, req.params, 'path');
      res.json(await jobs.get(id, identityOf(res).userId));
    },
  );

  table.add(
    exports,
    '/api/report-exports',
    {
      method: 'get',
      path: '/:id/file',
      summary: 'The finished report file',
      tag: 'Reports',
      access: { ...managers, scoped: false },
      params: JobIdParams,
    },
    ...guard,
    async (req, res) => {
      const { id } = parseInput(JobIdParams, req.params, 'path');
      const file = await jobs.file(id, identityOf(res).userId);
      sendDownload(res, file.data, file.name, file.type);
    },
  );

  return Router().use('/api/reports', figures).use('/api/report-exports', exports);
}
