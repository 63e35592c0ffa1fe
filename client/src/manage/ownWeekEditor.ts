import type { LocalLessonView, LocalTimetableView } from '../../../server/contract/timetable.ts';
import { api, ApiError } from '../api.ts';
import { weekdayName } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { m } from './coplan/messages.ts';
import { slotName } from './coplanWeek.ts';
import { issuesByLesson, lessonAt, setCell } from './ownWeekState.ts';
import type { Cell, CellLesson } from './ownWeekState.ts';

/**
 * A school's own week edited cell by cell (the school timetabler's page): pick a class, tap a
 * cell, set its subject, teacher and lock, or clear it; nothing is sent until 保存. The server
 * checks the whole week with the same rules as an import (`checkWeek`: a class one lesson a
 * period, a teacher one class a period, only periods the bells ring) and saves nothing when one
 * breaks: the cells it names are marked. Saved from the revision it was read at: when the week
 * changed since (another editor, an import, an applied co-plan) the save is refused (409) and
 * the editor offers to read it again.
 */
export function ownWeekEditor(path: () => string | null): { el: HTMLElement; load: () => Promise<void> } {
  let week: LocalTimetableView | null = null;
  let draft: LocalLessonView[] = [];
  let classId = '';
  let cell: Cell | null = null;
  /** Lessons (draft indexes) the last refused save named, with its messages. */
  let issues = new Map<number, string>();
  /** Every problem of the last refused save, as the server words it. */
  let problems: string[] = [];
  let dirty = false;

  const body = h('div', { class: 'cp-own-week', 'data-testid': 'cps-editor' });
  const message = h('p', { class: 'tt-message', role: 'status', 'data-testid': 'cps-editor-message' });
  const say = (text: string, bad = false): void => {
    message.textContent = text;
    message.classList.toggle('form-error', bad);
  };

  const at = (c: Cell): number => lessonAt(draft, classId, c);

  const render = (): void => {
    if (!week) {
      mount(body, h('p', { class: 'hint' }, m('noPlanForSchool')));
      return;
    }
    const periods = week.periods;
    const numbers = [...new Set(periods.map((p) => p.period))].sort((a, b) => a - b);
    const days = [...new Set([1, 2, 3, 4, 5, ...periods.flatMap((p) => p.weekdays)])].sort((a, b) => a - b);
    const select = h(
      'select',
      {
        'data-testid': 'cps-editor-class',
        onchange: (e: Event) => {
          classId = (e.target as HTMLSelectElement).value;
          cell = null;
          render();
        },
      },
      ...week.classes.map((c) => h('option', { value: c.id, selected: c.id === classId }, c.name)),
    );
    const grid = h(
      'table',
      { class: 'tt-table cp-week' },
      h('thead', {}, h('tr', {}, h('th', {}, m('period')), ...days.map((d) => h('th', {}, weekdayName(d))))),
      h(
        'tbody',
        {},
        ...numbers.map((n) =>
          h(
            'tr',
            {},
            h('th', {}, m('periodN', { n })),
            ...days.map((d) => {
              const rings = periods.some((p) => p.period === n && p.weekdays.includes(d));
              const i = at({ weekday: d, period: n });
              const lesson = draft[i];
              const problem = issues.get(i);
              const picked = cell?.weekday === d && cell.period === n;
              return h(
                'td',
                {
                  class: `cp-cell ${lesson?.locked ? 'cp-locked' : lesson ? 'cp-own' : ''}${problem ? ' form-error' : ''}`,
                  'data-testid': 'cps-cell',
                  'data-slot': `${d}/${n}`,
                  ...(problem ? { title: problem } : {}),
                },
                rings
                  ? h(
                      'button',
                      {
                        class: `btn ${picked ? 'btn-primary' : 'btn-ghost'} cp-cell-button`,
                        type: 'button',
                        'aria-pressed': String(picked),
                        onclick: () => {
                          cell = { weekday: d, period: n };
                          render();
                        },
                      },
                      lesson
                        ? `${lesson.subject}${lesson.teacher ? ` · ${lesson.teacher}` : ''}${lesson.locked ? ` · ${m('locked')}` : ''}`
                        : '—',
                    )
                  : null,
              );
            }),
          ),
        ),
      ),
    );
    mount(
      body,
      h('label', { class: 'field' }, h('span', {}, m('editClass')), select),
      grid,
      cell ? editor(cell) : h('p', { class: 'hint' }, m('editHint')),
      problems.length
        ? h(
            'ul',
            { class: 'form-error', 'data-testid': 'cps-editor-issues' },
            ...problems.map((text) => h('li', {}, text)),
          )
        : null,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            class: 'btn btn-primary btn-lg',
            type: 'button',
            disabled: !dirty,
            'data-testid': 'cps-editor-save',
            onclick: () => void save(),
          },
          m('saveWeek'),
        ),
        h(
          'button',
          { class: 'btn btn-ghost btn-lg', type: 'button', onclick: () => void load() },
          m('reloadWeek'),
        ),
      ),
    );
  };

  /** The form of one cell: subject, teacher, locked; set or clear. */
  const editor = (c: Cell): HTMLElement => {
    const lesson = draft[at(c)];
    const subject = h('input', {
      type: 'text',
      maxlength: 20,
      value: lesson?.subject ?? '',
      'data-testid': 'cps-editor-subject',
    });
    const teacher = h('input', {
      type: 'text',
      maxlength: 40,
      value: lesson?.teacher ?? '',
      'data-testid': 'cps-editor-teacher',
    });
    const locked = h('input', { type: 'checkbox', checked: lesson?.locked ?? false });
    const change = (next: CellLesson | null): void => {
      draft = setCell(draft, classId, c, next);
      issues = new Map();
      problems = [];
      dirty = true;
      say(m('editUnsaved'));
      render();
    };
    return h(
      'div',
      { class: 'cp-cell-form', 'data-testid': 'cps-editor-form' },
      h('strong', {}, slotName(c.weekday, c.period)),
      h('label', { class: 'field' }, h('span', {}, m('subject')), subject),
      h('label', { class: 'field' }, h('span', {}, m('teacher')), teacher),
      h('label', { class: 'field' }, locked, h('span', {}, m('lockedHint'))),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            class: 'btn btn-primary btn-lg',
            type: 'button',
            'data-testid': 'cps-editor-set',
            onclick: () => {
              const name = subject.value.trim();
              if (!name) return say(m('subjectRequired'), true);
              change({ subject: name, teacher: teacher.value, locked: locked.checked });
            },
          },
          m('setCell'),
        ),
        h(
          'button',
          {
            class: 'btn btn-ghost btn-lg',
            type: 'button',
            'data-testid': 'cps-editor-clear',
            onclick: () => change(null),
          },
          m('clearCell'),
        ),
      ),
    );
  };

  const save = async (): Promise<void> => {
    const target = path();
    if (!target || !week) return;
    try {
      week = await api.put<LocalTimetableView>(target, { lessons: draft, revision: week.revision });
      draft = [...week.lessons];
      issues = new Map();
      problems = [];
      dirty = false;
      say(m('weekSaved', { revision: week.revision }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) say(m('weekStale'), true);
      else if (error instanceof ApiError && error.issues.length) {
        issues = issuesByLesson(error.issues);
        problems = error.issues.map((i) => i.message);
        say(m('weekRefused', { n: error.issues.length }), true);
      } else say(error instanceof Error ? error.message : String(error), true);
    }
    render();
  };

  const load = async (): Promise<void> => {
    const target = path();
    week = null;
    if (target) {
      try {
        week = await api.get<LocalTimetableView>(target);
      } catch (error) {
        say(error instanceof Error ? error.message : String(error), true);
      }
    }
    draft = [...(week?.lessons ?? [])];
    if (!week?.classes.some((c) => c.id === classId)) classId = week?.classes[0]?.id ?? '';
    cell = null;
    issues = new Map();
    problems = [];
    dirty = false;
    render();
  };

  return { el: h('div', {}, message, body), load };
}
