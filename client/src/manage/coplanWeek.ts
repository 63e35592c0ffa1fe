import type {
  CoPlanLessonView,
  CoPlanSchoolView,
  LocalLessonView,
  PeriodView,
} from '../../../server/contract/timetable.ts';
import { weekdayName } from '../i18n.ts';
import { h } from '../ui/dom.ts';
import { m } from './coplan/messages.ts';

/** "周二第3节" / "Tue P3". */
export function slotName(weekday: number, period: number): string {
  return m('slot', { day: weekdayName(weekday), n: period });
}

/**
 * One class's week as a grid: its school's periods down, weekdays across. In the "after"
 * week a lesson that moved and one a synchronized session teaches are marked (and coloured).
 */
export function weekTable(
  classId: string,
  periods: readonly PeriodView[],
  lessons: readonly (LocalLessonView | CoPlanLessonView)[],
  offeringName: (id: string) => string,
  testId: string,
): HTMLElement {
  const numbers = [...new Set(periods.map((p) => p.period))].sort((a, b) => a - b);
  const days = [...new Set([1, 2, 3, 4, 5, ...periods.flatMap((p) => p.weekdays)])].sort((a, b) => a - b);
  const cell = (day: number, period: number): HTMLElement => {
    const l = lessons.find((x) => x.classId === classId && x.weekday === day && x.period === period);
    if (!l) return h('td', {});
    const after = 'moved' in l ? l : null;
    const remote = after?.offeringId ?? null;
    const kind = remote ? 'remote' : after?.moved ? 'moved' : l.locked ? 'locked' : 'own';
    return h(
      'td',
      { class: `cp-cell cp-${kind}`, 'data-kind': kind },
      h('strong', {}, remote ? offeringName(remote) : l.subject),
      h(
        'span',
        {},
        remote
          ? m('synchronized')
          : [l.teacher, l.locked ? m('locked') : '', after?.moved ? m('movedIn') : '']
              .filter(Boolean)
              .join(' · '),
      ),
    );
  };
  return h(
    'table',
    { class: 'tt-table cp-week', 'data-testid': testId },
    h('thead', {}, h('tr', {}, h('th', {}, m('period')), ...days.map((d) => h('th', {}, weekdayName(d))))),
    h(
      'tbody',
      {},
      ...numbers.map((n) => {
        const p = periods.find((x) => x.period === n);
        return h(
          'tr',
          {},
          h('th', {}, `${m('periodN', { n })}${p ? ` ${p.start}` : ''}`),
          ...days.map((d) => cell(d, n)),
        );
      }),
    ),
  );
}

/** A school's part: each class's week before and after the plan, side by side. */
export function partWeeks(part: CoPlanSchoolView, offeringName: (id: string) => string): HTMLElement {
  return h(
    'div',
    { class: 'cp-part-weeks' },
    ...part.classes.map((c) =>
      h(
        'div',
        { class: 'cp-class' },
        h('h4', {}, c.name),
        h(
          'div',
          { class: 'cp-before-after' },
          h(
            'div',
            {},
            h('h5', {}, m('before')),
            weekTable(c.id, part.periods, part.before, offeringName, 'cp-before'),
          ),
          h(
            'div',
            {},
            h('h5', {}, m('after')),
            weekTable(c.id, part.periods, part.after, offeringName, 'cp-after'),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'hint cp-legend' },
      h('span', { class: 'cp-remote' }, m('synchronized')),
      ' ',
      h('span', { class: 'cp-moved' }, m('movedLesson')),
      ' ',
      h('span', { class: 'cp-locked' }, m('lockedHint')),
    ),
  );
}
