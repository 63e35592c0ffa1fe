import type { BoardAuthor, LaserPoint } from '../../../server/contract/board.ts';
import { h } from '../ui/dom.ts';
import { BOARD_HEIGHT, BOARD_WIDTH, authorKey } from './constants.ts';

/** A laser dot fades out after this long without moving (ms). */
const FADE_AFTER = 1500;

/**
 * Everyone's laser pointers: a red dot with its owner's name per participant, placed in
 * percent of the board box (so it follows resizes for free), fading when it stops moving.
 */
export class LaserLayer {
  readonly el = h('div', { class: 'board-lasers', 'aria-hidden': 'true' });
  /** Page shown: a pointer on another page is hidden. */
  pageId = '';
  readonly #dots = new Map<
    string,
    { el: HTMLElement; timer: ReturnType<typeof setTimeout> | null; page: string }
  >();

  constructor(readonly nameOf: (by: BoardAuthor) => string) {}

  /** Moves `by`'s pointer, or hides it (null). */
  set(by: BoardAuthor, point: LaserPoint): void {
    const key = authorKey(by);
    let dot = this.#dots.get(key);
    if (!point) {
      if (dot?.timer) clearTimeout(dot.timer);
      dot?.el.remove();
      this.#dots.delete(key);
      return;
    }
    if (!dot) {
      const el = h(
        'div',
        { class: `board-laser board-laser-${by.role}`, 'data-testid': 'board-laser', 'data-author': key },
        h('span', { class: 'board-laser-dot' }),
        h('span', { class: 'board-laser-name' }, this.nameOf(by)),
      );
      dot = { el, timer: null, page: point.page };
      this.#dots.set(key, dot);
      this.el.append(el);
    }
    dot.page = point.page;
    dot.el.hidden = point.page !== this.pageId;
    dot.el.style.left = `${(point.x / BOARD_WIDTH) * 100}%`;
    dot.el.style.top = `${(point.y / BOARD_HEIGHT) * 100}%`;
    dot.el.classList.remove('board-laser-faded');
    if (dot.timer) clearTimeout(dot.timer);
    const { el } = dot;
    dot.timer = setTimeout(() => el.classList.add('board-laser-faded'), FADE_AFTER);
  }

  /** The page turned: show only the pointers on it. */
  showPage(pageId: string): void {
    this.pageId = pageId;
    for (const dot of this.#dots.values()) dot.el.hidden = dot.page !== pageId;
  }

  destroy(): void {
    for (const dot of this.#dots.values()) if (dot.timer) clearTimeout(dot.timer);
    this.#dots.clear();
    this.el.replaceChildren();
  }
}
