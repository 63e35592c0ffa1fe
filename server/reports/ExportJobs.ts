import crypto from 'node:crypto';
import type { ExportJobView } from '../contract/reports.ts';
import { NotFoundError } from '../errors.ts';

interface Job extends ExportJobView {
  userId: string;
  file: { name: string; type: string; data: Buffer } | null;
}

/** Finished exports are kept this long for the download, ms. */
const KEEP_MS = 15 * 60_000;

/**
 * Long report exports run in the background with progress for the browser's progress bar;
 * the file is fetched once done, by the user who asked for it.
 */
export class ExportJobs {
  readonly #jobs = new Map<string, Job>();

  start(
    userId: string,
    build: (progress: (fraction: number) => void) => Promise<{ name: string; type: string; data: Buffer }>,
  ): ExportJobView {
    const job: Job = {
      id: crypto.randomUUID(),
      state: 'running',
      fraction: 0,
      error: null,
      userId,
      file: null,
    };
    this.#jobs.set(job.id, job);
    build((fraction) => (job.fraction = Math.max(job.fraction, Math.min(1, fraction)))).then(
      (file) => Object.assign(job, { state: 'done', fraction: 1, file }),
      (error: unknown) =>
        Object.assign(job, {
          state: 'failed',
          error: error instanceof Error ? error.message : String(error),
        }),
    );
    setTimeout(() => this.#jobs.delete(job.id), KEEP_MS).unref();
    return view(job);
  }

  /** @throws NotFoundError for an unknown, expired or someone else's job */
  get(id: string, userId: string): ExportJobView {
    return view(this.#job(id, userId));
  }

  /** @throws NotFoundError while not done */
  file(id: string, userId: string): { name: string; type: string; data: Buffer } {
    const job = this.#job(id, userId);
    if (!job.file) throw new NotFoundError('the export is not ready');
    return job.file;
  }

  #job(id: string, userId: string): Job {
    const job = this.#jobs.get(id);
    if (!job || job.userId !== userId) throw new NotFoundError(`export ${id} not found`);
    return job;
  }
}

const view = ({ id, state, fraction, error }: Job): ExportJobView => ({ id, state, fraction, error });
