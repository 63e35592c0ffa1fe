import { onLangChange, t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';

/** A text node-like span that follows the language switch. */
export function tr(key: MessageKey): HTMLSpanElement {
  const span = document.createElement('span');
  span.dataset['i18n'] = key;
  span.textContent = t(key);
  return span;
}

/** Points an existing `tr()` span (or any element) at another message. */
export function retext(el: HTMLElement, key: MessageKey): void {
  el.dataset['i18n'] = key;
  el.textContent = t(key);
}

onLangChange(() => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    el.textContent = t(el.dataset['i18n'] as MessageKey);
  }
});
