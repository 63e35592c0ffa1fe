import { describe, expect, it } from 'vitest';
import type { BoardItem } from '../../server/contract/board.ts';
import {
  DEFAULT_PRESSURE,
  completePieces,
  fitBoard,
  highlighterInk,
  itemBounds,
  pressureWidth,
  toBoard,
  traceStroke,
} from '../../client/src/board/geometry.ts';
import type { PathSink } from '../../client/src/board/geometry.ts';
import { newId } from '../../client/src/board/ids.ts';

/** Records what a stroke traces, as a canvas would draw it. */
function recorder(): PathSink & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    begin: (w, x, y) => log.push(`begin ${w} ${x},${y}`),
    quad: (cx, cy, x, y) => log.push(`quad ${cx},${cy} ${x},${y}`),
    end: () => log.push('end'),
    dot: (w, x, y) => log.push(`dot ${w} ${x},${y}`),
  };
}

const stroke = (points: number[], done = true, tool: BoardItem['tool'] = 'pen'): BoardItem => ({
  id: 's1',
  page: 'p1',
  author: 'teacher:u1',
  tool,
  color: '#1f2328',
  width: 6,
  points,
  done,
  hidden: false,
});

describe('board geometry', () => {
  it('fitBoard() gives the largest 16:9 box inside the room, whichever side limits it', () => {
    expect(fitBoard(1920, 1080)).toEqual({ width: 1920, height: 1080 });
    expect(fitBoard(1920, 2000)).toEqual({ width: 1920, height: 1080 });
    expect(fitBoard(3000, 900)).toEqual({ width: 1600, height: 900 });
    expect(fitBoard(0, 500)).toEqual({ width: 0, height: 0 });
  });

  it('toBoard() maps client pixels to board units for any surface size, clamped to the board', () => {
    const rect = { left: 100, top: 50, width: 800, height: 450 };
    expect(toBoard(100, 50, rect)).toEqual({ x: 0, y: 0 });
    expect(toBoard(900, 500, rect)).toEqual({ x: 1600, y: 900 });
    expect(toBoard(500, 275, rect)).toEqual({ x: 800, y: 450 });
    // A 4K surface gives the same board point for the same relative position.
    expect(toBoard(1920, 1080, { left: 0, top: 0, width: 3840, height: 2160 })).toEqual({ x: 800, y: 450 });
    expect(toBoard(0, 1000, rect)).toEqual({ x: 0, y: 900 });
    expect(toBoard(100.123, 50, rect).x).toBe(0.2);
  });

  it('pressureWidth() thins and thickens a pen with pressure, exactly base at the default; a highlighter is flat', () => {
    expect(pressureWidth('pen', 6, DEFAULT_PRESSURE)).toBeCloseTo(6);
    expect(pressureWidth('pen', 6, 0)).toBeCloseTo(1.8);
    expect(pressureWidth('pen', 6, 1)).toBeCloseTo(10.2);
    expect(pressureWidth('pen', 6, 7)).toBeCloseTo(10.2);
    expect(pressureWidth('pen', 6, 0.9)).toBeGreaterThan(pressureWidth('pen', 6, 0.3));
    expect(pressureWidth('highlighter', 30, 0.1)).toBe(30);
    expect(pressureWidth('highlighter', 30, 1)).toBe(30);
  });

  it('completePieces() keeps the tail of a stroke in progress for later', () => {
    expect(completePieces(0, false)).toBe(0);
    expect(completePieces(3, false)).toBe(0);
    expect(completePieces(3, true)).toBe(1);
    expect(completePieces(12, false)).toBe(3);
    expect(completePieces(12, true)).toBe(4);
  });

  it('traceStroke() smooths through midpoints with quadratic curves, from the first to the last point', () => {
    const sink = recorder();
    traceStroke([0, 0, 0.5, 10, 0, 0.5, 20, 10, 0.5], 'pen', 6, 0, 3, sink);
    expect(sink.log).toEqual(['begin 6 0,0', 'quad 0,0 5,0', 'quad 10,0 15,5', 'quad 20,10 20,10', 'end']);
  });

  it('traceStroke() starts a new run where the pressure changes the width', () => {
    const sink = recorder();
    traceStroke([0, 0, 0.5, 10, 0, 0.5, 20, 0, 1, 30, 0, 1], 'pen', 6, 0, 4, sink);
    expect(sink.log.filter((l) => l.startsWith('begin'))).toHaveLength(2);
    expect(sink.log.filter((l) => l === 'end')).toHaveLength(2);
  });

  it('traceStroke() drawn in parts traces the same curves as drawn at once (an extended stroke draws only its new part)', () => {
    const points = [0, 0, 0.5, 10, 5, 0.5, 20, 0, 0.5, 30, 8, 0.5, 40, 0, 0.5];
    const whole = recorder();
    traceStroke(points, 'pen', 6, 0, 5, whole);
    const parts = recorder();
    traceStroke(points.slice(0, 9), 'pen', 6, 0, completePieces(9, false), parts);
    traceStroke(points, 'pen', 6, completePieces(9, false), 5, parts);
    const curves = (log: string[]): string[] => log.filter((l) => l.startsWith('quad'));
    expect(curves(parts.log)).toEqual(curves(whole.log));
  });

  it('traceStroke() draws a single point as a dot', () => {
    const sink = recorder();
    traceStroke([5, 6, 0.5], 'pen', 6, 0, 1, sink);
    expect(sink.log).toEqual(['dot 6 5,6']);
  });

  it('itemBounds() covers the ink, half the widest line width around the points', () => {
    expect(itemBounds(stroke([10, 10, 0.5, 50, 30, 0.5]))).toEqual({ x0: 7, y0: 7, x1: 53, y1: 33 });
    const rect = { ...stroke([100, 100, 50, 60]), tool: 'rect' as const, width: 4 };
    expect(itemBounds(rect)).toEqual({ x0: 48, y0: 58, x1: 102, y1: 102 });
    const text = { ...stroke([0, 100]), tool: 'text' as const, width: 40, text: '你好ab' };
    const box = itemBounds(text);
    expect(box.y0).toBe(60);
    expect(box.x1).toBeCloseTo(40 * 2 + 40 * 1.2);
  });

  it('highlighterInk() lightens the colour towards white', () => {
    expect(highlighterInk('#000000')).toBe('#8c8c8c');
    expect(highlighterInk('#ffffff')).toBe('#ffffff');
    expect(highlighterInk('red')).toBe('red');
  });

  it('newId() makes distinct ids of at most 64 characters of [A-Za-z0-9_-]', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = newId({ role: 'classroom', refId: '6650f0c2a1b2c3d4e5f60718' }, 1_750_000_000_000);
      expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(1000);
    expect(newId({ role: 'teacher', refId: 'user/ä:1' })).toMatch(/^tuser1-/);
  });
});
