import { onLangChange, t } from '../i18n.ts';
import type { MessageKey, MessageVars } from '../i18n.ts';

/** The variables of an element's message, kept beside its key so a language switch can refill them. */
const varsOf = new WeakMap<HTMLElement, MessageVars>();

/** A text node-like span that follows the language switch (with `vars` for its placeholders). */
export function tr(key: MessageKey, vars?: MessageVars): HTMLSpanElement {
  const span = document.createElement('span');
  retext(span, key, vars);
  return span;
}

/** Points an existing `tr()` span (or any element) at another message. */
export function retext(el: HTMLElement, key: MessageKey, vars?: MessageVars): void {
  el.dataset['i18n'] = key;
  if (vars) varsOf.set(el, vars);
  else varsOf.delete(el);
  el.textContent = t(key, vars);
}

onLangChange(() => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    el.textContent = t(el.dataset['i18n'] as MessageKey, varsOf.get(el));
  }
});
