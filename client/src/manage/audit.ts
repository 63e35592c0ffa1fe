import { api } from '../api.ts';
import { dateTime, messages, personName } from '../i18n.ts';
import { h } from '../ui/dom.ts';
import { text } from '../ui/format.ts';
import { m } from './messages.ts';

/**
 * What the audit log's entries say, in the interface language: the action (a closed list) and
 * the kind of record it touched (the server's resource names). A kind this table does not
 * know yet is shown as the server names it.
 */
const WORDS = {
  action_create: ['新建', 'Created'],
  action_update: ['修改', 'Changed'],
  action_delete: ['删除', 'Deleted'],
  action_import: ['导入', 'Imported'],
  action_login: ['登录', 'Signed in'],
  action_logout: ['退出', 'Signed out'],
  entity_alliances: ['教研联盟', 'Research alliance'],
  'entity_bell-schedules': ['作息时间表', 'Bell schedule'],
  entity_classes: ['教学班', 'Class'],
  entity_classrooms: ['教室', 'Classroom'],
  entity_clusters: ['联校群', 'Cluster'],
  entity_coplans: ['联合编排方案', 'Co-plan'],
  entity_device: ['教室设备', 'Classroom device'],
  entity_devices: ['教室设备', 'Classroom device'],
  'entity_enrolment-codes': ['设备注册码', 'Enrolment code'],
  'entity_local-timetables': ['本校课表', 'School timetable'],
  entity_offerings: ['开课计划', 'Offering'],
  entity_password: ['密码', 'Password'],
  entity_recording: ['课堂录像', 'Recording'],
  entity_recordingSettings: ['录制设置', 'Recording settings'],
  entity_regions: ['行政区划', 'Region'],
  'entity_research-sessions': ['教研活动', 'Research session'],
  entity_rubrics: ['评价量表', 'Rubric'],
  entity_schools: ['学校', 'School'],
  entity_session: ['登录会话', 'Session'],
  'entity_term-calendars': ['校历', 'Term calendar'],
  entity_timetables: ['联合课表', 'Joint timetable'],
  entity_users: ['账号', 'Account'],
} as const satisfies Record<string, readonly [string, string]>;

const w = messages(WORDS);

/** The words for an audit entry's `action` or `entity`: from the table, else as stored. */
export function auditWord(kind: 'action' | 'entity', value: string): string {
  const key = `${kind}_${value}`;
  return key in WORDS ? w(key as keyof typeof WORDS) : value;
}

/** The latest 100 entries of the audit log (bureaus and admins). */
export async function auditPanel(): Promise<HTMLElement> {
  const { items } = await api.list('admin/audit', { pageSize: 100 });
  return h(
    'section',
    { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, m('auditLog'))),
    h(
      'table',
      { class: 'data' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[m('auditWhen'), m('auditWho'), m('auditAction'), m('auditEntity')].map((x) => h('th', {}, x)),
        ),
      ),
      h(
        'tbody',
        {},
        ...items.map((e) =>
          h(
            'tr',
            {},
            h('td', {}, dateTime(String(e['at']))),
            h('td', {}, personName(String(e['username']))),
            h('td', {}, auditWord('action', String(e['action']))),
            h('td', {}, `${auditWord('entity', String(e['entity']))} ${text(e['entityId']).slice(-6)}`),
          ),
        ),
      ),
    ),
  );
}
