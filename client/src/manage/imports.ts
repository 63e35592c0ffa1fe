import type { ImportResponse } from '../../../server/contract/api.ts';
import { api, send } from '../api.ts';
import { lang, zhEn } from '../i18n.ts';
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

const table = (head: string[], rows: (string | number)[][], testId?: string): HTMLTableElement =>
  h(
    'table',
    { class: 'data', ...(testId ? { 'data-testid': testId } : {}) },
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, String(c)))))),
  );

/** The new accounts' one-time passwords as a CSV sheet to print and hand out. */
function credentialsCsv(credentials: ImportResponse['credentials']): Blob {
  const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const lines = [
    ['用户名', '姓名', '初始密码'],
    ...credentials.map((c) => [c.username, c.realName, c.password]),
  ].map((r) => r.map(quote).join(','));
  return new Blob(['\uFEFF', lines.join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' });
}

function renderResult(result: HTMLElement, body: ImportResponse, dryRun: boolean): void {
  const errors = body.errors;
  result.dataset['state'] = errors.length ? 'errors' : dryRun ? 'checked' : 'imported';
  const summary = errors.length
    ? zhEn(
        `发现 ${errors.length} 处问题，未导入任何数据。请修改文件后重新检查。`,
        `${errors.length} problems found; nothing was imported. Fix the file and check again.`,
      )
    : dryRun
      ? zhEn(
          `检查通过：${body.rows} 行，将新建 ${body.created} 条、更新 ${body.updated} 条。可以导入。`,
          `Checked: ${body.rows} rows; ${body.created} to create, ${body.updated} to update. Ready to import.`,
        )
      : zhEn(
          `已导入：新建 ${body.created} 条，更新 ${body.updated} 条。`,
          `Imported: ${body.created} created, ${body.updated} updated.`,
        );
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
          [zhEn('工作表', 'Sheet'), zhEn('行号', 'Row'), zhEn('列', 'Column'), zhEn('问题', 'Problem')],
          errors.map((e) => [e.sheet ?? '', e.row || zhEn('文件', 'file'), e.column ?? '', e.message]),
          'import-errors',
        )
      : table(
          [zhEn('类型', 'Kind'), zhEn('行数', 'Rows'), zhEn('新建', 'New'), zhEn('更新', 'Updated')],
          byKind,
          'import-summary',
        ),
    body.credentials.length
      ? h(
          'div',
          { class: 'credentials', 'data-testid': 'import-credentials' },
          h(
            'p',
            { class: 'warn' },
            zhEn(
              '以下账号为新建账号，初始密码只显示这一次，请下载保存并分发给教师和教室；首次登录后请修改密码。',
              'New accounts: their initial passwords are shown this once. Download the list and hand them out.',
            ),
          ),
          h(
            'button',
            {
              class: 'btn btn-primary',
              type: 'button',
              onclick: () => saveBlob(credentialsCsv(body.credentials), '新建账号初始密码.csv'),
            },
            zhEn('下载账号清单', 'Download account list'),
          ),
          table(
            [zhEn('用户名', 'Username'), zhEn('姓名', 'Name'), zhEn('初始密码', 'Initial password')],
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
        result.textContent = zhEn('请先选择文件', 'Choose a file first');
        return;
      }
      result.textContent = zhEn('正在检查…', 'Checking…');
      const format = chosen.name.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx';
      const res = await send(`/api/import/${kind.value}?${query({ format, dryRun: String(dryRun) })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: chosen,
      });
      const body = (await res.json()) as Partial<ImportResponse> & { error?: { message: string } };
      if (!body.errors) throw new Error(body.error?.message ?? `${res.status} ${res.statusText}`);
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
  const exportCsv = button(zhEn('导出 CSV', 'Export CSV'), false, () =>
    working(() => saveDownload(`/api/export/${kind.value}?${query({ format: 'csv' })}`, 'export.csv')),
  );
  kind.addEventListener('change', () => (exportCsv.hidden = !csvAllowed()));
  exportCsv.hidden = !csvAllowed();

  const el = h('section', { class: 'panel' });
  mount(
    el,
    h('div', { class: 'panel-head' }, h('h2', {}, zhEn('Excel 导入导出', 'Excel import and export'))),
    h(
      'p',
      { class: 'hint' },
      zhEn(
        '下载模板，在 Excel 或 WPS 中填写后上传。先“检查”：列出每一处问题及其行号，不写入任何数据；检查通过后再“导入”。按名称匹配已有记录，重复导入不会产生重复数据。',
        'Download a template, fill it in Excel or WPS and upload it. "Check" lists every problem with its row and writes nothing; then "Import". Records are matched by name, so importing again creates no duplicates.',
      ),
    ),
    h(
      'div',
      { class: 'import-form' },
      h('label', { class: 'field' }, h('span', {}, zhEn('数据类型', 'Kind')), kind),
      h('label', { class: 'field' }, h('span', {}, zhEn('联校群', 'Cluster')), cluster),
      h(
        'label',
        { class: 'field' },
        h('span', {}, zhEn('文件（.xlsx 或 .csv）', 'File (.xlsx or .csv)')),
        file,
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      button(zhEn('下载模板', 'Template'), false, () =>
        working(() => saveDownload(`/api/import/${kind.value}/template?format=xlsx`, 'template.xlsx')),
      ),
      button(zhEn('检查（不导入）', 'Check (dry run)'), true, () => upload(true), 'import-check'),
      button(zhEn('导入', 'Import'), true, () => upload(false), 'import-run'),
      button(zhEn('导出 Excel', 'Export Excel'), false, () =>
        working(() => saveDownload(`/api/export/${kind.value}?${query({ format: 'xlsx' })}`, 'export.xlsx')),
      ),
      exportCsv,
    ),
    busy,
    result,
  );
  return el;
}
