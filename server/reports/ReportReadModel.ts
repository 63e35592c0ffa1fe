import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import mongoose from 'mongoose';
import { InvalidStateError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { CHANGE_COUNTERS, CHANGE_JOURNAL } from '../models/changes.ts';
import type { ChangeCounter, ChangeEntry } from '../models/changes.ts';
import type { Classroom, Cluster, Lesson, Models, Offering, School, TermCalendar } from '../models/index.ts';
import { FACT_FIELDS, decodeFacts, encodeFacts, factOf } from './lessonFacts.ts';
import type { LessonFact } from './lessonFacts.ts';
import type { TeacherRow } from './teacherPeriods.ts';

const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);

/** The persisted roll-up: chunks of encoded lesson facts, and the pointer to the current ones. */
const SNAPSHOT_CHUNKS = 'reportsnapshots';
const STATE = 'reportstate';
const POINTER = 'lessonFacts';
const LEASE = 'lessonFactsCompaction';

/** Facts per snapshot chunk: ~3 MB encoded, well under the 16 MB document limit. */
const CHUNK_FACTS = 50_000;

/** What the figures read besides the lessons, kept whole and reloaded per collection on change. */
export interface StaticRows {
  clusters: readonly Cluster[];
  schools: ReadonlyMap<string, Pick<School, '_id' | 'name' | 'regionCode' | 'kind' | 'termCalendarId'>>;
  offerings: readonly Pick<Offering, '_id' | 'clusterId' | 'hubClassroomId' | 'term' | 'teacherId'>[];
  /** Classroom id → its school id. */
  roomSchool: ReadonlyMap<string, string>;
  users: ReadonlyMap<string, TeacherRow>;
  calendars: readonly TermCalendar[];
}

/** A consistent view for one report: the static rows and every lesson's fact. */
export interface ReportRows extends StaticRows {
  facts: ReadonlyMap<string, LessonFact>;
}

export interface ReportReadModelOptions {
  logger?: Logger;
  /**
   * Journal entries after which the facts are written back as a new snapshot (in the
   * background), and the entries folded into it removed. @default 200
   */
  compactAfter?: number;
  /** More lessons than this to re-read at once: scan them all instead. @default 20000 */
  rescanAbove?: number;
  /**
   * After {@link ReportReadModel.prime}, revalidate this often (ms) even without reports, so
   * that the journal keeps being folded into the roll-up and reports find little to read.
   * @default 300000
   */
  refreshEveryMs?: number;
}

type StaticName = 'Cluster' | 'School' | 'Offering' | 'Classroom' | 'User' | 'TermCalendar';
const STATIC: readonly StaticName[] = ['Cluster', 'School', 'Offering', 'Classroom', 'User', 'TermCalendar'];

/**
 * The report's read model: everything the figures are computed from, held in memory by each
 * server process and revalidated against the database on every report, so that figures are
 * never stale whichever process made the change.
 *
 * - **Lessons** (~700,000 a province year) are held as compact facts ({@link LessonFact}).
 *   Every lesson write through the models journals the lesson's id (`models/changes.ts`); a
 *   report reads one small counter document and, when lessons changed, the journal, and
 *   re-reads just the lessons named (by id). The facts are persisted as a roll-up — a few
 *   compressed binary chunks — so a process that starts reads ~10 documents, not 700,000
 *   (FerretDB returns ~10,000 small documents a second but megabytes of binary in tenths of
 *   a second). Once the journal grows, a process (holding a lease) writes its facts as the
 *   new roll-up and deletes the entries it folded in; processes also revalidate every few
 *   minutes, so the journal stays short when nobody reads reports. Without a roll-up (a new
 *   database) the first load reads every lesson once (minutes on FerretDB) and writes one.
 * - **Clusters, schools, offerings, classrooms, teachers, term calendars** (~60,000 rows a
 *   province) are held whole; each has a change counter, and a collection is reloaded when
 *   its counter moved.
 *
 * Trade-off: a report is as fresh as the database (one counter read per report, plus the
 * journal when lessons changed), at the cost of memory in each process (a few hundred MB
 * for a province year) and a slower report after a change to the rows held whole (that collection
 * is reloaded: about a second for 20,000 schools on FerretDB), which is rare (imports, admin
 * edits) compared with lessons (each one ending). Writes that bypass the models (the raw
 * driver, a restore) are not seen: drop the `reportsnapshots` collection and restart, and
 * the roll-up is built again from every lesson.
 */
