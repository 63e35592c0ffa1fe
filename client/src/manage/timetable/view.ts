import type { Text } from '../../../../server/contract/text.ts';
import type { TimetableView } from '../../../../server/contract/timetable.ts';
import { localized } from '../../i18n.ts';
import { h } from '../../ui/dom.ts';
import { m } from './messages.ts';

/** The subject select's options: schools (the hub marked), hub teachers, classes. */
export function subjectOptions(view: TimetableView): HTMLElement[] {
  return [
    h(
      'optgroup',
      { label: m('schools') },
      ...view.schools.map((s) =>
        h('option', { value: `school:${s.id}` }, `${s.name}${s.hub ? m('hub') : ''}`),
      ),
    ),
    h(
      'optgroup',
      { label: m('hubTeachers') },
      ...view.teachers.map((t) => h('option', { value: `teacher:${t.id}` }, t.name)),
    ),
    h(
      'optgroup',
      { label: m('classes') },
      ...view.classes.map((c) =>
        h(
          'option',
          { value: `class:${c.id}` },
          `${view.schools.find((s) => s.id === c.schoolId)?.name ?? ''} ${c.name}`,
        ),
      ),
    ),
  ];
}

/** The offerings the solver could not place, each with up to three reasons (null: all placed). */
export function unplacedList(view: TimetableView): HTMLElement | null {
  if (!view.unplaced.length) return null;
  const offeringName = (id: string): string => {
    const found = view.offerings.find((o) => o.id === id);
    return found ? localized(found.name) : id;
  };
  return h(
    'div',
    { class: 'panel-note' },
    h('h3', {}, m('notPlaced')),
    h(
      'ul',
      {},
      ...view.unplaced.map((u) =>
        h(
          'li',
          {},
          h('strong', {}, m('missing', { name: offeringName(u.offeringId), n: u.missing })),
          ...u.reasons.slice(0, 3).map((r) => h('div', { class: 'hint' }, r.message)),
        ),
      ),
    ),
  );
}

/** The conflicts of the slot hovered, in the interface language (or "fits here" when there are none). */
export function conflictList(messages: readonly Text[]): HTMLElement {
  return messages.length
    ? h('ul', { class: 'form-error' }, ...messages.map((text) => h('li', {}, text)))
    : h('p', { class: 'ok' }, m('fits'));
}

/** A read-only field with the calendar feed's URL, selected on focus to copy. */
export function feedField(url: string): HTMLElement {
  return h('input', {
    class: 'feed-url',
    readonly: true,
    value: url,
    'data-testid': 'tt-feed-url',
    onfocus: (e: Event) => (e.target as HTMLInputElement).select(),
  });
}
