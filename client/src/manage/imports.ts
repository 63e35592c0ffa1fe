import type { ImportResponse } from '../../../server/contract/api.ts';
import { api, send } from '../api.ts';
import { lang, refusalWords } from '../i18n.ts';
import type { Text } from '../i18n.ts';
import { m } from './messages.ts';
import { h, mount } from '../ui/dom.ts';
import { saveBlob, saveDownload } from '../ui/download.ts';

/** What can be imported: a whole cluster workbook (one sheet per kind), or one kind. */
const KINDS: [string, string, string][] = [
  ['cluster', '整个联校群（每类一个工作表）', 'Whole cluster (a sheet per kind)'],
  ['schools', '学校', 'Schools'],
  ['classrooms', '教室', 'Classrooms'],
  ['classes', '教学班', 'Classes'],
  ['teachers', '教师', 'Teachers'],
  ['bellSchedules', '作息时间', 'Bell schedules'],
];
const kindName = (kind: string): string => {
  const k = KINDS.find(([v]) => v === kind);
  return k ? (lang() === 'en' ? k[2] : k[1]) : kind;
};

const table = (head: string[], rows: (string | number | Text)[][], testId?: string): HTMLTableElement =>
  h(
    'table',
    { class: 'data', ...(testId ? { 'data-testid': testId } : {}) },
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))),
    h(
      'tbody',
      {},
      ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, typeof c === 'number' ? String(c) : c)))),
    ),
  );

