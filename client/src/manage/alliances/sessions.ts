import type { Row } from '../../api.ts';
import { dayAndTime, timeOfDay } from '../../i18n.ts';
import { h } from '../../ui/dom.ts';
import { draftForm } from '../draftPanel.ts';
import type { FieldIssue } from '../issues.ts';
import { m } from './messages.ts';
import type { SessionDraft } from './state.ts';

/** What the sessions pane can ask for. */
export interface SessionActions {
  schedule: () => void;
  save: () => void;
  cancelForm: () => void;
  cancel: (row: Row) => void;
}

type State = 'scheduled' | 'live' | 'ended';

/** When a session is: its day and start, and its end's time of day, in the interface language (Intl). */
export const sessionWhen = (row: Row): string =>
  m('when', { from: dayAndTime(String(row['scheduledStart'])), to: timeOfDay(String(row['scheduledEnd'])) });

/**
 * The sessions of an alliance, newest first: title, when (dates through Intl), state, a
 * large "open" link to the session (/research/session), and for whoever schedules them a
 * cancel button while a session has not gone live.
 */
export function sessionList(rows: readonly Row[], canSchedule: boolean, act: SessionActions): HTMLElement {
  if (!rows.length) return h('p', { class: 'hint', 'data-testid': 'sessions-none' }, m('noSessions'));
  return h(
    'ul',
    { class: 'mp-cards', 'data-testid': 'session-list' },
    ...rows.map((row) => {
      const state = String(row['state']) as State;
      return h(
        'li',
        { class: 'mp-card', 'data-testid': 'research-session-row', 'data-id': row.id, 'data-state': state },
        h(
          'div',
          { class: 'mp-card-head' },
          h('strong', {}, String(row['title'])),
          h(
            'span',
            { class: `mp-badge ${state === 'live' ? 'live' : state === 'ended' ? 'muted' : 'good'}` },
            m(`state_${state}`),
          ),
        ),
        h('p', { 'data-testid': 'session-when' }, sessionWhen(row)),
        row['agenda'] ? h('p', { class: 'hint' }, String(row['agenda'] as string)) : null,
        h(
          'div',
          { class: 'actions' },
          h(
            'a',
            {
              class: 'btn btn-primary',
              href: `/research/session?id=${encodeURIComponent(row.id)}`,
              'data-testid': 'session-open',
            },
            m('open'),
          ),
          canSchedule && state === 'scheduled'
            ? h(
                'button',
                { class: 'btn btn-danger', type: 'button', onclick: () => act.cancel(row) },
                m('cancelSession'),
              )
            : null,
        ),
      );
    }),
  );
}

/** The schedule form: title, agenda, the day and the start and end times (local), the server's issues at their fields. */
export function sessionForm(
  draft: SessionDraft,
  issues: readonly FieldIssue[],
  act: SessionActions,
): HTMLElement {
  const input = (
    label: string,
    path: string,
    key: keyof SessionDraft,
    attrs: Record<string, string | number>,
  ) =>
    h(
      'label',
      { class: 'field' },
      h('span', {}, label),
      h('input', {
        'data-path': path,
        value: draft[key],
        ...attrs,
        oninput: (e: Event) => (draft[key] = (e.target as HTMLInputElement).value),
      }),
    );
  return draftForm(
    'session',
    [
      input(m('sessionTitle'), 'title', 'title', { maxlength: 100 }),
      h(
        'div',
        { class: 'mp-row' },
        input(m('date'), 'date', 'date', { type: 'date' }),
        input(m('start'), 'scheduledStart', 'start', { type: 'time' }),
        input(m('end'), 'scheduledEnd', 'end', { type: 'time' }),
      ),
      h(
        'label',
        { class: 'field' },
        h('span', {}, m('agenda')),
        h(
          'textarea',
          {
            'data-path': 'agenda',
            maxlength: 2000,
            rows: 3,
            oninput: (e: Event) => (draft.agenda = (e.target as HTMLTextAreaElement).value),
          },
          draft.agenda,
        ),
      ),
    ],
    {
      issues,
      saveLabel: m('schedule'),
      onSave: act.save,
      onCancel: act.cancelForm,
    },
  );
}
