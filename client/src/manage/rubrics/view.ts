import type { Row } from '../../api.ts';
import { h } from '../../ui/dom.ts';
import { m } from './messages.ts';
import { draftForm } from '../draftPanel.ts';
import type { FieldIssue } from '../issues.ts';
import { WEIGHT_TOTAL, setLevels, weightSum } from './state.ts';
import type { ItemDraft, RubricDraft } from './state.ts';

/** What the rubric list and form can ask for. */
export interface RubricActions {
  edit: (row: Row | null) => void;
  toggle: (row: Row) => void;
  remove: (row: Row) => void;
  save: () => void;
  cancel: () => void;
  /** The form's structure changed (an item added or removed, the levels changed): draw it again. */
  redraw: (draft: RubricDraft) => void;
}

/** The rubrics as cards: name, region, levels, items with their weights; edit buttons for writers. */
export function rubricList(rows: readonly Row[], canWrite: boolean, act: RubricActions): HTMLElement {
  if (!rows.length) return h('p', { class: 'hint', 'data-testid': 'rubrics-none' }, m('none'));
  return h(
    'ul',
    { class: 'mp-cards', 'data-testid': 'rubric-list' },
    ...rows.map((row) => {
      const items = row['items'] as ItemDraft[];
      const active = row['active'] !== false;
      return h(
        'li',
        { class: 'mp-card', 'data-testid': 'rubric', 'data-id': row.id },
        h(
          'div',
          { class: 'mp-card-head' },
          h('strong', {}, String(row['name'])),
          h('span', { class: `mp-badge ${active ? 'good' : 'muted'}` }, active ? m('active') : m('inactive')),
        ),
        h(
          'p',
          { class: 'hint' },
          m('summary', {
            region: String(row['regionCode']),
            levels: m('levelsNote', { n: Number(row['levels']) }),
            n: items.length,
          }),
        ),
        h(
          'p',
          {},
          items.map((i) => m('itemLine', { name: i.name, weight: i.weight })).join(m('listSeparator')),
        ),
        canWrite
          ? h(
              'div',
              { class: 'actions' },
              h('button', { class: 'btn', type: 'button', onclick: () => act.edit(row) }, m('edit')),
              h(
                'button',
                { class: 'btn btn-ghost', type: 'button', onclick: () => act.toggle(row) },
                active ? m('switchOff') : m('switchOn'),
              ),
              h(
                'button',
                { class: 'btn btn-danger', type: 'button', onclick: () => act.remove(row) },
                m('remove'),
              ),
            )
          : null,
      );
    }),
  );
}

/** A labelled input bound to the draft (`write` on every input), with its path for the server's issues. */
function field(
  label: string,
  path: string,
  value: string | number,
  write: (value: string) => void,
  attrs: Record<string, string | number> = {},
): HTMLElement {
  const input = h('input', {
    'data-path': path,
    value,
    ...attrs,
    oninput: (e: Event) => write((e.target as HTMLInputElement).value),
  });
  return h('label', { class: 'field', 'data-field': path }, h('span', {}, label), input);
}

/**
 * The rubric's form: name, region, levels, and per item its key, name, weight and one
 * descriptor per level; the weights' sum beside the goal as it is typed. The server's 400
 * issues (`issues`) show under the field they name, the rest above the buttons.
 */
export function rubricForm(
  draft: RubricDraft,
  issues: readonly FieldIssue[],
  act: RubricActions,
): HTMLElement {
  const sum = h('strong', { 'data-testid': 'rubric-weight-sum', 'data-path': 'items' });
  const showSum = (): void => {
    const total = weightSum(draft);
    sum.textContent = m('weightSum', { sum: total, total: WEIGHT_TOTAL });
    sum.className = total === WEIGHT_TOTAL ? 'mp-ok' : 'mp-short';
  };
  showSum();
  const item = (it: ItemDraft, i: number): HTMLElement =>
    h(
      'fieldset',
      { class: 'mp-item', 'data-testid': 'rubric-item', 'data-path': `items.${i}` },
      h(
        'div',
        { class: 'mp-row' },
        field(m('itemKey'), `items.${i}.key`, it.key, (v) => (it.key = v), {
          maxlength: 32,
          autocapitalize: 'off',
        }),
        field(m('itemName'), `items.${i}.name`, it.name, (v) => (it.name = v), { maxlength: 40 }),
        field(
          m('itemWeight'),
          `items.${i}.weight`,
          it.weight,
          (v) => {
            it.weight = Number(v);
            showSum();
          },
          { type: 'number', min: 1, max: WEIGHT_TOTAL, step: 1, inputmode: 'numeric' },
        ),
      ),
      h(
        'div',
        { class: 'mp-descriptors', 'data-path': `items.${i}.descriptors` },
        ...it.descriptors.map((d, level) =>
          field(
            m('descriptor', { n: level + 1 }),
            `items.${i}.descriptors.${level}`,
            d,
            (v) => (it.descriptors[level] = v),
            {
              maxlength: 200,
            },
          ),
        ),
      ),
      draft.items.length > 1
        ? h(
            'button',
            {
              class: 'btn btn-ghost',
              type: 'button',
              onclick: () => act.redraw({ ...draft, items: draft.items.filter((x) => x !== it) }),
            },
            m('removeItem'),
          )
        : null,
    );
  return draftForm(
    'rubric',
    [
      field(m('name'), 'name', draft.name, (v) => (draft.name = v), { maxlength: 60 }),
      h(
        'div',
        { class: 'mp-row' },
        field(m('region'), 'regionCode', draft.regionCode, (v) => (draft.regionCode = v), {
          inputmode: 'numeric',
          maxlength: 6,
          pattern: '\\d{6}',
        }),
        h(
          'label',
          { class: 'field', 'data-field': 'levels' },
          h('span', {}, m('levels')),
          h(
            'select',
            {
              'data-path': 'levels',
              onchange: (e: Event) =>
                act.redraw(setLevels(draft, Number((e.target as HTMLSelectElement).value))),
            },
            ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) =>
              h('option', { value: n, selected: n === draft.levels }, m('levelsNote', { n })),
            ),
          ),
        ),
      ),
      h('h3', {}, m('items'), ' ', sum),
      ...draft.items.map(item),
      h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          'data-testid': 'rubric-add-item',
          onclick: () =>
            act.redraw({
              ...draft,
              items: [
                ...draft.items,
                { key: '', name: '', weight: 0, descriptors: Array<string>(draft.levels).fill('') },
              ],
            }),
        },
        m('addItem'),
      ),
    ],
    {
      issues,
      onSave: act.save,
      onCancel: act.cancel,
    },
  );
}
