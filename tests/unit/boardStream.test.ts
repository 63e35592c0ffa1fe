import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BoardChange } from '../../server/contract/board.ts';
import { StrokeStream } from '../../client/src/board/StrokeStream.ts';
import { throttle } from '../../client/src/board/throttle.ts';
import { ACCEPT, coursewareKind, fitWidth } from '../../client/src/board/courseware.ts';

/** A server stand-in: records changes, answers each when the test says so. */
function fakeServer() {
  const sent: BoardChange[] = [];
  const answers: { ok(): void; refuse(message: string): void }[] = [];
  return {
    sent,
    send(change: BoardChange): Promise<void> {
      sent.push(change);
      return new Promise((resolve, reject) =>
        answers.push({ ok: () => resolve(), refuse: (message) => reject(new Error(message)) }),
      );
    },
    /** Answers the oldest pending change. */
    async answer(refusal?: string): Promise<void> {
      const next = answers.shift();
      if (!next) throw new Error('nothing in flight');
      if (refusal) next.refuse(refusal);
      else next.ok();
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

const draw = (id = 's1'): Extract<BoardChange, { t: 'draw' }> => ({
  t: 'draw',
  id,
  page: 'p1',
  tool: 'pen',
  color: '#1f2328',
  width: 6,
  points: [1, 1, 0.5],
});

describe('StrokeStream', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends draw, then the new points batched into one extend per 30 ms, then finish', async () => {
    const server = fakeServer();
    const stream = new StrokeStream(draw(), { send: (c) => server.send(c), onRefused: () => undefined });
    stream.add([2, 2, 0.5]);
    stream.add([3, 3, 0.5]);
    expect(server.sent.map((c) => c.t)).toEqual(['draw']);
    await server.answer();
    // The draw went out less than 30 ms ago: the points wait for the interval.
    expect(server.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30);
    expect(server.sent[1]).toEqual({ t: 'extend', id: 's1', points: [2, 2, 0.5, 3, 3, 0.5] });
    stream.add([4, 4, 0.5]);
    stream.end();
    await vi.advanceTimersByTimeAsync(100);
    // One change in flight at a time: nothing more until the extend is answered.
    expect(server.sent).toHaveLength(2);
    await server.answer();
    expect(server.sent[2]).toEqual({ t: 'extend', id: 's1', points: [4, 4, 0.5] });
    await server.answer();
    expect(server.sent[3]).toEqual({ t: 'finish', id: 's1' });
    await server.answer();
    await expect(stream.settled).resolves.toBe(true);
  });

  it('keeps the order of the points however slowly the server answers', async () => {
    const server = fakeServer();
    const stream = new StrokeStream(draw(), { send: (c) => server.send(c), onRefused: () => undefined });
    for (let i = 0; i < 50; i++) {
      stream.add([i, i, 0.5]);
      await vi.advanceTimersByTimeAsync(7);
      if (i % 10 === 0 && server.sent.length) await server.answer().catch(() => undefined);
    }
    stream.end();
    for (let i = 0; i < 20 && server.sent.at(-1)?.t !== 'finish'; i++) {
      await vi.advanceTimersByTimeAsync(30);
      await server.answer().catch(() => undefined);
    }
    const xs = server.sent.flatMap((c) => (c.t === 'extend' ? c.points.filter((_, k) => k % 3 === 0) : []));
    expect(xs).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(server.sent.at(-1)).toEqual({ t: 'finish', id: 's1' });
  });

  it('stops at a refused draw, reports the refusal once and sends nothing more', async () => {
    const server = fakeServer();
    const refusals: string[] = [];
    const stream = new StrokeStream(draw(), {
      send: (c) => server.send(c),
      onRefused: (m) => refusals.push(m),
    });
    stream.add([2, 2, 0.5]);
    await server.answer('this classroom does not hold the pen');
    stream.add([3, 3, 0.5]);
    stream.end();
    await vi.advanceTimersByTimeAsync(100);
    expect(refusals).toEqual(['this classroom does not hold the pen']);
    expect(server.sent.map((c) => c.t)).toEqual(['draw']);
    expect(stream.failed).toBe(true);
    await expect(stream.settled).resolves.toBe(false);
  });

  it('closes a stroke whose extend was refused with a finish, so it does not stay open', async () => {
    const server = fakeServer();
    const stream = new StrokeStream(draw(), { send: (c) => server.send(c), onRefused: () => undefined });
    await server.answer();
    await vi.advanceTimersByTimeAsync(30);
    stream.add([2, 2, 0.5]);
    await server.answer('stroke too long');
    expect(server.sent.map((c) => c.t)).toEqual(['draw', 'extend', 'finish']);
  });

  it('takes no more coordinates than the contract allows in one stroke', () => {
    const server = fakeServer();
    const stream = new StrokeStream(draw(), { send: (c) => server.send(c), onRefused: () => undefined });
    expect(stream.room).toBe(30_000 - 3);
    stream.add(new Array<number>(40_000).fill(1));
    expect(stream.room).toBe(0);
  });
});

describe('throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes the first call at once and the last of a burst after the interval', () => {
    const calls: number[] = [];
    const t = throttle((v: number) => calls.push(v), 50);
    t.call(1);
    t.call(2);
    t.call(3);
    expect(calls).toEqual([1]);
    vi.advanceTimersByTime(50);
    expect(calls).toEqual([1, 3]);
    t.call(4);
    t.cancel();
    vi.advanceTimersByTime(100);
    expect(calls).toEqual([1, 3]);
  });
});

describe('courseware files', () => {
  it('coursewareKind() takes PDFs and PNG, JPEG and WebP images, by type or else by name', () => {
    expect(coursewareKind({ name: 'a.pdf', type: 'application/pdf' })).toBe('pdf');
    expect(coursewareKind({ name: '第一课.PDF', type: '' })).toBe('pdf');
    expect(coursewareKind({ name: 'p.png', type: 'image/png' })).toBe('image');
    expect(coursewareKind({ name: 'p.jpeg', type: '' })).toBe('image');
    expect(coursewareKind({ name: 'p.webp', type: 'image/webp' })).toBe('image');
    expect(coursewareKind({ name: 'p.gif', type: 'image/gif' })).toBeNull();
    expect(coursewareKind({ name: 'slides.pptx', type: 'application/vnd.ms-powerpoint' })).toBeNull();
    expect(ACCEPT).toContain('application/pdf');
  });

  it('fitWidth() scales images down to 1600 px wide, aspect kept, and never up', () => {
    expect(fitWidth(3200, 1800)).toEqual({ width: 1600, height: 900 });
    expect(fitWidth(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWidth(800, 600)).toEqual({ width: 800, height: 600 });
  });
});
