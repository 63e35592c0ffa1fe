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
 * (1: without recordings; 2: a recording byte per fact).
 */
export const FACT_FORMAT = 2;
/** A string-table entry that is an ObjectId, stored as its 12 bytes. */
const OID = 0xff;
/** Judged classrooms are the receiving classrooms, in order: only their statuses follow. */
const SAME_ROOMS = 0x80;

/**
 * Encodes facts as one self-contained binary chunk: a string table (ObjectIds as 12 bytes),
 * then per fact fixed fields with table indices. ~60 bytes a lesson with four classrooms,
 * against ~1 kB as a document; decoding needs no BSON.
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
  let size = 8;
  for (const f of facts) {
    const same =
      f.judged !== null &&
      f.judged.classrooms.length === f.classroomIds.length &&
      f.judged.classrooms.every((c, i) => c.classroomId === f.classroomIds[i]);
    size += 4 * 5 + 8 * 4 + 3 + 2 + 4 * f.classroomIds.length;
    if (f.judged) size += same ? f.judged.classrooms.length : 2 + 5 * f.judged.classrooms.length;
    for (const s of [f.id, f.clusterId, f.teacherId, f.hubClassroomId, ...f.classroomIds]) ref(s);
    if (f.offeringId !== null) ref(f.offeringId);
    for (const c of f.judged?.classrooms ?? []) ref(c.classroomId);
  }
  for (const s of strings) size += OBJECT_ID.test(s) ? 13 : 1 + Buffer.byteLength(s);
  const buf = Buffer.alloc(size + 4);
  let at = 0;
  buf.writeUInt32LE(strings.length, at);
  at += 4;
  for (const s of strings) {
    if (OBJECT_ID.test(s)) {
      buf[at++] = OID;
      at += buf.write(s, at, 'hex');
    } else {
      const n = Buffer.byteLength(s);
      if (n >= OID) throw new TypeError(`id too long for a fact: ${s}`);
      buf[at++] = n;
      at += buf.write(s, at, 'utf8');
    }
  }
  buf.writeUInt32LE(facts.length, at);
  at += 4;
  const time = (ms: number | null): void => {
    buf.writeDoubleLE(ms ?? Number.NaN, at);
    at += 8;
  };
  for (const f of facts) {
    for (const s of [f.id, f.clusterId, f.teacherId, f.hubClassroomId]) {
      buf.writeUInt32LE(table.get(s)!, at);
      at += 4;
    }
    buf.writeUInt32LE(f.offeringId === null ? 0 : table.get(f.offeringId)! + 1, at);
    at += 4;
    time(f.scheduledStart);
    time(f.scheduledEnd);
    time(f.startedAt);
    time(f.endedAt);
    const same =
      f.judged !== null &&
      f.judged.classrooms.length === f.classroomIds.length &&
      f.judged.classrooms.every((c, i) => c.classroomId === f.classroomIds[i]);
    buf[at++] = STATES.indexOf(f.state);
    buf[at++] = (f.judged ? VERDICTS.indexOf(f.judged.verdict) + 1 : 0) | (same ? SAME_ROOMS : 0);
    const rec = f.recording;
    buf[at++] = rec
      ? (RECORDING_STATES.indexOf(rec.state) + 1) |
        (rec.incomplete ? REC_INCOMPLETE : 0) |
        (rec.shared ? REC_SHARED : 0)
      : 0;
    buf.writeUInt16LE(f.classroomIds.length, at);
    at += 2;
    for (const id of f.classroomIds) {
      buf.writeUInt32LE(table.get(id)!, at);
      at += 4;
    }
    if (!f.judged) continue;
    if (same) {
      for (const c of f.judged.classrooms) buf[at++] = STATUSES.indexOf(c.status);
      continue;
    }
    buf.writeUInt16LE(f.judged.classrooms.length, at);
    at += 2;
    for (const c of f.judged.classrooms) {
      buf.writeUInt32LE(table.get(c.classroomId)!, at);
      at += 4;
      buf[at++] = STATUSES.indexOf(c.status);
    }
  }
  return buf.subarray(0, at);
}

/**
 * Decodes a chunk of {@link encodeFacts}; `intern` shares repeated id strings.
 * @throws TypeError for a chunk that does not decode
 */
export function decodeFacts(buf: Buffer, intern: (s: string) => string = (s) => s): LessonFact[] {
  let at = 0;
  const count = buf.readUInt32LE(at);
  at += 4;
  const strings: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const n = buf[at++]!;
    if (n === OID) {
      strings[i] = buf.toString('hex', at, at + 12);
      at += 12;
    } else {
      strings[i] = buf.toString('utf8', at, at + n);
      at += n;
    }
  }
  const str = (i: number): string => {
    const s = strings[i];
    if (s === undefined) throw new TypeError(`bad fact chunk: string ${i} of ${count}`);
    return s;
  };
  // Shared ids (clusters, teachers, classrooms) are interned once each; lesson ids are not.
  const shared: (string | undefined)[] = new Array<string | undefined>(count);
  const ref = (i: number): string => (shared[i] ??= intern(str(i)));
  const time = (): number | null => {
    const v = buf.readDoubleLE(at);
    at += 8;
    return Number.isNaN(v) ? null : v;
  };
  const facts: LessonFact[] = new Array<LessonFact>(buf.readUInt32LE(at));
  at += 4;
  for (let k = 0; k < facts.length; k++) {
    const id = str(buf.readUInt32LE(at));
    const clusterId = ref(buf.readUInt32LE(at + 4));
    const teacherId = ref(buf.readUInt32LE(at + 8));
    const hubClassroomId = ref(buf.readUInt32LE(at + 12));
    const offering = buf.readUInt32LE(at + 16);
    at += 20;
    const scheduledStart = time()!;
    const scheduledEnd = time()!;
    const startedAt = time();
    const endedAt = time();
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
    let judged: LessonFact['judged'] = null;
    const verdict = VERDICTS[(flags & ~SAME_ROOMS) - 1];
    if (verdict) {
      const classrooms: { classroomId: string; status: ClassroomStatus }[] = [];
      if (flags & SAME_ROOMS)
        for (const classroomId of classroomIds)
          classrooms.push({ classroomId, status: STATUSES[buf[at++]!]! });
      else {
        const n = buf.readUInt16LE(at);
        at += 2;
        for (let i = 0; i < n; i++, at += 5)
          classrooms.push({ classroomId: ref(buf.readUInt32LE(at)), status: STATUSES[buf[at + 4]!]! });
      }
      judged = { verdict, classrooms };
    }
    facts[k] = {
      id,
      clusterId,
      offeringId: offering === 0 ? null : ref(offering - 1),
      teacherId,
      hubClassroomId,
      classroomIds,
      scheduledStart,
      scheduledEnd,
      state,
      startedAt,
      endedAt,
      judged,
      recording,
    };
  }
  return facts;
}
