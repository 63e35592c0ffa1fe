import type {
  CoPlanBellChangeView,
  CoPlanJobView,
  CoPlanLocalChangeView,
  CoPlanRefusalView,
  CoPlanView,
} from '../../../server/contract/timetable.ts';
import { api } from '../api.ts';
import { localized, weekdayName } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { saveDownload } from '../ui/download.ts';
import { m } from './coplan/messages.ts';
import { partWeeks, slotName } from './coplanWeek.ts';

/** The cluster and term the timetable page shows. */
export type PlanTarget = () => { clusterId: string; term: string } | null;

const percent = (n: number, of: number): string => (of ? `${Math.round((100 * n) / of)}%` : '–');

/** "x/y 节（z%）" / "x of y (z%)". */
const rate = (n: number, of: number): string => m('rate', { n, of, pct: percent(n, of) });

/**
 * The co-plan beside the joint timetable (课程联合编排): run it (a job with progress), then the
 * placement before and after, each proposed bell change and local move to accept or refuse,
 * what cannot be placed and why (the refusals in the way named), each school's part with its
 * decision and its week before and after, re-planning around the refusals, choosing another of
 * the ranked alternatives, and applying the plan. Kept out of the timetable page, which only
 * mounts `el` and calls `load()`.
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
        h('h3', {}, m('planWithLocal')),
        h(
          'button',
          {
            class: 'btn btn-primary',
            type: 'button',
            'data-testid': 'cp-run',
            onclick: () => void this.#run(),
          },
          m('plan'),
        ),
      ),
      h('p', { class: 'hint' }, m('planHint')),
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

  /** Runs a co-plan job (a plan, or a re-plan with `path` '/replan') with its progress, then shows the plan. */
  async #run(path = ''): Promise<void> {
    const base = this.#base();
    if (!base) return;
    this.#say(path ? m('replanning') : m('planning'));
    this.#progress.hidden = false;
    this.#progress.value = 0;
    try {
      let job = await api.post<CoPlanJobView>(`${base}${path}`, { timeLimitMs: 3000 });
      while (job.state === 'running') {
        this.#progress.value = job.fraction;
        await new Promise((r) => setTimeout(r, 250));
        job = await api.get<CoPlanJobView>(`/api/coplan-jobs/${job.id}`);
      }
      if (job.state === 'failed') throw new Error(m('planFailed'));
      this.#say(path ? m('replanned') : m('planned'));
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
      mount(this.#body, h('p', { class: 'hint' }, m('noPlan')));
      return;
    }
    const offering = (id: string | null): string => {
      const found = view.offerings.find((o) => o.id === id);
      return found ? localized(found.name) : '';
    };
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
        change.refused ? m('refusedRestore') : m('acceptedRefuse'),
      );
    const bellText = (c: NonNullable<CoPlanRefusalView['bell']>): string =>
      m('bellLine', {
        school: c.schoolName,
        n: c.period,
        days: c.weekdays.map(weekdayName).join(m('listSeparator')),
        from: `${c.from.start}–${c.from.end}`,
        to: `${c.to.start}–${c.to.end}`,
      });
    const localText = (c: NonNullable<CoPlanRefusalView['local']>): string =>
      m('localLine', {
        who: `${schoolName(c.schoolId)} ${className(c.classId)} ${c.subject}`,
        teacher: c.teacher ? m('teacherTag', { name: c.teacher }) : '',
      }) +
      (c.kind === 'remote'
        ? c.from.weekday === c.to.weekday && c.from.period === c.to.period
          ? m('moveReplaced', {
              from: slotName(c.from.weekday, c.from.period),
              offering: offering(c.offeringId),
            })
          : m('moveMoved', {
              from: slotName(c.from.weekday, c.from.period),
              to: slotName(c.to.weekday, c.to.period),
              offering: offering(c.offeringId),
            })
        : `${slotName(c.from.weekday, c.from.period)} → ${slotName(c.to.weekday, c.to.period)}`);
    const refusalText = (r: CoPlanRefusalView): string =>
      `${r.bell ? bellText(r.bell) : r.local ? localText(r.local) : ''}${m('refusalBy', { by: m(`refusedBy_${r.by}`) })}`;
    const bells = view.bellChanges.map((c) =>
      h('li', { 'data-refused': String(c.refused) }, h('span', {}, bellText(c)), toggle('bell', c)),
    );
    const locals = view.localChanges.map((c) =>
      h(
        'li',
        { 'data-refused': String(c.refused), 'data-kind': c.kind },
        h('span', {}, localText(c)),
        toggle('local', c),
      ),
    );
    const refusals = view.refusals.map((r) =>
      h(
        'li',
        { 'data-by': r.by, 'data-testid': 'cp-refusal' },
        h('span', { class: 'cp-refusal-n' }, m('refusalN', { n: r.index + 1 })),
        ' ',
        refusalText(r),
      ),
    );
    const refusalName = (i: number): string => {
      const r = view.refusals.find((x) => x.index === i);
      return r ? refusalText(r) : m('refusalN', { n: i + 1 });
    };
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
        h(
          'span',
          { class: `cp-decision cp-${s.decision}` },
          m(`decision_${s.decision}`) + (s.kept ? m('keptApproval') : ''),
        ),
        h(
          'span',
          { class: 'hint' },
          `${m('changes', { n: s.changes })}${s.by ? ` · ${s.by}` : ''}${s.note ? ` · ${s.note}` : ''}`,
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
          weeks ? m('hideWeek') : m('showWeek'),
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
          m('exportWeek'),
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
                    note: m('approvedByCoordinator'),
                  }),
              },
              m('approveForSchool'),
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
          m('withoutChanges', { rate: rate(view.baselinePlaced, view.wanted) }),
        ),
        ' → ',
        h('strong', { 'data-testid': 'cp-after' }, m('coPlanned', { rate: rate(view.placed, view.wanted) })),
      ),
      h('p', {}, view.message),
      view.stale ? h('p', { class: 'form-error', 'data-testid': 'cp-stale' }, m('stale')) : null,
      open && view.newRefusals > 0
        ? h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                class: 'btn btn-primary btn-lg',
                type: 'button',
                'data-testid': 'cp-replan',
                onclick: () => void this.#run('/replan'),
              },
              m('replan', { n: view.newRefusals }),
            ),
            h('span', { class: 'hint' }, m('replanHint')),
          )
        : null,
      view.applied
        ? h(
            'p',
            { class: 'ok', 'data-testid': 'cp-applied' },
            m(view.applied.dropped ? 'appliedDropped' : 'applied', {
              sessions: view.applied.sessions,
              bells: view.applied.bellChanges,
              locals: view.applied.localChanges,
              dropped: view.applied.dropped,
            }),
          )
        : null,
    );
    mount(
      this.#body,
      summary,
      h('h4', {}, m('bellChanges', { n: bells.length })),
      bells.length
        ? h('ul', { class: 'cp-list', 'data-testid': 'cp-bells' }, ...bells)
        : h('p', { class: 'hint' }, m('none')),
      h('h4', {}, m('localChanges', { n: locals.length })),
      locals.length
        ? h('ul', { class: 'cp-list', 'data-testid': 'cp-locals' }, ...locals)
        : h('p', { class: 'hint' }, m('none')),
      view.unplaced.length
        ? h(
            'div',
            { 'data-testid': 'cp-unplaced' },
            h('h4', {}, m('unplaceable')),
            h(
              'ul',
              {},
              ...view.unplaced.map((u) =>
                h(
                  'li',
                  {},
                  h('strong', {}, m('missing', { offering: offering(u.offeringId), n: u.missing })),
                  ...u.blockedBy.map((b) =>
                    h(
                      'div',
                      { class: 'form-error cp-blocked', 'data-testid': 'cp-blocked' },
                      m('blockedBy', {
                        what: b.refusals.map(refusalName).join(m('listSeparator')),
                        n: b.more,
                      }),
                    ),
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
            { 'data-testid': 'cp-alternatives', open: true },
            h('summary', {}, m('alternatives', { n: view.alternatives.length })),
            h(
              'ol',
              { class: 'cp-list' },
              ...view.alternatives.map((a) =>
                h(
                  'li',
                  { 'data-chosen': String(a.chosen), 'data-testid': 'cp-alternative' },
                  h(
                    'span',
                    {},
                    m('alternativeN', { n: a.index + 1 }) +
                      m('alternative', {
                        rate: rate(a.placed, view.wanted),
                        bells: a.bellChanges,
                        moves: a.localMoves,
                        schools: a.schoolsTouched,
                      }),
                  ),
                  a.chosen
                    ? h('strong', { class: 'cp-chosen' }, m('chosenTag'))
                    : h(
                        'button',
                        {
                          class: 'btn btn-ghost cp-toggle',
                          type: 'button',
                          disabled: !open,
                          'data-testid': 'cp-choose',
                          onclick: () =>
                            void this.#post(
                              '/alternative',
                              { index: a.index },
                              m('alternativeChosen', { n: a.index + 1 }),
                            ),
                        },
                        m('chooseAlternative'),
                      ),
                ),
              ),
            ),
          )
        : null,
      refusals.length
        ? h(
            'div',
            { 'data-testid': 'cp-refusals' },
            h('h4', {}, m('honoured', { n: refusals.length })),
            h('ul', { class: 'cp-list' }, ...refusals),
          )
        : null,
      h('h4', {}, m('decisions')),
      schools.length
        ? h('ul', { class: 'cp-schools' }, ...schools)
        : h('p', { class: 'hint' }, m('nothingAsked')),
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
                onclick: () => void this.#post('/apply', {}, m('appliedShort')),
              },
              m('apply'),
            ),
            h(
              'button',
              {
                class: 'btn btn-ghost',
                type: 'button',
                'data-testid': 'cp-apply-approved',
                onclick: () => void this.#post('/apply', { approvedOnly: true }, m('appliedApproved')),
              },
              m('applyApproved'),
            ),
          )
        : null,
    );
  }
}
