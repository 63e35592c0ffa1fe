import { api } from '../api.ts';
import { h, mount } from '../ui/dom.ts';
import { acceptProposal, fetchCompat } from './bells/fetch.ts';
import { m } from './bells/messages.ts';
import type { BellsState } from './bells/state.ts';
import { dayTabs, proposals, timeline, verdict } from './bells/view.ts';
import type { BellsActions } from './bells/view.ts';

/**
 * Bell compatibility (作息协调): per weekday, every school's periods side by side on one
 * time axis with the windows all of them share highlighted; each offering's candidate slots
 * and whose bells block it; proposed changes to preview, accept or set aside. State in
 * bells/state.ts, requests in bells/fetch.ts, DOM in bells/view.ts; this wires them.
 */
export async function bellsPanel(): Promise<HTMLElement> {
  const clusters = await api.list('clusters', { pageSize: 200 });
  const clusterSelect = h(
    'select',
    { 'data-testid': 'compat-cluster' },
    ...clusters.items.map((c) => h('option', { value: c.id }, String(c['name']))),
  );
  const verdictEl = h('div', { class: 'compat-verdict', 'data-testid': 'compat-verdict', role: 'status' });
  const dayTabsEl = h('div', { class: 'day-tabs', role: 'tablist' });
  const timelineEl = h('div', { class: 'compat-timeline', 'data-testid': 'compat-timeline' });
  const proposalsEl = h('div', { class: 'compat-proposals' });
  const message = h('p', { class: 'tt-message', role: 'alert' });
  const state: BellsState = { view: null, day: 1, preview: null, dismissed: new Set() };
  const fail = (error: unknown): void => {
    message.textContent = error instanceof Error ? error.message : String(error);
  };

  const term = (): string => {
    const cluster = clusters.items.find((c) => c.id === clusterSelect.value);
    return ((cluster?.['activeTerms'] as string[] | undefined) ?? [])[0] ?? '';
  };

  const render = (): void => {
    if (!state.view) return;
    verdictEl.dataset['feasible'] = String(state.view.report.feasible);
    mount(verdictEl, ...verdict(state.view.report));
    mount(dayTabsEl, ...dayTabs(state, actions));
    mount(proposalsEl, ...proposals(state, actions));
    mount(timelineEl, ...timeline(state));
  };

  const accept = async (proposalId: string): Promise<void> => {
    try {
      state.view = await acceptProposal(clusterSelect.value, term(), proposalId);
      state.preview = null;
      message.textContent = m('accepted');
      render();
    } catch (error) {
      fail(error);
    }
  };

  const actions: BellsActions = {
    pickDay: (day) => ((state.day = day), render()),
    togglePreview: (p) => ((state.preview = state.preview?.id === p.id ? null : p), render()),
    accept: (p) => void accept(p.id),
    setAside: (p) => (state.dismissed.add(p.id), render()),
  };

  const load = async (): Promise<void> => {
    state.preview = null;
    if (!term()) {
      state.view = null;
      mount(verdictEl, h('p', { class: 'hint' }, m('noTerm')));
      return;
    }
    try {
      state.view = await fetchCompat(clusterSelect.value, term());
      render();
    } catch (error) {
      fail(error);
    }
  };

  clusterSelect.addEventListener('change', () => void load());
  await load();
  return h(
    'section',
    { class: 'panel compat' },
    h('div', { class: 'panel-head' }, h('h2', {}, m('title'))),
    h(
      'div',
      { class: 'import-form' },
      h('label', { class: 'field' }, h('span', {}, m('cluster')), clusterSelect),
    ),
    verdictEl,
    message,
    dayTabsEl,
    h('p', { class: 'hint' }, m('legend')),
    timelineEl,
    proposalsEl,
  );
}
