import type { Figures, FigureRow, ReportView, SessionRow } from '../../../../server/contract/reports.ts';
import { dateTime, localized } from '../../i18n.ts';
import { h } from '../../ui/dom.ts';
import { tr } from '../../ui/text.ts';
import { researchCards } from '../../research/researchCards.ts';
import { CHART_TEXT as TEXT } from '../charts.ts';
import { m } from './messages.ts';
import { attendanceRate, pct } from './state.ts';
import type { Scope } from './state.ts';

/** What the dashboard's tables and crumbs can ask for. */
export interface DashboardActions {
  /** Drill down (or up) to a region or cluster. */
  open: (scope: Scope) => void;
  /** Show a session's link chart. */
  links: (session: SessionRow, title: string) => void;
}

/** A link that runs `action` instead of navigating (the dashboard stays on its hash). */
const drill = (name: string, action: () => void): HTMLElement =>
  h('a', { href: '#dashboard', onclick: (e: Event) => (e.preventDefault(), action()) }, name);

/** Where the drill-down stands: the parent region (a link) › this scope · the period. */
export function crumbs(v: ReportView, period: string, { open }: DashboardActions): (HTMLElement | string)[] {
  const parent = v.scope.parent;
  return [
    ...(parent ? [drill(parent.name, () => open({ kind: 'region', id: parent.id })), ' › '] : []),
    h('strong', {}, `${v.scope.name} · ${period}`),
  ];
}

/** A target card: a figure, its goal as a bar when there is one, and a note (the card builder research cards take). */
const target: Parameters<typeof researchCards>[3] = (label, value, goal, id, note, shown) =>
  h(
    'div',
    { class: 'target-card', 'data-testid': `target-${id}`, 'data-value': value },
    h('span', { class: 'label' }, label),
    h(
      'strong',
      {},
      shown ?? (goal ? `${value.toLocaleString()} / ${goal.toLocaleString()}` : value.toLocaleString()),
    ),
    goal
      ? h(
          'div',
          { class: 'bar' },
          h('span', {
            class: `fill ${value >= goal ? 'good' : 'constrained'}`,
            style: `width:${Math.min(100, (value / goal) * 100)}%`,
          }),
        )
      : null,
    h('span', { class: 'hint' }, note),
  );

/** Recorded and shared lessons (资源同步共享), with the recordings that need attention. */
function recordingCard(r: Figures['recordings']): HTMLElement {
  const card = target(
    m('recorded'),
    r.recorded,
    null,
    'recordings',
    m('recordedNote', { shared: r.shared, ready: r.ready, busy: r.composing + r.recording }),
  );
  card.dataset['shared'] = String(r.shared);
  if (r.failed || r.incomplete)
    card.append(
      h(
        'a',
        { class: 'hint rec-attention', href: '/library', 'data-testid': 'recordings-attention' },
        m('recordingsAttention', { failed: r.failed, incomplete: r.incomplete }),
      ),
    );
  return card;
}

const LEVEL = { province: 'levelProvince', city: 'levelCity', county: 'levelCounty' } as const;

/** The target cards of a report: clusters, offerings, sessions, attendance, coverage, online share, recordings, research. */
export function targetCards(v: ReportView): HTMLElement[] {
  const f = v.figures;
  const levelKey = (v.scope.level ?? 'county') as keyof Figures['clusters'];
  const [attended, due] = attendanceRate(f);
  const onlineTarget = Math.round(v.targets.teacherOnlineShare * 100);
  return [
    target(
      m('clusters'),
      f.clusters[levelKey] ?? 0,
      v.scope.kind === 'region' ? (v.targets.clusters[levelKey] ?? null) : null,
      'clusters',
      m(LEVEL[v.scope.level === 'province' || v.scope.level === 'city' ? v.scope.level : 'county']),
    ),
    target(
      m('offerings'),
      f.offeringsSynchronized,
      v.scope.kind === 'region' && v.scope.level === 'province' ? v.targets.offerings : null,
      'offerings',
      m('offeringsNote', { n: f.offeringsPlanned }),
    ),
    target(
      m('delivered'),
      f.sessions.delivered,
      null,
      'delivered',
      m('deliveredNote', {
        planned: f.sessions.planned,
        missed: f.sessions.missed,
        short: f.sessions.notDelivered,
      }),
    ),
    target(
      m('attendance'),
      attended,
      null,
      'attendance',
      m('attendanceNote', { due, attended }),
      pct(attended, due),
    ),
    target(
      m('coverage'),
      f.ruralSchoolsInCluster,
      f.ruralSchools,
      'coverage',
      pct(f.ruralSchoolsInCluster, f.ruralSchools),
    ),
    target(
      m('online'),
      f.teacherPeriods.online,
      null,
      'online',
      m('onlineNote', { n: f.teacherPeriods.online, target: onlineTarget }),
      pct(f.teacherPeriods.online, f.teacherPeriods.total),
    ),
    recordingCard(f.recordings),
    ...(f.research ? researchCards(f.research, levelKey, v.targets, target) : []),
  ];
}

