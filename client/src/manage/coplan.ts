import type {
  CoPlanBellChangeView,
  CoPlanJobView,
  CoPlanLocalChangeView,
  CoPlanSchoolView,
  CoPlanView,
} from '../../../server/contract/timetable.ts';
import { api } from '../api.ts';
import { zhEn } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { saveDownload } from '../ui/download.ts';
import { partWeeks, slotName } from './coplanWeek.ts';

/** The cluster and term the timetable page shows. */
export type PlanTarget = () => { clusterId: string; term: string } | null;

const DECISION: Record<CoPlanSchoolView['decision'], [string, string]> = {
  pending: ['待学校确认', 'waiting for the school'],
  approved: ['学校已同意', 'approved'],
  refused: ['学校已拒绝', 'refused'],
};

const percent = (n: number, of: number): string => (of ? `${Math.round((100 * n) / of)}%` : '–');

/** "x/y 节（z%）". */
const rate = (n: number, of: number): string =>
  zhEn(`${n}/${of} 节（${percent(n, of)}）`, `${n} of ${of} (${percent(n, of)})`);

/**
 * The co-plan beside the joint timetable (课程联合编排): run it (a job with progress), then the
 * placement before and after, each proposed bell change and local move to accept or refuse,
 * what cannot be placed and why, each school's part with its decision and its week before and
 * after, and applying the plan. Kept out of the timetable page, which only mounts `el` and
 * calls `load()`.
 */
export class CoPlanSection {
  readonly el: HTMLElement;
  readonly #target: PlanTarget;
  readonly #onApplied: () => Promise<void>;
  readonly #body = h('div', { class: 'cp-body' });
  readonly #message = h('p', { class: 'tt-message', 'data-testid': 'cp-message', role: 'status' });
  readonly #progress = h('progress', { 'data-testid': 'cp-progress', max: 1, value: 0, hidden: true });
  readonly #open = new Set<string>();

  constructor(target: PlanTarget, onApplied: () => Promise<void>) {
    this.#target = target;
    this.#onApplied = onApplied;
    this.el = h(
      'section',
      { class: 'panel-note coplan', 'data-testid': 'coplan' },
      h(
        'div',
        { class: 'panel-head' },
        h(
          'h3',
          {},
          zhEn('联合编排（含接收学校本校课表）', 'Co-plan with the receiving schools’ own timetables'),
        ),
        h(
          'button',
          {
            class: 'btn btn-primary',
            type: 'button',
            'data-testid': 'cp-run',
            onclick: () => void this.#run(),
          },
          zhEn('联合编排', 'Co-plan'),
        ),
      ),
      h(
        'p',
        { class: 'hint' },
        zhEn(
          '同时考虑各接收学校的本校课表和作息：同步课优先放在本校同科目的节次，必要时调动本校课或调整作息。各校确认自己的部分后再应用。',
          'Plans the sessions together with the receiving schools’ own lessons and bells: a session takes the class’s own period of its subject where it can, else local lessons move or bells change. Each school approves its part before the plan is applied.',
        ),
      ),
      this.#progress,
      this.#message,
      this.#body,
    );
  }

