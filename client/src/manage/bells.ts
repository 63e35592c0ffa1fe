import type { BellChange, CompatView, Proposal } from '../../../server/contract/timetable.ts';
import { api } from '../api.ts';
import { lang, zhEn } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';

const DAYS_ZH = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const DAYS_EN = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const dayName = (d: number): string => (lang() === 'en' ? DAYS_EN : DAYS_ZH)[d - 1] ?? String(d);
const clock = (m: number): string =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

type Schools = CompatView['schools'];

/** The schools' bells with a proposal's changes applied (for the preview). */
function withChanges(schools: Schools, changes: readonly BellChange[]): Schools {
  return schools.map((school) => {
    const mine = changes.filter((c) => c.schoolId === school.id);
    if (!mine.length) return school;
    const periods = school.periods.flatMap((p) => {
      const change = mine.find(
        (c) => c.period === p.period && c.weekdays.some((d) => p.weekdays.includes(d)),
      );
      if (!change) return [p];
      const moved = p.weekdays.filter((d) => change.weekdays.includes(d));
      const kept = p.weekdays.filter((d) => !change.weekdays.includes(d));
      return [
        ...(kept.length ? [{ ...p, weekdays: kept }] : []),
        { ...p, start: change.new.start, end: change.new.end, weekdays: moved },
      ];
    });
    return { ...school, periods };
  });
}

/**
 * Bell compatibility (作息协调): per weekday, every school's periods side by side on one
 * time axis with the windows all of them share highlighted; each offering's candidate slots
 * and whose bells block it; proposed changes to preview, accept or set aside.
 */
