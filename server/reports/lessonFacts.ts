import type { ClassroomStatus, RecordingFact, Verdict } from '../../scheduler/delivery/index.ts';
import type { Lesson } from '../models/index.ts';

/**
 * What the report figures need of one lesson, as stored: ids, times, state, and the stored
 * judgement of an ended lesson. Everything that depends on other collections (which school a
 * classroom belongs to) or on the clock (missed or upcoming) is resolved when reporting.
 */
export interface LessonFact {
  id: string;
  clusterId: string;
  offeringId: string | null;
  teacherId: string;
  hubClassroomId: string;
  /** Receiving classrooms. */
  classroomIds: readonly string[];
  /** ms since the epoch. */
  scheduledStart: number;
  scheduledEnd: number;
  state: Lesson['state'];
  startedAt: number | null;
  endedAt: number | null;
  /** The judgement stored with an ended lesson (null otherwise, even if a stale one is stored). */
  judged: {
    verdict: Verdict;
    classrooms: readonly { classroomId: string; status: ClassroomStatus }[];
  } | null;
  /** What became of its recording (null: nothing recorded). */
  recording: RecordingFact | null;
}

/** The fields of a lesson {@link factOf} reads (a projection for bulk reads). */
export const FACT_FIELDS = {
  clusterId: 1,
  offeringId: 1,
  teacherId: 1,
  hubClassroomId: 1,
  classroomIds: 1,
  scheduledStart: 1,
  scheduledEnd: 1,
  state: 1,
  startedAt: 1,
  endedAt: 1,
  'delivery.verdict': 1,
  'delivery.classrooms.classroomId': 1,
  'delivery.classrooms.status': 1,
  recording: 1,
} as const;

/** The fact of a lesson; `intern` shares repeated id strings (clusters, teachers, classrooms). */
export function factOf(lesson: Lesson, intern: (s: string) => string = (s) => s): LessonFact {
  const stored = lesson.delivery as {
    verdict?: Verdict;
    classrooms?: { classroomId: unknown; status: ClassroomStatus }[];
  } | null;
  return {
    id: lesson._id.toString(),
    clusterId: intern(lesson.clusterId.toString()),
    offeringId: lesson.offeringId ? intern(lesson.offeringId.toString()) : null,
    teacherId: intern(lesson.teacherId.toString()),
    hubClassroomId: intern(lesson.hubClassroomId.toString()),
    classroomIds: lesson.classroomIds.map((id) => intern(id.toString())),
    scheduledStart: lesson.scheduledStart.getTime(),
    scheduledEnd: lesson.scheduledEnd.getTime(),
    state: lesson.state,
    startedAt: lesson.startedAt?.getTime() ?? null,
    endedAt: lesson.endedAt?.getTime() ?? null,
    // The same condition as judging on read: only an ended lesson's stored verdict stands.
    judged:
      lesson.state === 'ended' && stored?.verdict
        ? {
            verdict: stored.verdict,
            classrooms: (stored.classrooms ?? []).map((c) => ({
              classroomId: intern(String(c.classroomId)),
              status: c.status,
            })),
          }
        : null,
    recording: lesson.recording
      ? {
          state: lesson.recording.state,
          incomplete: lesson.recording.incomplete ?? false,
          shared: lesson.recording.shared ?? false,
        }
      : null,
  };
}

const STATES: readonly LessonFact['state'][] = ['scheduled', 'live', 'ended'];
const VERDICTS: readonly Verdict[] = ['delivered', 'not-delivered', 'missed', 'upcoming', 'live'];
const STATUSES: readonly ClassroomStatus[] = ['present', 'late', 'partial', 'absent'];
const RECORDING_STATES: readonly RecordingFact['state'][] = [
  'recording',
  'composing',
  'ready',
  'failed',
  'deleted',
];
/** Recording byte: state index + 1 in the low bits (0: none), then these flags. */
const REC_INCOMPLETE = 0x40;
const REC_SHARED = 0x80;
const OBJECT_ID = /^[0-9a-f]{24}$/;

