import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scheduler/timetable/random.ts';
import { decodeFacts, encodeFacts } from '../../server/reports/lessonFacts.ts';
import type { LessonFact } from '../../server/reports/lessonFacts.ts';

const STATUSES = ['present', 'late', 'partial', 'absent'] as const;
const VERDICTS = ['delivered', 'not-delivered', 'missed', 'upcoming', 'live'] as const;

/** Seeded facts covering every field's shapes: ObjectIds and other ids, nulls, judged or not. */
function facts(n: number, seed: number): LessonFact[] {
  const rng = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
  const oid = (): string =>
    Array.from({ length: 24 }, () => '0123456789abcdef'[Math.floor(rng() * 16)]).join('');
  const rooms = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `教室-${i}` : oid()));
  return Array.from({ length: n }, (_, i) => {
    const classroomIds = rooms.slice(i % 5, (i % 5) + Math.floor(rng() * 5));
    const start = 1_800_000_000_000 + Math.floor(rng() * 1e10);
    const state = pick(['scheduled', 'live', 'ended'] as const);
    const judged =
      state === 'ended' && rng() < 0.8
        ? {
            verdict: pick(VERDICTS),
            // Usually the lesson's own rooms in order; sometimes others (rooms changed since).
            classrooms: (rng() < 0.7 ? classroomIds : [pick(rooms), pick(rooms)]).map((classroomId) => ({
              classroomId,
              status: pick(STATUSES),
            })),
          }
        : null;
    return {
      id: i % 7 === 0 ? `lesson-${i}` : oid(),
      clusterId: oid(),
      offeringId: rng() < 0.2 ? null : oid(),
      teacherId: oid(),
      hubClassroomId: pick(rooms),
      classroomIds,
      scheduledStart: start,
      scheduledEnd: start + 40 * 60_000 + 1,
      state,
      startedAt: state === 'scheduled' ? null : start + 7,
      endedAt: state === 'ended' ? start + 2_400_003 : null,
      judged,
      recording:
        state === 'scheduled' || rng() < 0.3
          ? null
          : {
              state: pick(['recording', 'composing', 'ready', 'failed', 'deleted'] as const),
              incomplete: rng() < 0.3,
              shared: rng() < 0.4,
            },
    };
  });
}

describe('lesson facts as a binary roll-up chunk', () => {
  it('decodeFacts(encodeFacts(facts)) gives the facts back, field for field', () => {
    const input = facts(2_000, 5);
    expect(decodeFacts(encodeFacts(input))).toEqual(input);
    expect(decodeFacts(encodeFacts([]))).toEqual([]);
  });

  it('decodeFacts rejects a chunk whose indices point outside its string table', () => {
    const chunk = Buffer.from(encodeFacts(facts(3, 7)));
    // The string count: claim fewer strings than the facts use.
    chunk.writeUInt32LE(0, 0);
    expect(() => decodeFacts(chunk)).toThrow();
  });
});