/** The trend chart's option: sessions planned (line), delivered and missed (bars) per bucket. */
export function trendOption(v: ReportView, labels: readonly string[]): Record<string, unknown> {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { color: TEXT } },
    grid: { left: 40, right: 16, top: 40, bottom: 28 },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: m('planned'), type: 'line', data: v.trend.map((b) => b.planned) },
      {
        name: m('deliveredShort'),
        type: 'bar',
        data: v.trend.map((b) => b.delivered),
        itemStyle: { color: '#1eb98c' },
      },
      { name: m('missed'), type: 'bar', data: v.trend.map((b) => b.missed), itemStyle: { color: '#e65050' } },
    ],
  };
}

/** The bars chart's option: sessions delivered per row (region, cluster or school). */
export function rowsOption(v: ReportView): Record<string, unknown> {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 120, right: 16, top: 10, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: v.rows.map((r) => r.name), axisLabel: { color: TEXT } },
    series: [
      {
        name: m('deliveredBar'),
        type: 'bar',
        data: v.rows.map((r) => r.figures.sessions.delivered),
        itemStyle: { color: '#1eb98c' },
      },
    ],
  };
}

const head = (...labels: string[]): HTMLElement =>
  h('thead', {}, h('tr', {}, ...labels.map((x) => h('th', {}, x))));

/** The rows of a region (its sub-regions, clusters or schools), each a link to drill into. */
export function rowTable(rows: readonly FigureRow[], { open }: DashboardActions): HTMLElement {
  return h(
    'table',
    { class: 'data' },
    head(m('name'), m('clusters'), m('offeringsCol'), m('sessionsCol'), m('attendance'), m('recordedCol')),
    h(
      'tbody',
      {},
      ...rows.map((r) => {
        const f = r.figures;
        const [a, d] = attendanceRate(f);
        return h(
          'tr',
          { 'data-testid': 'report-row', 'data-id': r.id },
          h(
            'td',
            {},
            r.kind === 'school'
              ? r.name
              : drill(r.name, () => open({ kind: r.kind === 'cluster' ? 'cluster' : 'region', id: r.id })),
          ),
          h('td', {}, String(f.clusters.province + f.clusters.city + f.clusters.county)),
          h('td', {}, `${f.offeringsSynchronized}/${f.offeringsPlanned}`),
          h('td', {}, `${f.sessions.planned}/${f.sessions.delivered}/${f.sessions.missed}`),
          h('td', {}, pct(a, d)),
          h(
            'td',
            { class: f.recordings.failed || f.recordings.incomplete ? 'rec-warn' : '' },
            `${f.recordings.recorded}/${f.recordings.shared}`,
          ),
        );
      }),
    ),
  );
}

/** A session's recording: its state (a link to the player when playable), incomplete, shared. */
function recordingCell(s: SessionRow): HTMLElement {
  const r = s.recording;
  const cell = h('td', {
    class: `rec-cell ${r?.state ?? 'none'}${r?.incomplete ? ' incomplete' : ''}`,
    'data-testid': 'report-session-recording',
    'data-state': r?.state ?? 'none',
  });
  if (!r) return (cell.append(m('rec_none')), cell);
  const state = m(`rec_${r.state}`);
  cell.append(
    r.state === 'ready' ? h('a', { href: `/library?lesson=${s.id}`, target: '_blank' }, state) : state,
    r.incomplete ? ` · ${m('incomplete')}` : '',
    r.shared ? ` · ${m('shared')}` : '',
  );
  return cell;
}

/** A cluster's sessions in the period: when, what, the verdict, each classroom, the recording. */
export function sessionTable(v: ReportView, { links }: DashboardActions): HTMLElement {
  return h(
    'table',
    { class: 'data' },
    head(m('when'), m('lesson'), m('result'), m('classrooms'), m('recording')),
    h(
      'tbody',
      {},
      ...v.sessions.map((s) =>
        h(
          'tr',
          {
            'data-testid': 'report-session',
            'data-verdict': s.verdict,
            title: s.reasons.map(localized).join('\n'),
          },
          h('td', {}, dateTime(s.scheduledStart)),
          h(
            'td',
            {},
            `${s.title} · ${s.teacherName}`,
            s.verdict === 'upcoming'
              ? null
              : h(
                  'a',
                  { class: 'replay-link', href: `/replay?lesson=${s.id}`, target: '_blank' },
                  tr('replayLink'),
                ),
            s.verdict === 'upcoming'
              ? null
              : h(
                  'button',
                  {
                    class: 'links-button',
                    type: 'button',
                    'data-testid': 'report-session-links',
                    onclick: () => links(s, `${s.title} · ${dateTime(s.scheduledStart)}`),
                  },
                  m('links'),
                ),
          ),
          h('td', { class: `verdict ${s.verdict}` }, m(`verdict_${s.verdict}`)),
          h(
            'td',
            {},
            s.classrooms
              .map(
                (c) =>
                  `${c.name} ${m(`status_${c.status}`)}${c.headcount !== null ? ` ${m('headcount', { n: c.headcount })}` : ''}`,
              )
              .join(m('separator')),
          ),
          recordingCell(s),
        ),
      ),
    ),
  );
}