export class ReportReadModel {
  readonly #models: Models;
  readonly #log: Logger | undefined;
  readonly #compactAfter: number;
  readonly #rescanAbove: number;
  readonly #refreshEveryMs: number;
  #timer: NodeJS.Timeout | null = null;
  /** Counter values the held rows were loaded at. */
  readonly #seen = new Map<string, number>();
  #static: Partial<StaticRows> = {};
  #facts: Map<string, LessonFact> | null = null;
  /** Journal entries the facts reflect, with the lessons they named. */
  #applied = new Map<string, string[] | null>();
  /** The roll-up generation the facts were built on (null: none, or read from the lessons). */
  #base: string | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #compaction: Promise<void> | null = null;
  #closed = false;
  /**
   * Interned ids of clusters, offerings, teachers and classrooms: a province has ~60,000 of
   * them over millions of references. (Lesson ids are not interned: each appears once.)
   */
  readonly #strings = new Map<string, string>();
  readonly #intern = (s: string): string => {
    const seen = this.#strings.get(s);
    if (seen !== undefined) return seen;
    this.#strings.set(s, s);
    return s;
  };

  constructor(models: Models, options: ReportReadModelOptions = {}) {
    this.#models = models;
    this.#log = options.logger;
    this.#compactAfter = options.compactAfter ?? 200;
    this.#rescanAbove = options.rescanAbove ?? 20_000;
    this.#refreshEveryMs = options.refreshEveryMs ?? 300_000;
  }

  /** The rows as of now: revalidated against the database, loading what changed. */
  rows(): Promise<ReportRows> {
    // One refresh at a time; a report waits for the one before it and then revalidates.
    const next = this.#queue.then(() => this.#refresh());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Loads the rows ahead of the first report (at start-up), then keeps revalidating them
   * every `refreshEveryMs` until closed.
   */
  async prime(): Promise<void> {
    if (!this.#timer && !this.#closed) {
      this.#timer = setInterval(() => {
        this.rows().catch((error: unknown) => this.#log?.warn({ err: error }, 'report rows not revalidated'));
      }, this.#refreshEveryMs).unref();
    }
    await this.rows();
  }

  /** Waits for the refresh and the roll-up write under way, if any. */
  async flush(): Promise<void> {
    await this.#queue;
    await this.#compaction;
  }

  /** Stops a scan of every lesson, waits for a roll-up being written; no new one starts. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#queue;
    await this.#compaction;
  }

  get #db() {
    return this.#models.Lesson.db;
  }

  async #refresh(): Promise<ReportRows> {
    const counters = new Map(
      (await this.#db.collection<ChangeCounter>(CHANGE_COUNTERS).find({}).toArray()).map((c) => [c._id, c.n]),
    );
    // A collection never written through the models has no counter yet: 0.
    const counter = (name: string): number => counters.get(name) ?? 0;
    const stale = STATIC.filter((name) => this.#seen.get(name) !== counter(name));
    await Promise.all(stale.map((name) => this.#loadStatic(name, counter(name))));
    if (!this.#facts) await this.#loadFacts();
    else if (this.#seen.get('Lesson') !== counter('Lesson')) await this.#applyJournal();
    this.#seen.set('Lesson', counter('Lesson'));
    return { ...(this.#static as StaticRows), facts: this.#facts! };
  }

  async #loadStatic(name: StaticName, counter: number): Promise<void> {
    const m = this.#models;
    switch (name) {
      case 'Cluster':
        this.#static.clusters = await m.Cluster.find({}).lean<Cluster[]>();
        break;
      case 'School':
        this.#static.schools = new Map(
          (
            await m.School.find({}, { name: 1, regionCode: 1, kind: 1, termCalendarId: 1 }).lean<School[]>()
          ).map((s) => [s._id.toString(), s]),
        );
        break;
      case 'Offering':
        this.#static.offerings = await m.Offering.find(
          {},
          { clusterId: 1, hubClassroomId: 1, term: 1, teacherId: 1 },
        ).lean<Offering[]>();
        break;
      case 'Classroom':
        this.#static.roomSchool = new Map(
          (await m.Classroom.find({}, { schoolId: 1 }).lean<Classroom[]>()).map((r) => [
            this.#intern(r._id.toString()),
            this.#intern(r.schoolId.toString()),
          ]),
        );
        break;
      case 'User':
        this.#static.users = new Map(
          (await m.User.find({}, { schoolId: 1, busy: 1 }).lean<TeacherRow[]>()).map((u) => [
            u._id.toString(),
            u,
          ]),
        );
        break;
      case 'TermCalendar':
        this.#static.calendars = await m.TermCalendar.find({}).lean<TermCalendar[]>();
        break;
    }
    // The counter was read before the rows: a write after that read moves it again.
    this.#seen.set(name, counter);
  }

  /** Facts from the persisted roll-up, else from every lesson; then the journal on top. */
  async #loadFacts(): Promise<void> {
    // The roll-up may be replaced while it is read (its chunks then go): read the new one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const pointer = await this.#pointer();
      if (!pointer) break;
      if (await this.#loadSnapshot(pointer)) {
        await this.#applyJournal();
        return;
      }
    }
    await this.#scan();
  }

  async #pointer(): Promise<Pointer | null> {
    return this.#db.collection<Pointer>(STATE).findOne({ _id: POINTER });
  }

  async #loadSnapshot(pointer: Pointer): Promise<boolean> {
    const chunkIds = Array.from({ length: pointer.chunks }, (_, i) => `${pointer.gen}/${i}`);
    // One find by _id each: FerretDB answers those without scanning the collection.
    const docs = await Promise.all(
      chunkIds.map((id) =>
        this.#db
          .collection<{ _id: string; data: mongoose.mongo.Binary }>(SNAPSHOT_CHUNKS)
          .findOne({ _id: id }),
      ),
    );
    if (docs.some((d) => !d)) return false;
    const facts = new Map<string, LessonFact>();
    for (const doc of docs) {
      const raw = await inflate(doc!.data.value());
      for (const f of decodeFacts(raw, this.#intern)) facts.set(f.id, f);
    }
    this.#facts = facts;
    this.#base = pointer.gen;
    this.#applied = new Map();
    return true;
  }

  /** Every lesson read once (no roll-up yet): minutes for a province year on FerretDB. */
  async #scan(): Promise<void> {
    const started = performance.now();
    // Entries already there announce writes the scan sees; later ones are applied after it.
    const before = await this.#journal();
    const base = (await this.#pointer())?.gen ?? null;
    const facts = new Map<string, LessonFact>();
    const cursor = this.#models.Lesson.find({}, FACT_FIELDS).lean<Lesson>().cursor({ batchSize: 5000 });
    for await (const lesson of cursor) {
      if (this.#closed) throw new InvalidStateError('the report read model is closed');
      facts.set(lesson._id.toString(), factOf(lesson, this.#intern));
    }
    this.#facts = facts;
    this.#base = base;
    this.#applied = new Map(before.map((e) => [e._id.toString(), idsOf(e)]));
    this.#log?.info(
      { lessons: facts.size, ms: Math.round(performance.now() - started) },
      'report facts built from every lesson',
    );
    await this.#applyJournal();
    this.#compactSoon(true);
  }

  async #journal(): Promise<ChangeEntry[]> {
    return this.#db.collection<ChangeEntry>(CHANGE_JOURNAL).find({ model: 'Lesson' }).toArray();
  }

  /**
   * Re-reads the lessons of journal entries not applied yet. The journal is read before the
   * roll-up pointer: entries are deleted only after a new roll-up is pointed to, so entries
   * gone from the journal are in the pointer's list of what it folded in (or, two roll-ups
   * on, in the roll-up itself, which is then read again).
   */
  async #applyJournal(): Promise<void> {
    const entries = await this.#journal();
    const pointer = await this.#pointer();
    const ids = new Set<string>();
    let everything = false;
    if (pointer && pointer.gen !== this.#base) {
      if (pointer.prev !== this.#base || pointer.lessonIds === null) {
        await this.#loadFacts();
        return;
      } else {
        for (const id of pointer.lessonIds) ids.add(id);
        this.#base = pointer.gen;
      }
    }
    const fresh = entries.filter((e) => !this.#applied.has(e._id.toString()));
    for (const e of fresh) {
      const named = idsOf(e);
      if (named === null) everything = true;
      else for (const id of named) ids.add(id);
    }
    if (everything || ids.size > this.#rescanAbove) {
      await this.#scan();
      return;
    }
    const facts = this.#facts!;
    const list = [...ids];
    // By id, a few at a time: point reads on MongoDB and FerretDB alike ($in is a scan on FerretDB).
    for (let i = 0; i < list.length; i += 32)
      await Promise.all(
        list.slice(i, i + 32).map(async (id) => {
          const lesson = await this.#models.Lesson.findById(id, FACT_FIELDS).lean<Lesson>();
          if (lesson) facts.set(id, factOf(lesson, this.#intern));
          else facts.delete(id);
        }),
      );
    // Remember only entries still there: folded ones are deleted by whoever compacted.
    const present = new Set(entries.map((e) => e._id.toString()));
    for (const id of this.#applied.keys()) if (!present.has(id)) this.#applied.delete(id);
    for (const e of fresh) this.#applied.set(e._id.toString(), idsOf(e));
    if (this.#applied.size >= this.#compactAfter) this.#compactSoon(false);
  }

  /** Writes the facts as the new roll-up in the background (one process at a time). */
  #compactSoon(always: boolean): void {
    if (this.#compaction || this.#closed) return;
    const facts = [...this.#facts!.values()];
    const folded = new Map(this.#applied);
    const base = this.#base;
    this.#compaction = this.#compact(facts, folded, base, always)
      .catch((error: unknown) => this.#log?.warn({ err: error }, 'report facts roll-up not written'))
      .finally(() => (this.#compaction = null));
  }

  /**
   * Writes `facts` (built on roll-up `base`, plus the `folded` journal entries) as the new
   * roll-up, points to it with the lessons it folded in, then deletes those entries and the
   * old roll-up. Skipped when another process wrote a roll-up since `base`: entries it
   * deleted may be missing from `facts`.
   */
  async #compact(
    facts: LessonFact[],
    folded: Map<string, string[] | null>,
    base: string | null,
    always: boolean,
  ): Promise<void> {
    const state = this.#db.collection<{ _id: string; until?: number }>(STATE);
    const now = Date.now();
    try {
      // A lease rather than a lock: a process that dies holding it only delays the next roll-up.
      await state.updateOne(
        { _id: LEASE, until: { $lt: now } },
        { $set: { until: now + 10 * 60_000 } },
        { upsert: true },
      );
    } catch {
      return; // duplicate key: another process holds the lease
    }
    try {
      const old = await this.#pointer();
      if ((old?.gen ?? null) !== base || (!always && folded.size < this.#compactAfter)) return;
      const gen = crypto.randomUUID();
      const chunks = Math.ceil(facts.length / CHUNK_FACTS);
      const chunkCollection = this.#db.collection<{ _id: string; gen: string; data: Buffer }>(
        SNAPSHOT_CHUNKS,
      );
      for (let i = 0; i < chunks; i++) {
        const data = await deflate(encodeFacts(facts.slice(i * CHUNK_FACTS, (i + 1) * CHUNK_FACTS)), {
          level: 1,
        });
        await chunkCollection.insertOne({ _id: `${gen}/${i}`, gen, data });
      }
      const named = [...folded.values()];
      const lessonIds = named.includes(null) ? null : [...new Set(named.flatMap((ids) => ids ?? []))];
      await this.#db.collection<Pointer>(STATE).replaceOne(
        { _id: POINTER },
        { gen, prev: base, chunks, lessonIds, at: new Date() },
        {
          upsert: true,
        },
      );
      const journal = this.#db.collection<ChangeEntry>(CHANGE_JOURNAL);
      const ids = [...folded.keys()].map((id) => new mongoose.Types.ObjectId(id));
      for (let i = 0; i < ids.length; i += 1000)
        await journal.deleteMany({ _id: { $in: ids.slice(i, i + 1000) } });
      // The facts held now include all that was folded in: this roll-up is their base.
      if (this.#base === base) this.#base = gen;
      if (old) await chunkCollection.deleteMany({ gen: old.gen });
    } finally {
      await state.updateOne({ _id: LEASE }, { $set: { until: 0 } });
    }
  }
}

/** The current roll-up: its chunks, the one before, and the lessons folded in since that one. */
interface Pointer {
  _id: string;
  gen: string;
  prev: string | null;
  chunks: number;
  /** Null: unknown (a bulk write was folded in); read the roll-up itself. */
  lessonIds: string[] | null;
  at: Date;
}

const idsOf = (e: ChangeEntry): string[] | null => e.ids?.map(String) ?? null;
