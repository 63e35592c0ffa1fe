import { Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import type { Role } from '../../contract/api.ts';
import {
  EvaluationCreateSchema,
  EvaluationInviteSchema,
  EvaluationQuerySchema,
  EvaluationUpdateSchema,
  SummaryQuerySchema,
} from '../../contract/research.ts';
import { LessonIdParams, ObjectIdSchema } from '../../contract/schemas.ts';
import type { EvaluationService } from '../../evaluation/EvaluationService.ts';
import { BY_LABEL, SUMMARY_WORDS, summaryWorkbook } from '../../evaluation/summary.ts';
import type { ResearchService } from '../../research/ResearchService.ts';
import { parseInput } from '../../validate.ts';
import { SHEET_MEDIA_TYPES, sendDownload } from '../download.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';
import { LangQuery, requestLang } from '../lang.ts';

const IdParams = z.object({ id: ObjectIdSchema });
/** Who evaluates (teachers when invited) and reads feedback. */
const EVALUATORS: readonly Role[] = ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'];
/** Who reads the aggregation of its scope. */
const OVERSEERS: readonly Role[] = ['admin', 'bureau', 'coordinator', 'inspector'];
/** Who invites a teacher to evaluate a lesson. */
const INVITERS: readonly Role[] = ['admin', 'bureau', 'coordinator'];
const RESEARCH: readonly Role[] = ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'];
const ExportQuery = SummaryQuerySchema.extend({
  format: z.enum(['xlsx', 'csv']).default('xlsx'),
  lang: LangQuery,
});

/**
 * 听课评课 (/api/evaluations, and invitations under /api/lessons) and the live side of
 * 网络教研 sessions (/api/research-sessions/:id/…; the sessions themselves are a resource).
 * Mounted at the root.
 */
export function evaluationRoutes(
  evaluations: EvaluationService,
  research: ResearchService,
  auth: Authenticator,
  table: RouteTable,
): Router {
  const router = Router();
  const roles = (list: readonly Role[]) => ({ kind: 'roles' as const, roles: list, scoped: true });

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/evaluations/summary',
      summary: 'Submitted evaluations in scope, aggregated per teacher, cluster or region',
      tag: 'Evaluation',
      access: roles(OVERSEERS),
      query: SummaryQuerySchema,
    },
    authenticate(auth),
    allowRoles(...OVERSEERS),
    async (req, res) => {
      res.json(
        await evaluations.summary(identityOf(res), parseInput(SummaryQuerySchema, req.query, 'query')),
      );
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/evaluations/export',
      summary: 'The aggregation as Excel (or CSV)',
      tag: 'Evaluation',
      access: roles(OVERSEERS),
      query: ExportQuery,
      responses: { 200: { content: { [SHEET_MEDIA_TYPES.xlsx]: null, [SHEET_MEDIA_TYPES.csv]: null } } },
    },
    authenticate(auth),
    allowRoles(...OVERSEERS),
    async (req, res) => {
      const { lang: asked, ...query } = parseInput(ExportQuery, req.query, 'query');
      const lang = asked ?? requestLang(req);
      const view = await evaluations.summary(identityOf(res), query);
      const name = `${SUMMARY_WORDS.title[lang]}-${BY_LABEL[view.by][lang]}.${query.format}`;
      sendDownload(
        res,
        await summaryWorkbook(view, query.format, lang),
        name,
        SHEET_MEDIA_TYPES[query.format],
      );
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/evaluations/lessons',
      summary: 'Lessons in scope to evaluate: live now, or ended in the last 14 days',
      tag: 'Evaluation',
      access: roles(OVERSEERS),
    },
    authenticate(auth),
    allowRoles(...OVERSEERS),
    async (_req, res) => {
      res.json(await evaluations.lessons(identityOf(res)));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/evaluations',
      summary: 'Evaluations the caller may read: its own, its lessons’ feedback, those in its scope',
      tag: 'Evaluation',
      access: roles(EVALUATORS),
      query: EvaluationQuerySchema,
      // A list, not the resources' page (its path looks like one).
      responses: { 200: { content: { 'application/json': z.array(z.looseObject({ id: z.string() })) } } },
    },
    authenticate(auth),
    allowRoles(...EVALUATORS),
    async (req, res) => {
      res.json(
        await evaluations.list(identityOf(res), parseInput(EvaluationQuerySchema, req.query, 'query')),
      );
    },
  );

  table.add(
    router,
    '',
    {
      method: 'post',
      path: '/api/evaluations',
      summary: 'Starts (or submits) the caller’s evaluation of a lesson, live or on its recording',
      tag: 'Evaluation',
      access: roles(EVALUATORS),
      body: EvaluationCreateSchema,
      status: 201,
    },
    authenticate(auth),
    allowRoles(...EVALUATORS),
    async (req, res) => {
      const body = parseInput(EvaluationCreateSchema, req.body, 'body');
      res.status(201).json(await evaluations.create(identityOf(res), body));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/evaluations/:id',
      summary: 'One evaluation with its rubric, scores and time-stamped comments',
      tag: 'Evaluation',
      access: roles(EVALUATORS),
      params: IdParams,
    },
    authenticate(auth),
    allowRoles(...EVALUATORS),
    async (req, res) => {
      const { id } = parseInput(IdParams, req.params, 'evaluation id');
      res.json(await evaluations.get(identityOf(res), id));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'put',
      path: '/api/evaluations/:id',
      summary: 'Its evaluator updates scores, comments and summary, or submits it',
      tag: 'Evaluation',
      access: roles(EVALUATORS),
      params: IdParams,
      body: EvaluationUpdateSchema,
    },
    authenticate(auth),
    allowRoles(...EVALUATORS),
    async (req, res) => {
      const { id } = parseInput(IdParams, req.params, 'evaluation id');
      const body = parseInput(EvaluationUpdateSchema, req.body, 'body');
      res.json(await evaluations.update(identityOf(res), id, body));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'post',
      path: '/api/lessons/:id/evaluation-invites',
      summary: 'Invites a teacher to evaluate the lesson',
      tag: 'Evaluation',
      access: roles(INVITERS),
      params: LessonIdParams,
      body: EvaluationInviteSchema,
      status: 201,
    },
    authenticate(auth),
    allowRoles(...INVITERS),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      const { rubricId, teacherId } = parseInput(EvaluationInviteSchema, req.body, 'body');
      res.status(201).json(await evaluations.invite(identityOf(res), id, rubricId, teacherId));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'get',
      path: '/api/research-sessions/:id/view',
      summary: 'A research session with its alliance’s teachers and who joined',
      tag: 'Research',
      access: roles(RESEARCH),
      params: IdParams,
    },
    authenticate(auth),
    allowRoles(...RESEARCH),
    async (req, res) => {
      const { id } = parseInput(IdParams, req.params, 'research session id');
      res.json(await research.view(identityOf(res), id));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'post',
      path: '/api/research-sessions/:id/join',
      summary: 'A teacher of the alliance joins: the session is held, the teacher takes part',
      tag: 'Research',
      access: roles(['teacher']),
      params: IdParams,
    },
    authenticate(auth),
    allowRoles('teacher'),
    async (req, res) => {
      const { id } = parseInput(IdParams, req.params, 'research session id');
      res.json(await research.join(identityOf(res), id));
    },
  );

  table.add(
    router,
    '',
    {
      method: 'post',
      path: '/api/research-sessions/:id/end',
      summary: 'The leading teacher (or an overseer) ends a live research session',
      tag: 'Research',
      access: roles(['admin', 'bureau', 'teacher']),
      params: IdParams,
    },
    authenticate(auth),
    allowRoles('admin', 'bureau', 'teacher'),
    async (req, res) => {
      const { id } = parseInput(IdParams, req.params, 'research session id');
      res.json(await research.end(identityOf(res), id));
    },
  );

  return router;
}