/**
 * The layout of {@link encodeFacts}' chunks; a roll-up written in another is built anew
 * (1: without recordings; 2: a recording byte per fact; 3: facts in groups with their counts).
 */
export const FACT_FORMAT = 3;
/** A string-table entry that is an ObjectId, stored as its 12 bytes. */
const OID = 0xff;
/** Flags byte: verdict index + 1 in the low 3 bits (0: not judged), then these. */
const SAME_ROOMS = 0x80;
const STARTED = 0x40;
const ENDED = 0x20;
const VERDICT_BITS = 0x07;

const DAY = 86_400_000;
const CST = 8 * 3_600_000;
/** The day number (China time) of an instant, and the instant its day starts. */
const dayOf = (ms: number): number => Math.floor((ms + CST) / DAY);
const dayStart = (day: number): number => day * DAY - CST;

/**
 * Lessons alike in every field but their id, times and classroom statuses (a course's lessons
 * of one chunk with the same verdict, mostly): what a chunk stores once, with the counts a
 * report needs, and the lessons themselves for when one of them is needed alone.
 */
export interface FactGroup {
  clusterId: string;
  offeringId: string | null;
  teacherId: string;
  hubClassroomId: string;
  classroomIds: readonly string[];
  state: LessonFact['state'];
  /** Its lessons have a start time (all or none); an end time (all or none). */
  started: boolean;
  ended: boolean;
  /** The stored verdict (null: not judged). */
  verdict: Verdict | null;
  /** The classrooms judged, in order, with how many of the lessons gave each status; empty when not judged. */
  judged: readonly ({ classroomId: string } & Readonly<Record<ClassroomStatus, number>>)[];
  recording: RecordingFact | null;
  /** How many lessons. */
  count: number;
  /** The earliest and latest scheduled start, and scheduled end, of its lessons. */
  firstStart: number;
  lastStart: number;
  firstEnd: number;
  lastEnd: number;
  /**
   * Lessons per day (China time), flat: when a day starts (ms), how many lessons start on it,
   * then the next day's two numbers (one array rather than one per day: a report reads them
   * for every group).
   */
  days: readonly number[];
  /** The id of its first lesson. */
  firstId: string;
  /** Its lessons' facts, decoded now. */
  facts(): LessonFact[];
  /** Whether one of its lessons has an id in `ids` (only the lessons' ids are decoded). */
  holdsAny(ids: ReadonlySet<string>): boolean;
}

/** A growing buffer. */
class Out {
  buf = Buffer.alloc(1 << 16);
  at = 0;
  #room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
  u8(v: number): void {
    this.#room(1);
    this.buf[this.at++] = v;
  }
  u16(v: number): void {
    this.#room(2);
    this.at = this.buf.writeUInt16LE(v, this.at);
  }
  u32(v: number): void {
    this.#room(4);
    this.at = this.buf.writeUInt32LE(v, this.at);
  }
  f64(v: number | null): void {
    this.#room(8);
    this.at = this.buf.writeDoubleLE(v ?? Number.NaN, this.at);
  }
  string(s: string): void {
    this.#room(1 + Buffer.byteLength(s));
    if (OBJECT_ID.test(s)) {
      this.buf[this.at++] = OID;
      this.at += this.buf.write(s, this.at, 'hex');
      return;
    }
    const n = Buffer.byteLength(s);
    if (n >= OID) throw new TypeError(`id too long for a fact: ${s}`);
    this.buf[this.at++] = n;
    this.at += this.buf.write(s, this.at, 'utf8');
  }
}

const sameRooms = (f: LessonFact): boolean =>
  f.judged !== null &&
  f.judged.classrooms.length === f.classroomIds.length &&
  f.judged.classrooms.every((c, i) => c.classroomId === f.classroomIds[i]);

