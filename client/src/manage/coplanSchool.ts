import type { UserView } from '../../../server/contract/api.ts';
import type { CoPlanSummary, CoPlanView, LocalImportResponse } from '../../../server/contract/timetable.ts';
import { api, send } from '../api.ts';
import { zhEn } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { saveDownload } from '../ui/download.ts';
import { partWeeks, slotName } from './coplanWeek.ts';

/**
 * A receiving school's page (its timetabler, role `school`): the co-plans that ask something
 * of it, its week before and after each with the moved lessons and synchronized sessions
 * marked, approve or refuse with a note; and its own week to export and import (Excel).
 */
export async function schoolCoPlanPanel(user: UserView): Promise<HTMLElement> {
  const { items } = await api.get<{ items: CoPlanSummary[] }>('/api/coplans');
  const select = h(
    'select',
    { 'data-testid': 'cps-plan' },
    ...items.map((p, i) =>
      h(
        'option',
        { value: String(i) },
        `${p.clusterName} · ${p.term}${p.state === 'applied' ? zhEn('（已应用）', ' (applied)') : ''}`,
      ),
    ),
  );
  const body = h('div', { class: 'cp-body' });
  const message = h('p', { class: 'tt-message', 'data-testid': 'cps-message', role: 'status' });
  const note = h('input', {
    type: 'text',
    maxlength: 500,
    placeholder: zhEn('备注（可选）', 'Note (optional)'),
    'data-testid': 'cps-note',
  });
  const file = h('input', { type: 'file', accept: '.xlsx', 'data-testid': 'cps-file' });
  const importResult = h('div', { 'data-testid': 'cps-import-result' });
  const say = (text: string, bad = false): void => {
    message.textContent = text;
    message.classList.toggle('form-error', bad);
  };
  const fail = (error: unknown): void => say(error instanceof Error ? error.message : String(error), true);
  const chosen = (): CoPlanSummary | undefined => items[Number(select.value)];
  const base = (): string | null => {
    const p = chosen();
    return p ? `/api/timetables/${p.clusterId}/${p.term}/coplan` : null;
  };

  const show = (view: CoPlanView): void => {
    const part = view.schools[0];
    const offering = (id: string): string => view.offerings.find((o) => o.id === id)?.name ?? '';
    if (!part) {
      mount(
        body,
        h('p', { class: 'hint' }, zhEn('这个方案不需要本校改动。', 'This plan asks nothing of your school.')),
      );
      return;
    }
    const open = view.state === 'proposed' && !view.stale;
    mount(
      body,
      h('p', {}, view.message),
      view.stale
        ? h(
            'p',
            { class: 'form-error' },
            zhEn(
              '方案生成后数据有变动，请等联校群管理员重新编排。',
              'The data changed since; wait for the coordinator to plan again.',
            ),
          )
        : null,
      h(
        'p',
        { 'data-testid': 'cps-decision', 'data-decision': part.decision },
        part.decision === 'pending'
          ? zhEn('本校尚未确认', 'Your school has not decided yet')
          : part.decision === 'approved'
            ? zhEn(`本校已同意（${part.by ?? ''}）`, `Approved by ${part.by ?? ''}`)
            : zhEn(`本校已拒绝（${part.by ?? ''}）`, `Refused by ${part.by ?? ''}`),
      ),
      h(
        'ul',
        { class: 'cp-list' },
        ...view.bellChanges.map((c) =>
          h(
            'li',
            { 'data-refused': String(c.refused) },
            `${zhEn('作息', 'Bells')} ${zhEn(`第${c.period}节`, `P${c.period}`)} ${c.from.start}–${c.from.end} → ${c.to.start}–${c.to.end}`,
          ),
        ),
        ...view.localChanges.map((c) =>
          h(
            'li',
            { 'data-refused': String(c.refused), 'data-kind': c.kind },
            `${c.subject}${c.teacher ? `（${c.teacher}）` : ''}：${slotName(c.from.weekday, c.from.period)}` +
              (c.kind === 'remote'
                ? zhEn(
                    ` → ${slotName(c.to.weekday, c.to.period)} 同步课《${offering(c.offeringId ?? '')}》`,
                    ` → ${slotName(c.to.weekday, c.to.period)} synchronized ${offering(c.offeringId ?? '')}`,
                  )
                : ` → ${slotName(c.to.weekday, c.to.period)}`) +
              (c.refused ? zhEn('（联校群已拒绝）', ' (refused by the coordinator)') : ''),
          ),
        ),
      ),
      partWeeks(part, offering),
      open
        ? h(
            'div',
            { class: 'actions' },
            note,
            h(
              'button',
              {
                class: 'btn btn-primary btn-lg',
                type: 'button',
                'data-testid': 'cps-approve',
                onclick: () => void decide(true),
              },
              zhEn('同意本校调整', 'Approve our part'),
            ),
            h(
              'button',
              {
                class: 'btn btn-danger btn-lg',
                type: 'button',
                'data-testid': 'cps-refuse',
                onclick: () => void decide(false),
              },
              zhEn('不同意', 'Refuse'),
            ),
          )
        : null,
    );
  };

  const load = async (): Promise<void> => {
    const path = base();
    if (!path) {
      mount(
        body,
        h(
          'p',
          { class: 'hint' },
          zhEn('目前没有需要本校确认的联合编排方案。', 'No co-plan asks anything of your school now.'),
        ),
      );
      return;
    }
    try {
      show(await api.get<CoPlanView>(path));
    } catch (error) {
      fail(error);
    }
  };

  const decide = async (approve: boolean): Promise<void> => {
    const path = base();
    if (!path || !user.schoolId) return;
    try {
      show(
        await api.post<CoPlanView>(`${path}/schools/${user.schoolId}/decision`, {
          approve,
          note: note.value,
        }),
      );
      say(
        approve
          ? zhEn('已同意，联校群管理员将应用方案。', 'Approved; the coordinator will apply the plan.')
          : zhEn('已拒绝。', 'Refused.'),
      );
    } catch (error) {
      fail(error);
    }
  };

  const week = (): string | null => {
    const p = chosen();
    return p && user.schoolId ? `/api/local-timetables/${user.schoolId}/${p.term}` : null;
  };
  const upload = async (dryRun: boolean): Promise<void> => {
    const path = week();
    const picked = file.files?.[0];
    if (!path || !picked) return say(zhEn('请先选择文件', 'Choose a file first'), true);
    try {
      const res = await send(`${path}/import?dryRun=${String(dryRun)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: picked,
      });
      const answer = (await res.json()) as LocalImportResponse;
      mount(
        importResult,
        answer.errors.length
          ? h(
              'ul',
              { class: 'form-error' },
              ...answer.errors.map((e) =>
                h(
                  'li',
                  {},
                  `${e.sheet ?? ''} ${e.row ? zhEn(`第${e.row}行`, `row ${e.row}`) : ''} ${e.column ?? ''} ${e.message}`,
                ),
              ),
            )
          : h(
              'p',
              { class: 'ok' },
              dryRun
                ? zhEn(
                    `检查通过：${answer.classes} 个班、${answer.lessons} 节课。`,
                    `Checked: ${answer.classes} classes, ${answer.lessons} lessons.`,
                  )
                : zhEn(
                    `已导入：${answer.classes} 个班、${answer.lessons} 节课。`,
                    `Imported: ${answer.classes} classes, ${answer.lessons} lessons.`,
                  ),
            ),
      );
    } catch (error) {
      fail(error);
    }
  };

  select.addEventListener('change', () => void load());
  await load();
  return h(
    'section',
    { class: 'panel coplan-school' },
    h(
      'div',
      { class: 'panel-head' },
      h('h2', {}, zhEn('联合编排 · 本校确认', 'Co-plan · your school’s part')),
    ),
    items.length ? h('label', { class: 'field' }, h('span', {}, zhEn('方案', 'Plan')), select) : null,
    message,
    body,
    h('h3', {}, zhEn('本校课表（Excel）', 'Your school’s own timetable (Excel)')),
    h(
      'p',
      { class: 'hint' },
      zhEn(
        '每个班一个工作表：第一列节次，第一行周一至周五，格内填“科目 教师”，升旗、班会等固定节次加“锁定”。检查会列出每个问题，有任何问题都不会导入。',
        'One sheet per class: periods down, Monday to Friday across, “subject teacher” in each cell, “锁定” for fixed periods. Checking lists every problem; a file with any problem changes nothing.',
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
          onclick: () => {
            const path = week();
            if (path) void saveDownload(`${path}/export`, 'timetable.xlsx').catch(fail);
          },
        },
        zhEn('导出本校课表', 'Export'),
      ),
      file,
      h(
        'button',
        { class: 'btn btn-ghost', type: 'button', onclick: () => void upload(true) },
        zhEn('检查（不导入）', 'Check'),
      ),
      h(
        'button',
        { class: 'btn btn-primary', type: 'button', onclick: () => void upload(false) },
        zhEn('导入', 'Import'),
      ),
    ),
    importResult,
  );
}
