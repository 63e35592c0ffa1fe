import { text } from '../../scheduler/text.ts';
import type { Lang } from '../../scheduler/text.ts';
import { Scope } from '../auth/Scope.ts';
import type { Identity } from '../auth/tokens.ts';
import type { ExportJobView } from '../contract/reports.ts';
import { NotFoundError } from '../errors.ts';
import { SHEET_MEDIA_TYPES } from '../http/download.ts';
import type { JobBackend, JobFiles, JobQueue, JobSnapshot } from '../jobs/index.ts';
import type { Models } from '../models/index.ts';
import type { ReportQuery, ReportService } from './ReportService.ts';
import { reportWorkbook } from './workbook.ts';

/** What to export: the report's query, the file format and the language of its titles. */
export interface ExportRequest {
  query: ReportQuery;
  format: keyof typeof SHEET_MEDIA_TYPES;
  lang: Lang;
}

const FILE_NAME = text('同步课堂报表', 'synchronized-classroom-report');

/** An export as its queue keeps it: who asked (their scope is resolved when it runs) and what. */
interface ExportData extends ExportRequest {
  identity: Pick<Identity, 'userId' | 'role' | 'displayName' | 'classroomId'>;
}

/** A finished export's file, whose bytes are in the job files under the job's id. */
interface ExportResult {
  name: string;
  type: string;
}

/** Finished exports (and their files) are kept this long for the download, ms. */
const KEEP_MS = 15 * 60_000;

/**
 * Long report exports as jobs (`server/jobs`), with progress for the browser's progress bar:
 * accepted by any server process and built by one, the file kept where every process can
 * read it (`JobBackend.files`), fetched once done by the user who asked for it.
 */
export class ExportJobs {
  readonly #queue: JobQueue<ExportData, number, ExportResult>;
  readonly #files: JobFiles;
  readonly #models: Models;
  readonly #reports: ReportService;

  constructor(jobs: JobBackend, models: Models, reports: ReportService) {
    this.#files = jobs.files;
    this.#models = models;
    this.#reports = reports;
    this.#queue = jobs.queue<ExportData, number, ExportResult>({
      name: 'report-export',
      keepMs: KEEP_MS,
      concurrency: 2,
      run: (data, { id, progress }) => this.#build(id, data, progress),
    });
  }

  /** Accepts an export for `identity` (whose scope the caller has checked). */
  async start(identity: Identity, request: ExportRequest): Promise<ExportJobView> {
    const { userId, role, displayName, classroomId } = identity;
    return view(await this.#queue.add({ ...request, identity: { userId, role, displayName, classroomId } }));
  }

  /** @throws NotFoundError for an unknown, expired, malformed or someone else's job */
  async get(id: string, userId: string): Promise<ExportJobView> {
    return view(await this.#job(id, userId));
  }

  /** @throws NotFoundError while not done, once expired, or for someone else's job */
  async file(id: string, userId: string): Promise<{ name: string; type: string; data: Buffer }> {
    const { result } = await this.#job(id, userId);
    if (!result) throw new NotFoundError('the export is not ready');
    const data = await this.#files.get(id);
    if (!data) throw new NotFoundError(`export ${id} has expired`);
    return { ...result, data };
  }

  async #job(id: string, userId: string): Promise<JobSnapshot<ExportData, number, ExportResult>> {
    const job = await this.#queue.get(id);
    if (!job || job.data.identity.userId !== userId) throw new NotFoundError(`export ${id} not found`);
    return job;
  }

  async #build(
    id: string,
    { identity, query, format, lang = 'zh' }: ExportData,
    progress: (fraction: number) => void,
  ): Promise<ExportResult> {
    progress(0.05);
    // Resolved now, in whichever process builds it: an assignment withdrawn meanwhile counts.
    const scope = await Scope.resolve(this.#models, identity);
    const user = await this.#models.User.findById(identity.userId, { regionCode: 1 }).lean();
    const report = await this.#reports.view(scope, user?.regionCode ?? null, query);
    progress(0.7);
    const data = await reportWorkbook(report, format, lang);
    await this.#files.put(id, data, KEEP_MS);
    return {
      name: `${report.scope.name}-${report.period.label[lang]}-${FILE_NAME[lang]}.${format}`,
      type: SHEET_MEDIA_TYPES[format],
    };
  }
}

function view({ id, state, progress, error }: JobSnapshot<ExportData, number, ExportResult>): ExportJobView {
  return {
    id,
    state: state === 'done' || state === 'failed' ? state : 'running',
    fraction: state === 'done' ? 1 : Math.max(0, Math.min(1, progress ?? 0)),
    error,
  };
}
