import type { TimetableView } from '../../../server/contract/timetable.ts';
import { api } from '../api.ts';
import { h, mount } from '../ui/dom.ts';
import { saveDownload } from '../ui/download.ts';
import { CoPlanSection } from './coplan.ts';
import { TimetableApi, calendarFeed } from './timetable/fetch.ts';
import { m } from './timetable/messages.ts';
import { parseSubject, scoreText, slotOf, stateText, termName } from './timetable/state.ts';
import type { TimetableState } from './timetable/state.ts';
import { conflictList, feedField, subjectOptions, unplacedList } from './timetable/view.ts';
import { WeekGrid } from './weekGrid.ts';

/**
 * The coordinator's timetable editor: solve with a progress bar, the week grid per school,
 * teacher or class, drag a session (conflicts checked as it hovers), lock, publish, export,
 * subscribe. State in timetable/state.ts, requests in timetable/fetch.ts, DOM in
 * timetable/view.ts; this wires them to the panel's controls.
 */
export async function timetablePanel(): Promise<HTMLElement> {
  const clusters = await api.list('clusters', { pageSize: 200 });
  const clusterSelect = h(
    'select',
    { 'data-testid': 'tt-cluster' },
    ...clusters.items.map((c) => h('option', { value: c.id }, String(c['name']))),
  );
  const termSelect = h('select', { 'data-testid': 'tt-term' });
  const subjectSelect = h('select', { 'data-testid': 'tt-subject' });
  const status = h('div', { class: 'tt-status', 'data-testid': 'tt-state', role: 'status' });
  const message = h('p', { class: 'tt-message', 'data-testid': 'tt-message', role: 'alert' });
  const progress = h('progress', { 'data-testid': 'tt-progress', max: 1, value: 0, hidden: true });
  const conflicts = h('div', { class: 'tt-conflicts', 'data-testid': 'tt-conflicts' });
  const unplaced = h('div', { class: 'tt-unplaced', 'data-testid': 'tt-unplaced' });
  const score = h('p', { class: 'hint' });
  const state: TimetableState = { view: null, hoverSeq: 0 };

  const timetable = (): TimetableApi => new TimetableApi(clusterSelect.value, termSelect.value);
  const say = (text: string, bad = false): void => {
    message.textContent = text;
    message.classList.toggle('form-error', bad);
  };
  const fail = (error: unknown): void => say(error instanceof Error ? error.message : String(error), true);

  const grid = new WeekGrid({
    hover: (session, to) => {
      const seq = ++state.hoverSeq;
      if (!to) return mount(conflicts);
      grid.markDrop('checking');
      timetable()
        .check(session.offeringId, slotOf(session), to)
        .then((res) => {
          if (seq !== state.hoverSeq) return;
          grid.markDrop(res.conflicts.length ? 'conflict' : 'ok');
          mount(conflicts, conflictList(res.conflicts.map((c) => c.message)));
        }, fail);
    },
    drop: (session, to) => {
      state.hoverSeq++;
      timetable()
        .edit(session.offeringId, slotOf(session), to)
        .then(
          (next) => {
            say(m('moved'));
            mount(conflicts);
            show(next);
          },
          (error: unknown) => {
            fail(error);
            mount(conflicts);
          },
        );
    },
    lock: (session) => {
      timetable().lock(session.offeringId, slotOf(session), !session.locked).then(show, fail);
    },
  });

  const show = (next: TimetableView): void => {
    state.view = next;
    const chosen = subjectSelect.value;
    mount(subjectSelect, ...subjectOptions(next));
    subjectSelect.value =
      chosen && [...subjectSelect.options].some((o) => o.value === chosen)
        ? chosen
        : `school:${next.hubSchoolId}`;
    status.dataset['state'] = next.state;
    status.textContent = stateText(next);
    score.textContent = scoreText(next);
    mount(unplaced, unplacedList(next));
    grid.render(next, parseSubject(subjectSelect.value));
  };

  const load = async (): Promise<void> => {
    if (!clusterSelect.value || !termSelect.value) return;
    try {
      show(await timetable().load());
    } catch (error) {
      fail(error);
    }
    await coplan.load();
  };
  // The co-plan with the receiving schools sits below the grid; applying it reloads the week.
  const coplan = new CoPlanSection(
    () =>
      clusterSelect.value && termSelect.value
        ? { clusterId: clusterSelect.value, term: termSelect.value }
        : null,
    () => load(),
  );

  const fillTerms = (): void => {
    const cluster = clusters.items.find((c) => c.id === clusterSelect.value);
    const terms = (cluster?.['activeTerms'] as string[] | undefined) ?? [];
    mount(termSelect, ...terms.map((t) => h('option', { value: t }, termName(t))));
  };

  const solve = async (): Promise<void> => {
    say(m('solving'));
    progress.hidden = false;
    progress.value = 0;
    try {
      const job = await timetable().solve((fraction) => (progress.value = fraction));
      progress.value = 1;
      say(m('solved', { placed: job.placed, wanted: job.wanted }));
      await load();
    } catch (error) {
      fail(error);
    } finally {
      progress.hidden = true;
    }
  };

  const publish = async (): Promise<void> => {
    try {
      say(m('published', { n: await timetable().publish() }));
      await load();
    } catch (error) {
      fail(error);
    }
  };

  const subscribe = async (): Promise<void> => {
    try {
      mount(message, m('feed'), feedField(await calendarFeed(clusterSelect.value)));
      message.classList.remove('form-error');
    } catch (error) {
      fail(error);
    }
  };

  clusterSelect.addEventListener('change', () => {
    fillTerms();
    void load();
  });
  termSelect.addEventListener('change', () => void load());
  subjectSelect.addEventListener(
    'change',
    () => state.view && grid.render(state.view, parseSubject(subjectSelect.value)),
  );
  fillTerms();
  await load();

  const button = (primary: boolean, label: string, onclick: () => void, testId?: string): HTMLElement =>
    h(
      'button',
      {
        class: `btn ${primary ? 'btn-primary' : 'btn-ghost'}`,
        type: 'button',
        onclick,
        'data-testid': testId,
      },
      label,
    );
  return h(
    'section',
    { class: 'panel timetable' },
    h('div', { class: 'panel-head' }, h('h2', {}, m('title')), status),
    h(
      'div',
      { class: 'import-form' },
      h('label', { class: 'field' }, h('span', {}, m('cluster')), clusterSelect),
      h('label', { class: 'field' }, h('span', {}, m('term')), termSelect),
      h('label', { class: 'field' }, h('span', {}, m('show')), subjectSelect),
    ),
    h(
      'div',
      { class: 'actions' },
      button(true, m('solve'), () => void solve(), 'tt-solve'),
      button(true, m('publish'), () => void publish(), 'tt-publish'),
      button(
        false,
        m('exportExcel'),
        () => void saveDownload(timetable().exportUrl, 'timetable.xlsx').catch(fail),
      ),
      button(false, m('subscribe'), () => void subscribe()),
    ),
    progress,
    message,
    score,
    h('p', { class: 'hint' }, m('dragHint')),
    h('div', { class: 'tt-layout' }, grid.el, h('aside', {}, conflicts, unplaced)),
    coplan.el,
  );
}
