import { messages } from '../i18n.ts';
import { h } from '../ui/dom.ts';
import { issuesOf, showIssues } from './issues.ts';
import type { FieldIssue } from './issues.ts';

/** The draft form's own words, the same in every panel. */
const words = messages({
  save: ['保存', 'Save'],
  cancel: ['取消', 'Cancel'],
  /** Before the problems no field claims. */
  fixFields: ['请修改标出的项目后再保存。', 'Fix the marked fields, then save again.'],
  listSeparator: ['、', ', '],
});

/** The editable part of a panel's state: the open form's draft and the server's problems with it. */
export interface DraftState<D> {
  draft: D | null;
  issues: FieldIssue[];
}

/** A panel's status line (`role=status`): what it is doing, or why a request failed. */
export function statusLine(testId: string): {
  el: HTMLElement;
  say: (text: string) => void;
  failed: (error: unknown) => void;
} {
  const el = h('p', { class: 'tt-message', role: 'status', 'data-testid': testId });
  const say = (text: string): void => void (el.textContent = text);
  return { el, say, failed: (error) => say(error instanceof Error ? error.message : String(error)) };
}

/** A panel's heading, with its add button for those who may write (`add` null: read only). */
export function panelHead(
  title: string,
  add: { testId: string; label: string; onclick: () => void } | null,
): HTMLElement {
  return h(
    'div',
    { class: 'panel-head' },
    h('h2', {}, title),
    add
      ? h(
          'button',
          { class: 'btn btn-primary', type: 'button', 'data-testid': add.testId, onclick: add.onclick },
          add.label,
        )
      : null,
  );
}

/**
 * A form's two ways out: `cancel` closes it with nothing saved; `save` sends the draft, then
 * closes the form and reads the panel's rows again, or keeps the form open with the server's
 * problems (a 400 names its fields: shown where they are; anything else above the buttons).
 */
export function draftActions<D>(
  state: DraftState<D>,
  o: {
    save: (draft: D) => Promise<unknown>;
    reload: () => Promise<void>;
    render: () => void;
    say: (text: string) => void;
    saving: string;
    saved: string;
  },
): { cancel: () => void; save: () => void } {
  return {
    cancel: () => {
      state.draft = null;
      state.issues = [];
      o.render();
    },
    save: () => {
      const draft = state.draft;
      if (!draft) return;
      o.say(o.saving);
      o.save(draft).then(
        async () => {
          state.draft = null;
          state.issues = [];
          await o.reload();
          o.say(o.saved);
        },
        (error: unknown) => {
          o.say('');
          state.issues = issuesOf(error);
          o.render();
        },
      );
    },
  };
}

/**
 * A panel's form (`data-testid` `name`-form): its fields, then the problems no field claims
 * (`name`-form-error), save (`name`-save) and cancel; Enter or save submits. The server's
 * problems (`issues`) show at the fields whose `data-path` they name.
 */
export function draftForm(
  name: string,
  fields: readonly (Node | null)[],
  o: {
    issues: readonly FieldIssue[];
    /** The save button's word. @default 保存 / Save */
    saveLabel?: string;
    onSave: () => void;
    onCancel: () => void;
  },
): HTMLElement {
  const general = h('div', { class: 'form-error', role: 'alert', 'data-testid': `${name}-form-error` });
  const form = h(
    'form',
    { class: 'record-form mp-form', 'data-testid': `${name}-form`, novalidate: true },
    ...fields,
    general,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { class: 'btn btn-primary', type: 'submit', 'data-testid': `${name}-save` },
        o.saveLabel ?? words('save'),
      ),
      h('button', { class: 'btn btn-ghost', type: 'button', onclick: o.onCancel }, words('cancel')),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    o.onSave();
  });
  showIssues(form, general, o.issues, words('fixFields'), words('listSeparator'));
  return form;
}