/** The new accounts' one-time passwords as a CSV sheet to print and hand out. */
function credentialsCsv(credentials: ImportResponse['credentials']): Blob {
  const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const lines = [
    [m('accountsUsername'), m('accountsName'), m('accountsPassword')],
    ...credentials.map((c) => [c.username, c.realName, c.password]),
  ].map((r) => r.map(quote).join(','));
  return new Blob(['\uFEFF', lines.join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' });
}

function renderResult(result: HTMLElement, body: ImportResponse, dryRun: boolean): void {
  const errors = body.errors;
  result.dataset['state'] = errors.length ? 'errors' : dryRun ? 'checked' : 'imported';
  const summary = errors.length
    ? m('importProblems', { n: errors.length })
    : dryRun
      ? m('importChecked', { rows: body.rows, created: body.created, updated: body.updated })
      : m('importDone', { created: body.created, updated: body.updated });
  const byKind = Object.entries(body.byKind).map(([k, v]) => [
    kindName(k),
    v?.rows ?? 0,
    v?.created ?? 0,
    v?.updated ?? 0,
  ]);
  mount(
    result,
    h('p', { class: errors.length ? 'form-error' : 'ok' }, summary),
    errors.length
      ? table(
          [m('importSheet'), m('importRow'), m('importColumn'), m('importProblem')],
          errors.map((e) => [e.sheet ?? '', e.row || m('importFile'), e.column ?? '', e.message]),
          'import-errors',
        )
      : table(
          [m('importSummaryKind'), m('importRows'), m('importNew'), m('importUpdated')],
          byKind,
          'import-summary',
        ),
    body.credentials.length
      ? h(
          'div',
          { class: 'credentials', 'data-testid': 'import-credentials' },
          h('p', { class: 'warn' }, m('importNewAccounts')),
          h(
            'button',
            {
              class: 'btn btn-primary',
              type: 'button',
              onclick: () => saveBlob(credentialsCsv(body.credentials), `${m('accountsFile')}.csv`),
            },
            m('importDownloadAccounts'),
          ),
          table(
            [m('importUsername'), m('importName'), m('importPassword')],
            body.credentials.map((c) => [c.username, c.realName, c.password]),
          ),
        )
      : null,
  );
}

/** Excel/CSV import (a dry run first lists every problem with its row) and export. */
export async function importPanel(): Promise<HTMLElement> {
  const clusters = await api.list('clusters', { pageSize: 200 });
  const kind = h(
    'select',
    { 'data-testid': 'import-kind' },
    ...KINDS.map(([v, zh, en]) => h('option', { value: v }, lang() === 'en' ? en : zh)),
  );
  const cluster = h(
    'select',
    { 'data-testid': 'import-cluster' },
    ...clusters.items.map((c) => h('option', { value: c.id }, String(c['name']))),
  );
  const file = h('input', { type: 'file', accept: '.xlsx,.csv', 'data-testid': 'import-file' });
  const result = h('div', { class: 'import-result', 'data-testid': 'import-result', role: 'status' });
  const busy = h('progress', { hidden: true });
  const buttons: HTMLButtonElement[] = [];
  const working = async (job: () => Promise<void>): Promise<void> => {
    busy.hidden = false;
    for (const b of buttons) b.disabled = true;
    try {
      await job();
    } catch (error) {
      mount(result, h('p', { class: 'form-error' }, error instanceof Error ? error.message : String(error)));
    } finally {
      busy.hidden = true;
      for (const b of buttons) b.disabled = false;
    }
  };
  const query = (extra: Record<string, string>): string =>
    new URLSearchParams({ clusterId: cluster.value, ...extra }).toString();

  const upload = (dryRun: boolean): Promise<void> =>
    working(async () => {
      const chosen = file.files?.[0];
      if (!chosen) {
        result.textContent = m('importChooseFile');
        return;
      }
      result.textContent = m('importChecking');
      const format = chosen.name.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx';
      const res = await send(`/api/import/${kind.value}?${query({ format, dryRun: String(dryRun) })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: chosen,
      });
      const body = (await res.json()) as Partial<ImportResponse> & {
        error?: { message: string; text?: Text };
      };
      if (!body.errors)
        throw new Error(body.error ? refusalWords(body.error) : `${res.status} ${res.statusText}`);
      renderResult(result, body as ImportResponse, dryRun);
    });

  const button = (
    label: string,
    primary: boolean,
    onclick: () => unknown,
    testId?: string,
  ): HTMLButtonElement => {
    const b = h(
      'button',
      {
        class: `btn ${primary ? 'btn-primary' : 'btn-ghost'}`,
        type: 'button',
        onclick,
        ...(testId ? { 'data-testid': testId } : {}),
      },
      label,
    );
    buttons.push(b);
    return b;
  };
  const csvAllowed = (): boolean => kind.value !== 'cluster';
  const exportCsv = button(m('importExportCsv'), false, () =>
    working(() =>
      saveDownload(`/api/export/${kind.value}?${query({ format: 'csv', lang: lang() })}`, 'export.csv'),
    ),
  );
  kind.addEventListener('change', () => (exportCsv.hidden = !csvAllowed()));
  exportCsv.hidden = !csvAllowed();

  const el = h('section', { class: 'panel' });
  mount(
    el,
    h('div', { class: 'panel-head' }, h('h2', {}, m('importTitle'))),
    h('p', { class: 'hint' }, m('importHint')),
    h(
      'div',
      { class: 'import-form' },
      h('label', { class: 'field' }, h('span', {}, m('importKind')), kind),
      h('label', { class: 'field' }, h('span', {}, m('importCluster')), cluster),
      h('label', { class: 'field' }, h('span', {}, m('importFileField')), file),
    ),
    h(
      'div',
      { class: 'actions' },
      button(m('importTemplate'), false, () =>
        working(() =>
          saveDownload(`/api/import/${kind.value}/template?format=xlsx&lang=${lang()}`, 'template.xlsx'),
        ),
      ),
      button(m('importCheck'), true, () => upload(true), 'import-check'),
      button(m('importRun'), true, () => upload(false), 'import-run'),
      button(m('importExportExcel'), false, () =>
        working(() =>
          saveDownload(`/api/export/${kind.value}?${query({ format: 'xlsx', lang: lang() })}`, 'export.xlsx'),
        ),
      ),
      exportCsv,
    ),
    busy,
    result,
  );
  return el;
}
