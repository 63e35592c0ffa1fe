import { describe, expect, it } from 'vitest';
import type { BoardOp } from '../../server/contract/board.ts';
import { firstVisits, pageIndexAt, pageTurns, timelineMarks } from '../../client/src/library/marks.ts';
import { floorChanges } from '../../server/recording/floors.ts';

const START = Date.parse('2026-12-07T06:00:00Z');
const by = { role: 'teacher' as const, refId: 't1' };
const ops: BoardOp[] = [
  // Prepared before class: a stroke on page 1.
  {
    seq: 1,
    at: START - 60_000,
    by,
    change: {
      t: 'draw',
      id: 'a',
      page: 'p1',
      tool: 'rect',
      color: '#ff0000',
      width: 4,
      points: [0, 0, 9, 9],
    },
  },
  {
    seq: 2,
    at: START + 10_000,
    by,
    change: { t: 'addPages', pages: [{ id: 'p2', background: null }], after: 'p1' },
  },
  { seq: 3, at: START + 20_000, by, change: { t: 'page', page: 'p1' } },
  { seq: 4, at: START + 30_000, by, change: { t: 'page', page: 'p2' } },
];

describe('the library player’s pages and timeline marks', () => {
  it('pageTurns() lists every turn from the live start (before it counts as 0); firstVisits() keeps each page’s first', () => {
    const turns = pageTurns(ops, START);
    expect(turns.map((t) => [t.atMs, t.pageId, t.number])).toEqual([
      [0, 'p1', 1],
      [10_000, 'p2', 2],
      [20_000, 'p1', 1],
      [30_000, 'p2', 2],
    ]);
    expect(firstVisits(turns).map((t) => [t.pageId, t.atMs])).toEqual([
      ['p1', 0],
      ['p2', 10_000],
    ]);
    expect(pageIndexAt(turns, 25_000)).toBe(2);
    expect(pageIndexAt(turns, 0)).toBe(0);
  });

  it('timelineMarks() merges page turns, floor changes, gaps and comments in time order, within the recording', () => {
    const marks = timelineMarks(
      {
        durationMs: 40_000,
        floors: [{ atMs: 15_000, classroomId: 'c1', classroomName: '教室1' }],
        gaps: [{ group: 'teacher', fromMs: 5000, toMs: 60_000, reason: 'recorder-died' }],
      },
      pageTurns(ops, START),
      [
        { atSeconds: 12, text: '提问好', name: '李' },
        { atSeconds: 90, text: '超出', name: '李' },
      ],
    );
    expect(marks.map((m) => [m.kind, m.atMs])).toEqual([
      ['gap', 5000],
      ['page', 10_000],
      ['comment', 12_000],
      ['floor', 15_000],
      ['page', 20_000],
      ['page', 30_000],
    ]);
    expect(marks[0]).toMatchObject({ toMs: 40_000 });
  });

  it('floorChanges() counts a call once: a restarted floor run of the same classroom is not a new one', () => {
    const at = (s: number) => new Date(START + s * 1000);
    const run = (refId: string, from: number, to: number) => ({
      group: 'floor' as const,
      refId,
      startedAt: at(from),
      endedAt: at(to),
      dir: '',
      streams: [],
      end: 'stopped' as const,
    });
    const changes = floorChanges(
      {
        liveStartedAt: at(0),
        runs: [run('c1', 5, 10), run('c1', 10.5, 20), run('c2', 20.2, 30), run('c1', 40, 50)],
      } as never,
      new Map([['c1', '教室1']]),
    );
    expect(changes).toEqual([
      { atMs: 5000, classroomId: 'c1', classroomName: '教室1' },
      { atMs: 20_200, classroomId: 'c2', classroomName: '' },
      { atMs: 40_000, classroomId: 'c1', classroomName: '教室1' },
    ]);
  });
});
