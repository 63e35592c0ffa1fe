import type { Connection, Model, MongooseQueryMiddleware, Query, Schema } from 'mongoose';
import type { Id } from './schema.ts';

/**
 * Change tracking for read models that other processes keep in memory (the report service's
 * facts). Every write made through a tracked model, by any server process on the database:
 * - bumps a counter per model in {@link CHANGE_COUNTERS} (`{ _id: 'School', n: 7 }`), so a
 *   reader learns with one small read whether anything it holds may be stale;
 * - for models tracked `byId`, also appends the ids it touched to {@link CHANGE_JOURNAL}
 *   (`{ model: 'Lesson', ids: [...] }`), so a reader re-reads just those documents.
 *
 * Entries are invalidations, not deltas: applying one means "read these documents again",
 * which is idempotent and order-free, so readers in several processes never need a global
 * order. Entries are written after the write they announce has completed; a reader that sees
 * an entry and then reads the documents sees that write. Writes that bypass the models (the
 * raw driver, a restore) are not tracked; the report service documents how to rebuild.
 *
 * Only what FerretDB 1.x and MongoDB both do: inserts, `$inc` with upsert, finds.
 */
export const CHANGE_COUNTERS = 'changecounters';
/** @see CHANGE_COUNTERS */
export const CHANGE_JOURNAL = 'changejournal';

/** One document of {@link CHANGE_COUNTERS}. */
export interface ChangeCounter {
  /** The model name. */
  _id: string;
  n: number;
}

/** One document of {@link CHANGE_JOURNAL}. */
export interface ChangeEntry {
  _id: Id;
  model: string;
  /** The ids written; `null`: unknown (a bulk write), every document must be read again. */
  ids: Id[] | null;
}

const QUERY_WRITES: MongooseQueryMiddleware[] = [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'findOneAndReplace',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
];

/** Ids a write query will touch, found before it runs (only for models tracked by id). */
const touched = new WeakMap<object, Id[]>();

/** More ids than this in one write are journaled as "every document" (a document has 16 MB). */
const MAX_IDS = 10_000;

async function announce(connection: Connection, model: string, ids: Id[] | null | undefined): Promise<void> {
  if (ids !== undefined) {
    if (ids !== null && ids.length === 0) return;
    await connection
      .collection(CHANGE_JOURNAL)
      .insertOne({ model, ids: ids !== null && ids.length > MAX_IDS ? null : ids });
  }
  await connection
    .collection<ChangeCounter>(CHANGE_COUNTERS)
    .updateOne({ _id: model }, { $inc: { n: 1 } }, { upsert: true });
}

/** The `_id` of a query filter when it names the documents, else undefined. */
function idsOfFilter(filter: Record<string, unknown>): Id[] | undefined {
  const id = filter['_id'];
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'object' && !('_bsontype' in id)) {
    const list = (id as { $in?: unknown }).$in;
    const keys = Object.keys(id);
    return keys.length === 1 && Array.isArray(list) ? (list as Id[]) : undefined;
  }
  return [id as Id];
}

/**
 * Tracks every write to a model (see the module comment). With `byId`, the written ids are
 * journaled too: from the filter's `_id` when it names them, else from one `_id` query
 * before the write (a superset of what it changes is fine: an invalidation too many costs a
 * read), plus an upserted id.
 */
export function trackChanges(schema: Schema, model: string, options: { byId?: boolean } = {}): void {
  const byId = options.byId === true;
  schema.pre(QUERY_WRITES, { document: false, query: true }, async function (this: Query<unknown, unknown>) {
    if (!byId) return;
    const filter = this.getFilter() as Record<string, unknown>;
    const named = idsOfFilter(filter);
    touched.set(
      this,
      named ?? (await this.model.find(filter, { _id: 1 }).lean<{ _id: Id }[]>().exec()).map((d) => d._id),
    );
  });
  schema.post(
    QUERY_WRITES,
    { document: false, query: true },
    async function (this: Query<unknown, unknown>, res: unknown) {
      const ids = byId ? [...(touched.get(this) ?? [])] : undefined;
      const upserted = (res as { upsertedId?: Id | null } | null)?.upsertedId;
      const returned = (res as { _id?: Id } | null)?._id;
      for (const extra of [upserted, returned]) if (ids && extra) ids.push(extra);
      await announce(this.model.db, model, ids);
    },
  );
  schema.post('save', async function (doc: { _id: Id; $model(): Model<unknown> }) {
    await announce(doc.$model().db, model, byId ? [doc._id] : undefined);
  });
  schema.post(
    'deleteOne',
    { document: true, query: false },
    async function (doc: { _id: Id; $model(): Model<unknown> }) {
      await announce(doc.$model().db, model, byId ? [doc._id] : undefined);
    },
  );
  schema.post('insertMany', async function (this: Model<unknown>, docs: unknown) {
    await announce(this.db, model, byId ? (docs as { _id: Id }[]).map((d) => d._id) : undefined);
  });
  schema.post('bulkWrite', async function (this: Model<unknown>) {
    await announce(this.db, model, byId ? null : undefined);
  });
}
