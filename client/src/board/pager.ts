import { h } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { ACCEPT } from './courseware.ts';
import { fmt } from './messages.ts';
import { toolButton } from './toolbar.ts';
import { icon } from './tools.ts';

export interface PagerOptions {
  /** The teacher turns and adds pages; a classroom only sees the page number. */
  teacher: boolean;
  onPrev(): void;
  onNext(): void;
  onAdd(): void;
  /** Courseware files were chosen. */
  onImport(files: File[]): void;
}

/** The page bar: previous, "第 n / m 页", next, add a blank page, import courseware. */
export class Pager {
  readonly el: HTMLElement;
  readonly #label = h('span', {
    class: 'board-page-label',
    'data-testid': 'board-page-label',
    'aria-live': 'polite',
  });
  readonly #prev: HTMLButtonElement;
  readonly #next: HTMLButtonElement;
  readonly #add: HTMLButtonElement;
  readonly #input: HTMLInputElement;
  readonly #importLabel: HTMLLabelElement;
  #at = 0;
  #count = 0;

  constructor(options: PagerOptions) {
    this.#prev = toolButton('board-prev', 'prev', 'pagePrev');
    this.#prev.addEventListener('click', () => options.onPrev());
    this.#next = toolButton('board-next', 'next', 'pageNext');
    this.#next.addEventListener('click', () => options.onNext());
    this.#add = toolButton('board-add-page', 'addPage', 'boardAddPage');
    this.#add.addEventListener('click', () => options.onAdd());
    this.#input = h('input', {
      type: 'file',
      accept: ACCEPT,
      multiple: true,
      class: 'board-file',
      'data-testid': 'board-import-input',
    });
    this.#input.addEventListener('change', () => {
      const files = [...(this.#input.files ?? [])];
      // Cleared so that choosing the same file again imports it again.
      this.#input.value = '';
      if (files.length) options.onImport(files);
    });
    // The label is the touch target; the input itself is visually hidden but reachable.
    this.#importLabel = h(
      'label',
      { class: 'board-btn board-import', 'data-testid': 'board-import' },
      this.#input,
      icon('import'),
      h('span', { class: 'board-btn-label' }, tr('boardImport')),
    );
    this.el = options.teacher
      ? h('nav', { class: 'board-pager' }, this.#prev, this.#label, this.#next, this.#add, this.#importLabel)
      : h('nav', { class: 'board-pager board-pager-readonly' }, this.#label);
  }

  /** Shows page `at` (1-based) of `count`. */
  show(at: number, count: number): void {
    this.#at = at;
    this.#count = count;
    this.#label.textContent = fmt('boardPageOf', { n: at, m: count });
    this.#prev.disabled = at <= 1;
    this.#next.disabled = at >= count;
  }

  /** Disables adding and importing while an import runs. */
  setBusy(busy: boolean): void {
    this.#add.disabled = busy;
    this.#input.disabled = busy;
    this.#importLabel.classList.toggle('board-disabled', busy);
  }

  relabel(): void {
    this.show(this.#at, this.#count);
  }
}