export async function bellsPanel(): Promise<HTMLElement> {
  const clusters = await api.list('clusters', { pageSize: 200 });
  const clusterSelect = h(
    'select',
    { 'data-testid': 'compat-cluster' },
    ...clusters.items.map((c) => h('option', { value: c.id }, String(c['name']))),
  );
  const verdict = h('div', { class: 'compat-verdict', 'data-testid': 'compat-verdict', role: 'status' });
  const dayTabs = h('div', { class: 'day-tabs', role: 'tablist' });
  const timeline = h('div', { class: 'compat-timeline', 'data-testid': 'compat-timeline' });
  const proposals = h('div', { class: 'compat-proposals' });
  const message = h('p', { class: 'tt-message', role: 'alert' });
  let view: CompatView | null = null;
  let day = 1;
  let preview: Proposal | null = null;
  const dismissed = new Set<string>();

  const term = (): string => {
    const cluster = clusters.items.find((c) => c.id === clusterSelect.value);
    return ((cluster?.['activeTerms'] as string[] | undefined) ?? [])[0] ?? '';
  };
  const base = (): string => `/api/timetables/${clusterSelect.value}/${term()}/compat`;

  const drawTimeline = (): void => {
    if (!view) return;
    const schools = preview ? withChanges(view.schools, preview.changes) : view.schools;
    const periods = schools.flatMap((s) => s.periods.filter((p) => p.weekdays.includes(day as never)));
    if (!periods.length)
      return mount(timeline, h('p', { class: 'hint' }, zhEn('这一天没有课', 'No periods this day')));
    const from = Math.floor(Math.min(...periods.map((p) => p.start)) / 30) * 30;
    const to = Math.ceil(Math.max(...periods.map((p) => p.end)) / 30) * 30;
    const pct = (m: number): string => `${(((m - from) / (to - from)) * 100).toFixed(2)}%`;
    const report = view.report.days.find((d) => d.weekday === day);
    const common = preview ? [] : (report?.commonWindows ?? []);
    const okHub = new Set((report?.hubPeriods ?? []).filter((p) => p.common).map((p) => p.period));
    const changed = new Set(
      (preview?.changes ?? [])
        .filter((c) => c.weekdays.includes(day as never))
        .map((c) => `${c.schoolId}/${c.period}`),
    );
    const ticks: number[] = [];
    for (let m = from; m <= to; m += 60) ticks.push(m);
    mount(
      timeline,
      h(
        'div',
        { class: 'axis' },
        h('span', {}),
        h(
          'div',
          { class: 'track' },
          ...ticks.map((m) => h('span', { class: 'tick', style: `left:${pct(m)}` }, clock(m))),
        ),
      ),
      ...schools.map((s) =>
        h(
          'div',
          { class: `compat-row${s.hub ? ' hub' : ''}`, 'data-testid': 'compat-row', 'data-school-id': s.id },
          h('span', { class: 'label' }, `${s.name}${s.hub ? zhEn('（主讲）', ' (hub)') : ''}`),
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
    );
  };

  const changeLine = (c: BellChange): string =>
    `${c.schoolName} ${c.weekdays.map(dayName).join('、')} ${zhEn(`第${c.period}节`, `P${c.period}`)} ${clock(c.old.start)}–${clock(c.old.end)} → ${clock(c.new.start)}–${clock(c.new.end)}`;

  const render = (): void => {
    if (!view) return;
    const { report } = view;
    verdict.dataset['feasible'] = String(report.feasible);
    mount(
      verdict,
      h(
        'p',
        { class: report.feasible ? 'ok' : 'form-error' },
        report.feasible
          ? zhEn(
              `作息兼容：每周 ${report.commonSlots} 个主讲节次各校都能同步上课。`,
              `Compatible: ${report.commonSlots} hub periods a week every school can sit.`,
            )
          : zhEn(
              '作息不兼容：部分课程找不到足够的共同节次。',
              'Not compatible: some offerings lack common periods.',
            ),
      ),
      h(
        'ul',
        {},
        ...report.offerings.map((o) =>
          h(
            'li',
            { class: o.enough ? '' : 'form-error' },
            `${o.name}：${zhEn(`可排 ${o.candidateSlots} 个节次，需要 ${o.periodsPerWeek} 个`, `${o.candidateSlots} candidate slots, ${o.periodsPerWeek} needed`)}${o.enough ? '' : ` — ${o.message}`}`,
          ),
        ),
      ),
      h(
        'p',
        { class: 'hint' },
        zhEn(
          `规则：同步课须覆盖各接收班本节课时长的 ${Math.round(report.minOverlap * 100)}% 以上。`,
          `Rule: a synchronized lesson covers at least ${Math.round(report.minOverlap * 100)} % of each receiving class's period.`,
        ),
      ),
    );
    const days = [...new Set(view.report.days.map((d) => d.weekday))];
    mount(
      dayTabs,
      ...days.map((d) =>
        h(
          'button',
          {
            type: 'button',
            class: `btn ${d === day ? 'btn-primary' : 'btn-ghost'}`,
            role: 'tab',
            'aria-selected': String(d === day),
            onclick: () => ((day = d), render()),
          },
          dayName(d),
        ),
      ),
    );
    const shown = view.proposals.filter((p) => !dismissed.has(p.id));
    mount(
      proposals,
      h('h3', {}, zhEn('调整建议', 'Proposed changes')),
      shown.length
        ? null
        : h(
            'p',
            { class: 'hint' },
            view.report.feasible
              ? zhEn('无需调整。', 'Nothing to change.')
              : zhEn(
                  '在允许的范围内找不到调整方案，可放宽或手动修改作息。',
                  'No proposal within the limits; edit the bells by hand.',
                ),
          ),
      ...shown.map((p) =>
        h(
          'div',
          {
            class: `compat-proposal${preview?.id === p.id ? ' previewing' : ''}`,
            'data-testid': 'compat-proposal',
          },
          h('p', {}, h('strong', {}, p.message)),
          h(
            'p',
            { class: 'hint' },
            zhEn(
              `${p.cost.changes} 处改动，共移动 ${p.cost.minutesMoved} 分钟，涉及 ${p.cost.schoolsTouched} 所学校`,
              `${p.cost.changes} changes, ${p.cost.minutesMoved} minutes moved, ${p.cost.schoolsTouched} schools`,
            ),
          ),
          h('ul', {}, ...p.changes.map((c) => h('li', {}, changeLine(c)))),
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-ghost',
                onclick: () => ((preview = preview?.id === p.id ? null : p), render()),
              },
              preview?.id === p.id ? zhEn('取消预览', 'End preview') : zhEn('预览', 'Preview'),
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-primary',
                'data-testid': 'compat-accept',
                onclick: () => void accept(p),
              },
              zhEn('采纳', 'Accept'),
            ),
            h(
              'button',
              { type: 'button', class: 'btn btn-ghost', onclick: () => (dismissed.add(p.id), render()) },
              zhEn('不采纳', 'Set aside'),
            ),
          ),
        ),
      ),
    );
    drawTimeline();
  };

  const load = async (): Promise<void> => {
    preview = null;
    if (!term()) {
      view = null;
      mount(verdict, h('p', { class: 'hint' }, zhEn('该联校群还没有学期', 'The cluster has no term yet')));
      return;
    }
    try {
      view = await api.get<CompatView>(base());
      render();
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
    }
  };

  const accept = async (p: Proposal): Promise<void> => {
    try {
      view = await api.post<CompatView>(`${base()}/accept`, { proposalId: p.id });
      preview = null;
      message.textContent = zhEn(
        '已采纳，相关学校的作息时间已更新。请重新排课。',
        'Accepted: the schools’ bells are updated. Solve the timetable again.',
      );
      render();
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
    }
  };

  clusterSelect.addEventListener('change', () => void load());
  await load();
  return h(
    'section',
    { class: 'panel compat' },
    h('div', { class: 'panel-head' }, h('h2', {}, zhEn('作息协调', 'Bell compatibility'))),
    h(
      'div',
      { class: 'import-form' },
      h('label', { class: 'field' }, h('span', {}, zhEn('联校群', 'Cluster')), clusterSelect),
    ),
    verdict,
    message,
    dayTabs,
    h(
      'p',
      { class: 'hint' },
      zhEn(
        '绿色底色：所有学校同时在上课的时段；绿框：各校都能同步的主讲节次；橙色：建议调整的节次。',
        'Green band: all schools in class; green outline: hub periods every school can sit; orange: periods a proposal moves.',
      ),
    ),
    timeline,
    proposals,
  );
}
