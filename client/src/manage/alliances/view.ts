import type { UserView } from '../../../../server/contract/api.ts';
import type { Row } from '../../api.ts';
import { h } from '../../ui/dom.ts';
import { draftForm } from '../draftPanel.ts';
import type { FieldIssue } from '../issues.ts';
import { m } from './messages.ts';
import { LEVELS, STAGES } from './state.ts';
import type { AllianceDraft, TeacherChoice } from './state.ts';

/** What the alliance cards and form can ask for. */
export interface AllianceActions {
  edit: (row: Row | null) => void;
  remove: (row: Row) => void;
  sessions: (row: Row) => void;
  save: () => void;
  cancel: () => void;
}

/** The leader's line of a card: a name when the account knows the teachers, "you" for its own. */
function leadLine(row: Row, user: UserView, names: ReadonlyMap<string, TeacherChoice>): string | null {
  const lead = String(row['leadTeacherId']);
  if (lead === user.id) return m('leadYou');
  const known = names.get(lead);
  return known ? m('leadIs', { name: known.name }) : null;
}

/** The alliances as cards: level, region, subject, stage, leader, members and their schools. */
export function allianceList(
  rows: readonly Row[],
  user: UserView,
  teachers: readonly TeacherChoice[],
  selected: string | null,
  canWrite: boolean,
  act: AllianceActions,
): HTMLElement {
  if (!rows.length)
    return h(
      'p',
      { class: 'hint', 'data-testid': 'alliances-none' },
      user.role === 'teacher' ? m('noneTeacher') : m('none'),
    );
  const names = new Map(teachers.map((t) => [t.id, t]));
  return h(
    'ul',
    { class: 'mp-cards', 'data-testid': 'alliance-list' },
    ...rows.map((row) => {
      const ids = [String(row['leadTeacherId']), ...(row['memberTeacherIds'] as string[]).map(String)];
      const schools = new Set(ids.map((id) => names.get(id)?.schoolName).filter(Boolean));
      const members = ids
        .map((id) => names.get(id)?.name)
        .filter(Boolean)
        .join(m('listSeparator'));
      return h(
        'li',
        {
          class: `mp-card${row.id === selected ? ' selected' : ''}`,
          'data-testid': 'alliance',
          'data-id': row.id,
        },
        h(
          'div',
          { class: 'mp-card-head' },
          h('strong', {}, String(row['name'])),
          h('span', { class: 'mp-badge good' }, m(`level_${row['level'] as 'city'}`)),
        ),
        h(
          'p',
          { class: 'hint' },
          m('meta', {
            level: m(`level_${row['level'] as 'city'}`),
            region: String(row['regionCode']),
            subject: String(row['subject']),
            stage: m(`stage_${row['stage'] as 'primary'}`),
          }),
        ),
        h('p', {}, leadLine(row, user, names) ?? ''),
        h(
          'p',
          { 'data-testid': 'alliance-members' },
          schools.size
            ? m('membersCount', { n: ids.length, schools: schools.size })
            : m('membersOnly', { n: ids.length }),
        ),
        members ? h('p', { class: 'hint' }, members) : null,
        row['description'] ? h('p', { class: 'hint' }, String(row['description'] as string)) : null,
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            {
              class: 'btn btn-primary',
              type: 'button',
              'data-testid': 'alliance-sessions',
              onclick: () => act.sessions(row),
            },
            m('sessions'),
          ),
          canWrite
            ? h('button', { class: 'btn', type: 'button', onclick: () => act.edit(row) }, m('edit'))
            : null,
          canWrite
            ? h(
                'button',
                { class: 'btn btn-danger', type: 'button', onclick: () => act.remove(row) },
                m('remove'),
              )
            : null,
        ),
      );
    }),
  );
}

/** A labelled control with its path for the server's issues. */
const labelled = (label: string, path: string, control: HTMLElement): HTMLElement => {
  control.setAttribute('data-path', path);
  return h('label', { class: 'field' }, h('span', {}, label), control);
};

/**
 * The alliance's form: name, level and region code (the server checks that they match),
 * subject and stage, the leading teacher and the members (teachers of many schools, picked by
 * touch), a description. The server's 400 issues show at their fields.
 */
export function allianceForm(
  draft: AllianceDraft,
  teachers: readonly TeacherChoice[],
  issues: readonly FieldIssue[],
  act: AllianceActions,
): HTMLElement {
  const text = (value: string, write: (v: string) => void, attrs: Record<string, string | number> = {}) =>
    h('input', { value, ...attrs, oninput: (e: Event) => write((e.target as HTMLInputElement).value) });
  const select = <T extends string>(value: T, options: readonly [T, string][], write: (v: T) => void) =>
    h(
      'select',
      { onchange: (e: Event) => write((e.target as HTMLSelectElement).value as T) },
      ...options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
    );
  const teacherLabel = (t: TeacherChoice) =>
    t.schoolName ? m('teacherLine', { name: t.name, school: t.schoolName }) : t.name;
  return draftForm(
    'alliance',
    [
      labelled(
        m('name'),
        'name',
        text(draft.name, (v) => (draft.name = v), { maxlength: 100 }),
      ),
      h(
        'div',
        { class: 'mp-row' },
        labelled(
          m('level'),
          'level',
          select(
            draft.level,
            LEVELS.map((l) => [l, m(`level_${l}`)]),
            (v) => (draft.level = v),
          ),
        ),
        labelled(
          m('region'),
          'regionCode',
          text(draft.regionCode, (v) => (draft.regionCode = v), { inputmode: 'numeric', maxlength: 6 }),
        ),
        labelled(
          m('subject'),
          'subject',
          text(draft.subject, (v) => (draft.subject = v), { maxlength: 20 }),
        ),
        labelled(
          m('stage'),
          'stage',
          select(
            draft.stage,
            STAGES.map((s) => [s, m(`stage_${s}`)]),
            (v) => (draft.stage = v),
          ),
        ),
      ),
      labelled(
        m('lead'),
        'leadTeacherId',
        select(
          draft.leadTeacherId,
          [['', m('pick')], ...teachers.map((t): [string, string] => [t.id, teacherLabel(t)])],
          (v) => (draft.leadTeacherId = v),
        ),
      ),
      h(
        'fieldset',
        { class: 'mp-item' },
        h('legend', {}, m('members')),
        h(
          'div',
          { class: 'mp-members', 'data-path': 'memberTeacherIds', 'data-testid': 'alliance-members-pick' },
          ...teachers.map((t) =>
            h(
              'label',
              {},
              h('input', {
                type: 'checkbox',
                value: t.id,
                checked: draft.memberTeacherIds.has(t.id),
                onchange: (e: Event) => {
                  if ((e.target as HTMLInputElement).checked) draft.memberTeacherIds.add(t.id);
                  else draft.memberTeacherIds.delete(t.id);
                },
              }),
              teacherLabel(t),
            ),
          ),
        ),
      ),
      labelled(
        m('description'),
        'description',
        h(
          'textarea',
          {
            maxlength: 1000,
            rows: 3,
            oninput: (e: Event) => (draft.description = (e.target as HTMLTextAreaElement).value),
          },
          draft.description,
        ),
      ),
    ],
    {
      issues,
      onSave: act.save,
      onCancel: act.cancel,
    },
  );
}
