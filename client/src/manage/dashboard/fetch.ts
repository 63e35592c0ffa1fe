import type { ExportJobView, ReportView } from '../../../../server/contract/reports.ts';
import { api } from '../../api.ts';
import { lang } from '../../i18n.ts';
import { saveDownload } from '../../ui/download.ts';

/** The figures, rows, trend and sessions of a scope and period (`query`: figuresQuery()). */
export function fetchFigures(query: string): Promise<ReportView> {
  return api.get<ReportView>(`/api/reports/figures?${query}`);
}

/** How often a running export is asked about, in milliseconds. */
const EXPORT_POLL_MS = 300;

/**
 * Builds the report as a file on the server (a job, polled every 300 ms with its progress
 * passed to `progress` as a fraction 0–1) and saves it in the browser.
 */
export async function exportReport(
  query: string,
  format: 'xlsx' | 'csv',
  progress: (fraction: number) => void,
): Promise<void> {
  // The file's sheet and column titles follow the interface language.
  let job = await api.post<ExportJobView>(`/api/reports/exports?${query}&format=${format}&lang=${lang()}`);
  while (job.state === 'running') {
    progress(job.fraction);
    await new Promise((r) => setTimeout(r, EXPORT_POLL_MS));
    job = await api.get<ExportJobView>(`/api/report-exports/${job.id}`);
  }
  if (job.state === 'failed') throw new Error(job.error ?? 'export failed');
  await saveDownload(`/api/report-exports/${job.id}/file`, `report.${format}`);
}
