import { describe, expect, it } from 'vitest';
import type { BoardItem, BoardTool } from '../../server/contract/board.ts';
import {
  hitItems,
  itemCrossed,
  pointSegmentDistance,
  segmentDistance,
} from '../../client/src/board/hitTest.ts';

let n = 0;
const item = (tool: BoardTool, points: number[], extra: Partial<BoardItem> = {}): BoardItem => ({
  id: `i${++n}`,
  page: 'p1',
  author: 'teacher:u1',
  tool,
  color: '#1f2328',
  width: 4,
  points,
  done: true,
  hidden: false,
  ...extra,
});

describe('the eraser hit test', () => {
  it('segmentDistance() is 0 for crossing segments and the gap otherwise', () => {
    expect(segmentDistance(0, 0, 10, 10, 0, 10, 10, 0)).toBe(0);
    expect(segmentDistance(0, 0, 10, 0, 0, 5, 10, 5)).toBe(5);
    expect(segmentDistance(0, 0, 0, 0, 3, 4, 3, 4)).toBe(5);
    expect(pointSegmentDistance(5, 3, 0, 0, 10, 0)).toBe(3);
    expect(pointSegmentDistance(-4, 3, 0, 0, 10, 0)).toBe(5);
  });

  it('hits a pen stroke that the swipe crosses, and not one it passes at a distance', () => {
    const crossed = item('pen', [100, 100, 0.5, 200, 100, 0.5, 300, 100, 0.5]);
    const far = item('pen', [100, 300, 0.5, 300, 300, 0.5]);
    expect(hitItems([crossed, far], [150, 50, 150, 150], 10)).toEqual([crossed.id]);
  });

  it('counts the eraser radius and half the line width', () => {
    const thick = item('highlighter', [0, 100, 0.5, 400, 100, 0.5], { width: 40 });
    // 100 + 20 (half width) + 10 (radius) = 130: just reached; 131 is not.
    expect(hitItems([thick], [200, 130], 10)).toEqual([thick.id]);
    expect(hitItems([thick], [200, 131], 10)).toEqual([]);
  });

  it('hits a tap on a stroke and a dot stroke of a single point', () => {
    const dot = item('pen', [500, 500, 0.5]);
    expect(hitItems([dot], [505, 503], 5)).toEqual([dot.id]);
    expect(hitItems([dot], [520, 520], 5)).toEqual([]);
  });

  it('hits rectangles and ellipses on their outline only, not inside', () => {
    const rect = item('rect', [100, 100, 500, 400]);
    const ellipse = item('ellipse', [100, 100, 500, 400]);
    expect(hitItems([rect], [300, 250], 10)).toEqual([]);
    expect(hitItems([rect], [300, 405], 10)).toEqual([rect.id]);
    expect(hitItems([ellipse], [300, 250], 10)).toEqual([]);
    expect(hitItems([ellipse], [300, 95], 10)).toEqual([ellipse.id]);
    expect(hitItems([ellipse], [500, 250], 10)).toEqual([ellipse.id]);
    // The rectangle's corner is ink, the ellipse's bounding corner is not.
    expect(hitItems([rect, ellipse], [100, 100], 5)).toEqual([rect.id]);
  });

  it('hits a line along its length, and a text anywhere in its box', () => {
    const line = item('line', [0, 0, 100, 100]);
    const text = item('text', [600, 600], { width: 40, text: '练习' });
    expect(hitItems([line], [50, 55], 5)).toEqual([line.id]);
    expect(hitItems([line], [150, 150], 5)).toEqual([]);
    expect(hitItems([text], [640, 590], 1)).toEqual([text.id]);
    expect(hitItems([text], [640, 500], 1)).toEqual([]);
    expect(hitItems([text], [550, 590, 700, 590], 1)).toEqual([text.id]);
  });

  it('skips hidden items and answers in drawing order', () => {
    const a = item('line', [0, 50, 100, 50]);
    const hidden = item('line', [0, 60, 100, 60], { hidden: true });
    const b = item('line', [0, 70, 100, 70]);
    expect(hitItems([a, hidden, b], [50, 0, 50, 100], 2)).toEqual([a.id, b.id]);
  });

  it('among 10,000 strokes, finds exactly those a full check finds (bounds only skip far ones)', () => {
    const items: BoardItem[] = [];
    for (let i = 0; i < 10_000; i++) {
      const x = (i % 100) * 16;
      const y = Math.floor(i / 100) * 9;
      const points: number[] = [];
      for (let k = 0; k < 30; k++) points.push(x + k * 0.4, y + (k % 3), 0.5);
      items.push(item('pen', points, { width: 2 }));
    }
    const swipe = [700, 400, 900, 470];
    const hits = hitItems(items, swipe, 8);
    expect(hits.length).toBeGreaterThan(10);
    expect(hits).toEqual(items.filter((i) => itemCrossed(i, swipe, 8)).map((i) => i.id));
  });
});
