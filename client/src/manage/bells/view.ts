import type { BellChange, CompatView, Proposal } from '../../../../server/contract/timetable.ts';
import { localized, weekdayName } from '../../i18n.ts';
import { h } from '../../ui/dom.ts';
import { m } from './messages.ts';
import { clock, shownProposals, withChanges } from './state.ts';
import type { BellsState } from './state.ts';

/** What the panel's controls can ask for. */
export interface BellsActions {
  pickDay: (day: number) => void;
  togglePreview: (proposal: Proposal) => void;
  accept: (proposal: Proposal) => void;
  setAside: (proposal: Proposal) => void;
}

/**
 * The weekday's periods of every school on one time axis (half-hour bounds, hourly ticks),
 * the windows all schools share as a band, hub periods every school can sit outlined, and
 * with a proposal previewed its changes applied and marked.
 */
export function timeline({ view, day, preview }: BellsState): HTMLElement[] {
  if (!view) return [];
  const schools = preview ? withChanges(view.schools, preview.changes) : view.schools;
  const periods = schools.flatMap((s) => s.periods.filter((p) => p.weekdays.includes(day as never)));
  if (!periods.length) return [h('p', { class: 'hint' }, m('noPeriods'))];
  const from = Math.floor(Math.min(...periods.map((p) => p.start)) / 30) * 30;
  const to = Math.ceil(Math.max(...periods.map((p) => p.end)) / 30) * 30;
  const pct = (min: number): string => `${(((min - from) / (to - from)) * 100).toFixed(2)}%`;
  const report = view.report.days.find((d) => d.weekday === day);
  const common = preview ? [] : (report?.commonWindows ?? []);
  const okHub = new Set((report?.hubPeriods ?? []).filter((p) => p.common).map((p) => p.period));
  const changed = new Set(
    (preview?.changes ?? [])
      .filter((c) => c.weekdays.includes(day as never))
      .map((c) => `${c.schoolId}/${c.period}`),
  );
  const ticks: number[] = [];
  for (let min = from; min <= to; min += 60) ticks.push(min);
  return [
    h(
      'div',
      { class: 'axis' },
      h('span', {}),
      h(
        'div',
        { class: 'track' },
        ...ticks.map((t) => h('span', { class: 'tick', style: `left:${pct(t)}` }, clock(t))),
      ),
    ),
    ...schools.map((s) =>
      h(
        'div',
        { class: `compat-row${s.hub ? ' hub' : ''}`, 'data-testid': 'compat-row', 'data-school-id': s.id },
        h('span', { class: 'label' }, `${s.name}${s.hub ? m('hub') : ''}`),
        h(
          'div',
          { class: 'track' },
          ...common.map((w) =>
            h('span', {
              class: 'common',
              style: `left:${pct(w.start)};width:calc(${pct(w.end)} - ${pct(w.start)})`,
            }),
          ),
          ...s.periods
            .filter((p) => p.weekdays.includes(day as never))
            .map((p) =>
              h(
                'span',
                {
                  class: `period${s.hub && okHub.has(p.period) ? ' ok' : ''}${changed.has(`${s.id}/${p.period}`) ? ' changed' : ''}`,
                  style: `left:${pct(p.start)};width:calc(${pct(p.end)} - ${pct(p.start)})`,
                  title: `${clock(p.start)}–${clock(p.end)}`,
                },
                String(p.period),
              ),
            ),
        ),
      ),
    ),
  ];
}

/** The verdict: compatible or not, each offering's candidate slots, and the overlap rule. */
export function verdict(report: CompatView['report']): HTMLElement[] {
  return [
    h(
      'p',
      { class: report.feasible ? 'ok' : 'form-error' },
      report.feasible ? m('compatible', { n: report.commonSlots }) : m('incompatible'),
    ),
    h(
      'ul',
      {},
      ...report.offerings.map((o) =>
        h(
          'li',
          { class: o.enough ? '' : 'form-error' },
          `${m('offering', { name: o.name, slots: o.candidateSlots, needed: o.periodsPerWeek })}${o.enough ? '' : ` — ${localized(o.message)}`}`,
        ),
      ),
    ),
    h('p', { class: 'hint' }, m('rule', { pct: Math.round(report.minOverlap * 100) })),
  ];
}

/** One tab per weekday of the report, the shown one selected. */
export function dayTabs({ view, day }: BellsState, { pickDay }: BellsActions): HTMLElement[] {
  const days = [...new Set(view?.report.days.map((d) => d.weekday) ?? [])];
  return days.map((d) =>
    h(
      'button',
      {
        type: 'button',
        class: `btn ${d === day ? 'btn-primary' : 'btn-ghost'}`,
        role: 'tab',
        'aria-selected': String(d === day),
        onclick: () => pickDay(d),
      },
      weekdayName(d),
    ),
  );
}

/** A proposed change as one line: school, weekdays, period, old → new times. */
const changeLine = (c: BellChange): string =>
  `${c.schoolName} ${c.weekdays.map(weekdayName).join(m('dayList'))} ${m('period', { n: c.period })} ${clock(c.old.start)}–${clock(c.old.end)} → ${clock(c.new.start)}–${clock(c.new.end)}`;

/** The proposals not set aside, each with its cost, its changes and preview / accept / set aside. */
export function proposals(state: BellsState, actions: BellsActions): HTMLElement[] {
  const shown = shownProposals(state);
  return [
    h('h3', {}, m('proposals')),
    ...(shown.length
      ? []
      : [h('p', { class: 'hint' }, state.view?.report.feasible ? m('nothingToChange') : m('noProposal'))]),
    ...shown.map((p) =>
      h(
        'div',
        {
          class: `compat-proposal${state.preview?.id === p.id ? ' previewing' : ''}`,
          'data-testid': 'compat-proposal',
        },
        h('p', {}, h('strong', {}, p.message)),
        h(
          'p',
          { class: 'hint' },
          m('cost', {
            changes: p.cost.changes,
            minutes: p.cost.minutesMoved,
            schools: p.cost.schoolsTouched,
          }),
        ),
        h('ul', {}, ...p.changes.map((c) => h('li', {}, changeLine(c)))),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'btn btn-ghost', onclick: () => actions.togglePreview(p) },
            state.preview?.id === p.id ? m('endPreview') : m('preview'),
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-primary',
              'data-testid': 'compat-accept',
              onclick: () => actions.accept(p),
            },
            m('accept'),
          ),
          h(
            'button',
            { type: 'button', class: 'btn btn-ghost', onclick: () => actions.setAside(p) },
            m('setAside'),
          ),
        ),
      ),
    ),
  ];
}
