import { describe, expect, it } from 'vitest';
import {
  DOWN_BACKOFF_MS,
  DOWN_CONFIRM_MS,
  MAX_BACKOFF_MS,
  UP_HOLD_MS,
  UP_PROBATION_MS,
  initialLayerCap,
  layerForBudget,
  nextLayerCap,
} from '../../sfu/downlink.ts';
import type { LayerCap } from '../../sfu/downlink.ts';

/** The teacher camera's layers (150k, 500k, 1.2M); with audio they need 214, 564 and 1264 kbit/s. */
const LAYERS = Object.freeze([150_000, 500_000, 1_200_000].map((maxBitrate) => ({ maxBitrate })));
const at = initialLayerCap;

/** Feeds one estimate a second from `from` to `to` (ms), returning the cap after each. */
function feed(cap: LayerCap, estimateKbps: number, from: number, to: number, ceiling = 2): LayerCap {
  for (let t = from; t <= to; t += 1000) cap = nextLayerCap(LAYERS, ceiling, cap, estimateKbps, t);
  return cap;
}

describe('downlink: the teacher camera layer a classroom link carries', () => {
  it('layerForBudget() picks the highest layer that fits with room for audio, the lowest when none does', () => {
    expect(layerForBudget(LAYERS, undefined)).toBe(2);
    expect(layerForBudget(LAYERS, 3600)).toBe(2);
    expect(layerForBudget(LAYERS, 564)).toBe(1);
    expect(layerForBudget(LAYERS, 563)).toBe(0);
    expect(layerForBudget(LAYERS, 100)).toBe(0);
  });

  it('nextLayerCap() moves down once the estimate has stayed short of the current layer for a second', () => {
    // A 1 Mbit/s link estimated at 0.8 Mbit/s cannot keep 720p (1264 kbit/s with audio).
    let cap = nextLayerCap(LAYERS, 2, at(2), 800, 1000);
    expect(cap).toMatchObject({ layer: 2, lowSince: 1000 });
    cap = nextLayerCap(LAYERS, 2, cap, 800, 1000 + DOWN_CONFIRM_MS);
    expect(cap).toMatchObject({ layer: 1, downAt: 1000 + DOWN_CONFIRM_MS, lowSince: null });
    // A single dip is forgotten when the next estimate carries the layer again.
    cap = nextLayerCap(LAYERS, 2, at(2), 800, 0);
    cap = nextLayerCap(LAYERS, 2, cap, 1400, 500);
    expect(nextLayerCap(LAYERS, 2, cap, 800, 1200)).toMatchObject({ layer: 2, lowSince: 1200 });
    // Under half the need: at once, straight to the layer the estimate carries.
    expect(nextLayerCap(LAYERS, 2, at(2), 150, 1000)).toMatchObject({ layer: 0, downAt: 1000 });
    // Within 5 % of the need the current layer stays (no flapping on estimate noise).
    expect(nextLayerCap(LAYERS, 2, at(2), 1210, 1000)).toEqual(at(2));
  });

  it('nextLayerCap() moves up one layer at a time, each after the estimate has carried it for the hold time', () => {
    let cap = nextLayerCap(LAYERS, 2, at(0), 2000, 0);
    expect(cap).toMatchObject({ layer: 0, upSince: 0 });
    cap = nextLayerCap(LAYERS, 2, cap, 2000, UP_HOLD_MS - 1);
    expect(cap.layer).toBe(0);
    cap = nextLayerCap(LAYERS, 2, cap, 2000, UP_HOLD_MS);
    expect(cap).toMatchObject({ layer: 1, upSince: null, upAt: UP_HOLD_MS });
    cap = feed(cap, 2000, UP_HOLD_MS + 1000, 2 * UP_HOLD_MS + 1000);
    expect(cap.layer).toBe(2);
  });

  it('nextLayerCap() restarts the hold when an estimate in between does not carry the higher layer (a probe overshoot)', () => {
    let cap = nextLayerCap(LAYERS, 2, at(1), 1400, 0);
    cap = nextLayerCap(LAYERS, 2, cap, 900, 2000);
    expect(cap).toMatchObject({ layer: 1, upSince: null });
    cap = nextLayerCap(LAYERS, 2, cap, 1400, 4000);
    expect(nextLayerCap(LAYERS, 2, cap, 1400, UP_HOLD_MS + 1000).layer).toBe(1);
  });

  it('nextLayerCap() does not move up for a while after moving down', () => {
    let cap = nextLayerCap(LAYERS, 2, at(2), 500, 0);
    expect(cap.layer).toBe(0);
    cap = feed(cap, 2000, 1000, DOWN_BACKOFF_MS - 1);
    expect(cap.layer).toBe(0);
    cap = feed(cap, 2000, DOWN_BACKOFF_MS, DOWN_BACKOFF_MS + UP_HOLD_MS);
    expect(cap.layer).toBe(1);
  });

  it('nextLayerCap() doubles the wait after a move up that failed, and forgets it once a layer holds', () => {
    // An overshooting estimate (1.5 Mbit/s on a link that carries 360p but not 720p).
    let cap: LayerCap = { ...at(1), downAt: 0 };
    cap = feed(cap, 1500, DOWN_BACKOFF_MS, DOWN_BACKOFF_MS + UP_HOLD_MS);
    expect(cap.layer).toBe(2);
    const upAt = cap.upAt!;
    // 720p congests the link: the estimate falls, the layer goes back down, the wait doubles.
    cap = feed(cap, 700, upAt + 3000, upAt + 3000 + DOWN_CONFIRM_MS);
    expect(cap).toMatchObject({ layer: 1, backoffMs: 2 * DOWN_BACKOFF_MS, upAt: null });
    const downAt = cap.downAt!;
    cap = feed(cap, 1500, downAt + 1000, downAt + 2 * DOWN_BACKOFF_MS - 1);
    expect(cap.layer).toBe(1);
    cap = feed(cap, 1500, downAt + 2 * DOWN_BACKOFF_MS, downAt + 2 * DOWN_BACKOFF_MS + UP_HOLD_MS);
    expect(cap.layer).toBe(2);
    // Failing again and again: the wait stops growing at the maximum.
    for (let i = 0; i < 10; i++) {
      const t = cap.upAt ?? cap.downAt!;
      cap = feed(cap, 700, t + 1000, t + 1000 + DOWN_CONFIRM_MS);
      cap = feed(cap, 1500, cap.downAt! + 1000, cap.downAt! + cap.backoffMs + UP_HOLD_MS);
    }
    expect(cap.backoffMs).toBe(MAX_BACKOFF_MS);
    // A layer kept through its probation: the wait is back to the start.
    cap = feed(cap, 1500, cap.upAt! + 1000, cap.upAt! + UP_PROBATION_MS);
    expect(cap).toMatchObject({ layer: 2, backoffMs: DOWN_BACKOFF_MS, upAt: null });
  });

  it('nextLayerCap() never goes above the budget’s layer, however large the estimate', () => {
    const cap = feed(at(0), 10_000, 0, 4 * UP_HOLD_MS, 1);
    expect(cap.layer).toBe(1);
  });
});
