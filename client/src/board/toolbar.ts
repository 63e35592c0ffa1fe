import { t } from '../i18n.ts';
import { h } from '../ui/dom.ts';
import { retext, tr } from '../ui/text.ts';
import { COLORS, TOOLS, TOOL_LABEL, WIDTH_LABEL, icon } from './tools.ts';
import type { ToolName, WidthLevel } from './tools.ts';

export interface ToolbarOptions {
  /** The teacher also gets "clear page". */
  teacher: boolean;
  onTool(tool: ToolName): void;
  onColor(color: string): void;
  onWidth(level: WidthLevel): void;
  onUndo(): void;
  onRedo(): void;
  /** The teacher confirmed clearing the page. */
  onClear(): void;
}

/** A big touch button with an icon over its label. */
export function toolButton(
  testId: string,
  iconName: Parameters<typeof icon>[0],
  label: Parameters<typeof tr>[0],
): HTMLButtonElement {
  return h(
    'button',
    { class: 'board-btn', type: 'button', 'data-testid': testId, title: t(label) },
    icon(iconName),
    h('span', { class: 'board-btn-label' }, tr(label)),
  );
}

/**
 * The board's toolbar: tools, colours, widths, undo and redo, and (teacher) clear page with a
 * confirmation. Read-only, it keeps only a hint that the teacher holds the pen.
 */
export class Toolbar {
  readonly el: HTMLElement;
  readonly #tools = new Map<ToolName, HTMLButtonElement>();
  readonly #colors: HTMLButtonElement[] = [];
  readonly #widths: HTMLButtonElement[] = [];
  readonly #undo: HTMLButtonElement;
  readonly #redo: HTMLButtonElement;
  readonly #editing: HTMLElement;
  readonly #hint: HTMLElement;
  readonly #confirm: HTMLElement;
  readonly #teacher: boolean;

  constructor(options: ToolbarOptions) {
    for (const tool of TOOLS) {
      const button = toolButton(`board-tool-${tool}`, tool, TOOL_LABEL[tool]);
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => options.onTool(tool));
      this.#tools.set(tool, button);
    }
    for (const { value, label } of COLORS) {
      const button = h('button', {
        class: 'board-swatch',
        type: 'button',
        'data-testid': 'board-color',
        'data-color': value,
        'aria-pressed': 'false',
        'aria-label': t(label),
        style: `--swatch: ${value}`,
        onclick: () => options.onColor(value),
      });
      this.#colors.push(button);
    }
    for (const level of [0, 1, 2] as const) {
      const button = h(
        'button',
        {
          class: 'board-width',
          type: 'button',
          'data-testid': `board-width-${level}`,
          'aria-pressed': 'false',
          onclick: () => options.onWidth(level),
        },
        h('span', { class: 'board-width-dot', style: `--size: ${6 + level * 6}px` }),
        h('span', { class: 'board-btn-label' }, tr(WIDTH_LABEL[level])),
      );
      this.#widths.push(button);
    }
    this.#undo = toolButton('board-undo', 'undo', 'boardUndo');
    this.#undo.addEventListener('click', () => options.onUndo());
    this.#redo = toolButton('board-redo', 'redo', 'boardRedo');
    this.#redo.addEventListener('click', () => options.onRedo());

    const clear = options.teacher ? toolButton('board-clear', 'clear', 'boardClear') : null;
    this.#confirm = h(
      'div',
      { class: 'board-confirm', role: 'alertdialog', 'data-testid': 'board-clear-dialog', hidden: true },
      h('span', {}, tr('boardClearAsk')),
      h(
        'button',
        {
          class: 'btn btn-danger',
          type: 'button',
          'data-testid': 'board-clear-confirm',
          onclick: () => {
            this.#confirm.hidden = true;
            options.onClear();
          },
        },
        tr('boardClearYes'),
      ),
      h(
        'button',
        {
          class: 'btn',
          type: 'button',
          'data-testid': 'board-clear-cancel',
          onclick: () => (this.#confirm.hidden = true),
        },
        tr('boardCancel'),
      ),
    );
    clear?.addEventListener('click', () => (this.#confirm.hidden = !this.#confirm.hidden));

    this.#editing = h(
      'div',
      { class: 'board-tools-editing' },
      h(
        'div',
        { class: 'board-group', role: 'group', 'aria-label': t('boardTools') },
        ...this.#tools.values(),
      ),
      h('div', { class: 'board-group', role: 'group', 'aria-label': t('boardColors') }, ...this.#colors),
      h('div', { class: 'board-group', role: 'group', 'aria-label': t('boardWidths') }, ...this.#widths),
      h('div', { class: 'board-group' }, this.#undo, this.#redo, clear),
      this.#confirm,
    );
    this.#teacher = options.teacher;
    this.#hint = h('div', { class: 'board-readonly', 'data-testid': 'board-readonly', role: 'status' });
    this.el = h(
      'div',
      { class: 'board-toolbar', role: 'toolbar', 'aria-label': t('boardTools') },
      this.#editing,
      this.#hint,
    );
  }

  /** Marks the chosen tool, colour and width. */
  select(tool: ToolName, color: string, level: WidthLevel): void {
    for (const [name, button] of this.#tools) button.setAttribute('aria-pressed', String(name === tool));
    for (const button of this.#colors)
      button.setAttribute('aria-pressed', String(button.dataset['color'] === color));
    this.#widths.forEach((button, i) => button.setAttribute('aria-pressed', String(i === level)));
  }

  /** Enables undo and redo as the own history allows. */
  history(canUndo: boolean, canRedo: boolean): void {
    this.#undo.disabled = !canUndo;
    this.#redo.disabled = !canRedo;
  }

  /** Shows the tools, or only the read-only hint. */
  setEditable(editable: boolean): void {
    this.#editing.hidden = !editable;
    // A classroom always sees whether it may write; the teacher only needs telling when not.
    this.#hint.hidden = editable && this.#teacher;
    this.#hint.dataset['editable'] = String(editable);
    retext(this.#hint, editable ? 'boardCanWrite' : 'boardReadOnly');
    if (!editable) this.#confirm.hidden = true;
  }

  /** Re-reads the labels that are attributes (the spans follow the language by themselves). */
  relabel(): void {
    for (const [name, button] of this.#tools) button.title = t(TOOL_LABEL[name]);
    COLORS.forEach(({ label }, i) => this.#colors[i]?.setAttribute('aria-label', t(label)));
  }
}
