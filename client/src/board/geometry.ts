/**
 * Pure board geometry: fitting the 16:9 board into a box, client pixels to board units,
 * pressure to line width, the smoothed path of a stroke, and the bounds of an item. No DOM,
 * so it is unit-tested in Node; the renderer and the hit test build on it.
 */
import type { BoardItem, BoardTool } from '../../../server/contract/board.ts';
import { BOARD_HEIGHT, BOARD_WIDTH, isFreehand } from './constants.ts';

/** A point in board units. */
export interface BoardPoint {
  x: number;
  y: number;
}

/** An axis-aligned box in board units (x0 ≤ x1, y0 ≤ y1). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The largest 16:9 size (CSS pixels, whole) that fits a `width` × `height` box. */
export function fitBoard(width: number, height: number): { width: number; height: number } {
  const w = Math.max(0, Math.min(width, (height * BOARD_WIDTH) / BOARD_HEIGHT));
  return { width: Math.floor(w), height: Math.floor((w * BOARD_HEIGHT) / BOARD_WIDTH) };
}

/**
 * Client coordinates (CSS pixels, as in a pointer event) to board units, for a surface whose
 * bounding rectangle is `rect`; clamped to the board and rounded to 0.1 unit (the wire
 * carries no more precision than a 4K screen shows).
 */
export function toBoard(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
): BoardPoint {
  const x = rect.width > 0 ? ((clientX - rect.left) / rect.width) * BOARD_WIDTH : 0;
  const y = rect.height > 0 ? ((clientY - rect.top) / rect.height) * BOARD_HEIGHT : 0;
  return { x: round1(clamp(x, 0, BOARD_WIDTH)), y: round1(clamp(y, 0, BOARD_HEIGHT)) };
}

/** Pressure a touch or a mouse stands for (they have none); a pen's is 0–1. */
export const DEFAULT_PRESSURE = 0.5;

/**
 * The line width of a stroke at one point, in board units: a pen gets thinner or thicker
 * with pressure (0.3× to 1.7× `base`, exactly `base` at {@link DEFAULT_PRESSURE}), in 12
 * steps so that a stroke draws as a few runs of equal width; a highlighter is flat.
 */
export function pressureWidth(tool: BoardTool, base: number, pressure: number): number {
  if (tool !== 'pen') return base;
  const level = Math.round(clamp(pressure, 0, 1) * 12) / 12;
  return base * (0.3 + 1.4 * level);
}

/** Receives the smoothed path of a stroke (a canvas path in the renderer, a log in tests). */
export interface PathSink {
  /** Starts a run of pieces of equal `width` at (x, y). */
  begin(width: number, x: number, y: number): void;
  /** Continues the run with a quadratic curve. */
  quad(cx: number, cy: number, x: number, y: number): void;
  /** Ends the current run. */
  end(): void;
  /** A stroke of a single point: a dot of diameter `width`. */
  dot(width: number, x: number, y: number): void;
}

/**
 * How many pieces of a stroke with `coords` coordinates can be drawn for good. A stroke of n
 * points has n pieces: the head (first point to the first midpoint), a curve through each
 * inner point (midpoint to midpoint), and the tail (last midpoint to the last point); the
 * tail only once the stroke is done, since a new point turns it into a curve.
 */
export function completePieces(coords: number, done: boolean): number {
  const n = Math.floor(coords / 3);
  if (n <= 1) return done ? n : 0;
  return done ? n : n - 1;
}

/**
 * Traces pieces `from` (inclusive) to `to` (exclusive) of a stroke (x, y, pressure triples)
 * into `sink`, as runs of equal width; drawing pieces [0, a) and then [a, b) gives the same
 * picture as [0, b), which is how an extended stroke draws only its new part.
 */
export function traceStroke(
  points: readonly number[],
  tool: BoardTool,
  base: number,
  from: number,
  to: number,
  sink: PathSink,
): void {
  const n = Math.floor(points.length / 3);
  const x = (i: number): number => points[i * 3] ?? 0;
  const y = (i: number): number => points[i * 3 + 1] ?? 0;
  const width = (i: number): number => pressureWidth(tool, base, points[i * 3 + 2] ?? DEFAULT_PRESSURE);
  if (n === 1 && from === 0 && to >= 1) {
    sink.dot(width(0), x(0), y(0));
    return;
  }
  const midX = (i: number): number => (x(i) + x(i + 1)) / 2;
  const midY = (i: number): number => (y(i) + y(i + 1)) / 2;
  let runWidth = -1;
  for (let k = Math.max(0, from); k < Math.min(to, n); k++) {
    const w = width(k);
    const startX = k === 0 ? x(0) : midX(k - 1);
    const startY = k === 0 ? y(0) : midY(k - 1);
    if (w !== runWidth) {
      if (runWidth >= 0) sink.end();
      sink.begin(w, startX, startY);
      runWidth = w;
    }
    if (k === 0) sink.quad(x(0), y(0), midX(0), midY(0));
    else if (k === n - 1) sink.quad(x(k), y(k), x(k), y(k));
    else sink.quad(x(k), y(k), midX(k), midY(k));
  }
  if (runWidth >= 0) sink.end();
}

/** Rough advance of `text` at font size `size`: CJK characters are square, others ~0.6 em. */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 1 : 0.6;
  return em * size;
}

/** The bounds of an item, line width included (for text, its line box). */
export function itemBounds(item: BoardItem): Box {
  const p = item.points;
  if (item.tool === 'text') {
    const x = p[0] ?? 0;
    const y = p[1] ?? 0;
    return {
      x0: x,
      y0: y - item.width,
      x1: x + textWidth(item.text ?? '', item.width),
      y1: y + item.width * 0.3,
    };
  }
  const step = isFreehand(item.tool) ? 3 : 2;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let maxWidth = item.width;
  for (let i = 0; i + 1 < p.length; i += step) {
    const px = p[i] ?? 0;
    const py = p[i + 1] ?? 0;
    if (px < x0) x0 = px;
    if (px > x1) x1 = px;
    if (py < y0) y0 = py;
    if (py > y1) y1 = py;
    if (step === 3) maxWidth = Math.max(maxWidth, pressureWidth(item.tool, item.width, p[i + 2] ?? 0));
  }
  if (x0 === Infinity) return { x0: 0, y0: 0, x1: 0, y1: 0 };
  const r = maxWidth / 2;
  return { x0: x0 - r, y0: y0 - r, x1: x1 + r, y1: y1 + r };
}

/** Bounds per item, valid while its point count is unchanged (strokes only ever grow). */
const boundsCache = new WeakMap<BoardItem, { coords: number; box: Box }>();

/** {@link itemBounds}, cached per item. */
export function boundsOf(item: BoardItem): Box {
  const cached = boundsCache.get(item);
  if (cached && cached.coords === item.points.length) return cached.box;
  const box = itemBounds(item);
  boundsCache.set(item, { coords: item.points.length, box });
  return box;
}

/** Whether two boxes overlap (touching counts). */
export const boxesMeet = (a: Box, b: Box): boolean =>
  a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;

/** A highlighter's ink: the colour mixed half with white, drawn so that it only darkens. */
export function highlighterInk(color: string): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m?.[1]) return color;
  const v = parseInt(m[1], 16);
  const mix = (c: number): string =>
    Math.round(c + (255 - c) * 0.55)
      .toString(16)
      .padStart(2, '0');
  return `#${mix(v >> 16)}${mix((v >> 8) & 255)}${mix(v & 255)}`;
}

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
export const round1 = (v: number): number => Math.round(v * 10) / 10;
