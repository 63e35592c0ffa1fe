import type { DeviceView, EnrolmentCode } from '../../../server/contract/api.ts';
import { ApiError, api } from '../api.ts';
import type { Row } from '../api.ts';
import { dayAndTime, lang } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';

const T = {
  devices: ['设备', 'Devices'],
  newCode: ['生成设备注册码', 'New enrolment code'],
  codeHint: [
    '在教室白板的登录页“注册本教室设备”处输入此码（24 小时内有效，仅可使用一次）。',
    'Type this code on the classroom whiteboard under “Enrol this classroom device” (valid 24 h, once).',
  ],
  enrolled: ['已注册设备', 'Enrolled devices'],
  none: ['暂无已注册设备', 'No enrolled devices'],
  since: ['注册于', 'enrolled'],
  seen: ['最近使用', 'last seen'],
  revoke: ['注销', 'Revoke'],
  confirmRevoke: ['注销后该设备立即退出登录，确定？', 'The device is signed out at once. Revoke it?'],
  close: ['关闭', 'Close'],
} as const;
const tt = (k: keyof typeof T): string => T[k][lang() === 'en' ? 1 : 0];

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
                ` ${tt('since')} ${dayAndTime(d.enrolledAt)} · ${tt('seen')} ${dayAndTime(d.lastSeenAt)} `,
              ),
              h(
                'button',
                {
                  class: 'btn btn-ghost btn-sm',
                  type: 'button',
                  onclick: () => {
                    if (!confirm(tt('confirmRevoke'))) return;
                    api.del(`/api/users/${row.id}/devices/${d.id}`).then(load, show);
                  },
                },
                tt('revoke'),
              ),
            ),
          )
        : [h('li', { class: 'muted' }, tt('none'))]),
    );
  };
  mount(
    el,
    h('h3', {}, `${tt('devices')} · ${typeof row['realName'] === 'string' ? row['realName'] : row.id}`),
    h(
      'button',
      {
        class: 'btn btn-primary',
        type: 'button',
        'data-testid': 'enrol-code-new',
        onclick: () => {
          api.post<EnrolmentCode>(`/api/users/${row.id}/enrolment-code`).then((issued) => {
            mount(code, h('strong', {}, issued.code), h('br'), h('span', { class: 'muted' }, tt('codeHint')));
          }, show);
        },
      },
      tt('newCode'),
    ),
    code,
    h('h4', {}, tt('enrolled')),
    list,
    error,
    h('button', { class: 'btn btn-ghost', type: 'button', onclick: onClose }, tt('close')),
  );
  load().catch(show);
  return el;
}
