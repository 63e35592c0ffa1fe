import { describe, expect, it } from 'vitest';
import { nextCurrentChange, pickCurrentLesson } from '../../scheduler/index.ts';
import type { DatedLesson } from '../../scheduler/index.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 1, 0); // 09:00 in Beijing
const lesson = (
  id: string,
  startMin: number,
  endMin: number,
  state: DatedLesson['state'] = 'scheduled',
): DatedLesson => Object.freeze({ id, start: T0 + startMin * MIN, end: T0 + endMin * MIN, state });

describe('pickCurrentLesson', () => {
  const day = Object.freeze([lesson('a', 0, 40), lesson('b', 60, 100), lesson('c', 120, 160)]);

  it('shows a scheduled lesson from 15 minutes before its start', () => {
    expect(pickCurrentLesson(day, T0 - 16 * MIN).current).toBeNull();
    expect(pickCurrentLesson(day, T0 - 15 * MIN).current?.id).toBe('a');
  });

  it('keeps a lesson that never went live for 10 minutes after its scheduled end, then moves on', () => {
    expect(pickCurrentLesson(day, T0 + 50 * MIN).current?.id).toBe('a');
    expect(pickCurrentLesson(day, T0 + 51 * MIN).current?.id).toBe('b');
  });

  it('prefers a live lesson even when it overruns into the next one', () => {
    const overrun = [lesson('a', 0, 40, 'live'), lesson('b', 45, 85)];
    expect(pickCurrentLesson(overrun, T0 + 50 * MIN).current?.id).toBe('a');
  });

  it('never shows an ended lesson as current, and lists only later scheduled lessons as upcoming', () => {
    const ended = [lesson('a', 0, 40, 'ended'), lesson('b', 60, 100), lesson('c', 120, 160)];
    const { current, upcoming } = pickCurrentLesson(ended, T0 + 10 * MIN);
    expect(current).toBeNull();
    expect(upcoming.map((l) => l.id)).toEqual(['b', 'c']);
  });

  it('honours custom windows and does not reorder its input', () => {
    const input = [lesson('c', 120, 160), lesson('a', 0, 40)];
    const copy = [...input];
    expect(pickCurrentLesson(input, T0 - 30 * MIN, { joinEarlyMinutes: 30 }).current?.id).toBe('a');
    expect(input).toEqual(copy);
  });
});

describe('nextCurrentChange', () => {
  const day = Object.freeze([lesson('a', 0, 40), lesson('b', 60, 100)]);

  it('is the next edge of a scheduled lesson’s window, where pickCurrentLesson answers differently', () => {
    const at = nextCurrentChange(day, T0 - 60 * MIN)!;
    expect(at).toBe(T0 - 15 * MIN);
    expect(pickCurrentLesson(day, at - 1).current).toBeNull();
    expect(pickCurrentLesson(day, at).current?.id).toBe('a');
    // Inside a's window the next edge is b's opening (45 min), before a's close (50 min).
    const next = nextCurrentChange(day, T0 + 10 * MIN)!;
    expect(next).toBe(T0 + 45 * MIN);
    expect(pickCurrentLesson(day, next).current?.id).toBe('a');
  });

  it('closes a lesson that never went live just after its grace, and has nothing after the last', () => {
    const one = [lesson('a', 0, 40)];
    const close = nextCurrentChange(one, T0 + 20 * MIN)!;
    expect(pickCurrentLesson(one, close - 1).current?.id).toBe('a');
    expect(pickCurrentLesson(one, close).current).toBeNull();
    expect(nextCurrentChange(one, close)).toBeNull();
    expect(nextCurrentChange([lesson('a', 0, 40, 'live'), lesson('e', -60, -20, 'ended')], T0)).toBeNull();
  });
});
