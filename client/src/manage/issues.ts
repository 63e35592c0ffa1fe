import { h } from '../ui/dom.ts';

/** A field problem as the server's 400 names it (`path` like "items.1.key"). */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * Where each of the server's problems is shown: at the field its path names, else at the
 * nearest enclosing one ("items.2.descriptors.1" → that descriptor, or its item's descriptors,
 * or the items), else with the form (`null`). `known` says which paths the form shows.
 */
export function placeIssues(
  issues: readonly FieldIssue[],
  known: (path: string) => boolean,
): Map<string | null, string[]> {
  const placed = new Map<string | null, string[]>();
  for (const issue of issues) {
    let path: string | null = issue.path;
    while (path !== null && !known(path))
      path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : null;
    placed.set(path, [...(placed.get(path) ?? []), issue.message]);
  }
  return placed;
}

/**
 * Shows each issue under the element of `form` whose `data-path` its path names (or the
 * nearest enclosing one), marked invalid; the rest, after `lead`, in `general`.
 */
export function showIssues(
  form: HTMLElement,
  general: HTMLElement,
  issues: readonly FieldIssue[],
  lead: string,
  separator: string,
): void {
  const at = (path: string): HTMLElement | null => form.querySelector(`[data-path="${CSS.escape(path)}"]`);
  for (const [path, messages] of placeIssues(issues, (p) => at(p) !== null)) {
    const text = messages.join(separator);
    if (path === null) {
      general.append(h('p', {}, text));
      continue;
    }
    const target = at(path)!;
    target.classList.add('mp-invalid');
    target.setAttribute('aria-invalid', 'true');
    target.after(
      h('small', { class: 'field-error', 'data-testid': 'field-issue', 'data-issue': path }, text),
    );
  }
  if (issues.some((i) => i.path !== '(root)')) general.prepend(h('p', {}, lead));
}

/** The issues of a refused save: a 400's field issues, or the error's message for the form. */
export function issuesOf(error: unknown): FieldIssue[] {
  const issues = (error as { status?: number; issues?: FieldIssue[] }).issues;
  if ((error as { status?: number }).status === 400 && issues?.length) return issues;
  return [{ path: '(root)', message: error instanceof Error ? error.message : String(error) }];
}
