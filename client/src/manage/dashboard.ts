import { h, mount } from '../ui/dom.ts';
import { CHART_TEXT as TEXT, echarts } from './charts.ts';
import { exportReport, fetchFigures } from './dashboard/fetch.ts';
import { m } from './dashboard/messages.ts';
import { figuresQuery, periodName, trendLabels } from './dashboard/state.ts';
import type { DashboardState, PeriodKind, Scope } from './dashboard/state.ts';
import { crumbs, rowTable, rowsOption, sessionTable, targetCards, trendOption } from './dashboard/view.ts';
import type { DashboardActions } from './dashboard/view.ts';
import { LinkChart } from './linkChart.ts';

/**
 * The bureau's and coordinator's dashboard: progress toward each provincial target,
 * sessions delivered by week or month, and a drill-down province → city → county →
 * cluster → session; monthly, quarterly and annual reports to Excel or CSV.
 * State in dashboard/state.ts, requests in dashboard/fetch.ts, DOM in dashboard/view.ts;
 * this wires them to the panel's elements.
 */
export async function dashboardPanel(): Promise<HTMLElement> {
  const state: DashboardState = { period: 'month', scope: null, view: null };
  const periodSelect = h(
    'select',
    { 'data-testid': 'report-period' },
    h('option', { value: 'month' }, m('periodMonth')),
    h('option', { value: 'quarter' }, m('periodQuarter')),
    h('option', { value: 'term' }, m('periodTerm')),
    h('option', { value: 'year' }, m('periodYear')),
  );
  const crumbsEl = h('nav', { class: 'crumbs', 'data-testid': 'report-crumbs' });
  const cards = h('div', { class: 'target-cards', 'data-testid': 'report-cards' });
  const trendBox = h('div', { class: 'chart', 'data-testid': 'report-trend' });
  const barsBox = h('div', { class: 'chart' });
  const table = h('div', { class: 'report-table', 'data-testid': 'report-rows' });
  const rules = h('ul', { class: 'hint rules', 'data-testid': 'report-rules' });
  const progress = h('progress', { hidden: true, max: 1, value: 0, 'data-testid': 'report-export-progress' });
  const status = h('p', { class: 'tt-message', role: 'status' });
  const charts: echarts.ECharts[] = [];
  const links = new LinkChart();
  const say = (error: unknown): void => {
    status.textContent = error instanceof Error ? error.message : String(error);
  };

  // The panel is drawn before it is attached: charts follow their box's size as it appears.
  const resize = new ResizeObserver(() => charts.forEach((c) => c.resize()));
  resize.observe(trendBox);
  resize.observe(barsBox);
  const chart = (box: HTMLElement, option: Record<string, unknown>): void => {
    const c = echarts.init(box, undefined, { renderer: 'canvas' });
    c.setOption({ textStyle: { color: TEXT }, ...option });
    charts.push(c);
  };

  const actions: DashboardActions = {
    open: (scope) => void open(scope),
    links: (session, title) => void links.show(session.id, title),
  };

  const render = (): void => {
    const v = state.view;
    if (!v) return;
    for (const c of charts.splice(0)) c.dispose();
    links.clear();
    mount(crumbsEl, ...crumbs(v, periodName(state.period, v.period.from), actions));
    mount(cards, ...targetCards(v));
    chart(trendBox, trendOption(v, trendLabels(state.period, v)));
    chart(barsBox, rowsOption(v));
    barsBox.hidden = !v.rows.length;
    mount(table, v.sessions.length ? sessionTable(v, actions) : rowTable(v.rows, actions));
    mount(rules, ...v.rules.map((r) => h('li', {}, r)));
  };

  const open = async (scope: Scope | null): Promise<void> => {
    state.scope = scope;
    try {
      state.view = await fetchFigures(figuresQuery(state));
      render();
    } catch (error) {
      say(error);
    }
  };

  const exportAs = async (format: 'xlsx' | 'csv'): Promise<void> => {
    progress.hidden = false;
    progress.value = 0;
    status.textContent = m('building');
    try {
      await exportReport(figuresQuery(state), format, (fraction) => (progress.value = fraction));
      status.textContent = m('ready');
    } catch (error) {
      say(error);
    } finally {
      progress.hidden = true;
    }
  };

  periodSelect.addEventListener('change', () => {
    state.period = periodSelect.value as PeriodKind;
    void open(state.scope);
  });
  await open(null);

  return h(
    'section',
    { class: 'panel dashboard' },
    h('div', { class: 'panel-head' }, h('h2', {}, m('title')), crumbsEl),
    h(
      'div',
      { class: 'actions' },
      h('label', { class: 'field' }, h('span', {}, m('period')), periodSelect),
      h(
        'button',
        {
          class: 'btn btn-primary',
          type: 'button',
          'data-testid': 'report-xlsx',
          onclick: () => void exportAs('xlsx'),
        },
        m('toExcel'),
      ),
      h(
        'button',
        { class: 'btn btn-ghost', type: 'button', onclick: () => void exportAs('csv') },
        m('toCsv'),
      ),
    ),
    progress,
    status,
    cards,
    h('div', { class: 'charts' }, trendBox, barsBox),
    table,
    links.el,
    h('h3', {}, m('rules')),
    rules,
  );
}
