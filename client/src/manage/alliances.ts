import type { UserView } from '../../../server/contract/api.ts';
import type { Row } from '../api.ts';
import { h, mount } from '../ui/dom.ts';
import { may } from './access.ts';
import {
  cancelSession,
  fetchAlliances,
  fetchSessions,
  fetchTeachers,
  removeAlliance,
  saveAlliance,
  scheduleSession,
} from './alliances/fetch.ts';
import { m } from './alliances/messages.ts';
import { sessionForm, sessionList } from './alliances/sessions.ts';
import type { SessionActions } from './alliances/sessions.ts';
import { bodyOf, bySchedule, draftOf, maySchedule, newSession, sessionBody } from './alliances/state.ts';
import type { AlliancesState } from './alliances/state.ts';
import { allianceForm, allianceList } from './alliances/view.ts';
import type { AllianceActions } from './alliances/view.ts';
import { draftActions, panelHead, statusLine } from './draftPanel.ts';
import { issuesOf } from './issues.ts';
import './panels.css';

/**
 * 名师网络教研联盟 (/manage#alliances): the alliances the account sees (a teacher: those it
 * leads or belongs to; overseers: their region's), kept by bureaus and admins (level matching
 * the region, a leader, members from many schools, subject and stage); an alliance's research
 * sessions listed, opened, and scheduled by the bureau or the alliance's leading teacher.
 * State in alliances/state.ts, requests in alliances/fetch.ts, DOM in alliances/view.ts and
 * alliances/sessions.ts.
 */
export async function alliancesPanel(user: UserView): Promise<HTMLElement> {
  const canWrite = may(user.role, 'alliances', 'write');
  const [rows, teachers] = await Promise.all([fetchAlliances(), canWrite ? fetchTeachers() : []]);
  const state: AlliancesState = {
    rows,
    teachers,
    draft: null,
    issues: [],
    selected: null,
    sessions: [],
    sessionDraft: null,
    sessionIssues: [],
  };
  const { el: status, say, failed } = statusLine('alliances-status');
  const formBox = h('div', {});
  const listBox = h('div', {});
  const sessionsBox = h('section', { class: 'mp-sessions', 'data-testid': 'alliance-sessions-pane' });
  const selected = (): Row | undefined => state.rows.find((r) => r.id === state.selected);

  const renderSessions = (): void => {
    const alliance = selected();
    if (!alliance) return mount(sessionsBox);
    const canSchedule = maySchedule(user, alliance) && may(user.role, 'research-sessions', 'write');
    mount(
      sessionsBox,
      h(
        'div',
        { class: 'panel-head' },
        h('h3', {}, m('sessionsOf', { name: String(alliance['name']) })),
        canSchedule && !state.sessionDraft
          ? h(
              'button',
              {
                class: 'btn btn-primary',
                type: 'button',
                'data-testid': 'session-schedule',
                onclick: sessionActions.schedule,
              },
              m('schedule'),
            )
          : null,
      ),
      canSchedule ? null : h('p', { class: 'hint' }, m('onlyLead')),
      state.sessionDraft ? sessionForm(state.sessionDraft, state.sessionIssues, sessionActions) : null,
      sessionList(state.sessions, canSchedule, sessionActions),
    );
  };
  const render = (): void => {
    mount(formBox, state.draft ? allianceForm(state.draft, state.teachers, state.issues, actions) : null);
    mount(listBox, allianceList(state.rows, user, state.teachers, state.selected, canWrite, actions));
    renderSessions();
  };
  const reload = async (): Promise<void> => {
    state.rows = await fetchAlliances();
    if (!selected()) state.selected = null;
    state.sessions = state.selected ? bySchedule(await fetchSessions(state.selected)) : [];
    render();
  };

  const actions: AllianceActions = {
    edit: (row) => {
      state.draft = draftOf(row);
      state.issues = [];
      say('');
      render();
      formBox.scrollIntoView?.({ block: 'start' });
    },
    ...draftActions(state, {
      save: (draft) => saveAlliance(draft.id, bodyOf(draft)),
      reload,
      render,
      say,
      saving: m('saving'),
      saved: m('saved'),
    }),
    remove: (row) => {
      if (!window.confirm(m('removeAsk', { name: String(row['name']) }))) return;
      removeAlliance(row.id).then(reload, failed);
    },
    sessions: (row) => {
      state.selected = row.id;
      state.sessionDraft = null;
      state.sessionIssues = [];
      fetchSessions(row.id).then((items) => {
        state.sessions = bySchedule(items);
        render();
        sessionsBox.scrollIntoView?.({ block: 'start' });
      }, failed);
    },
  };
  const sessionActions: SessionActions = {
    schedule: () => {
      state.sessionDraft = newSession(Date.now());
      state.sessionIssues = [];
      renderSessions();
    },
    cancelForm: () => {
      state.sessionDraft = null;
      state.sessionIssues = [];
      renderSessions();
    },
    save: () => {
      const draft = state.sessionDraft;
      const id = state.selected;
      if (!draft || !id) return;
      scheduleSession(sessionBody(id, draft)).then(
        async () => {
          state.sessionDraft = null;
          state.sessionIssues = [];
          await reload();
          say(m('scheduled'));
        },
        (error: unknown) => {
          state.sessionIssues = issuesOf(error);
          renderSessions();
        },
      );
    },
    cancel: (row) => {
      if (!window.confirm(m('cancelAsk', { title: String(row['title']) }))) return;
      cancelSession(row.id).then(reload, failed);
    },
  };
  render();
  const hint = canWrite ? m('hint') : user.role === 'teacher' ? m('hintTeacher') : m('hintOverseer');
  return h(
    'section',
    { class: 'panel', 'data-testid': 'alliances-panel' },
    panelHead(
      m('title'),
      canWrite ? { testId: 'alliance-add', label: m('add'), onclick: () => actions.edit(null) } : null,
    ),
    h('p', { class: 'hint' }, hint),
    status,
    formBox,
    listBox,
    sessionsBox,
  );
}
