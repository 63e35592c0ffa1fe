import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type mongoose from 'mongoose';
import { InvalidStateError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { CHANGE_JOURNAL } from '../models/changes.ts';
import type { ChangeEntry } from '../models/changes.ts';
import type { Lesson, Models } from '../models/index.ts';
import {
  FACT_FIELDS,
  FACT_FORMAT,
  decodeFacts,
  encodeFacts,
  factOf,
  readGroups,
  visitGroups,
} from './lessonFacts.ts';
import type { FactGroup, LessonFact } from './lessonFacts.ts';
import { chinaDate } from './periods.ts';

const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);

/** Chunks of encoded lesson facts (`<gen>/<month>/<i>`), and the pointer to the current set. */
export const FACT_CHUNKS = 'reportfacts';
export const FACT_STATE = 'reportfactstate';
const POINTER = 'pointer';
const LEASE = 'lease';
/** How long a roll-up writer may hold the lease before another may take it over. */
const LEASE_MS = 10 * 60_000;

/**
 * The current roll-up: per month (China time), the generation that wrote its chunks and how
 * many there are; `gen` changes with every write (the compare-and-swap of writers).
 */
interface Pointer {
  _id: string;
  gen: string;
  /** The chunks' layout ({@link FACT_FORMAT}); absent in the first layout. */
  format?: number;
  months: MonthChunks[];
  at: Date;
}

interface MonthChunks {
  month: string;
  gen: string;
  chunks: number;
}

interface Chunk {
  _id: string;
  gen: string;
  month: string;
  data: mongoose.mongo.Binary | Buffer;
}

export interface FactRollUpOptions {
  logger?: Logger;
  /**
   * Journal entries (or lessons they name, ×10) after which a report also writes a new
   * roll-up in the background, so that reports keep finding little to re-read. @default 200
   */
  compactAfter?: number;
  /** More lessons than this to re-read for one report: build the roll-up anew. @default 20000 */
  rescanAbove?: number;
  /** Facts per chunk (~45 bytes each before compression). @default 10000 */
  chunkFacts?: number;
  /** After {@link FactRollUp.start}, fold the journal in this often (ms). @default 300000 */
  foldEveryMs?: number;
  /**
   * Compressed chunks a process keeps after reading them (bytes; least recently read go
   * first; 0: none). A province year's roll-up is ~15 MB. @default 64 MiB
   */
  cacheBytes?: number;
  /**
   * False: every lesson one by one, groups never counted as such (the same figures, slower:
   * bench:reports' baseline). @default true
   */
  groups?: boolean;
}

/** No lesson ids. */
const NONE: ReadonlySet<string> = new Set();

/** The month (China time) of a lesson fact: the roll-up's partition. */
const monthOf = (ms: number): string => chinaDate(ms).slice(0, 7);

/**
 * Every lesson's report fact ({@link LessonFact}), kept once, in the database: compressed
 * binary chunks partitioned by month, written by one process at a time, read by every
 * process for every region report and dropped when the report is made. In a chunk, lessons
 * alike (a course's lessons of the month with one verdict, mostly) are stored as a group
 * with its counts ({@link FactGroup}), which a report counts once instead of each lesson;
 * the lessons stay in the group for whoever needs them one by one. No process keeps the
 * facts: a report streams the chunks of its period (a province year: ~700,000 facts in
 * about 15 MB compressed; each process keeps the compressed chunks it read lately, within
 * `cacheBytes`, as a chunk never changes under its id), so a server's heap does not grow
 * with the province, and any process gives the same figures.
 *
 * Freshness: every lesson write through the models journals the lesson's id
 * (`models/changes.ts`). A report reads the journal first and re-reads the lessons it names
 * (point reads by id), using those instead of what the chunks say. Once the journal grows,
 * the report's process (holding a lease in {@link FACT_STATE}) writes the roll-up anew with
 * those lessons folded in and deletes the entries folded; it also does so every few minutes
 * after {@link start}. Without a roll-up (a new database, or a bulk write of unknown
 * lessons) the first report reads every lesson once (minutes for a province year on
 * FerretDB) and writes one. Writes that bypass the models are not seen: drop
 * {@link FACT_STATE} and the next report builds the roll-up from every lesson again.
 */
