import { describe, expect, it } from 'vitest';
import {
  DOWN_BACKOFF_MS,
  DOWN_CONFIRM_MS,
  UP_HOLD_MS,
  layerForBudget,
  nextLayerCap,
} from '../../sfu/downlink.ts';
import type { LayerCap } from '../../sfu/downlink.ts';

/** The teacher camera's layers (150k, 500k, 1.2M); with audio they need 214, 564 and 1264 kbit/s. */
const LAYERS = Object.freeze([150_000, 500_000, 1_200_000].map((maxBitrate) => ({ maxBitrate })));
const at = (layer: number): LayerCap => ({ layer, upSince: null, downAt: null, lowSince: null });

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
    expect(cap).toEqual({ layer: 2, upSince: null, downAt: null, lowSince: 1000 });
    cap = nextLayerCap(LAYERS, 2, cap, 800, 1000 + DOWN_CONFIRM_MS);
    expect(cap).toEqual({ layer: 1, upSince: null, downAt: 1000 + DOWN_CONFIRM_MS, lowSince: null });
    // A single dip is forgotten when the next estimate carries the layer again.
    cap = nextLayerCap(LAYERS, 2, at(2), 800, 0);
    cap = nextLayerCap(LAYERS, 2, cap, 1400, 500);
    expect(nextLayerCap(LAYERS, 2, cap, 800, 1200)).toMatchObject({ layer: 2, lowSince: 1200 });
    // Under half the need: at once, straight to the layer the estimate carries.
    expect(nextLayerCap(LAYERS, 2, at(2), 150, 1000)).toMatchObject({ layer: 0, downAt: 1000 });
    // Within 5 % of the need the current layer stays (no flapping on estimate noise).
    expect(nextLayerCap(LAYERS, 2, at(2), 1210, 1000)).toEqual(at(2));
  });

  it('nextLayerCap() moves up only after the estimate has carried the higher layer for the hold time', () => {
    let cap = at(1);
    cap = nextLayerCap(LAYERS, 2, cap, 1500, 0);
    expect(cap).toEqual({ layer: 1, upSince: 0, downAt: null, lowSince: null });
    cap = nextLayerCap(LAYERS, 2, cap, 1500, UP_HOLD_MS - 1);
    expect(cap.layer).toBe(1);
    cap = nextLayerCap(LAYERS, 2, cap, 1500, UP_HOLD_MS);
    expect(cap).toEqual(at(2));
  });

  it('nextLayerCap() restarts the hold when an estimate in between does not carry the higher layer (a probe overshoot)', () => {
    let cap = nextLayerCap(LAYERS, 2, at(1), 1400, 0);
    cap = nextLayerCap(LAYERS, 2, cap, 900, 2000);
    expect(cap).toEqual(at(1));
    cap = nextLayerCap(LAYERS, 2, cap, 1400, 4000);
    expect(nextLayerCap(LAYERS, 2, cap, 1400, UP_HOLD_MS + 1000).layer).toBe(1);
  });

  it('nextLayerCap() does not move up for a while after moving down', () => {
    let cap = nextLayerCap(LAYERS, 2, at(2), 500, 0);
    expect(cap.layer).toBe(0);
    for (let t = 1000; t < DOWN_BACKOFF_MS; t += 1000) cap = nextLayerCap(LAYERS, 2, cap, 2000, t);
    expect(cap.layer).toBe(0);
    cap = nextLayerCap(LAYERS, 2, cap, 2000, DOWN_BACKOFF_MS);
    cap = nextLayerCap(LAYERS, 2, cap, 2000, DOWN_BACKOFF_MS + UP_HOLD_MS);
    expect(cap.layer).toBe(2);
  });

  it('nextLayerCap() never goes above the budget’s layer, however large the estimate', () => {
    let cap = at(0);
    for (let t = 0; t <= 2 * UP_HOLD_MS; t += 1000) cap = nextLayerCap(LAYERS, 1, cap, 10_000, t);
    expect(cap.layer).toBe(1);
  });
});
