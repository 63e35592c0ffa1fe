import type { UserView } from '../../../server/contract/api.ts';
import type { ResearchSessionView } from '../../../server/contract/research.ts';
import { api } from '../api.ts';
import type { Row } from '../api.ts';
import { dayAndTime, t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { fill } from '../research/format.ts';
import '../research/research.css';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';

const SESSION_STATE: Record<ResearchSessionView['state'], MessageKey> = {
  scheduled: 'researchScheduled',
  live: 'researchLiveState',
  ended: 'researchEnded',
};

/**
 * 网络教研 (/research): the alliances the account sees (a teacher: its own; overseers: their
 * region's) and their sessions, newest first; a session opens at /research/session?id=.
 */
export function researchPage(root: HTMLElement, user: UserView): void {
  const alliances = h('div', { class: 'rs-grid', 'data-testid': 'research-alliances' });
  const sessions = h('div', { class: 'research', 'data-testid': 'research-sessions' });
  mount(
    root,
    topbar('researchTitle', null, user.realName),
    h(
      'main',
      { class: 'research' },
      h('h2', {}, tr('researchAlliances')),
      alliances,
      h('h2', {}, tr('researchSessions')),
      sessions,
    ),
  );
  Promise.all([
    api.list('alliances', { pageSize: 200 }),
    api.list('research-sessions', { pageSize: 200 }),
  ]).then(
    ([a, s]) => {
      const names = new Map(a.items.map((x) => [x.id, String(x['name'])]));
      alliances.replaceChildren(
        ...(a.items.length ? a.items.map(allianceCard) : [h('p', {}, tr('researchNoAlliance'))]),
      );
      const rows = [...s.items].sort((x, y) =>
        String(y['scheduledStart']).localeCompare(String(x['scheduledStart'])),
      );
      sessions.replaceChildren(
        ...(rows.length
          ? rows.map((r) => sessionCard(r, names.get(String(r['allianceId'])) ?? ''))
          : [h('p', {}, tr('researchNone'))]),
      );
    },
    (error: Error) => alliances.replaceChildren(h('p', { role: 'status' }, error.message)),
  );
}

function allianceCard(a: Row): HTMLElement {
  const level = `level_${String(a['level'])}` as MessageKey;
  const stage = `researchStage_${String(a['stage'])}` as MessageKey;
  const members = (a['memberTeacherIds'] as unknown[]).length + 1;
  return h(
    'article',
    { class: 'rs-card', 'data-testid': 'research-alliance' },
    h('strong', {}, String(a['name'])),
    h(
      'p',
      { class: 'rs-meta' },
      [t(level), String(a['subject']), t(stage), fill('researchMembers', { n: members })].join(' · '),
    ),
    a['description'] ? h('p', {}, String(a['description'] as string)) : null,
  );
}

function sessionCard(s: Row, allianceName: string): HTMLElement {
  const state = String(s['state']) as ResearchSessionView['state'];
  return h(
    'article',
    { class: 'rs-card', 'data-testid': 'research-session', 'data-session': s.id },
    h(
      'div',
      { class: 'rs-row' },
      h('strong', {}, String(s['title'])),
      h('span', { class: 'rs-badge', 'data-state': state }, t(SESSION_STATE[state])),
      h(
        'a',
        { class: 'btn btn-primary', href: `/research/session?id=${s.id}`, 'data-testid': 'research-open' },
        tr('researchJoin'),
      ),
    ),
    h('p', { class: 'rs-meta' }, `${allianceName} · ${dayAndTime(String(s['scheduledStart']))}`),
  );
}

/**
 * One research session (/research/session?id=): its agenda and a grid of its teachers (up
 * to 25), each marked joined or not; a teacher of the alliance joins (the session is held,
 * the teacher takes part), its leading teacher ends it. The grid follows who joined every 5 s.
 */
export function researchSessionPage(root: HTMLElement, user: UserView): void {
  const id = new URLSearchParams(location.search).get('id') ?? '';
  const body = h('main', { class: 'research', 'data-testid': 'research-session-page' });
  mount(root, topbar('researchTitle', null, user.realName), body);
  const status = h('p', { class: 'rs-meta', role: 'status', 'data-testid': 'research-status' });
  const grid = h('section', {
    class: 'rs-grid',
    'data-testid': 'research-grid',
    'aria-label': t('researchParticipants'),
  });
  const head = h('header', { class: 'rs-card' });
  body.replaceChildren(head, grid, status);

  const render = (view: ResearchSessionView): void => {
    const joined = new Set(view.attendeeIds);
    const lead = view.members[0]?.id === user.id;
    mount(
      head,
      h(
        'div',
        { class: 'rs-row' },
        h('a', { class: 'btn btn-ghost', href: '/research' }, tr('evalBack')),
        h('h1', {}, view.title),
        h(
          'span',
          { class: 'rs-badge', 'data-state': view.state, 'data-testid': 'research-state' },
          t(SESSION_STATE[view.state]),
        ),
      ),
      h(
        'p',
        { class: 'rs-meta' },
        `${view.allianceName} · ${dayAndTime(view.scheduledStart)} · ${fill('researchJoined', { n: joined.size, m: view.members.length })}`,
      ),
      view.agenda ? h('p', { style: 'white-space: pre-line' }, view.agenda) : null,
      h(
        'div',
        { class: 'rs-row' },
        view.canJoin && !joined.has(user.id)
          ? h(
              'button',
              {
                class: 'btn btn-primary btn-lg',
                type: 'button',
                'data-testid': 'research-join',
                onclick: () => act('join'),
              },
              tr('researchJoin'),
            )
          : null,
        lead && view.state === 'live'
          ? h(
              'button',
              {
                class: 'btn btn-danger btn-lg',
                type: 'button',
                'data-testid': 'research-end',
                onclick: () => act('end'),
              },
              tr('researchEnd'),
            )
          : null,
      ),
    );
    grid.replaceChildren(
      ...view.members.slice(0, view.gridMax).map((m) =>
        h(
          'div',
          {
            class: 'rs-tile',
            'data-joined': String(joined.has(m.id)),
            'data-member': m.id,
            'data-testid': 'research-tile',
          },
          h(
            'span',
            { class: 'rs-name' },
            `${m.name}${m.lead ? ` · ${t('researchLead')}` : ''} · ${m.schoolName}`,
          ),
        ),
      ),
    );
  };
  const act = (what: 'join' | 'end'): void => {
    status.textContent = '…';
    api.post<ResearchSessionView>(`/api/research-sessions/${encodeURIComponent(id)}/${what}`).then(
      (view) => {
        status.textContent = '';
        render(view);
      },
      (error: Error) => (status.textContent = error.message),
    );
  };
  const refresh = (): void => {
    api
      .get<ResearchSessionView>(`/api/research-sessions/${encodeURIComponent(id)}/view`)
      .then(render, (error: Error) => (status.textContent = error.message));
  };
  refresh();
  const timer = setInterval(() => (document.body.contains(grid) ? refresh() : clearInterval(timer)), 5000);
}