  #say(text: string, bad = false): void {
    this.#message.textContent = text;
    this.#message.classList.toggle('form-error', bad);
  }

  #fail = (error: unknown): void => this.#say(error instanceof Error ? error.message : String(error), true);

  #base(): string | null {
    const at = this.#target();
    return at ? `/api/timetables/${at.clusterId}/${at.term}/coplan` : null;
  }

  /** Reads and shows the term's plan. */
  async load(): Promise<void> {
    const base = this.#base();
    if (!base) return;
    try {
      this.#show(await api.get<CoPlanView>(base));
    } catch (error) {
      this.#fail(error);
    }
  }

  async #run(): Promise<void> {
    const base = this.#base();
    if (!base) return;
    this.#say(zhEn('正在联合编排…', 'Co-planning…'));
    this.#progress.hidden = false;
    this.#progress.value = 0;
    try {
      let job = await api.post<CoPlanJobView>(base, { timeLimitMs: 3000 });
      while (job.state === 'running') {
        this.#progress.value = job.fraction;
        await new Promise((r) => setTimeout(r, 250));
        job = await api.get<CoPlanJobView>(`/api/coplan-jobs/${job.id}`);
      }
      if (job.state === 'failed') throw new Error(job.error ?? 'co-plan failed');
      this.#say(zhEn('联合编排完成，请各校确认。', 'Co-planned; the schools can now approve their parts.'));
      await this.load();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#progress.hidden = true;
    }
  }

  async #post(path: string, body: unknown, done?: string): Promise<void> {
    const base = this.#base();
    if (!base) return;
    try {
      const view = await api.post<CoPlanView>(`${base}${path}`, body);
      this.#show(view);
      if (done) this.#say(done);
      if (view.state === 'applied') await this.#onApplied();
    } catch (error) {
      this.#fail(error);
    }
  }

  #show(view: CoPlanView): void {
    if (view.state === 'none') {
      mount(this.#body, h('p', { class: 'hint' }, zhEn('还没有联合编排方案。', 'No co-plan yet.')));
      return;
    }
    const offering = (id: string | null): string => view.offerings.find((o) => o.id === id)?.name ?? '';
    const className = (id: string): string =>
      view.schools.flatMap((s) => s.classes).find((c) => c.id === id)?.name ?? '';
    const schoolName = (id: string): string => view.schools.find((s) => s.id === id)?.name ?? '';
    const open = view.state === 'proposed' && !view.stale;
    const toggle = (
      kind: 'bell' | 'local',
      change: CoPlanBellChangeView | CoPlanLocalChangeView,
    ): HTMLElement =>
      h(
        'button',
        {
          class: `btn ${change.refused ? 'btn-ghost' : 'btn-primary'} cp-toggle`,
          type: 'button',
          disabled: !open,
          'aria-pressed': String(!change.refused),
          'data-testid': `cp-${kind}-toggle`,
          onclick: () => void this.#post('/changes', { kind, index: change.index, refused: !change.refused }),
        },
        change.refused
          ? zhEn('已拒绝 · 恢复', 'Refused · restore')
          : zhEn('已接受 · 拒绝', 'Accepted · refuse'),
      );
    const bells = view.bellChanges.map((c) =>
      h(
        'li',
        { 'data-refused': String(c.refused) },
        h(
          'span',
          {},
          `${c.schoolName} ${zhEn(`第${c.period}节`, `P${c.period}`)}（${c.weekdays.map((d) => slotName(d, c.period).slice(0, 2)).join('、')}）` +
            ` ${c.from.start}–${c.from.end} → ${c.to.start}–${c.to.end}`,
        ),
        toggle('bell', c),
      ),
    );
    const locals = view.localChanges.map((c) =>
      h(
        'li',
        { 'data-refused': String(c.refused), 'data-kind': c.kind },
        h(
          'span',
          {},
          `${schoolName(c.schoolId)} ${className(c.classId)} ${c.subject}${c.teacher ? `（${c.teacher}）` : ''}：` +
            (c.kind === 'remote'
              ? c.from.weekday === c.to.weekday && c.from.period === c.to.period
                ? zhEn(
                    `${slotName(c.from.weekday, c.from.period)}改由同步课《${offering(c.offeringId)}》上`,
                    `${slotName(c.from.weekday, c.from.period)} taught by the synchronized ${offering(c.offeringId)}`,
                  )
                : zhEn(
                    `${slotName(c.from.weekday, c.from.period)} → ${slotName(c.to.weekday, c.to.period)}，改由同步课《${offering(c.offeringId)}》上`,
                    `${slotName(c.from.weekday, c.from.period)} → ${slotName(c.to.weekday, c.to.period)}, taught by the synchronized ${offering(c.offeringId)}`,
                  )
              : `${slotName(c.from.weekday, c.from.period)} → ${slotName(c.to.weekday, c.to.period)}`),
        ),
        toggle('local', c),
      ),
    );
    const schools = view.schools.map((s) => {
      const weeks = this.#open.has(s.id) ? partWeeks(s, offering) : null;
      return h(
        'li',
        {
          class: 'cp-school',
          'data-school-id': s.id,
          'data-decision': s.decision,
          'data-testid': 'cp-school',
        },
        h('strong', {}, s.name),
        h('span', { class: `cp-decision cp-${s.decision}` }, zhEn(...DECISION[s.decision])),
        h(
          'span',
          { class: 'hint' },
          `${zhEn(`${s.changes} 处改动`, `${s.changes} changes`)}${s.by ? ` · ${s.by}` : ''}${s.note ? ` · ${s.note}` : ''}`,
        ),
        h(
          'button',
          {
            class: 'btn btn-ghost',
            type: 'button',
            onclick: () => {
              if (this.#open.has(s.id)) this.#open.delete(s.id);
              else this.#open.add(s.id);
              this.#show(view);
            },
          },
          weeks ? zhEn('收起课表', 'Hide week') : zhEn('课表前后对比', 'Week before / after'),
        ),
        h(
          'button',
          {
            class: 'btn btn-ghost',
            type: 'button',
            onclick: () =>
              void saveDownload(`/api/local-timetables/${s.id}/${view.term}/export`, 'timetable.xlsx').catch(
                this.#fail,
              ),
          },
          zhEn('导出本校课表', 'Export its week'),
        ),
        open
          ? h(
              'button',
              {
                class: 'btn btn-ghost',
                type: 'button',
                'data-testid': 'cp-approve-for',
                onclick: () =>
                  void this.#post(`/schools/${s.id}/decision`, {
                    approve: true,
                    note: zhEn('联校群管理员代为确认', 'approved by the coordinator'),
                  }),
              },
              zhEn('代学校同意', 'Approve for the school'),
            )
          : null,
        weeks,
      );
    });
    const summary = h(
      'div',
      { class: 'cp-summary', 'data-testid': 'cp-summary' },
      h(
        'p',
        { class: 'cp-rate' },
        h(
          'span',
          { 'data-testid': 'cp-before' },
          `${zhEn('不做调整', 'Without changes')}：${rate(view.baselinePlaced, view.wanted)}`,
        ),
        ' → ',
        h(
          'strong',
          { 'data-testid': 'cp-after' },
          `${zhEn('联合编排', 'Co-planned')}：${rate(view.placed, view.wanted)}`,
        ),
      ),
      h('p', {}, view.message),
      view.stale
        ? h(
            'p',
            { class: 'form-error', 'data-testid': 'cp-stale' },
            zhEn(
              '方案生成后数据有变动（作息、本校课表或开课计划），请重新编排。',
              'The data changed since this plan was made; co-plan again.',
            ),
          )
        : null,
      view.applied
        ? h(
            'p',
            { class: 'ok', 'data-testid': 'cp-applied' },
            zhEn(
              `已应用：${view.applied.sessions} 节同步课、${view.applied.bellChanges} 处作息调整、${view.applied.localChanges} 项本校课表改动${view.applied.dropped ? `；${view.applied.dropped} 节因被拒绝的改动未排入` : ''}。`,
              `Applied: ${view.applied.sessions} sessions, ${view.applied.bellChanges} bell changes, ${view.applied.localChanges} local changes${view.applied.dropped ? `; ${view.applied.dropped} sessions left out for refused changes` : ''}.`,
            ),
          )
        : null,
    );
    mount(
      this.#body,
      summary,
      h('h4', {}, zhEn(`作息调整（${bells.length}）`, `Bell changes (${bells.length})`)),
      bells.length
        ? h('ul', { class: 'cp-list', 'data-testid': 'cp-bells' }, ...bells)
        : h('p', { class: 'hint' }, zhEn('无', 'None')),
      h(
        'h4',
        {},
        zhEn(`本校课表改动（${locals.length}）`, `Changes to the schools’ own timetables (${locals.length})`),
      ),
      locals.length
        ? h('ul', { class: 'cp-list', 'data-testid': 'cp-locals' }, ...locals)
        : h('p', { class: 'hint' }, zhEn('无', 'None')),
      view.unplaced.length
        ? h(
            'div',
            { 'data-testid': 'cp-unplaced' },
            h('h4', {}, zhEn('无法排入', 'Cannot be placed')),
            h(
              'ul',
              {},
              ...view.unplaced.map((u) =>
                h(
                  'li',
                  {},
                  h(
                    'strong',
                    {},
                    `${offering(u.offeringId)}：${zhEn(`缺 ${u.missing} 节`, `${u.missing} missing`)}`,
                  ),
                  u.proof ? h('div', { class: 'hint' }, u.proof.message) : null,
                  ...u.reasons.slice(0, 3).map((r) => h('div', { class: 'hint' }, r.message)),
                ),
              ),
            ),
          )
        : null,
      view.alternatives.length > 1
        ? h(
            'details',
            { 'data-testid': 'cp-alternatives' },
            h(
              'summary',
              {},
              zhEn(
                `尝试过的 ${view.alternatives.length} 种方案（按排入节数、改动数排序）`,
                `${view.alternatives.length} plans tried, best first`,
              ),
            ),
            h(
              'ol',
              {},
              ...view.alternatives.map((a) =>
                h(
                  'li',
                  {},
                  zhEn(
                    `排入 ${rate(a.placed, view.wanted)}；${a.bellChanges} 处作息调整、${a.localMoves} 节本地课调动、涉及 ${a.schoolsTouched} 所学校`,
                    `${rate(a.placed, view.wanted)} placed; ${a.bellChanges} bell changes, ${a.localMoves} local moves, ${a.schoolsTouched} schools`,
                  ),
                ),
              ),
            ),
          )
        : null,
      h('h4', {}, zhEn('各校确认', 'The schools’ decisions')),
      schools.length
        ? h('ul', { class: 'cp-schools' }, ...schools)
        : h('p', { class: 'hint' }, zhEn('方案不需要任何学校改动。', 'The plan asks nothing of any school.')),
      open
        ? h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                class: 'btn btn-primary',
                type: 'button',
                'data-testid': 'cp-apply',
                onclick: () => void this.#post('/apply', {}, zhEn('方案已应用。', 'Plan applied.')),
              },
              zhEn('应用方案', 'Apply the plan'),
            ),
            h(
              'button',
              {
                class: 'btn btn-ghost',
                type: 'button',
                'data-testid': 'cp-apply-approved',
                onclick: () =>
                  void this.#post(
                    '/apply',
                    { approvedOnly: true },
                    zhEn('已应用各校同意的部分。', 'Approved parts applied.'),
                  ),
              },
              zhEn('只应用已同意的部分', 'Apply the approved parts only'),
            ),
          )
        : null,
    );
  }
}
