import type {
  CoPlanLessonView,
  CoPlanSchoolView,
  LocalLessonView,
  PeriodView,
} from '../../../server/contract/timetable.ts';
import { lang, zhEn } from '../i18n.ts';
import { h } from '../ui/dom.ts';

const WEEKDAYS_ZH = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const WEEKDAYS_EN = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "周二第3节" / "Tue P3". */
export function slotName(weekday: number, period: number): string {
  return lang() === 'en'
    ? `${WEEKDAYS_EN[weekday - 1] ?? weekday} P${period}`
    : `${WEEKDAYS_ZH[weekday - 1] ?? weekday}第${period}节`;
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
  const names = lang() === 'en' ? WEEKDAYS_EN : WEEKDAYS_ZH;
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
          ? zhEn('同步课堂', 'synchronized')
          : [l.teacher, l.locked ? zhEn('锁定', 'locked') : '', after?.moved ? zhEn('调入', 'moved in') : '']
              .filter(Boolean)
              .join(' · '),
      ),
    );
  };
  return h(
    'table',
    { class: 'tt-table cp-week', 'data-testid': testId },
    h(
      'thead',
      {},
      h('tr', {}, h('th', {}, zhEn('节次', 'Period')), ...days.map((d) => h('th', {}, names[d - 1] ?? ''))),
    ),
    h(
      'tbody',
      {},
      ...numbers.map((n) => {
        const p = periods.find((x) => x.period === n);
        return h(
          'tr',
          {},
          h('th', {}, `${zhEn(`第${n}节`, `P${n}`)}${p ? ` ${p.start}` : ''}`),
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
            h('h5', {}, zhEn('调整前', 'Before')),
            weekTable(c.id, part.periods, part.before, offeringName, 'cp-before'),
          ),
          h(
            'div',
            {},
            h('h5', {}, zhEn('调整后', 'After')),
            weekTable(c.id, part.periods, part.after, offeringName, 'cp-after'),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'hint cp-legend' },
      h('span', { class: 'cp-remote' }, zhEn('同步课堂', 'synchronized')),
      ' ',
      h('span', { class: 'cp-moved' }, zhEn('调动的本校课', 'moved lesson')),
      ' ',
      h('span', { class: 'cp-locked' }, zhEn('锁定（升旗、班会等）', 'locked (assembly, class meeting …)')),
    ),
  );
}