const recordingByte = (rec: RecordingFact | null): number =>
  rec
    ? (RECORDING_STATES.indexOf(rec.state) + 1) |
      (rec.incomplete ? REC_INCOMPLETE : 0) |
      (rec.shared ? REC_SHARED : 0)
    : 0;

/** What lessons of one group share: everything but id, times and classroom statuses. */
function groupKey(f: LessonFact): string {
  return [
    f.clusterId,
    f.offeringId ?? '',
    f.teacherId,
    f.hubClassroomId,
    f.classroomIds.join(','),
    f.state,
    f.startedAt === null ? 0 : 1,
    f.endedAt === null ? 0 : 1,
    f.judged?.verdict ?? '',
    sameRooms(f) ? 'same' : (f.judged?.classrooms.map((c) => c.classroomId).join(',') ?? ''),
    recordingByte(f.recording),
  ].join('|');
}

/**
 * Encodes facts as one self-contained binary chunk: a string table (ObjectIds as 12 bytes),
 * then the facts in groups ({@link FactGroup}): per group the shared fields once, its counts
 * (lessons, lessons per day, each judged classroom's statuses), then per lesson its id, times
 * and statuses. ~45 bytes a lesson with four classrooms (against ~1 kB as a document); a
 * report reads the groups' counts and skips their lessons; decoding needs no BSON.
 */
export function encodeFacts(facts: readonly LessonFact[]): Buffer {
  const table = new Map<string, number>();
  const strings: string[] = [];
  const ref = (s: string): number => {
    let i = table.get(s);
    if (i === undefined) {
      table.set(s, (i = strings.length));
      strings.push(s);
    }
    return i;
  };
  const groups = new Map<string, LessonFact[]>();
  for (const f of facts) {
    const key = groupKey(f);
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
    for (const s of [f.clusterId, f.teacherId, f.hubClassroomId, ...f.classroomIds]) ref(s);
    if (f.offeringId !== null) ref(f.offeringId);
    for (const c of f.judged?.classrooms ?? []) ref(c.classroomId);
  }
  for (const f of facts) ref(f.id);
  const out = new Out();
  out.u32(strings.length);
  for (const s of strings) out.string(s);
  out.u32(groups.size);
  for (const members of groups.values()) {
    const f = members[0]!;
    out.u32(table.get(f.clusterId)!);
    out.u32(table.get(f.teacherId)!);
    out.u32(table.get(f.hubClassroomId)!);
    out.u32(f.offeringId === null ? 0 : table.get(f.offeringId)! + 1);
    const same = sameRooms(f);
    out.u8(STATES.indexOf(f.state));
    out.u8(
      (f.judged ? VERDICTS.indexOf(f.judged.verdict) + 1 : 0) |
        (same ? SAME_ROOMS : 0) |
        (f.startedAt !== null ? STARTED : 0) |
        (f.endedAt !== null ? ENDED : 0),
    );
    out.u8(recordingByte(f.recording));
    out.u16(f.classroomIds.length);
    for (const id of f.classroomIds) out.u32(table.get(id)!);
    const slots = f.judged?.classrooms ?? [];
    if (f.judged && !same) {
      out.u16(slots.length);
      for (const c of slots) out.u32(table.get(c.classroomId)!);
    }
    // The counts a report reads instead of the lessons.
    out.u32(members.length);
    let firstStart = Infinity;
    let lastStart = -Infinity;
    let firstEnd = Infinity;
    let lastEnd = -Infinity;
    const days = new Map<number, number>();
    const counts = slots.map(() => [0, 0, 0, 0]);
    for (const m of members) {
      firstStart = Math.min(firstStart, m.scheduledStart);
      lastStart = Math.max(lastStart, m.scheduledStart);
      firstEnd = Math.min(firstEnd, m.scheduledEnd);
      lastEnd = Math.max(lastEnd, m.scheduledEnd);
      const day = dayOf(m.scheduledStart);
      days.set(day, (days.get(day) ?? 0) + 1);
      m.judged?.classrooms.forEach((c, i) => counts[i]![STATUSES.indexOf(c.status)]!++);
    }
    out.f64(firstStart);
    out.f64(lastStart);
    out.f64(firstEnd);
    out.f64(lastEnd);
    const firstDay = dayOf(firstStart);
    out.u16(days.size);
    for (const [day, n] of [...days].sort((a, b) => a[0] - b[0])) {
      out.u16(day - firstDay);
      out.u32(n);
    }
    for (const c of counts) for (const n of c) out.u32(n);
    // The lessons: skipped by a report (their length first).
    const lengthAt = out.at;
    out.u32(0);
    for (const m of members) {
      out.u32(table.get(m.id)!);
      out.f64(m.scheduledStart);
      out.f64(m.scheduledEnd);
      out.f64(m.startedAt);
      out.f64(m.endedAt);
      for (const c of m.judged?.classrooms ?? []) out.u8(STATUSES.indexOf(c.status));
    }
    out.buf.writeUInt32LE(out.at - lengthAt - 4, lengthAt);
  }
  return Buffer.from(out.buf.subarray(0, out.at));
}

