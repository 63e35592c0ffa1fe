import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../sfu/index.ts';

describe('TypedEmitter', () => {
  it('safeEmit() calls every listener even when one throws, and reports the error', () => {
    const emitter = new TypedEmitter<{ tick: [number] }>();
    const reported: string[] = [];
    emitter.onListenerError = (event, error) => reported.push(`${event}:${String(error)}`);
    const seen: number[] = [];
    emitter.on('tick', () => {
      throw new Error('boom');
    });
    emitter.on('tick', (n) => seen.push(n));
    expect(emitter.safeEmit('tick', 7)).toBe(true);
    expect(seen).toEqual([7]);
    expect(reported).toEqual(['tick:Error: boom']);
  });

  it('once() listeners run a single time and off() removes a listener', () => {
    const emitter = new TypedEmitter<{ tick: [] }>();
    let once = 0;
    let always = 0;
    const listener = (): void => void always++;
    emitter.once('tick', () => void once++).on('tick', listener);
    emitter.safeEmit('tick');
    emitter.off('tick', listener);
    emitter.safeEmit('tick');
    expect([once, always]).toEqual([1, 1]);
  });
});
