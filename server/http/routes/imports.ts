import express, { Router } from 'express';
import type { Response } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import { Scope } from '../../auth/Scope.ts';
import type { ImportResponse } from '../../contract/api.ts';
import { ValidationError } from '../../errors.ts';
import { SHEET_MEDIA_TYPES, sendDownload } from '../download.ts';
import { ClusterImport } from '../../imports/ClusterImport.ts';
import {
  IMPORT_KINDS,
  MAX_FILE_BYTES,
  SHEET_KINDS,
  SHEET_NAMES,
  buildFile,
  parseFile,
  templateFile,
} from '../../imports/index.ts';
import type { FileFormat, ImportKind } from '../../imports/index.ts';
import type { Models } from '../../models/index.ts';
import type { AuditLog } from '../../resources/AuditLog.ts';
import { objectId } from '../../resources/Resource.ts';
import { MANAGERS } from '../../resources/schools.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';
import { LangQuery, requestLang } from '../lang.ts';
import { errorWords, text } from '../../../scheduler/text.ts';
import type { Lang } from '../../../scheduler/text.ts';

const KindParams = z.object({ kind: z.enum(IMPORT_KINDS as [ImportKind, ...ImportKind[]]) });
const format = z.enum(['xlsx', 'csv']).default('xlsx');
const TemplateQuery = z.object({ format, lang: LangQuery });
const ExportQuery = z.object({ clusterId: objectId, format, lang: LangQuery });
const ImportQuery = z.object({
  clusterId: objectId,
  format,
  dryRun: z.enum(['true', 'false']).default('true'),
});

/** A download's name for a kind: the sheet's own name, or 联校群 for a whole workbook. */
const fileName = (kind: ImportKind, lang: Lang): string =>
  (kind === 'cluster' ? text('联校群', 'cluster') : SHEET_NAMES[kind])[lang];

const TEMPLATE = text('导入模板', ' import template');

function sendFile(res: Response, data: Buffer, name: string, fileFormat: FileFormat): void {
  sendDownload(res, data, `${name}.${fileFormat}`, SHEET_MEDIA_TYPES[fileFormat]);
}

/**
 * Spreadsheet import and export of a cluster. An import is checked row by row first; a
 * dry run answers with every problem, a real import with any problem answers 400 and
 * writes nothing.
 */
export function importRoutes(
  models: Models,
  auth: Authenticator,
  audit: AuditLog,
  table: RouteTable,
): Router {
  const imports = Router();
  const exports = Router();
  const managers = { kind: 'roles' as const, roles: MANAGERS, scoped: true };

  table.add(
    imports,
    '/api/import',
    {
      method: 'get',
      path: '/:kind/template',
      summary: 'An empty sheet to fill in, with notes on every column (cluster: one sheet per kind)',
      tag: 'Import',
      access: { ...managers, scoped: false },
      params: KindParams,
      query: TemplateQuery,
    },
    authenticate(auth),
    allowRoles(...MANAGERS),
    async (req, res) => {
      const { kind } = parseInput(KindParams, req.params, 'path');
      const query = parseInput(TemplateQuery, req.query, 'query');
      const fileFormat = kind === 'cluster' ? 'xlsx' : query.format;
      const lang = query.lang ?? requestLang(req);
      sendFile(
        res,
        await templateFile(kind, fileFormat, lang),
        `${fileName(kind, lang)}${TEMPLATE[lang]}`,
        fileFormat,
      );
    },
  );

  table.add(
    imports,
    '/api/import',
    {
      method: 'post',
      path: '/:kind',
      summary:
        'Import a sheet into a cluster (dryRun=true: check only); rows are matched by name, so re-importing is safe',
      tag: 'Import',
      access: managers,
      params: KindParams,
      query: ImportQuery,
      rawBody: 'application/octet-stream',
    },
    authenticate(auth),
    allowRoles(...MANAGERS),
    express.raw({ type: () => true, limit: MAX_FILE_BYTES + 1024 * 1024 }),
    async (req, res) => {
      const { kind } = parseInput(KindParams, req.params, 'path');
      const query = parseInput(ImportQuery, req.query, 'query');
      if (!Buffer.isBuffer(req.body) || !req.body.length)
        throw new ValidationError('send the file itself as the request body (application/octet-stream)');
      const identity = identityOf(res);
      const target = await ClusterImport.open(models, await Scope.resolve(models, identity), query.clusterId);
      const parsed = await parseFile(kind, req.body, query.format);
      const dryRun = query.dryRun === 'true';
      const outcome = await target.run(parsed.sheets, dryRun || parsed.errors.length > 0);
      const errors = [...parsed.errors, ...outcome.errors];
      const body: ImportResponse = {
        kind,
        ...outcome,
        dryRun,
        errors,
        credentials: dryRun ? [] : outcome.credentials,
      };
      if (errors.length && !dryRun) {
        res.status(400).json({
          ...body,
          created: 0,
          updated: 0,
          error: {
            name: 'ValidationError',
            code: 'INVALID_INPUT',
            ...errorWords(
              text(
                `发现 ${errors.length} 处问题，未导入任何内容`,
                `${errors.length} problems; nothing was imported`,
              ),
            ),
            rows: errors,
          },
        });
        return;
      }
      if (!dryRun)
        await audit.record(
          identity,
          'import',
          'clusters',
          String(target.cluster._id),
          null,
          {
            kind,
            format: query.format,
            rows: outcome.rows,
            created: outcome.created,
            updated: outcome.updated,
          },
          target.cluster.regionCode,
        );
      res.json(body);
    },
  );

  table.add(
    exports,
    '/api/export',
    {
      method: 'get',
      path: '/:kind',
      summary: 'Export a cluster’s records as a sheet that imports back unchanged',
      tag: 'Import',
      access: managers,
      params: KindParams,
      query: ExportQuery,
    },
    authenticate(auth),
    allowRoles(...MANAGERS),
    async (req, res) => {
      const { kind } = parseInput(KindParams, req.params, 'path');
      const query = parseInput(ExportQuery, req.query, 'query');
      const source = await ClusterImport.open(
        models,
        await Scope.resolve(models, identityOf(res)),
        query.clusterId,
      );
      const kinds = kind === 'cluster' ? SHEET_KINDS : [kind];
      const fileFormat = kind === 'cluster' ? 'xlsx' : query.format;
      const sheets = await Promise.all(
        kinds.map(async (k) => ({ kind: k, rows: await source.exportRows(k) })),
      );
      const lang = query.lang ?? requestLang(req);
      sendFile(
        res,
        await buildFile(sheets, fileFormat, lang),
        `${source.cluster.name}-${fileName(kind, lang)}`,
        fileFormat,
      );
    },
  );

  return Router().use('/api/import', imports).use('/api/export', exports);
}
