import { api } from '../api.ts';
import { lang } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';

const zhEn = (zh: string, en: string): string => (lang() === 'en' ? en : zh);

const KINDS: [string, string, string][] = [
  ['schools', '学校', 'Schools'],
  ['classrooms', '教室', 'Classrooms'],
  ['classes', '教学班', 'Classes'],
  ['teachers', '教师', 'Teachers'],
  ['bellSchedules', '作息时间', 'Bell schedules'],
];

interface RowError {
  row: number;
  column: string | null;
  message: string;
}

interface ImportResult {
  kind: string;
  dryRun: boolean;
  rows: number;
  created: number;
  errors: RowError[];
}

/** Excel/CSV import (dry run first: every row error with its row number) and export. */
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
  const query = (extra: Record<string, string>): string =>
    new URLSearchParams({
      clusterId: cluster.value,
      format: file.files?.[0]?.name.endsWith('.csv') ? 'csv' : 'xlsx',
      ...extra,
    }).toString();

  const upload = async (dryRun: boolean): Promise<void> => {
    const chosen = file.files?.[0];
    if (!chosen) {
      result.textContent = zhEn('请先选择文件', 'Choose a file first');
      return;
    }
    busy.hidden = false;
    result.textContent = '';
    try {
      const res = await fetch(`/api/import/${kind.value}?${query({ dryRun: dryRun ? 'true' : 'false' })}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/octet-stream' },
        body: chosen,
      });
      const body = (await res.json()) as ImportResult & { error?: { message: string; rows?: RowError[] } };
      const errors = body.errors ?? body.error?.rows ?? [];
      result.dataset['state'] = errors.length ? 'errors' : dryRun ? 'checked' : 'imported';
      mount(
        result,
        h(
          'p',
          { class: errors.length ? 'form-error' : 'ok' },
          errors.length
            ? zhEn(
                `发现 ${errors.length} 处错误，未导入任何数据。`,
                `${errors.length} problems found; nothing was imported.`,
              )
            : dryRun
              ? zhEn(`检查通过：${body.rows} 行，可以导入。`, `Checked: ${body.rows} rows, ready to import.`)
              : zhEn(`已导入 ${body.created} 条记录。`, `Imported ${body.created} records.`),
        ),
        errors.length
          ? h(
              'table',
              { class: 'data' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, zhEn('行号', 'Row')),
                  h('th', {}, zhEn('列', 'Column')),
                  h('th', {}, zhEn('问题', 'Problem')),
                ),
              ),
              h(
                'tbody',
                {},
                ...errors.map((e) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, String(e.row)),
                    h('td', {}, e.column ?? ''),
                    h('td', {}, e.message),
                  ),
                ),
              ),
            )
          : null,
      );
    } finally {
      busy.hidden = true;
    }
  };
  const download = (path: string): void => {
    window.location.assign(path);
  };
  const el = h('section', { class: 'panel' });
  mount(
    el,
    h('div', { class: 'panel-head' }, h('h2', {}, zhEn('Excel 导入导出', 'Excel import and export'))),
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
      h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          onclick: () => download(`/api/import/${kind.value}/template?format=xlsx`),
        },
        zhEn('下载模板', 'Template'),
      ),
      h(
        'button',
        {
          class: 'btn btn-primary',
          type: 'button',
          'data-testid': 'import-check',
          onclick: () => void upload(true),
        },
        zhEn('检查（不导入）', 'Check (dry run)'),
      ),
      h(
        'button',
        {
          class: 'btn btn-primary',
          type: 'button',
          'data-testid': 'import-run',
          onclick: () => void upload(false),
        },
        zhEn('导入', 'Import'),
      ),
      h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          onclick: () => download(`/api/export/${kind.value}?${query({ format: 'xlsx' })}`),
        },
        zhEn('导出 Excel', 'Export Excel'),
      ),
      h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          onclick: () => download(`/api/export/${kind.value}?${query({ format: 'csv' })}`),
        },
        zhEn('导出 CSV', 'Export CSV'),
      ),
    ),
    busy,
    result,
  );
  return el;
}
