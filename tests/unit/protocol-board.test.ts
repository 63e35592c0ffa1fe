import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOp, emptyBoard, foldOps, refusal } from '../../server/contract/board.ts';
import type { BoardAuthor, BoardChange, BoardOp, BoardState } from '../../server/contract/board.ts';

const teacher: BoardAuthor = { role: 'teacher', refId: 'T' };
const room: BoardAuthor = { role: 'classroom', refId: 'C1' };

/** Sequences changes as the server does: refused ones are dropped, the others numbered. */
function run(changes: [BoardAuthor, BoardChange][]): {
  state: BoardState;
  ops: BoardOp[];
  refused: string[];
} {
  const state = emptyBoard();
  const ops: BoardOp[] = [];
  const refused: string[] = [];
  for (const [by, change] of changes) {
    const why = refusal(state, by, change);
    if (why) {
      refused.push(why.message);
      continue;
    }
    const op = { seq: state.seq + 1, at: 0, by, change };
    applyOp(state, op);
    ops.push(op);
  }
  return { state, ops, refused };
}

const line = (id: string, page = 'p1'): BoardChange => ({
  t: 'draw',
  id,
  page,
  tool: 'line',
  color: '#000000',
  width: 2,
  points: [0, 0, 10, 10],
});
const visible = (s: BoardState): string[] => s.items.filter((i) => !i.hidden).map((i) => i.id);

describe('board protocol: the fold every participant runs', () => {
  it('undo and redo reverse the author’s own draws and erases, in order; a new action drops the redo stack', () => {
    const { state } = run([
      [teacher, line('a')],
      [teacher, line('b')],
      [teacher, { t: 'erase', ids: ['a'] }],
      [teacher, { t: 'undo' }], // the erase: a is back
      [teacher, { t: 'undo' }], // b's draw
    ]);
    expect(visible(state)).toEqual(['a']);
    const redone = run([
      [teacher, line('a')],
      [teacher, line('b')],
      [teacher, { t: 'undo' }],
      [teacher, { t: 'redo' }],
      [teacher, { t: 'undo' }],
      [teacher, line('c')],
      [teacher, { t: 'redo' }], // nothing to redo after a new draw
    ]);
    expect(visible(redone.state)).toEqual(['a', 'c']);
  });

  it('one author’s undo never touches another’s work', () => {
    const { state } = run([
      [teacher, { t: 'pen', holder: 'C1' }],
      [teacher, line('t1')],
      [room, line('c1')],
      [teacher, { t: 'undo' }],
    ]);
    expect(visible(state)).toEqual(['c1']);
  });

  it('clear hides a page’s items in one undoable step; other pages keep theirs', () => {
    const { state } = run([
      [teacher, { t: 'addPages', pages: [{ id: 'p2', background: null }], after: null }],
      [teacher, line('x', 'p1')],
      [teacher, line('y', 'p2')],
      [teacher, { t: 'clear', page: 'p1' }],
    ]);
    expect(visible(state)).toEqual(['y']);
    applyOp(state, { seq: state.seq + 1, at: 0, by: teacher, change: { t: 'undo' } });
    expect(visible(state)).toEqual(['x', 'y']);
  });

  it('pages are inserted after the given page and shown; page turns follow', () => {
    const { state } = run([
      [teacher, { t: 'addPages', pages: [{ id: 'b', background: null }], after: null }],
      [
        teacher,
        {
          t: 'addPages',
          pages: [
            { id: 'a1', background: null },
            { id: 'a2', background: null },
          ],
          after: 'p1',
        },
      ],
    ]);
    expect(state.pages.map((p) => p.id)).toEqual(['p1', 'a1', 'a2', 'b']);
    expect(state.page).toBe('a1');
  });

  it('the pen rules: a classroom writes only while it holds it, and never turns pages or clears', () => {
    const { refused, state } = run([
      [room, line('r1')],
      [teacher, { t: 'pen', holder: 'C1' }],
      [room, line('r2')],
      [room, { t: 'page', page: 'p1' }],
      [room, { t: 'clear', page: 'p1' }],
      [teacher, { t: 'pen', holder: null }],
      [room, { t: 'undo' }],
    ]);
    expect(visible(state)).toEqual(['r2']);
    expect(refused).toEqual([
      'this classroom does not hold the pen',
      'only the teacher can do this',
      'only the teacher can do this',
      'this classroom does not hold the pen',
    ]);
  });

  it('a freehand stroke streams: only its author extends it, and only until it is finished', () => {
    const stroke: BoardChange = {
      t: 'draw',
      id: 's',
      page: 'p1',
      tool: 'pen',
      color: '#000000',
      width: 3,
      points: [0, 0, 0.5],
    };
    const { state, refused } = run([
      [teacher, stroke],
      [teacher, { t: 'pen', holder: 'C1' }],
      [room, { t: 'extend', id: 's', points: [5, 5, 1] }],
      [teacher, { t: 'extend', id: 's', points: [1, 1, 0.4] }],
      [teacher, { t: 'extend', id: 's', points: [1, 1] }],
      [teacher, { t: 'finish', id: 's' }],
      [teacher, { t: 'extend', id: 's', points: [2, 2, 0.4] }],
    ]);
    expect(state.items[0]).toMatchObject({ points: [0, 0, 0.5, 1, 1, 0.4], done: true });
    expect(refused).toEqual([
      'item s belongs to someone else',
      'points must be x, y, pressure triples',
      'item s is finished',
    ]);
  });

  it('taking the pen back ends the classroom’s stroke in progress', () => {
    const { state } = run([
      [teacher, { t: 'pen', holder: 'C1' }],
      [room, { t: 'draw', id: 'r', page: 'p1', tool: 'pen', color: '#000000', width: 3, points: [0, 0, 1] }],
      [
        teacher,
        { t: 'draw', id: 't', page: 'p1', tool: 'pen', color: '#000000', width: 3, points: [0, 0, 1] },
      ],
      [teacher, { t: 'pen', holder: null }],
    ]);
    expect(state.items.map((i) => [i.id, i.done])).toEqual([
      ['r', true],
      ['t', false],
    ]);
  });

  it('folding is total and incremental: any accepted sequence replays to the same board, step by step or at once, through JSON', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const change = fc.oneof(
      fc.constantFrom(...ids).map((id) => line(id)),
      fc.subarray(ids, { minLength: 1 }).map((sel): BoardChange => ({ t: 'erase', ids: sel })),
      fc.constant<BoardChange>({ t: 'undo' }),
      fc.constant<BoardChange>({ t: 'redo' }),
      fc.constant<BoardChange>({ t: 'clear', page: 'p1' }),
      fc.constantFrom<BoardChange>({ t: 'pen', holder: 'C1' }, { t: 'pen', holder: null }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(teacher, room), change), { maxLength: 40 }), (steps) => {
        const { state, ops } = run(steps);
        expect(foldOps(ops)).toEqual(state);
        // A late joiner gets a snapshot half-way (as JSON) and the rest as ops.
        const half = Math.floor(ops.length / 2);
        const snapshot = JSON.parse(JSON.stringify(foldOps(ops.slice(0, half)))) as BoardState;
        for (const op of ops.slice(half)) applyOp(snapshot, op);
        expect(snapshot).toEqual(state);
      }),
      { seed: 6, numRuns: 300 },
    );
  });
});
