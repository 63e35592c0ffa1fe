import type { UserView } from '../../../server/contract/api.ts';
import type { Row } from '../api.ts';
import { h, mount } from '../ui/dom.ts';
import { text } from '../ui/format.ts';
import { may } from './access.ts';
import { draftActions, panelHead, statusLine } from './draftPanel.ts';
import './panels.css';
import { fetchRubrics, removeRubric, saveRubric, setActive } from './rubrics/fetch.ts';
import { m } from './rubrics/messages.ts';
import { bodyOf, draftOf } from './rubrics/state.ts';
import type { RubricsState } from './rubrics/state.ts';
import { rubricForm, rubricList } from './rubrics/view.ts';
import type { RubricActions } from './rubrics/view.ts';

/**
 * 听课评课的评价量表 (/manage#rubrics): the rubrics of the account's region, read by everyone who
 * evaluates or is evaluated; bureaus and admins write them (weights summing to 100, unique
 * keys, one descriptor per level), the server's field problems shown at their fields.
 * State in rubrics/state.ts, requests in rubrics/fetch.ts, DOM in rubrics/view.ts.
 */
export async function rubricsPanel(user: UserView): Promise<HTMLElement> {
  const canWrite = may(user.role, 'rubrics', 'write');
  const state: RubricsState = { rows: await fetchRubrics(), draft: null, issues: [] };
  const { el: status, say, failed } = statusLine('rubrics-status');
  const formBox = h('div', {});
  const listBox = h('div', {});

  const render = (): void => {
    mount(formBox, state.draft ? rubricForm(state.draft, state.issues, actions) : null);
    mount(listBox, rubricList(state.rows, canWrite, actions));
  };
  const reload = async (): Promise<void> => {
    state.rows = await fetchRubrics();
    render();
  };
  const actions: RubricActions = {
    edit: (row) => {
      state.draft = draftOf(row, text(state.rows[0]?.['regionCode']));
      state.issues = [];
      say('');
      render();
      formBox.scrollIntoView?.({ block: 'start' });
    },
    redraw: (draft) => {
      state.draft = draft;
      render();
    },
    ...draftActions(state, {
      save: (draft) => saveRubric(draft.id, bodyOf(draft)),
      reload,
      render,
      say,
      saving: m('saving'),
      saved: m('saved'),
    }),
    toggle: (row: Row) => void setActive(row.id, row['active'] === false).then(reload, failed),
    remove: (row: Row) => {
      if (!window.confirm(m('removeAsk', { name: String(row['name']) }))) return;
      removeRubric(row.id).then(reload, failed);
    },
  };
  render();
  return h(
    'section',
    { class: 'panel', 'data-testid': 'rubrics-panel' },
    panelHead(
      m('title'),
      canWrite ? { testId: 'rubric-add', label: m('add'), onclick: () => actions.edit(null) } : null,
    ),
    h('p', { class: 'hint' }, canWrite ? m('hint') : m('readOnly')),
    status,
    formBox,
    listBox,
  );
}
