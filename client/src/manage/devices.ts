import type { DeviceView, EnrolmentCode } from '../../../server/contract/api.ts';
import { ApiError, api } from '../api.ts';
import type { Row } from '../api.ts';
import { dayAndTime } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { m } from './resources/messages.ts';

/** The enrolment panel of a classroom device account: a one-time code, and its devices to revoke. */
export function devicePanel(row: Row, onClose: () => void): HTMLElement {
  const el = h('section', { class: 'panel device-panel', 'data-testid': 'device-panel' });
  const code = h('p', { class: 'enrol-code-shown', 'data-testid': 'enrol-code' });
  const list = h('ul', { class: 'device-list' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const show = (e: unknown): void => {
    error.textContent = e instanceof ApiError ? e.message : String(e);
  };
  const load = async (): Promise<void> => {
    const { items } = await api.get<{ items: DeviceView[] }>(`/api/users/${row.id}/devices`);
    mount(
      list,
      ...(items.length
        ? items.map((d) =>
            h(
              'li',
              { 'data-testid': 'device' },
              h('span', {}, d.label || '—'),
              h(
                'span',
                { class: 'muted' },
                ` ${m('since')} ${dayAndTime(d.enrolledAt)} · ${m('seen')} ${dayAndTime(d.lastSeenAt)} `,
              ),
              h(
                'button',
                {
                  class: 'btn btn-ghost btn-sm',
                  type: 'button',
                  onclick: () => {
                    if (!confirm(m('confirmRevoke'))) return;
                    api.del(`/api/users/${row.id}/devices/${d.id}`).then(load, show);
                  },
                },
                m('revoke'),
              ),
            ),
          )
        : [h('li', { class: 'muted' }, m('noDevice'))]),
    );
  };
  mount(
    el,
    h('h3', {}, `${m('devices')} · ${typeof row['realName'] === 'string' ? row['realName'] : row.id}`),
    h(
      'button',
      {
        class: 'btn btn-primary',
        type: 'button',
        'data-testid': 'enrol-code-new',
        onclick: () => {
          api.post<EnrolmentCode>(`/api/users/${row.id}/enrolment-code`).then((issued) => {
            mount(code, h('strong', {}, issued.code), h('br'), h('span', { class: 'muted' }, m('codeHint')));
          }, show);
        },
      },
      m('newCode'),
    ),
    code,
    h('h4', {}, m('enrolled')),
    list,
    error,
    h('button', { class: 'btn btn-ghost', type: 'button', onclick: onClose }, m('close')),
  );
  load().catch(show);
  return el;
}