type GroupFields = Omit<FactGroup, 'firstId' | 'facts' | 'holdsAny'>;
/** Where a group's lessons are in its chunk, and the chunk's strings. */
interface GroupLessons {
  buf: Buffer;
  from: number;
  slotIds: readonly string[];
  str: (i: number) => string;
}

/** A group as read from a chunk: its lessons are decoded when asked for. */
class StoredGroup implements FactGroup {
  readonly clusterId: string;
  readonly offeringId: string | null;
  readonly teacherId: string;
  readonly hubClassroomId: string;
  readonly classroomIds: readonly string[];
  readonly state: LessonFact['state'];
  readonly started: boolean;
  readonly ended: boolean;
  readonly verdict: Verdict | null;
  readonly judged: FactGroup['judged'];
  readonly recording: RecordingFact | null;
  readonly count: number;
  readonly firstStart: number;
  readonly lastStart: number;
  readonly firstEnd: number;
  readonly lastEnd: number;
  readonly days: FactGroup['days'];
  readonly #lessons: GroupLessons;

  constructor(fields: GroupFields, lessons: GroupLessons) {
    this.clusterId = fields.clusterId;
    this.offeringId = fields.offeringId;
    this.teacherId = fields.teacherId;
    this.hubClassroomId = fields.hubClassroomId;
    this.classroomIds = fields.classroomIds;
    this.state = fields.state;
    this.started = fields.started;
    this.ended = fields.ended;
    this.verdict = fields.verdict;
    this.judged = fields.judged;
    this.recording = fields.recording;
    this.count = fields.count;
    this.firstStart = fields.firstStart;
    this.lastStart = fields.lastStart;
    this.firstEnd = fields.firstEnd;
    this.lastEnd = fields.lastEnd;
    this.days = fields.days;
    this.#lessons = lessons;
  }

  get firstId(): string {
    const { buf, from, str } = this.#lessons;
    return this.count > 0 ? str(buf.readUInt32LE(from)) : '';
  }

