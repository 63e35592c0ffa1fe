import type { LessonLinksResponse, LinkSeries } from '../../../server/contract/api.ts';
import { api } from '../api.ts';
import { timeOfDay } from '../i18n.ts';
import { m } from './dashboard/messages.ts';
import { h, mount } from '../ui/dom.ts';
import { CHART_TEXT as TEXT, echarts } from './charts.ts';

/** One line per participant of `pick` over the lesson's minutes (a gap where it was not sampled). */
function lines(
  series: readonly LinkSeries[],
  minutes: readonly string[],
  pick: (m: LinkSeries['minutes'][number]) => number | null,
  suffix = '',
): Record<string, unknown>[] {
  return series.map((s) => {
    const at = new Map(s.minutes.map((m) => [m.minute, pick(m)]));
    return {
      type: 'line',
      name: suffix ? `${s.name} ${suffix}` : s.name,
      showSymbol: minutes.length < 3,
      connectNulls: false,
      data: minutes.map((m) => at.get(m) ?? null),
    };
  });
}

/**
 * A lesson's links minute by minute, as the SFU measured them: what each classroom (and the
 * teacher) received, and the loss and round-trip time of what was sent to it. For the
 * coordinator asking why a session was not delivered or a classroom was marked partial.
 */
export class LinkChart {
  readonly el: HTMLElement;
  readonly #charts: echarts.ECharts[] = [];
  readonly #resize = new ResizeObserver(() => this.#charts.forEach((c) => c.resize()));

  constructor() {
    this.el = h('section', { class: 'link-chart', 'data-testid': 'link-chart', hidden: true });
  }

  /** Shows the links of `lessonId` (titled `title`), replacing what was shown. */
  async show(lessonId: string, title: string): Promise<void> {
    this.clear();
    this.el.hidden = false;
    mount(this.el, h('p', { class: 'hint' }, m('linksReading')));
    let links: LessonLinksResponse;
    try {
      links = await api.get<LessonLinksResponse>(`/api/lessons/${lessonId}/links`);
    } catch (error) {
      mount(this.el, h('p', { class: 'tt-message' }, error instanceof Error ? error.message : String(error)));
      return;
    }
    const minutes = [...new Set(links.series.flatMap((s) => s.minutes.map((m) => m.minute)))].sort();
    const close = h(
      'button',
      { class: 'btn btn-ghost', type: 'button', onclick: () => this.clear() },
      m('close'),
    );
    const head = h('div', { class: 'panel-head' }, h('h3', {}, `${m('links')} · ${title}`), close);
    if (!minutes.length) {
      this.el.dataset['minutes'] = '0';
      mount(this.el, head, h('p', { class: 'hint' }, m('linksNone')));
      return;
    }
    this.el.dataset['minutes'] = String(minutes.length);
    const bitrateBox = h('div', { class: 'chart' });
    const lossBox = h('div', { class: 'chart' });
    mount(this.el, head, h('div', { class: 'charts' }, bitrateBox, lossBox));
    const axis = {
      type: 'category',
      data: minutes.map(timeOfDay),
      axisLabel: { color: TEXT },
    };
    const common = {
      textStyle: { color: TEXT },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, textStyle: { color: TEXT }, type: 'scroll' },
      grid: { left: 48, right: 48, top: 48, bottom: 64 },
      xAxis: axis,
    };
    this.#chart(bitrateBox, {
      ...common,
      title: {
        text: m('linksReceived'),
        textStyle: { color: TEXT, fontSize: 13 },
      },
      yAxis: { type: 'value', axisLabel: { color: TEXT } },
      series: lines(links.series, minutes, (x) => x.recvKbps),
    });
    this.#chart(lossBox, {
      ...common,
      title: {
        text: m('linksLossRtt'),
        textStyle: { color: TEXT, fontSize: 13 },
      },
      yAxis: [
        { type: 'value', name: '%', axisLabel: { color: TEXT } },
        { type: 'value', name: 'ms', axisLabel: { color: TEXT }, splitLine: { show: false } },
      ],
      series: [
        ...lines(links.series, minutes, (x) => x.lossPct, m('loss')),
        ...lines(links.series, minutes, (x) => x.rttMs, m('rtt')).map((s) => ({
          ...s,
          yAxisIndex: 1,
          lineStyle: { type: 'dashed' },
        })),
      ],
    });
  }

  /** Hides the chart and lets its canvases go. */
  clear(): void {
    for (const c of this.#charts.splice(0)) c.dispose();
    this.#resize.disconnect();
    this.el.hidden = true;
    mount(this.el);
  }

  #chart(box: HTMLElement, option: echarts.EChartsCoreOption): void {
    const chart = echarts.init(box, undefined, { renderer: 'canvas' });
    chart.setOption(option);
    this.#charts.push(chart);
    this.#resize.observe(box);
  }
}
