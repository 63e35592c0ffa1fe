import type { UserView } from '../../../server/contract/api.ts';
import type { EvaluableLesson, EvaluationView, SummaryView } from '../../../server/contract/research.ts';
import { api } from '../api.ts';
import { dayAndTime, lang, t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { clockOf, playerAt } from '../research/format.ts';
import '../research/research.css';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';

const OVERSEERS = ['admin', 'bureau', 'coordinator', 'inspector'];
const STATE_LABEL: Record<EvaluationView['state'], MessageKey> = {
  invited: 'evalInvitedState',
  draft: 'evalDraft',
  submitted: 'evalSubmitted',
};

/**
 * 听课评课 (/evaluations): a teacher's feedback on its lessons (scores per item, comments
 * that jump to their moment in the recording) and the lessons it was invited to evaluate;
 * an overseer's evaluations in scope and their aggregation, exported to Excel. Feedback is
 * re-read every 15 s, so an evaluation submitted during a lesson appears without a reload.
 */
export function evaluationsPage(root: HTMLElement, user: UserView): void {
  const feedback = h('div', { class: 'research', 'data-testid': 'eval-feedback' });
  const own = h('div', { class: 'research', 'data-testid': 'eval-own' });
  const summary = h('section', { class: 'rs-card', 'data-testid': 'eval-summary-table' });
  const toEvaluate = h('div', { class: 'research', 'data-testid': 'eval-lessons' });
  const overseer = OVERSEERS.includes(user.role);
  mount(
    root,
    topbar('evalTitle', null, user.realName),
    h(
      'main',
      { class: 'research' },
      h('h2', {}, tr(overseer ? 'evalInScope' : 'evalMine')),
      feedback,
      h('h2', {}, tr(overseer ? 'evalMyOwn' : 'evalInvited')),
      own,
      overseer ? h('h2', {}, tr('evalOpen')) : null,
      overseer ? toEvaluate : null,
      overseer ? h('h2', {}, tr('evalSummary')) : null,
      overseer ? summary : null,
    ),
  );
  const refresh = (): void => {
    api.get<EvaluationView[]>('/api/evaluations').then(
      (list) => {
        const received = list.filter((e) => e.evaluator.id !== user.id);
        const made = list.filter((e) => e.evaluator.id === user.id);
        feedback.replaceChildren(...(received.length ? received.map(card) : [h('p', {}, tr('evalNone'))]));
        own.replaceChildren(...(made.length ? made.map(card) : [h('p', {}, tr('evalNone'))]));
      },
      (error: Error) => feedback.replaceChildren(h('p', { role: 'status' }, error.message)),
    );
  };
  refresh();
  const timer = setInterval(
    () => (document.body.contains(feedback) ? refresh() : clearInterval(timer)),
    15_000,
  );
  if (overseer) {
    summaryTable(summary);
    lessonsToEvaluate(toEvaluate);
  }
}

/** Lessons in scope live now or ended lately, each with a link to evaluate it. */
function lessonsToEvaluate(box: HTMLElement): void {
  api.get<EvaluableLesson[]>('/api/evaluations/lessons').then(
    (lessons) =>
      box.replaceChildren(...(lessons.length ? lessons.map(lessonRow) : [h('p', {}, tr('evalNone'))])),
    (error: Error) => box.replaceChildren(h('p', { role: 'status' }, error.message)),
  );
}

function lessonRow(l: EvaluableLesson): HTMLElement {
  return h(
    'div',
    { class: 'rs-card rs-row', 'data-testid': 'eval-lesson', 'data-lesson': l.id },
    h('strong', {}, l.title),
    h('span', { class: 'rs-meta' }, [l.teacherName, l.startedAt ? dayAndTime(l.startedAt) : ''].join(' · ')),
    h(
      'span',
      { class: 'rs-badge', 'data-state': l.state },
      t(l.state === 'live' ? 'evalLive' : 'evalRecording'),
    ),
    h(
      'a',
      { class: 'btn btn-primary', href: `/evaluate?lesson=${l.id}`, 'data-testid': 'eval-lesson-open' },
      tr(l.mine ? 'evalMyOwn' : 'evalOpen'),
    ),
  );
}

/** One evaluation: lesson, evaluator, state and total, scores per item, comments, summary. */
function card(e: EvaluationView): HTMLElement {
  const score = new Map(e.scores.map((s) => [s.key, s.score]));
  return h(
    'article',
    { class: 'rs-card', 'data-testid': 'eval-card', 'data-evaluation': e.id },
    h(
      'div',
      { class: 'rs-row' },
      h('strong', {}, e.lessonTitle),
      h('span', { class: 'rs-badge', 'data-state': e.state }, t(STATE_LABEL[e.state])),
      e.total !== null
        ? h('span', { class: 'rs-total', 'data-testid': 'eval-card-total' }, String(e.total))
        : null,
      e.state !== 'submitted'
        ? h('a', { class: 'btn btn-primary', href: `/evaluate?lesson=${e.lessonId}` }, tr('evalOpen'))
        : null,
    ),
    h(
      'p',
      { class: 'rs-meta' },
      [
        `${t('evalTeacher')}：${e.teacher.name}`,
        `${t('evalEvaluator')}：${e.evaluator.name}`,
        e.lessonStart ? dayAndTime(e.lessonStart) : '',
        t(e.mode === 'live' ? 'evalLive' : 'evalRecording'),
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    e.scores.length
      ? h(
          'p',
          {},
          e.rubric.items.map((i) => `${i.name} ${score.get(i.key) ?? '–'}/${e.rubric.levels}`).join('　'),
        )
      : null,
    e.comments.length
      ? h(
          'ol',
          { class: 'rs-comments' },
          ...e.comments.map((c) =>
            h(
              'li',
              {},
              e.recordingId
                ? h(
                    'a',
                    {
                      class: 'btn btn-ghost rs-time',
                      href: playerAt(e.recordingId, c.atSeconds),
                      title: t('evalJump'),
                      'data-testid': 'eval-jump',
                    },
                    clockOf(c.atSeconds),
                  )
                : h('span', { class: 'rs-time' }, clockOf(c.atSeconds)),
              h('span', { 'data-testid': 'eval-comment' }, c.text),
            ),
          ),
        )
      : null,
    e.summary ? h('p', {}, e.summary) : null,
  );
}

/** The aggregation per teacher, cluster or region, with the Excel export. */
function summaryTable(box: HTMLElement): void {
  const by = h(
    'select',
    { 'aria-label': t('evalBy'), onchange: () => load() },
    h('option', { value: 'teacher' }, t('evalByTeacher')),
    h('option', { value: 'cluster' }, t('evalByCluster')),
    h('option', { value: 'region' }, t('evalByRegion')),
  );
  // The file's titles follow the interface language as it is when clicked.
  const exportUrl = (): string => `/api/evaluations/export?by=${by.value}&format=xlsx&lang=${lang()}`;
  const exportLink = h(
    'a',
    {
      class: 'btn btn-ghost',
      'data-testid': 'eval-export',
      onclick: () => exportLink.setAttribute('href', exportUrl()),
    },
    tr('evalExport'),
  );
  const table = h('table', { class: 'rs-table' });
  const load = (): void => {
    exportLink.setAttribute('href', exportUrl());
    api.get<SummaryView>(`/api/evaluations/summary?by=${by.value}`).then(
      (view) => {
        const items = [...new Set(view.rows.flatMap((r) => Object.keys(r.items)))];
        table.replaceChildren(
          h(
            'tr',
            {},
            h(
              'th',
              {},
              t(
                by.value === 'teacher'
                  ? 'evalTeacher'
                  : by.value === 'cluster'
                    ? 'evalByCluster'
                    : 'evalByRegion',
              ),
            ),
            h('th', {}, t('evalCount')),
            h('th', {}, t('evalMean')),
            ...items.map((i) => h('th', {}, i)),
          ),
          ...view.rows.map((r) =>
            h(
              'tr',
              { 'data-testid': 'eval-summary-row' },
              h('td', {}, r.name),
              h('td', {}, String(r.evaluations)),
              h('td', {}, r.meanTotal === null ? '–' : String(r.meanTotal)),
              ...items.map((i) => h('td', {}, r.items[i] === undefined ? '–' : String(r.items[i]))),
            ),
          ),
        );
      },
      (error: Error) => table.replaceChildren(h('caption', {}, error.message)),
    );
  };
  box.replaceChildren(h('div', { class: 'rs-row' }, h('label', {}, tr('evalBy'), by), exportLink), table);
  load();
}