  holdsAny(ids: ReadonlySet<string>): boolean {
    const { buf, slotIds, str } = this.#lessons;
    // Each lesson: its id's index, four times, then a status byte per judged classroom.
    const size = 36 + (this.verdict === null ? 0 : slotIds.length);
    for (let k = 0, p = this.#lessons.from; k < this.count; k++, p += size)
      if (ids.has(str(buf.readUInt32LE(p)))) return true;
    return false;
  }

  facts(): LessonFact[] {
    const { buf, slotIds, str } = this.#lessons;
    const verdict = this.verdict;
    const out = new Array<LessonFact>(this.count);
    let p = this.#lessons.from;
    for (let k = 0; k < this.count; k++) {
      const id = str(buf.readUInt32LE(p));
      const scheduledStart = buf.readDoubleLE(p + 4);
      const scheduledEnd = buf.readDoubleLE(p + 12);
      const startedAt = buf.readDoubleLE(p + 20);
      const endedAt = buf.readDoubleLE(p + 28);
      p += 36;
      let classrooms: { classroomId: string; status: ClassroomStatus }[] = [];
      if (verdict !== null) {
        const at = p;
        classrooms = slotIds.map((classroomId, i) => ({ classroomId, status: STATUSES[buf[at + i]!]! }));
        p += slotIds.length;
      }
      out[k] = {
        id,
        clusterId: this.clusterId,
        offeringId: this.offeringId,
        teacherId: this.teacherId,
        hubClassroomId: this.hubClassroomId,
        classroomIds: this.classroomIds,
        scheduledStart,
        scheduledEnd,
        state: this.state,
        startedAt: Number.isNaN(startedAt) ? null : startedAt,
        endedAt: Number.isNaN(endedAt) ? null : endedAt,
        judged: verdict === null ? null : { verdict, classrooms },
        recording: this.recording && { ...this.recording },
      };
    }
    return out;
  }
}

/**
 * The groups of a chunk of {@link encodeFacts}; `intern` shares repeated ids (clusters,
 * teachers, classrooms). Lesson ids are decoded only with a group's facts.
 * @throws TypeError for a chunk that does not decode
 */
export function readGroups(buf: Buffer, intern: (s: string) => string = (s) => s): FactGroup[] {
  let at = 0;
  const count = buf.readUInt32LE(at);
  at += 4;
  // Where each string starts; strings are made when first used.
  const offsets = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    offsets[i] = at;
    const n = buf[at++];
    if (n === undefined) throw new TypeError('bad fact chunk: string table');
    at += n === OID ? 12 : n;
  }
  const strings: (string | undefined)[] = new Array<string | undefined>(count);
  const str = (i: number): string => {
    let s = strings[i];
    if (s !== undefined) return s;
    if (i >= count) throw new TypeError(`bad fact chunk: string ${i} of ${count}`);
    const o = offsets[i]!;
    const n = buf[o]!;
    s = n === OID ? buf.toString('hex', o + 1, o + 13) : buf.toString('utf8', o + 1, o + 1 + n);
    return (strings[i] = s);
  };
  const shared: (string | undefined)[] = new Array<string | undefined>(count);
  const ref = (i: number): string => (shared[i] ??= intern(str(i)));
  const groups: FactGroup[] = new Array<FactGroup>(buf.readUInt32LE(at));
  at += 4;
  for (let g = 0; g < groups.length; g++) {
    const clusterId = ref(buf.readUInt32LE(at));
    const teacherId = ref(buf.readUInt32LE(at + 4));
    const hubClassroomId = ref(buf.readUInt32LE(at + 8));
    const offering = buf.readUInt32LE(at + 12);
    at += 16;
    const state = STATES[buf[at++]!];
    const flags = buf[at++]!;
    const recByte = buf[at++]!;
    if (!state) throw new TypeError('bad fact chunk: state');
    let recording: RecordingFact | null = null;
    if (recByte !== 0) {
      const recState = RECORDING_STATES[(recByte & ~(REC_INCOMPLETE | REC_SHARED)) - 1];
      if (!recState) throw new TypeError('bad fact chunk: recording');
      recording = {
        state: recState,
        incomplete: (recByte & REC_INCOMPLETE) !== 0,
        shared: (recByte & REC_SHARED) !== 0,
      };
    }
    const rooms = buf.readUInt16LE(at);
    at += 2;
    const classroomIds = new Array<string>(rooms);
    for (let i = 0; i < rooms; i++, at += 4) classroomIds[i] = ref(buf.readUInt32LE(at));
    const verdict = (flags & VERDICT_BITS) === 0 ? null : VERDICTS[(flags & VERDICT_BITS) - 1];
    if (verdict === undefined) throw new TypeError('bad fact chunk: verdict');
    let slotIds: string[] = [];
    if (verdict !== null)
      if (flags & SAME_ROOMS) slotIds = classroomIds;
      else {
        const n = buf.readUInt16LE(at);
        at += 2;
        slotIds = new Array<string>(n);
        for (let i = 0; i < n; i++, at += 4) slotIds[i] = ref(buf.readUInt32LE(at));
      }
    const members = buf.readUInt32LE(at);
    const firstStart = buf.readDoubleLE(at + 4);
    const lastStart = buf.readDoubleLE(at + 12);
    const firstEnd = buf.readDoubleLE(at + 20);
    const lastEnd = buf.readDoubleLE(at + 28);
    at += 36;
    const nDays = buf.readUInt16LE(at);
    at += 2;
    const firstDay = dayOf(firstStart);
    const days = new Array<number>(nDays * 2);
    for (let i = 0; i < nDays; i++, at += 6) {
      days[2 * i] = dayStart(firstDay + buf.readUInt16LE(at));
      days[2 * i + 1] = buf.readUInt32LE(at + 2);
    }
    const judged = new Array<FactGroup['judged'][number]>(slotIds.length);
    for (let i = 0; i < slotIds.length; i++, at += 16)
      judged[i] = {
        classroomId: slotIds[i]!,
        present: buf.readUInt32LE(at),
        late: buf.readUInt32LE(at + 4),
        partial: buf.readUInt32LE(at + 8),
        absent: buf.readUInt32LE(at + 12),
      };
    const length = buf.readUInt32LE(at);
    const from = at + 4;
    at = from + length;
    if (at > buf.length) throw new TypeError('bad fact chunk: lessons');
    groups[g] = new StoredGroup(
      {
        clusterId,
        offeringId: offering === 0 ? null : ref(offering - 1),
        teacherId,
        hubClassroomId,
        classroomIds,
        state,
        started: (flags & STARTED) !== 0,
        ended: (flags & ENDED) !== 0,
        verdict,
        judged,
        recording,
        count: members,
        firstStart,
        lastStart,
        firstEnd,
        lastEnd,
        days,
      },
      { buf, from, slotIds, str },
    );
  }
  return groups;
}

