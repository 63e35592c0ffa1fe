import { CHANGE_COUNTERS } from '../models/changes.ts';
import type { ChangeCounter } from '../models/changes.ts';
import type {
  Classroom,
  Cluster,
  Models,
  Offering,
  Region,
  School,
  TermCalendar,
  User,
} from '../models/index.ts';
import type { TeacherRow } from './teacherPeriods.ts';

/**
 * What the figures read besides the lessons: the province's directory (a province: ~5,000
 * clusters, ~20,000 schools, ~10,000 offerings, ~25,000 classrooms, hub teachers, term
 * calendars; a few tens of MB as objects).
 */
export interface DirectoryRows {
  regions: readonly Region[];
  clusters: readonly Cluster[];
  schools: ReadonlyMap<string, Pick<School, '_id' | 'name' | 'regionCode' | 'kind' | 'termCalendarId'>>;
  offerings: readonly Pick<Offering, '_id' | 'clusterId' | 'hubClassroomId' | 'term' | 'teacherId'>[];
  /** Classroom id → its school id. */
  roomSchool: ReadonlyMap<string, string>;
  users: ReadonlyMap<string, TeacherRow & Pick<User, 'role'>>;
  calendars: readonly TermCalendar[];
}

type Name = 'Region' | 'Cluster' | 'School' | 'Offering' | 'Classroom' | 'User' | 'TermCalendar';
const NAMES: readonly Name[] = [
  'Region',
  'Cluster',
  'School',
  'Offering',
  'Classroom',
  'User',
  'TermCalendar',
];

/**
 * The directory rows, held by each process and revalidated against the database on every
 * report: one small read of the change counters (`models/changes.ts`), and a collection is
 * read again when its counter moved (imports and admin edits; rare next to lessons). So a
 * report is as fresh as the database whichever process wrote. Writes that bypass the models
 * (the raw driver, a restore) are not seen until the collection is next written or the
 * process restarts.
 *
 * Lessons are not held here (they are ~700,000 a province year): see {@link FactRollUp}.
 */
export class Directory {
  readonly #models: Models;
  /** Counter values the held rows were read at. */
  readonly #seen = new Map<Name, number>();
  #rows: Partial<DirectoryRows> = {};
  #queue: Promise<unknown> = Promise.resolve();
  /** Interned ids: a classroom or school id repeated over many rows is one string. */
  readonly #strings = new Map<string, string>();

  constructor(models: Models) {
    this.#models = models;
  }

  /** The rows as of now: revalidated, reading the collections that changed. */
  rows(): Promise<DirectoryRows> {
    // One revalidation at a time; a report waits for the one before it, then revalidates.
    const next = this.#queue.then(() => this.#refresh());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Waits for a revalidation under way. */
  async close(): Promise<void> {
    await this.#queue;
  }

  #intern(s: string): string {
    const seen = this.#strings.get(s);
    if (seen !== undefined) return seen;
    this.#strings.set(s, s);
    return s;
  }

  async #refresh(): Promise<DirectoryRows> {
    const counters = new Map(
      (await this.#models.Lesson.db.collection<ChangeCounter>(CHANGE_COUNTERS).find({}).toArray()).map(
        (c) => [c._id, c.n],
      ),
    );
    // A collection never written through the models has no counter yet: 0.
    const counter = (name: Name): number => counters.get(name) ?? 0;
    const stale = NAMES.filter((name) => this.#seen.get(name) !== counter(name));
    await Promise.all(stale.map((name) => this.#load(name, counter(name))));
    return this.#rows as DirectoryRows;
  }

  async #load(name: Name, counter: number): Promise<void> {
    const m = this.#models;
    switch (name) {
      case 'Region':
        this.#rows.regions = await m.Region.find({}).lean<Region[]>();
        break;
      case 'Cluster':
        this.#rows.clusters = await m.Cluster.find({}).lean<Cluster[]>();
        break;
      case 'School':
        this.#rows.schools = new Map(
          (
            await m.School.find({}, { name: 1, regionCode: 1, kind: 1, termCalendarId: 1 }).lean<School[]>()
          ).map((s) => [this.#intern(s._id.toString()), s]),
        );
        break;
      case 'Offering':
        this.#rows.offerings = await m.Offering.find(
          {},
          { clusterId: 1, hubClassroomId: 1, term: 1, teacherId: 1 },
        ).lean<Offering[]>();
        break;
      case 'Classroom':
        this.#rows.roomSchool = new Map(
          (await m.Classroom.find({}, { schoolId: 1 }).lean<Classroom[]>()).map((r) => [
            this.#intern(r._id.toString()),
            this.#intern(r.schoolId.toString()),
          ]),
        );
        break;
      case 'User':
        this.#rows.users = new Map(
          (
            await m.User.find({}, { schoolId: 1, busy: 1, role: 1 }).lean<
              (TeacherRow & Pick<User, 'role'>)[]
            >()
          ).map((u) => [u._id.toString(), u]),
        );
        break;
      case 'TermCalendar':
        this.#rows.calendars = await m.TermCalendar.find({}).lean<TermCalendar[]>();
        break;
    }
    // The counter was read before the rows: a write after that read moves it again.
    this.#seen.set(name, counter);
  }
}
