import type { SessionView, TimetableView } from '../../../server/contract/timetable.ts';
import { weekdayName } from '../i18n.ts';
import { h } from '../ui/dom.ts';
import { m } from './timetable/messages.ts';

/** Whose week the grid shows. */
export type GridSubject = { kind: 'school' | 'teacher' | 'class'; id: string };

export interface Slot {
  weekday: number;
  period: number;
}

export interface GridHandlers {
  /** A card is dragged over a hub slot (or off the grid: null); answer whether it may go there. */
  hover(session: SessionView, to: Slot | null): void;
  /** A card is dropped on a hub slot. */
  drop(session: SessionView, to: Slot): void;
  /** The lock of a card is toggled. */
  lock(session: SessionView): void;
}

/** A card being dragged: the pointer follows a ghost of it. */
interface Drag {
  session: SessionView;
  card: HTMLElement;
  ghost: HTMLElement;
  pointerId: number;
  startX: number;
  startY: number;
  moved: boolean;
  over: HTMLElement | null;
}

/**
 * The week grid of a school, teacher or class: periods down, weekdays across, a card per
 * synchronized session. In the hub's and teachers' views (hub periods) a card can be dragged
 * with a finger, pen or mouse to another slot; while it hovers, the caller checks the slot.
 */
export class WeekGrid {
  readonly el: HTMLElement;
  #drag: Drag | null = null;
  readonly #handlers: GridHandlers;

  constructor(handlers: GridHandlers) {
    this.#handlers = handlers;
    this.el = h('div', { class: 'week-grid', 'data-testid': 'tt-grid' });
  }

  /** Marks the hovered cell as a fine or a conflicting place to drop. */
  markDrop(verdict: 'ok' | 'conflict' | 'checking'): void {
    if (this.#drag?.over) this.#drag.over.dataset['drop'] = verdict;
  }

  render(view: TimetableView, subject: GridSubject): void {
    const hub = view.schools.find((s) => s.hub);
    const classOf = (id: string) => view.classes.find((c) => c.id === id);
    const schoolId =
      subject.kind === 'school'
        ? subject.id
        : subject.kind === 'class'
          ? (classOf(subject.id)?.schoolId ?? '')
          : (hub?.id ?? '');
    const school = view.schools.find((s) => s.id === schoolId);
    const atHub = school?.hub ?? false;
    const periods = [...new Map((school?.periods ?? []).map((p) => [p.period, p])).values()].sort(
      (a, b) => a.period - b.period,
    );
    const days = [...new Set([1, 2, 3, 4, 5, ...view.sessions.map((s) => s.weekday)])].sort();
    const offering = new Map(view.offerings.map((o) => [o.id, o]));

    // Which sessions land in (weekday, period) of this view.
    const at = (day: number, period: number): SessionView[] =>
      view.sessions.filter((s) => {
        if (s.weekday !== day) return false;
        if (subject.kind === 'teacher')
          return s.period === period && offering.get(s.offeringId)?.teacherId === subject.id;
        if (atHub) return s.period === period;
        return s.receiving.some(
          (r) =>
            r.period === period &&
            (subject.kind === 'class' ? r.classId === subject.id : classOf(r.classId)?.schoolId === schoolId),
        );
      });

    const draggable = atHub || subject.kind === 'teacher';
    const card = (s: SessionView): HTMLElement => {
      const o = offering.get(s.offeringId);
      const lockBtn = h(
        'button',
        {
          class: 'tt-lock',
          type: 'button',
          'aria-pressed': String(s.locked),
          title: s.locked ? m('unlock') : m('lockHint'),
          onclick: (e: Event) => {
            e.stopPropagation();
            this.#handlers.lock(s);
          },
        },
        s.locked ? m('locked') : m('lock'),
      );
      const el = h(
        'div',
        {
          class: `tt-session${s.locked ? ' locked' : ''}${draggable ? ' draggable' : ''}`,
          'data-testid': 'tt-session',
          'data-offering-id': s.offeringId,
          'data-weekday': s.weekday,
          'data-period': s.period,
          'data-locked': String(s.locked),
        },
        h('strong', {}, o?.name ?? ''),
        h('span', {}, `${o?.teacherName ?? ''} · ${s.start}–${s.end}`),
        lockBtn,
      );
      if (draggable) el.addEventListener('pointerdown', (e) => this.#start(e, s, el));
      return el;
    };

    const table = h(
      'table',
      { class: 'tt-table' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, m('periodHead')), ...days.map((d) => h('th', {}, weekdayName(d)))),
      ),
      h(
        'tbody',
        {},
        ...periods.map((p) =>
          h(
            'tr',
            {},
            h(
              'th',
              { class: 'tt-period' },
              h('strong', {}, m('periodN', { n: p.period })),
              h('span', {}, `${p.start}–${p.end}`),
            ),
            ...days.map((d) =>
              h(
                'td',
                {
                  class: 'tt-cell',
                  'data-testid': 'tt-cell',
                  'data-weekday': d,
                  'data-period': p.period,
                  ...(draggable ? { 'data-drop-target': 'true' } : {}),
                },
                ...at(d, p.period).map(card),
              ),
            ),
          ),
        ),
      ),
    );
    this.el.replaceChildren(table);
  }

