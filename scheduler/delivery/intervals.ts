/**
 * Connection time as a union of intervals: a classroom that drops and rejoins, or whose
 * record holds overlapping intervals (two devices, a join logged twice), is counted once for
 * every millisecond it was connected.
 */

/** A span of time, ms since the epoch; `end` after `start`. */
export interface Span {
  start: number;
  end: number;
}

/**
 * The union of `spans` clipped to `[from, to]`, as disjoint spans in order. Spans that end
 * before they start, or that lie outside the window, are dropped.
 */
export function clippedUnion(spans: readonly Span[], from: number, to: number): Span[] {
  const clipped: Span[] = [];
  for (const s of spans) {
    const start = Math.max(s.start, from);
    const end = Math.min(s.end, to);
    if (end > start) clipped.push({ start, end });
  }
  clipped.sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of clipped) {
    const last = out.at(-1);
    // Touching spans merge too: a rejoin in the same millisecond is one connection.
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** Total length of disjoint spans, ms. */
export function totalLength(spans: readonly Span[]): number {
  let sum = 0;
  for (const s of spans) sum += s.end - s.start;
  return sum;
}

/** Length of the overlap of `[aStart, aEnd]` and `[bStart, bEnd]`, ms (0 when disjoint). */
export function overlap(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  return Math.max(0, Math.min(aEnd, bEnd) - Math.max(aStart, bStart));
}
