import type { UserView } from '../../../server/contract/api.ts';
import type { CoPlanSummary, CoPlanView, LocalImportResponse } from '../../../server/contract/timetable.ts';
import { api, send } from '../api.ts';
import { localized } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { saveDownload } from '../ui/download.ts';
import { m } from './coplan/messages.ts';
import { partWeeks, slotName } from './coplanWeek.ts';
import { ownWeekEditor } from './ownWeekEditor.ts';

/**
 * A receiving school's page (its timetabler, role `school`): the co-plans that ask something
 * of it, its week before and after each with the moved lessons and synchronized sessions
 * marked, approve or refuse with a note; and its own week to export and import (Excel) or to
 * edit cell by cell.
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
        `${p.clusterName} · ${p.term}${p.state === 'applied' ? m('appliedTag') : ''}`,
      ),
    ),
  );
  const body = h('div', { class: 'cp-body' });
  const message = h('p', { class: 'tt-message', 'data-testid': 'cps-message', role: 'status' });
  const note = h('input', {
    type: 'text',
    maxlength: 500,
    placeholder: m('notePlaceholder'),
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
    const offering = (id: string): string => {
      const found = view.offerings.find((o) => o.id === id);
      return found ? localized(found.name) : '';
    };
    if (!part) {
      mount(body, h('p', { class: 'hint' }, m('nothingOfSchool')));
      return;
    }
    const open = view.state === 'proposed' && !view.stale;
    mount(
      body,
      h('p', {}, view.message),
      view.stale ? h('p', { class: 'form-error' }, m('staleSchool')) : null,
      h(
        'p',
        { 'data-testid': 'cps-decision', 'data-decision': part.decision },
        part.decision === 'pending'
          ? m('undecided')
          : part.decision === 'approved'
            ? m('approvedBy', { by: part.by ?? '' }) + (part.kept ? m('keptApproval') : '')
            : m('refusedBy', { by: part.by ?? '' }),
      ),
      view.refusals.length
        ? h(
            'div',
            { 'data-testid': 'cps-refusals' },
            h('p', {}, m('schoolRefusals', { n: view.refusals.length })),
            h(
              'ul',
              { class: 'cp-list' },
              ...view.refusals.map((r) =>
                h(
                  'li',
                  { 'data-by': r.by },
                  (r.bell
                    ? m('bellChange', {
                        n: r.bell.period,
                        from: `${r.bell.from.start}–${r.bell.from.end}`,
                        to: `${r.bell.to.start}–${r.bell.to.end}`,
                      })
                    : r.local
                      ? `${r.local.subject} ${slotName(r.local.from.weekday, r.local.from.period)} → ${slotName(r.local.to.weekday, r.local.to.period)}`
                      : '') + m('refusalBy', { by: m(`refusedBy_${r.by}`) }),
                ),
              ),
            ),
          )
        : null,
      h(
        'ul',
        { class: 'cp-list' },
        ...view.bellChanges.map((c) =>
          h(
            'li',
            { 'data-refused': String(c.refused) },
            m('bellChange', {
              n: c.period,
              from: `${c.from.start}–${c.from.end}`,
              to: `${c.to.start}–${c.to.end}`,
            }),
          ),
        ),
        ...view.localChanges.map((c) =>
          h(
            'li',
            { 'data-refused': String(c.refused), 'data-kind': c.kind },
            m('localLine', {
              who: c.subject,
              teacher: c.teacher ? m('teacherTag', { name: c.teacher }) : '',
            }) +
              slotName(c.from.weekday, c.from.period) +
              (c.kind === 'remote'
                ? m('movedTo', {
                    to: slotName(c.to.weekday, c.to.period),
                    offering: offering(c.offeringId ?? ''),
                  })
                : ` → ${slotName(c.to.weekday, c.to.period)}`) +
              (c.refused ? m('refusedByCoordinator') : ''),
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
              m('approvePart'),
            ),
            h(
              'button',
              {
                class: 'btn btn-danger btn-lg',
                type: 'button',
                'data-testid': 'cps-refuse',
                onclick: () => void decide(false),
              },
              m('refuse'),
            ),
          )
        : null,
    );
  };

  const load = async (): Promise<void> => {
    const path = base();
    if (!path) {
      mount(body, h('p', { class: 'hint' }, m('noPlanForSchool')));
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
      say(approve ? m('approvedNotice') : m('refusedNotice'));
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
    if (!path || !picked) return say(m('chooseFile'), true);
    try {
      const res = await send(`${path}/import?dryRun=${String(dryRun)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: picked,
      });
      const answer = (await res.json()) as LocalImportResponse;
      // An import replaced the week: the cell editor reads it again.
      if (!dryRun && !answer.errors.length) void editor.load();
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
                  `${e.sheet ?? ''} ${e.row ? m('rowN', { n: e.row }) : ''} ${e.column ?? ''} ${localized(e.message)}`,
                ),
              ),
            )
          : h(
              'p',
              { class: 'ok' },
              dryRun
                ? m('checked', { classes: answer.classes, lessons: answer.lessons })
                : m('imported', { classes: answer.classes, lessons: answer.lessons }),
            ),
      );
    } catch (error) {
      fail(error);
    }
  };

  const editor = ownWeekEditor(week);
  select.addEventListener('change', () => void Promise.all([load(), editor.load()]));
  await Promise.all([load(), editor.load()]);
  return h(
    'section',
    { class: 'panel coplan-school' },
    h('div', { class: 'panel-head' }, h('h2', {}, m('schoolTitle'))),
    items.length ? h('label', { class: 'field' }, h('span', {}, m('planLabel')), select) : null,
    message,
    body,
    h('h3', {}, m('ownWeek')),
    h('p', { class: 'hint' }, m('ownWeekHint')),
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
        m('exportOwn'),
      ),
      file,
      h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => void upload(true) }, m('check')),
      h(
        'button',
        { class: 'btn btn-primary', type: 'button', onclick: () => void upload(false) },
        m('import'),
      ),
    ),
    importResult,
    h('h3', {}, m('ownWeekEdit')),
    editor.el,
  );
}