  #start(e: PointerEvent, session: SessionView, card: HTMLElement): void {
    if ((e.target as HTMLElement).closest('.tt-lock') || e.button > 0) return;
    e.preventDefault();
    const rect = card.getBoundingClientRect();
    const ghost = card.cloneNode(true) as HTMLElement;
    ghost.classList.add('tt-ghost');
    ghost.removeAttribute('data-testid');
    ghost.style.width = `${rect.width}px`;
    this.#drag = {
      session,
      card,
      ghost,
      pointerId: e.pointerId,
      startX: e.clientX,
      startY: e.clientY,
      moved: false,
      over: null,
    };
    card.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent): void => this.#move(ev);
    const up = (ev: PointerEvent): void => {
      card.removeEventListener('pointermove', move);
      card.removeEventListener('pointerup', up);
      card.removeEventListener('pointercancel', up);
      this.#end(ev.type === 'pointerup');
    };
    card.addEventListener('pointermove', move);
    card.addEventListener('pointerup', up);
    card.addEventListener('pointercancel', up);
  }

  #move(e: PointerEvent): void {
    const drag = this.#drag;
    if (!drag) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.startX, e.clientY - drag.startY) < 6) return;
    if (!drag.moved) {
      drag.moved = true;
      document.body.append(drag.ghost);
      drag.card.classList.add('dragging');
    }
    drag.ghost.style.left = `${e.clientX + 8}px`;
    drag.ghost.style.top = `${e.clientY + 8}px`;
    const cell = document
      .elementsFromPoint(e.clientX, e.clientY)
      .find((el) => el instanceof HTMLElement && el.dataset['dropTarget']) as HTMLElement | undefined;
    if (cell === drag.over) return;
    if (drag.over) delete drag.over.dataset['drop'];
    drag.over = cell ?? null;
    this.#handlers.hover(drag.session, cell ? slotOf(cell) : null);
  }

  #end(dropped: boolean): void {
    const drag = this.#drag;
    this.#drag = null;
    if (!drag) return;
    drag.ghost.remove();
    drag.card.classList.remove('dragging');
    if (drag.over) delete drag.over.dataset['drop'];
    const to = drag.over ? slotOf(drag.over) : null;
    if (
      dropped &&
      drag.moved &&
      to &&
      (to.weekday !== drag.session.weekday || to.period !== drag.session.period)
    )
      this.#handlers.drop(drag.session, to);
    else this.#handlers.hover(drag.session, null);
  }
}

const slotOf = (cell: HTMLElement): Slot => ({
  weekday: Number(cell.dataset['weekday']),
  period: Number(cell.dataset['period']),
});