export class FactRollUp {
  readonly #models: Models;
  readonly #log: Logger | undefined;
  readonly #compactAfter: number;
  readonly #rescanAbove: number;
  readonly #chunkFacts: number;
  readonly #foldEveryMs: number;
  /** Chunks read lately (compressed), by id: a chunk never changes under its id. */
  readonly #cache: ChunkCache;
  readonly #groups: boolean;
  #timer: NodeJS.Timeout | null = null;
  #compaction: Promise<void> | null = null;
  #closed = false;

  constructor(models: Models, options: FactRollUpOptions = {}) {
    this.#models = models;
    this.#log = options.logger;
    this.#compactAfter = options.compactAfter ?? 200;
    this.#rescanAbove = options.rescanAbove ?? 20_000;
    this.#chunkFacts = options.chunkFacts ?? 10_000;
    this.#foldEveryMs = options.foldEveryMs ?? 300_000;
    this.#cache = new ChunkCache(options.cacheBytes ?? 64 * 2 ** 20);
    this.#groups = options.groups ?? true;
  }

  /** Bytes of compressed chunks kept by this process (at most `cacheBytes`). */
  get cachedBytes(): number {
    return this.#cache.bytes;
  }

  get #db() {
    return this.#models.Lesson.db;
  }

  /**
   * Calls `visit` with the fact of every lesson whose scheduled start is in
   * `[period.from, period.to)`, as the lessons are now; each lesson once. Facts are not kept.
   * With `visitGroup`, lessons stored together in a group ({@link FactGroup}) wholly inside
   * the period are given as the group instead of one by one, unless one of its lessons
   * changed since the roll-up was written (that group is then given lesson by lesson, the
   * changed lessons as they are now).
   */
  async each(
    period: { from: number; to: number },
    visit: (fact: LessonFact) => void,
    visitGroup?: (group: FactGroup) => void,
  ): Promise<void> {
    const first = monthOf(period.from);
    const last = monthOf(period.to - 1);
    const inPeriod = (f: LessonFact): boolean =>
      f.scheduledStart >= period.from && f.scheduledStart < period.to;
    // The roll-up may be replaced while it is read (its chunks then go): read the new one.
    for (let attempt = 0; attempt < 5; attempt++) {
      // The journal before the pointer: entries go only after a roll-up folding them is pointed to.
      const entries = await this.#journal();
      const pointer = await this.#pointer();
      const ids = changedIds(entries);
      if (!pointer || !current(pointer) || ids === null || ids.size > this.#rescanAbove) {
        await this.#build(pointer?.gen ?? null);
        continue;
      }
      const months = pointer.months.filter((m) => m.month >= first && m.month <= last);
      const chunks = await this.#chunks(months);
      if (!chunks) continue;
      const fresh = await this.#reread(ids);
      // One string per id for the whole report: ~700,000 facts share ~60,000 ids.
      const strings = new Map<string, string>();
      const intern = (s: string): string => {
        const seen = strings.get(s);
        if (seen !== undefined) return seen;
        strings.set(s, s);
        return s;
      };
      // A lesson keeps its month: a changed one can only be in its own month's chunks; a
      // lesson gone (deleted) may be in any. Only there are a group's lessons looked up, and
      // only a group holding one of them goes lesson by lesson.
      const gone = [...fresh.values()].includes(null);
      const changed = new Set([...fresh.values()].flatMap((f) => (f ? [monthOf(f.scheduledStart)] : [])));
      for (const chunk of chunks)
        visitGroups(
          // Inflated here and now: a few MB, quicker than a turn through the thread pool when busy.
          readGroups(zlib.inflateSync(bytesOf(chunk)), intern),
          period,
          gone || changed.has(chunk.month) ? ids : NONE,
          visit,
          this.#groups ? visitGroup : undefined,
        );
      for (const f of fresh.values()) if (f && inPeriod(f)) visit(f);
      if (entries.length >= this.#compactAfter || ids.size >= this.#compactAfter * 10) this.#compactSoon();
      return;
    }
    throw new InvalidStateError('the report facts kept changing while read; try again');
  }

  /**
   * Builds the roll-up if there is none (in the background at start-up, so that the first
   * report need not), then folds the journal in every `foldEveryMs` until closed.
   */
  async start(): Promise<void> {
    if (!this.#timer && !this.#closed)
      this.#timer = setInterval(() => this.#compactSoon(), this.#foldEveryMs).unref();
    const pointer = await this.#pointer();
    if (!current(pointer)) await this.#build(pointer?.gen ?? null);
  }

  /**
   * Reads the chunks of the months of `period` into this process's cache (within
   * `cacheBytes`), so that the first report over them need not fetch them: at start-up, the
   * year so far (a province year: ~15 MB).
   */
  async preload(period: { from: number; to: number }): Promise<void> {
    const pointer = await this.#pointer();
    if (!pointer || !current(pointer)) return;
    const first = monthOf(period.from);
    const last = monthOf(period.to - 1);
    // Chunks replaced meanwhile are not read: the next report reads the new ones.
    await this.#chunks(pointer.months.filter((m) => m.month >= first && m.month <= last));
  }

  /** Waits for a roll-up being written, if any. */
  async flush(): Promise<void> {
    await this.#compaction;
  }

  /** Stops folding; a build under way stops; waits for a roll-up being written. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#compaction;
  }

  async #pointer(): Promise<Pointer | null> {
    return this.#db.collection<Pointer>(FACT_STATE).findOne({ _id: POINTER });
  }

  async #journal(): Promise<ChangeEntry[]> {
    return this.#db.collection<ChangeEntry>(CHANGE_JOURNAL).find({ model: 'Lesson' }).toArray();
  }

  /** The chunks of the given months, or null when some are gone (replaced meanwhile). */
  async #chunks(months: readonly MonthChunks[]): Promise<Chunk[] | null> {
    const ids = months.flatMap((m) => Array.from({ length: m.chunks }, (_, i) => `${m.gen}/${m.month}/${i}`));
    const chunks: Chunk[] = [];
    const missing = ids.filter((id) => !this.#cache.has(id));
    // One find by _id each: FerretDB answers those without scanning the collection.
    for (let i = 0; i < missing.length; i += 16) {
      const docs = await Promise.all(
        missing.slice(i, i + 16).map((id) => this.#db.collection<Chunk>(FACT_CHUNKS).findOne({ _id: id })),
      );
      for (const doc of docs) {
        if (!doc) return null;
        this.#cache.set(doc._id, doc.month, Buffer.from(bytesOf(doc)));
      }
    }
    for (const id of ids) {
      const hit = this.#cache.get(id);
      // Evicted meanwhile (a cache smaller than the period): read it again.
      const doc = hit ? { _id: id, gen: '', month: hit.month, data: hit.data } : await this.#chunk(id);
      if (!doc) return null;
      chunks.push(doc);
    }
    return chunks;
  }

  async #chunk(id: string): Promise<Chunk | null> {
    return this.#db.collection<Chunk>(FACT_CHUNKS).findOne({ _id: id });
  }

  /** The facts of lessons by id, as they are now (null: the lesson is gone). */
  async #reread(ids: ReadonlySet<string>): Promise<Map<string, LessonFact | null>> {
    const out = new Map<string, LessonFact | null>();
    const list = [...ids];
    // By id, a few at a time: point reads on MongoDB and FerretDB alike ($in is a scan on FerretDB).
    for (let i = 0; i < list.length; i += 32)
      await Promise.all(
        list.slice(i, i + 32).map(async (id) => {
          const lesson = await this.#models.Lesson.findById(id, FACT_FIELDS).lean<Lesson>();
          out.set(id, lesson ? factOf(lesson) : null);
        }),
      );
    return out;
  }

  /** Takes the writer's lease; false when another process holds it. */
  async #lease(): Promise<boolean> {
    const now = Date.now();
    try {
      await this.#db
        .collection<{ _id: string; until: number }>(FACT_STATE)
        .updateOne(
          { _id: LEASE, until: { $lt: now } },
          { $set: { until: now + LEASE_MS } },
          { upsert: true },
        );
      return true;
    } catch {
      return false; // duplicate key: another process holds the lease
    }
  }

  async #release(): Promise<void> {
    await this.#db
      .collection<{ _id: string; until: number }>(FACT_STATE)
      .updateOne({ _id: LEASE }, { $set: { until: 0 } });
  }

  /**
   * A roll-up from every lesson, unless another process is writing one (then waits for it).
   * `seen`: the roll-up the caller found wanting (null: none).
   */
  async #build(seen: string | null): Promise<void> {
    // Another process writing a roll-up: wait for it (a dead writer's lease runs out).
    while (!(await this.#lease())) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (this.#closed) throw new InvalidStateError('the report facts are closed');
      if (((await this.#pointer())?.gen ?? null) !== seen) return;
    }
    try {
      const started = performance.now();
      // Entries already there announce writes the scan sees; later ones stay for the next fold.
      const before = await this.#journal();
      const old = await this.#pointer();
      if ((old?.gen ?? null) !== seen) return; // written meanwhile
      const writer = this.#writer();
      const cursor = this.#models.Lesson.find({}, FACT_FIELDS).lean<Lesson>().cursor({ batchSize: 5000 });
      let lessons = 0;
      try {
        for await (const lesson of cursor) {
          if (this.#closed) throw new InvalidStateError('the report facts are closed');
          await writer.add(factOf(lesson));
          lessons++;
        }
      } catch (error) {
        await writer.discard();
        throw error;
      }
      await this.#point(writer, old, before);
      this.#log?.info(
        { lessons, ms: Math.round(performance.now() - started) },
        'report facts built from every lesson',
      );
    } finally {
      await this.#release();
    }
  }

  /** Folds the journal into a new roll-up in the background (one process at a time). */
  #compactSoon(): void {
    if (this.#compaction || this.#closed) return;
    this.#compaction = this.#compact()
      .catch((error: unknown) => this.#log?.warn({ err: error }, 'report facts roll-up not written'))
      .finally(() => (this.#compaction = null));
  }

  /**
   * The journal folded into a new roll-up: the months of the lessons it names are written
   * anew, with those lessons re-read in place; the other months' chunks stay as they are. A
   * lesson keeps its month (its scheduled start is set when it is created: publishing
   * replaces lessons rather than moving them); a lesson gone (deleted) may have been in any
   * month, so then every month is written anew.
   */
  async #compact(): Promise<void> {
    if (!(await this.#lease())) return;
    try {
      const entries = await this.#journal();
      const old = await this.#pointer();
      if (!old || entries.length === 0) return;
      const ids = changedIds(entries);
      if (ids === null || !current(old)) {
        await this.#release();
        await this.#build(old.gen);
        return;
      }
      const fresh = await this.#reread(ids);
      const byMonth = new Map<string, LessonFact[]>();
      for (const f of fresh.values()) {
        if (!f) continue;
        const month = monthOf(f.scheduledStart);
        const list = byMonth.get(month);
        if (list) list.push(f);
        else byMonth.set(month, [f]);
      }
      const writer = this.#writer();
      const gone = [...fresh.values()].includes(null);
      const months = [
        ...new Set([...old.months.map((m) => m.month).filter(() => gone), ...byMonth.keys()]),
      ].sort();
      // Month by month: a process holds one month's facts at most while writing.
      for (const month of months) {
        const chunks = await this.#chunks(old.months.filter((m) => m.month === month));
        if (!chunks) {
          // Replaced meanwhile (a lease that ran out): that roll-up stands.
          await writer.discard();
          return;
        }
        for (const chunk of chunks)
          for (const f of decodeFacts(await inflate(bytesOf(chunk)))) if (!ids.has(f.id)) await writer.add(f);
        for (const f of byMonth.get(month) ?? []) await writer.add(f);
        await writer.flush();
      }
      await this.#point(writer, old, entries, new Set(months));
    } finally {
      await this.#release();
    }
  }

  #writer(): ChunkWriter {
    return new ChunkWriter(this.#db.collection<Chunk>(FACT_CHUNKS), this.#chunkFacts);
  }

  /**
   * Points to the writer's chunks for the months `rewritten` (every month when null), the
   * other months staying as `old` has them, unless another roll-up replaced `old` meanwhile
   * (the writer's chunks are then dropped); then deletes the journal entries folded in and
   * the chunks replaced.
   */
  async #point(
    writer: ChunkWriter,
    old: Pointer | null,
    folded: readonly ChangeEntry[],
    rewritten: ReadonlySet<string> | null = null,
  ): Promise<void> {
    await writer.flush();
    const state = this.#db.collection<Pointer>(FACT_STATE);
    const kept = (old?.months ?? []).filter((m) => rewritten !== null && !rewritten.has(m.month));
    const replaced = (old?.months ?? []).filter((m) => !kept.includes(m));
    const pointer: Omit<Pointer, '_id'> = {
      gen: writer.gen,
      format: FACT_FORMAT,
      months: [
        ...kept,
        ...[...writer.written].map(([month, chunks]) => ({ month, gen: writer.gen, chunks })),
      ].sort((x, y) => (x.month < y.month ? -1 : 1)),
      at: new Date(),
    };
    try {
      const res = old
        ? await state.replaceOne({ _id: POINTER, gen: old.gen }, pointer)
        : await state.insertOne({ _id: POINTER, ...pointer });
      if ('matchedCount' in res && res.matchedCount === 0) throw new InvalidStateError('replaced meanwhile');
    } catch (error) {
      await writer.discard();
      throw error;
    }
    const journal = this.#db.collection<ChangeEntry>(CHANGE_JOURNAL);
    const ids = folded.map((e) => e._id);
    for (let i = 0; i < ids.length; i += 1000)
      await journal.deleteMany({ _id: { $in: ids.slice(i, i + 1000) } });
    for (const m of replaced)
      await this.#db.collection<Chunk>(FACT_CHUNKS).deleteMany({ gen: m.gen, month: m.month });
  }
}

/**
 * Compressed chunks by id, least recently used first out, within a byte budget. Chunk ids
 * name their generation, and a generation's chunks are never rewritten: nothing to invalidate
 * (chunks no longer pointed to just age out).
 */
class ChunkCache {
  readonly #limit: number;
  readonly #map = new Map<string, { month: string; data: Buffer }>();
  bytes = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  has(id: string): boolean {
    return this.#map.has(id);
  }

  get(id: string): { month: string; data: Buffer } | undefined {
    const hit = this.#map.get(id);
    if (hit) {
      this.#map.delete(id);
      this.#map.set(id, hit);
    }
    return hit;
  }

  set(id: string, month: string, data: Buffer): void {
    if (data.length > this.#limit || this.#map.has(id)) return;
    this.#map.set(id, { month, data });
    this.bytes += data.length;
    for (const [old, entry] of this.#map) {
      if (this.bytes <= this.#limit) break;
      this.#map.delete(old);
      this.bytes -= entry.data.length;
    }
  }
}

/** Writes facts as chunks of a new roll-up generation, month by month as they fill. */
class ChunkWriter {
  readonly gen = crypto.randomUUID();
  /** Chunks written per month. */
  readonly written = new Map<string, number>();
  readonly #open = new Map<string, LessonFact[]>();
  readonly #collection: mongoose.mongo.Collection<Chunk>;
  readonly #chunkFacts: number;

  constructor(collection: mongoose.mongo.Collection<Chunk>, chunkFacts: number) {
    this.#collection = collection;
    this.#chunkFacts = chunkFacts;
  }

  async add(f: LessonFact): Promise<void> {
    const month = monthOf(f.scheduledStart);
    let list = this.#open.get(month);
    if (!list) this.#open.set(month, (list = []));
    list.push(f);
    if (list.length >= this.#chunkFacts) await this.#write(month);
  }

  /** Deletes the chunks written: they will not be pointed to. */
  async discard(): Promise<void> {
    this.#open.clear();
    await this.#collection.deleteMany({ gen: this.gen });
  }

  /** Writes every month's facts not written yet. */
  async flush(): Promise<void> {
    for (const month of [...this.#open.keys()]) await this.#write(month);
  }

  async #write(month: string): Promise<void> {
    const facts = this.#open.get(month) ?? [];
    this.#open.delete(month);
    if (facts.length === 0) return;
    const i = this.written.get(month) ?? 0;
    const data = await deflate(encodeFacts(facts), { level: 1 });
    await this.#collection.insertOne({ _id: `${this.gen}/${month}/${i}`, gen: this.gen, month, data });
    this.written.set(month, i + 1);
  }
}

/** A roll-up there is, written in this version's layout (an older one is built anew). */
function current(pointer: Pointer | null): boolean {
  return pointer !== null && (pointer.format ?? 1) === FACT_FORMAT;
}

/** The lesson ids the entries name; null when one names every lesson (a bulk write). */
function changedIds(entries: readonly ChangeEntry[]): Set<string> | null {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.ids === null) return null;
    for (const id of e.ids) ids.add(String(id));
  }
  return ids;
}

function bytesOf(chunk: Chunk): Buffer {
  return Buffer.isBuffer(chunk.data) ? chunk.data : Buffer.from(chunk.data.value());
}
