import { describe, expect, it } from 'vitest';
import { clock, playbackTimes, playedAt } from '../../client/src/replay/timeline.ts';

describe('board replay clock', () => {
  it('keeps real distances between changes and shortens pauses to 5 s', () => {
    const at = [1000, 1040, 1100, 601_100, 601_150];
    expect(playbackTimes(at.map((a) => ({ at: a })))).toEqual([0, 40, 100, 5100, 5150]);
    // Out-of-order stamps (two processes' clocks) never run the clock backwards.
    expect(playbackTimes([{ at: 10 }, { at: 5 }, { at: 20 }])).toEqual([0, 0, 15]);
    expect(playbackTimes([])).toEqual([]);
  });

  it('counts the changes played at a position, edges included', () => {
    const times = [0, 40, 100, 100, 5100];
    expect(playedAt(times, -1)).toBe(0);
    expect(playedAt(times, 0)).toBe(1);
    expect(playedAt(times, 99)).toBe(2);
    expect(playedAt(times, 100)).toBe(4);
    expect(playedAt(times, 10_000)).toBe(5);
    expect(playedAt([], 5)).toBe(0);
  });

  it('shows m:ss', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(65_999)).toBe('1:05');
    expect(clock(3_600_000)).toBe('60:00');
  });
});
