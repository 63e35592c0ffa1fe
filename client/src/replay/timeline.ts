/**
 * The replay's clock: each change plays at its real distance from the one before, except
 * that a pause longer than `maxGapMs` (the board prepared before class, a quiet exercise)
 * plays as `maxGapMs`. Pure, for the replay page and its tests.
 */

export const MAX_GAP_MS = 5000;

/** Playback position (ms from the start) of each change, from the times the server accepted them. */
export function playbackTimes(ops: readonly { at: number }[], maxGapMs = MAX_GAP_MS): number[] {
  const times: number[] = [];
  let t = 0;
  for (const [i, op] of ops.entries()) {
    if (i > 0) t += Math.min(Math.max(0, op.at - ops[i - 1]!.at), maxGapMs);
    times.push(t);
  }
  return times;
}

/** How many changes have played at position `t` (binary search over ascending `times`). */
export function playedAt(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** m:ss of a position. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
