import type {
  ExportJobView,
  FigureRow,
  Figures,
  RecordingFact,
  ReportView,
  SessionRow,
} from '../../../server/contract/reports.ts';
import { api } from '../api.ts';
import { lang, zhEn } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { saveDownload } from '../ui/download.ts';
import { tr } from '../ui/text.ts';
import { CHART_TEXT as TEXT, echarts } from './charts.ts';
import { LinkChart } from './linkChart.ts';
import { researchCards } from '../research/researchCards.ts';

const pct = (n: number, d: number | null): string => (d ? `${Math.round((n / d) * 1000) / 10}%` : '–');
const when = (iso: string): string => new Date(iso).toLocaleString(lang() === 'en' ? 'en-GB' : 'zh-CN');

/** Attendance rate: present or late over the classroom-sessions that were due. */
const attendanceRate = (f: Figures): [number, number] => [
  f.attendance.present + f.attendance.late,
  f.attendance.due,
];

/**
 * The bureau's and coordinator's dashboard: progress toward each provincial target,
 * sessions delivered by week or month, and a drill-down province → city → county →
 * cluster → session; monthly, quarterly and annual reports to Excel or CSV.
 */
export async function dashboardPanel(): Promise<HTMLElement> {
  const periodSelect = h(
    'select',
    { 'data-testid': 'report-period' },
    h('option', { value: 'month' }, zhEn('本月', 'This month')),
    h('option', { value: 'quarter' }, zhEn('本季度', 'This quarter')),
    h('option', { value: 'term' }, zhEn('本学期', 'This term')),
    h('option', { value: 'year' }, zhEn('本年度', 'This year')),
  );
  const crumbs = h('nav', { class: 'crumbs', 'data-testid': 'report-crumbs' });
  const cards = h('div', { class: 'target-cards', 'data-testid': 'report-cards' });
  const trendBox = h('div', { class: 'chart', 'data-testid': 'report-trend' });
  const barsBox = h('div', { class: 'chart' });
  const table = h('div', { class: 'report-table', 'data-testid': 'report-rows' });
  const rules = h('ul', { class: 'hint rules', 'data-testid': 'report-rules' });
  const progress = h('progress', { hidden: true, max: 1, value: 0, 'data-testid': 'report-export-progress' });
  const status = h('p', { class: 'tt-message', role: 'status' });
  const charts: echarts.ECharts[] = [];
  const links = new LinkChart();
  let scope: { kind: 'region' | 'cluster'; id: string } | null = null;

  const query = (): string =>
    new URLSearchParams({
      period: periodSelect.value,
      ...(scope ? { [scope.kind === 'cluster' ? 'clusterId' : 'region']: scope.id } : {}),
    }).toString();

  // The panel is drawn before it is attached: charts follow their box's size as it appears.
  const resize = new ResizeObserver(() => charts.forEach((c) => c.resize()));
  resize.observe(trendBox);
  resize.observe(barsBox);
  const chart = (box: HTMLElement, option: echarts.EChartsCoreOption): void => {
    const c = echarts.init(box, undefined, { renderer: 'canvas' });
    c.setOption({ textStyle: { color: TEXT }, ...option });
    charts.push(c);
  };

  const render = (v: ReportView): void => {
    for (const c of charts.splice(0)) c.dispose();
    links.clear();
    const f = v.figures;
    mount(
      crumbs,
      ...(v.scope.parent
        ? [
            h(
              'a',
              {
                href: '#dashboard',
                onclick: (e: Event) => (
                  e.preventDefault(),
                  void open({ kind: 'region', id: v.scope.parent!.id })
                ),
              },
              v.scope.parent.name,
            ),
            ' › ',
          ]
        : []),
      h('strong', {}, `${v.scope.name} · ${v.period.label}`),
    );
    const levelKey = (v.scope.level ?? 'county') as keyof Figures['clusters'];
    const target = (
      label: string,
      value: number,
      goal: number | null,
      id: string,
      note: string,
      shown?: string,
    ): HTMLElement =>
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
    const recordingCard = (r: Figures['recordings']): HTMLElement => {
      const card = target(
        zhEn('录制课程', 'Lessons recorded'),
        r.recorded,
        null,
        'recordings',
        zhEn(
          `共享 ${r.shared}，可播放 ${r.ready}，合成中 ${r.composing + r.recording}`,
          `${r.shared} shared, ${r.ready} ready, ${r.composing + r.recording} in progress`,
        ),
      );
      card.dataset['shared'] = String(r.shared);
      if (r.failed || r.incomplete)
        card.append(
          h(
            'a',
            { class: 'hint rec-attention', href: '/library', 'data-testid': 'recordings-attention' },
            zhEn(
              `合成失败 ${r.failed}，不完整 ${r.incomplete}（查看资源库）`,
              `${r.failed} failed, ${r.incomplete} incomplete (open the library)`,
            ),
          ),
        );
      return card;
    };
    const [attended, due] = attendanceRate(f);
    mount(
      cards,
      target(
        zhEn('联校群', 'Clusters'),
        f.clusters[levelKey] ?? 0,
        v.scope.kind === 'region' ? (v.targets.clusters[levelKey] ?? null) : null,
        'clusters',
        zhEn(
          `${v.scope.level === 'province' ? '省' : v.scope.level === 'city' ? '市' : '县'}级组织`,
          `${v.scope.level ?? ''} level`,
        ),
      ),
      target(
        zhEn('同步开课门次', 'Offerings synchronized'),
        f.offeringsSynchronized,
        v.scope.kind === 'region' && v.scope.level === 'province' ? v.targets.offerings : null,
        'offerings',
        zhEn(`计划 ${f.offeringsPlanned} 门`, `${f.offeringsPlanned} planned`),
      ),
      target(
        zhEn('已开课节数', 'Sessions delivered'),
        f.sessions.delivered,
        null,
        'delivered',
        zhEn(
          `计划 ${f.sessions.planned}，缺课 ${f.sessions.missed}，未达标 ${f.sessions.notDelivered}`,
          `${f.sessions.planned} planned, ${f.sessions.missed} missed, ${f.sessions.notDelivered} short`,
        ),
      ),
      target(
        zhEn('出勤率', 'Attendance'),
        attended,
        null,
        'attendance',
        zhEn(`应到 ${due} 教室节次，实到 ${attended}`, `${attended} of ${due} classroom-sessions`),
        pct(attended, due),
      ),
      target(
        zhEn('农村学校覆盖', 'Rural schools covered'),
        f.ruralSchoolsInCluster,
        f.ruralSchools,
        'coverage',
        pct(f.ruralSchoolsInCluster, f.ruralSchools),
      ),
      target(
        zhEn('主讲教师线上授课占比', 'Hub teachers online'),
        f.teacherPeriods.online,
        null,
        'online',
        zhEn(
          `线上 ${f.teacherPeriods.online} 节；目标 ${Math.round(v.targets.teacherOnlineShare * 100)}%（总节数未录入时不计算）`,
          `${f.teacherPeriods.online} online; target ${Math.round(v.targets.teacherOnlineShare * 100)} % (needs total periods)`,
        ),
        pct(f.teacherPeriods.online, f.teacherPeriods.total),
      ),
      recordingCard(f.recordings),
      ...(f.research ? researchCards(f.research, levelKey, v.targets, target) : []),
    );
    chart(trendBox, {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: { color: TEXT } },
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: v.trend.map((t) => t.label) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: zhEn('计划', 'Planned'), type: 'line', data: v.trend.map((t) => t.planned) },
        {
          name: zhEn('已开', 'Delivered'),
          type: 'bar',
          data: v.trend.map((t) => t.delivered),
          itemStyle: { color: '#1eb98c' },
        },
        {
          name: zhEn('缺课', 'Missed'),
          type: 'bar',
          data: v.trend.map((t) => t.missed),
          itemStyle: { color: '#e65050' },
        },
      ],
    });
    chart(barsBox, {
      tooltip: { trigger: 'axis' },
      grid: { left: 120, right: 16, top: 10, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: v.rows.map((r) => r.name), axisLabel: { color: TEXT } },
      series: [
        {
          name: zhEn('已开课节数', 'Delivered'),
          type: 'bar',
          data: v.rows.map((r) => r.figures.sessions.delivered),
          itemStyle: { color: '#1eb98c' },
        },
      ],
    });
    barsBox.hidden = !v.rows.length;
    mount(table, v.sessions.length ? sessionTable(v) : rowTable(v.rows));
    mount(rules, ...v.rules.map((r) => h('li', {}, r)));
  };

  const rowTable = (rows: FigureRow[]): HTMLElement =>
    h(
      'table',
      { class: 'data' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            zhEn('名称', 'Name'),
            zhEn('联校群', 'Clusters'),
            zhEn('同步门次', 'Offerings'),
            zhEn('计划/已开/缺课', 'Planned/delivered/missed'),
            zhEn('出勤率', 'Attendance'),
            zhEn('录制/共享', 'Recorded/shared'),
          ].map((x) => h('th', {}, x)),
        ),
      ),
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
                : h(
                    'a',
                    {
                      href: '#dashboard',
                      onclick: (e: Event) => (
                        e.preventDefault(),
                        void open({ kind: r.kind === 'cluster' ? 'cluster' : 'region', id: r.id })
                      ),
                    },
                    r.name,
                  ),
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

  const VERDICT: Record<string, [string, string]> = {
    delivered: ['已开课', 'Delivered'],
    'not-delivered': ['未达标', 'Short'],
    missed: ['缺课', 'Missed'],
    upcoming: ['未开始', 'Upcoming'],
    live: ['进行中', 'Live'],
  };
  const STATUS: Record<string, [string, string]> = {
    present: ['出勤', 'present'],
    late: ['迟到', 'late'],
    partial: ['部分', 'partial'],
    absent: ['缺席', 'absent'],
  };
  const sessionTable = (v: ReportView): HTMLElement =>
    h(
      'table',
      { class: 'data' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            zhEn('时间', 'When'),
            zhEn('课程', 'Lesson'),
            zhEn('结果', 'Result'),
            zhEn('各教室', 'Classrooms'),
            zhEn('录制', 'Recording'),
          ].map((x) => h('th', {}, x)),
        ),
      ),
      h(
        'tbody',
        {},
        ...v.sessions.map((s) =>
          h(
            'tr',
            { 'data-testid': 'report-session', 'data-verdict': s.verdict, title: s.reasons.join('\n') },
            h('td', {}, when(s.scheduledStart)),
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
                      onclick: () => void links.show(s.id, `${s.title} · ${when(s.scheduledStart)}`),
                    },
                    zhEn('链路', 'Links'),
                  ),
            ),
            h(
              'td',
              { class: `verdict ${s.verdict}` },
              lang() === 'en'
                ? (VERDICT[s.verdict]?.[1] ?? s.verdict)
                : (VERDICT[s.verdict]?.[0] ?? s.verdict),
            ),
            h(
              'td',
              {},
              s.classrooms
                .map(
                  (c) =>
                    `${c.name} ${lang() === 'en' ? STATUS[c.status]?.[1] : STATUS[c.status]?.[0]}${c.headcount !== null ? ` ${c.headcount}${zhEn('人', '')}` : ''}`,
                )
                .join('；'),
            ),
            recordingCell(s),
          ),
        ),
      ),
    );

  const REC_STATE: Record<RecordingFact['state'], [string, string]> = {
    recording: ['录制中', 'Recording'],
    composing: ['合成中', 'Composing'],
    ready: ['可播放', 'Ready'],
    failed: ['合成失败', 'Failed'],
    deleted: ['已删除', 'Deleted'],
  };
  /** A session's recording: its state (a link to the player when playable), incomplete, shared. */
  const recordingCell = (s: SessionRow): HTMLElement => {
    const r = s.recording;
    const cell = h('td', {
      class: `rec-cell ${r?.state ?? 'none'}${r?.incomplete ? ' incomplete' : ''}`,
      'data-testid': 'report-session-recording',
      'data-state': r?.state ?? 'none',
    });
    if (!r) return (cell.append(zhEn('未录制', 'Not recorded')), cell);
    const state = lang() === 'en' ? REC_STATE[r.state][1] : REC_STATE[r.state][0];
    cell.append(
      r.state === 'ready' ? h('a', { href: `/library?lesson=${s.id}`, target: '_blank' }, state) : state,
      r.incomplete ? ` · ${zhEn('不完整', 'incomplete')}` : '',
      r.shared ? ` · ${zhEn('已共享', 'shared')}` : '',
    );
    return cell;
  };

  const open = async (next: { kind: 'region' | 'cluster'; id: string } | null): Promise<void> => {
    scope = next;
    try {
      render(await api.get<ReportView>(`/api/reports/figures?${query()}`));
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  };

  const exportReport = async (format: 'xlsx' | 'csv'): Promise<void> => {
    progress.hidden = false;
    progress.value = 0;
    status.textContent = zhEn('正在生成报表…', 'Building the report…');
    try {
      let job = await api.post<ExportJobView>(`/api/reports/exports?${query()}&format=${format}`);
      while (job.state === 'running') {
        progress.value = job.fraction;
        await new Promise((r) => setTimeout(r, 300));
        job = await api.get<ExportJobView>(`/api/report-exports/${job.id}`);
      }
      if (job.state === 'failed') throw new Error(job.error ?? 'export failed');
      await saveDownload(`/api/report-exports/${job.id}/file`, `report.${format}`);
      status.textContent = zhEn('报表已生成。', 'Report ready.');
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      progress.hidden = true;
    }
  };

  periodSelect.addEventListener('change', () => void open(scope));
  await open(null);

  return h(
    'section',
    { class: 'panel dashboard' },
    h('div', { class: 'panel-head' }, h('h2', {}, zhEn('统计与报表', 'Figures and reports')), crumbs),
    h(
      'div',
      { class: 'actions' },
      h('label', { class: 'field' }, h('span', {}, zhEn('期间', 'Period')), periodSelect),
      h(
        'button',
        {
          class: 'btn btn-primary',
          type: 'button',
          'data-testid': 'report-xlsx',
          onclick: () => void exportReport('xlsx'),
        },
        zhEn('导出报表 Excel', 'Report to Excel'),
      ),
      h(
        'button',
        { class: 'btn btn-ghost', type: 'button', onclick: () => void exportReport('csv') },
        zhEn('导出 CSV', 'CSV'),
      ),
    ),
    progress,
    status,
    cards,
    h('div', { class: 'charts' }, trendBox, barsBox),
    table,
    links.el,
    h('h3', {}, zhEn('统计口径', 'Rules')),
    rules,
  );
}
