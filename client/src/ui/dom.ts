/** Tiny DOM builders: enough for a handful of pages without a framework. */
import { localized } from '../i18n.ts';
import type { Text } from '../i18n.ts';

type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;
/** A child node, a string, or text the server wrote in both languages (shown in the interface language). */
type Child = Node | string | Text | null | undefined | false;

const node = (child: Node | string | Text): Node | string =>
  typeof child === 'string' || child instanceof Node ? child : localized(child);

/** Creates an element; `on…` attributes become listeners, `false`/`undefined` are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') el.className = String(value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children) if (child) el.append(node(child));
  return el;
}

/** Replaces all children of `parent`. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string | Text => !!c).map(node));
}
