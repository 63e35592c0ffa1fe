import { ApiError, api } from '../api.ts';
import type { Row } from '../api.ts';
import { h, mount } from '../ui/dom.ts';
import { text } from '../ui/format.ts';
import { label, optionLabel } from './fields.ts';
import type { Field, ResourceView } from './fields.ts';
import { devicePanel } from './devices.ts';
import { formatPeriods, parsePeriods } from './periods.ts';
import { m } from './resources/messages.ts';

/** A table of one resource with paging, and a form to add or edit a record. */
export class ResourcePanel {
  readonly el = h('section', { class: 'panel' });
  readonly #view: ResourceView;
  readonly #refs = new Map<string, Row[]>();
  #page = 1;

  constructor(view: ResourceView) {
    this.#view = view;
  }

  async load(): Promise<void> {
    for (const f of this.#view.fields) {
      if (f.ref && !this.#refs.has(f.ref.resource))
        this.#refs.set(f.ref.resource, (await api.list(f.ref.resource, { pageSize: 200 })).items);
    }
    const page = await api.list(this.#view.name, { page: this.#page, pageSize: 50 });
    const columns = this.#view.fields.filter((f) => f.column !== false);
    const table = h(
      'table',
      { class: 'data', 'data-testid': `table-${this.#view.name}` },
      h('thead', {}, h('tr', {}, ...columns.map((f) => h('th', {}, label(f))), h('th', {}))),
      h(
        'tbody',
        {},
        ...page.items.map((row) =>
          h(
            'tr',
            { 'data-id': row.id },
            ...columns.map((f) => h('td', {}, this.#display(f, row[f.key], row))),
            h(
              'td',
              { class: 'row-actions' },
              h(
                'button',
                { class: 'btn btn-ghost btn-sm', type: 'button', onclick: () => this.#openForm(row) },
                m('edit'),
              ),
              h(
                'button',
                { class: 'btn btn-ghost btn-sm', type: 'button', onclick: () => void this.#remove(row) },
                m('remove'),
              ),
              ...(this.#view.devices?.(row)
                ? [
                    h(
                      'button',
                      {
                        class: 'btn btn-ghost btn-sm',
                        type: 'button',
                        'data-testid': 'row-devices',
                        onclick: () => {
                          const panel = devicePanel(row, () => panel.remove());
                          this.el.append(panel);
                          panel.scrollIntoView({ block: 'nearest' });
                        },
                      },
                      m('devices'),
                    ),
                  ]
                : []),
            ),
          ),
        ),
      ),
    );
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    mount(
      this.el,
      h(
        'div',
        { class: 'panel-head' },
        h('h2', {}, label(this.#view)),
        h('span', { class: 'muted' }, m('total', { n: page.total })),
        h('div', { class: 'spacer' }),
        h(
          'button',
          {
            class: 'btn btn-primary',
            type: 'button',
            'data-testid': `add-${this.#view.name}`,
            onclick: () => this.#openForm(null),
          },
          m('add'),
        ),
      ),
      page.items.length ? table : h('p', { class: 'muted' }, m('empty')),
      pages > 1
        ? h(
            'div',
            { class: 'pager' },
            h(
              'button',
              {
                class: 'btn btn-ghost',
                type: 'button',
                disabled: this.#page <= 1,
                onclick: () => void this.#go(-1),
              },
              m('prev'),
            ),
            h('span', {}, `${this.#page} / ${pages}`),
            h(
              'button',
              {
                class: 'btn btn-ghost',
                type: 'button',
                disabled: this.#page >= pages,
                onclick: () => void this.#go(1),
              },
              m('next'),
            ),
          )
        : null,
    );
  }

  async #go(delta: number): Promise<void> {
    this.#page += delta;
    await this.load();
  }

  #display(f: Field, value: unknown, row: Row): string {
    if (value === null || value === undefined) return '';
    if (f.shown)
      return f.shown(text(value), row, (resource, id) => this.#refs.get(resource)?.find((r) => r.id === id));
    switch (f.type) {
      case 'boolean':
        return value ? m('yes') : m('no');
      case 'enum':
        return optionLabel(f, text(value));
      case 'ref':
        return this.#refLabel(f, text(value));
      case 'refs':
        return (value as string[]).map((id) => this.#refLabel(f, id)).join(m('listSeparator'));
      case 'list':
        return (value as string[]).join(m('listSeparator'));
      case 'periods':
        return m('periodCount', { n: (value as unknown[]).length });
      default:
        return text(value);
    }
  }

  #refLabel(f: Field, id: string): string {
    const row = this.#refs.get(f.ref!.resource)?.find((r) => r.id === id);
    return row ? f.ref!.label(row) : id.slice(-6);
  }

  async #remove(row: Row): Promise<void> {
    if (!window.confirm(m('confirmDelete'))) return;
    try {
      await api.remove(this.#view.name, row.id);
      await this.load();
    } catch (error) {
      window.alert(error instanceof Error ? error.message : String(error));
    }
  }

  #openForm(row: Row | null): void {
    const inputs = new Map<string, () => unknown>();
    const errors = new Map<string, HTMLElement>();
    const fields = this.#view.fields.filter((f) => !(row && f.createOnly));
    const general = h('p', { class: 'form-error', role: 'alert' });
    const form = h(
      'form',
      { class: 'record-form', 'data-testid': `form-${this.#view.name}` },
      ...fields.map((f) => {
        const [input, read] = this.#input(f, row?.[f.key]);
        inputs.set(f.key, read);
        const error = h('small', { class: 'field-error' });
        errors.set(f.key, error);
        return h('label', { class: 'field' }, h('span', {}, label(f), f.required ? ' *' : ''), input, error);
      }),
      general,
      h(
        'div',
        { class: 'actions' },
        h('button', { class: 'btn btn-primary', type: 'submit' }, m('save')),
        h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dialog.close() }, m('cancel')),
      ),
    );
    const dialog = h(
      'dialog',
      { class: 'dialog' },
      h('h2', {}, m('formTitle', { action: row ? m('edit') : m('add'), what: label(this.#view) })),
      form,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      for (const e of errors.values()) e.textContent = '';
      general.textContent = '';
      let body: Record<string, unknown>;
      try {
        body = Object.fromEntries(
          [...inputs].map(([k, read]): [string, unknown] => [k, read()]).filter(([, v]) => v !== undefined),
        );
      } catch (error) {
        general.textContent = error instanceof Error ? error.message : String(error);
        return;
      }
      (row ? api.update(this.#view.name, row.id, body) : api.create(this.#view.name, body)).then(
        async () => {
          dialog.close();
          await this.load();
        },
        (error: unknown) => {
          general.textContent = error instanceof Error ? error.message : String(error);
          if (error instanceof ApiError)
            for (const issue of error.issues)
              errors.get(issue.path.split('.')[0] ?? '')?.append(issue.message);
        },
      );
    });
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  }

  #input(f: Field, value: unknown): [HTMLElement, () => unknown] {
    switch (f.type) {
      case 'number': {
        const el = h('input', {
          type: 'number',
          step: 'any',
          value: value === undefined ? '' : text(value),
          name: f.key,
        });
        return [el, () => (el.value === '' ? undefined : Number(el.value))];
      }
      case 'boolean': {
        const el = h('input', { type: 'checkbox', name: f.key });
        el.checked = value === undefined ? true : Boolean(value);
        return [el, () => el.checked];
      }
      case 'enum':
      case 'ref': {
        const options =
          f.type === 'enum'
            ? Object.keys(f.options ?? {}).map((v) => [v, optionLabel(f, v)] as const)
            : (this.#refs.get(f.ref!.resource) ?? []).map((r) => [r.id, f.ref!.label(r)] as const);
        const el = h(
          'select',
          { name: f.key },
          h('option', { value: '' }, '—'),
          ...options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)),
        );
        return [el, () => (el.value === '' ? (f.type === 'ref' ? null : undefined) : el.value)];
      }
      case 'refs': {
        const chosen = new Set((value as string[] | undefined) ?? []);
        const boxes = (this.#refs.get(f.ref!.resource) ?? []).map((r) => {
          const box = h('input', { type: 'checkbox', value: r.id, checked: chosen.has(r.id) });
          return [box, h('label', { class: 'check' }, box, f.ref!.label(r))] as const;
        });
        return [
          h('div', { class: 'checks' }, ...boxes.map(([, l]) => l)),
          () => boxes.filter(([b]) => b.checked).map(([b]) => b.value),
        ];
      }
      case 'list': {
        const el = h('input', { name: f.key, value: ((value as string[] | undefined) ?? []).join('、') });
        return [el, () => el.value.split(/[、,，;\s]+/).filter(Boolean)];
      }
      case 'periods': {
        const el = h('textarea', { name: f.key, rows: 8 });
        el.value = value ? formatPeriods(value as never) : '1 08:00-08:40 1-5';
        return [el, () => parsePeriods(el.value)];
      }
      case 'password': {
        const el = h('input', { type: 'password', name: f.key, autocomplete: 'new-password' });
        return [el, () => (el.value === '' ? undefined : el.value)];
      }
      default: {
        const el = h('input', {
          name: f.key,
          value: value === undefined || value === null ? '' : text(value),
        });
        return [el, () => (el.value.trim() === '' ? undefined : el.value.trim())];
      }
    }
  }
}
