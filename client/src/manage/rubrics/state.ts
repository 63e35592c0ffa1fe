import type { RUBRIC_WEIGHT_TOTAL } from '../../../../server/contract/research.ts';
import type { Row } from '../../api.ts';
import type { FieldIssue } from '../issues.ts';

/** One item of a rubric as edited: its key, name, weight and a descriptor per level. */
export interface ItemDraft {
  key: string;
  name: string;
  weight: number;
  descriptors: string[];
}

/** A rubric as edited (id null: a new one). */
export interface RubricDraft {
  id: string | null;
  name: string;
  regionCode: string;
  levels: number;
  active: boolean;
  items: ItemDraft[];
}

/** What the rubrics panel holds: the rubrics read, and the one being edited. */
export interface RubricsState {
  rows: Row[];
  draft: RubricDraft | null;
  /** The server's field problems of the last save, by path ("items.1.key"). */
  issues: FieldIssue[];
}

/** What a rubric's weights add up to (the contract's rule; the type checks it is the same number). */
export const WEIGHT_TOTAL: typeof RUBRIC_WEIGHT_TOTAL = 100;

/** How many levels a new rubric has (优 良 中 差). */
export const DEFAULT_LEVELS = 4;

/** A draft of `row` (or of a new rubric of region `regionCode`), each item with one descriptor slot per level. */
export function draftOf(row: Row | null, regionCode = ''): RubricDraft {
  if (!row)
    return {
      id: null,
      name: '',
      regionCode,
      levels: DEFAULT_LEVELS,
      active: true,
      items: [{ key: '', name: '', weight: 100, descriptors: Array<string>(DEFAULT_LEVELS).fill('') }],
    };
  const levels = Number(row['levels']);
  const items = (row['items'] as ItemDraft[]).map((i) => ({
    key: i.key,
    name: i.name,
    weight: i.weight,
    descriptors: withLevels(i.descriptors, levels),
  }));
  return {
    id: row.id,
    name: String(row['name']),
    regionCode: String(row['regionCode']),
    levels,
    active: row['active'] !== false,
    items,
  };
}

/** `descriptors` padded with blanks or cut to `levels` slots. */
export function withLevels(descriptors: readonly string[], levels: number): string[] {
  return Array.from({ length: levels }, (_, i) => descriptors[i] ?? '');
}

/** The draft with `levels` levels (every item's descriptor slots follow). */
export function setLevels(draft: RubricDraft, levels: number): RubricDraft {
  return {
    ...draft,
    levels,
    items: draft.items.map((i) => ({ ...i, descriptors: withLevels(i.descriptors, levels) })),
  };
}

/** What the weights add up to. */
export const weightSum = (draft: RubricDraft): number => draft.items.reduce((n, i) => n + (i.weight || 0), 0);

/**
 * The request body of a draft: text trimmed; an item whose descriptors are all blank sends
 * none (the rule is one per level, or none); blank ones among filled ones are sent blank, so
 * the server names them.
 */
export function bodyOf(draft: RubricDraft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    regionCode: draft.regionCode.trim(),
    levels: draft.levels,
    active: draft.active,
    items: draft.items.map((i) => {
      const descriptors = i.descriptors.map((d) => d.trim());
      return {
        key: i.key.trim(),
        name: i.name.trim(),
        weight: i.weight,
        descriptors: descriptors.some(Boolean) ? descriptors : [],
      };
    }),
  };
}