/**
 * Every fact of a chunk of {@link encodeFacts} (grouped: not in the order encoded);
 * `intern` shares repeated id strings.
 * @throws TypeError for a chunk that does not decode
 */
export function decodeFacts(buf: Buffer, intern: (s: string) => string = (s) => s): LessonFact[] {
  return readGroups(buf, intern).flatMap((g) => g.facts());
}

/**
 * Visits the lessons of a chunk's groups whose scheduled start is in `[period.from,
 * period.to)`, leaving out those in `skip`: a group wholly inside the period and holding none
 * of them as itself when `visitGroup` is given, others lesson by lesson. Pass an empty `skip`
 * when none of the chunk's lessons can be in it (their ids are then not decoded).
 */
export function visitGroups(
  groups: readonly FactGroup[],
  period: { from: number; to: number },
  skip: ReadonlySet<string>,
  visit: (fact: LessonFact) => void,
  visitGroup?: (group: FactGroup) => void,
): void {
  for (const g of groups)
    if (
      visitGroup &&
      g.firstStart >= period.from &&
      g.lastStart < period.to &&
      (skip.size === 0 || !g.holdsAny(skip))
    )
      visitGroup(g);
    else if (g.lastStart >= period.from && g.firstStart < period.to)
      for (const f of g.facts())
        if (!skip.has(f.id) && f.scheduledStart >= period.from && f.scheduledStart < period.to) visit(f);
}
