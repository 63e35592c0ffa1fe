import { describe, expect, it } from 'vitest';
import {
  LINK_POLICY,
  PREVIOUS_LINK_POLICY,
  initialLayerCap,
  layerForBudget,
  nextLayerCap,
} from '../../sfu/downlink.ts';
import type { LayerCap, LinkPolicy } from '../../sfu/downlink.ts';

/** The teacher camera's layers (150k, 650k, 1.2M); with audio they need 214, 714 and 1264 kbit/s. */
const LAYERS = Object.freeze([150_000, 650_000, 1_200_000].map((maxBitrate) => ({ maxBitrate })));
const P = LINK_POLICY;
const at = (layer: number): LayerCap => initialLayerCap(layer);

/** Feeds one estimate a second from `from` to `to` (ms), returning the cap after each. */
function feed(cap: LayerCap, estimateKbps: number, from: number, to: number, ceiling = 2): LayerCap {
  for (let t = from; t <= to; t += 1000) cap = nextLayerCap(LAYERS, ceiling, cap, estimateKbps, t);
  return cap;
}

/**
 * A 1 Mbit/s link as bench:links showed its estimate, traced every second: 1.3–1.6 Mbit/s
 * while it carries the lower layers (probes overshoot), 0.5 Mbit/s within a second of 720p
 * reaching it, and 0.47 Mbit/s for 8 s after 720p left it (the queue draining). Returns the
 * preferred layer each second for `seconds`, starting from 720p on an open link cut at 0.
 */
function overOneMbitLink(policy: Readonly<LinkPolicy>, seconds: number): number[] {
  let cap = initialLayerCap(2, policy);
  let topSince: number | null = 0;
  let topLeft = -Infinity;
  const layers: number[] = [];
  for (let t = 0; t <= seconds * 1000; t += 1000) {
    const estimate = topSince !== null && t - topSince >= 1000 ? 500 : t - topLeft < 8000 ? 470 : 1500;
    cap = nextLayerCap(LAYERS, 2, cap, estimate, t, policy);
    if (cap.layer === 2) topSince ??= t;
    else if (topSince !== null) [topSince, topLeft] = [null, t];
    layers.push(cap.layer);
  }
  return layers;
}

describe('downlink: the teacher camera layer a classroom link carries', () => {
  it('layerForBudget() picks the highest layer that fits with room for audio, the lowest when none does', () => {
    expect(layerForBudget(LAYERS, undefined)).toBe(2);
    expect(layerForBudget(LAYERS, 3600)).toBe(2);
    expect(layerForBudget(LAYERS, 714)).toBe(1);
    expect(layerForBudget(LAYERS, 713)).toBe(0);
    expect(layerForBudget(LAYERS, 100)).toBe(0);
  });

  it('nextLayerCap() moves one layer down once the estimate has stayed short of the current layer for a second', () => {
    // A 1 Mbit/s link estimated at 0.8 Mbit/s cannot keep 720p (1264 kbit/s with audio).
    let cap = nextLayerCap(LAYERS, 2, at(2), 800, 1000);
    expect(cap).toMatchObject({ layer: 2, lowSince: 1000 });
    cap = nextLayerCap(LAYERS, 2, cap, 800, 1000 + P.downConfirmMs);
    expect(cap).toMatchObject({ layer: 1, downAt: 1000 + P.downConfirmMs, lowSince: null, barred: 2 });
    // A single dip is forgotten when the next estimate carries the layer again.
    cap = nextLayerCap(LAYERS, 2, at(2), 800, 0);
    cap = nextLayerCap(LAYERS, 2, cap, 1400, 500);
    expect(nextLayerCap(LAYERS, 2, cap, 800, 1200)).toMatchObject({ layer: 2, lowSince: 1200 });
    // Within 15 % of the need the current layer stays (no flapping on estimate noise).
    expect(nextLayerCap(LAYERS, 2, at(2), 1100, 1000)).toEqual(at(2));
    expect(nextLayerCap(LAYERS, 2, at(2), 1090, 1000)).toMatchObject({ layer: 2, lowSince: 1000 });
  });

  it('nextLayerCap() goes at once to what the estimate carries when it is under half of the lower layer’s need too', () => {
    // Under half of 720p's need (632) but not of 450p's (357): one layer down, at once.
    expect(nextLayerCap(LAYERS, 2, at(2), 500, 1000)).toMatchObject({ layer: 1, downAt: 1000 });
    // Under half of 450p's need as well: straight to 180p.
    expect(nextLayerCap(LAYERS, 2, at(2), 150, 1000)).toMatchObject({ layer: 0, downAt: 1000 });
    // The previous policy went to what the estimate carried from any shortfall.
    expect(nextLayerCap(LAYERS, 2, at(2), 500, 1000, PREVIOUS_LINK_POLICY)).toMatchObject({ layer: 0 });
  });

  it('nextLayerCap() believes the estimate short of a layer it has just moved down to only under half its need', () => {
    let cap = nextLayerCap(LAYERS, 2, at(2), 500, 0);
    expect(cap.layer).toBe(1);
    // 0.47 Mbit/s (short of 450p's 714 kbit/s) while the queue 720p filled drains: 450p stays.
    cap = feed(cap, 470, 1000, P.recoveryMs - 1000);
    expect(cap.layer).toBe(1);
    // Under half its need even then: down.
    expect(nextLayerCap(LAYERS, 2, cap, 300, P.recoveryMs - 500).layer).toBe(0);
    // After the recovery time the estimate is believed again.
    cap = feed(cap, 470, P.recoveryMs, P.recoveryMs + P.downConfirmMs);
    expect(cap.layer).toBe(0);
  });

  it('nextLayerCap() keeps the bar on the layer a move down left when the estimate’s fall takes the layer further down', () => {
    let cap = nextLayerCap(LAYERS, 2, at(2), 500, 0);
    cap = nextLayerCap(LAYERS, 2, cap, 200, 1000);
    expect(cap).toMatchObject({ layer: 0, barred: 2 });
    // 450p comes back after the short wait and the hold; 720p waits for the backoff.
    cap = feed(cap, 1500, 2000, 1000 + P.downBackoffMs + P.upHoldMs);
    expect(cap.layer).toBe(1);
    cap = feed(cap, 1500, 2000 + P.downBackoffMs + P.upHoldMs, P.barMs - 1);
    expect(cap.layer).toBe(1);
  });

  it('nextLayerCap() moves up one layer at a time, each after the estimate has carried it for the hold time', () => {
    let cap = nextLayerCap(LAYERS, 2, at(0), 2000, 0);
    expect(cap).toMatchObject({ layer: 0, upSince: 0 });
    cap = nextLayerCap(LAYERS, 2, cap, 2000, P.upHoldMs - 1);
    expect(cap.layer).toBe(0);
    cap = nextLayerCap(LAYERS, 2, cap, 2000, P.upHoldMs);
    expect(cap).toMatchObject({ layer: 1, upSince: null, upAt: P.upHoldMs });
    cap = feed(cap, 2000, P.upHoldMs + 1000, 2 * P.upHoldMs + 1000);
    expect(cap.layer).toBe(2);
  });

  it('nextLayerCap() restarts the hold when an estimate in between does not carry the higher layer (a probe overshoot)', () => {
    let cap = nextLayerCap(LAYERS, 2, at(1), 1400, 0);
    cap = nextLayerCap(LAYERS, 2, cap, 900, 2000);
    expect(cap).toMatchObject({ layer: 1, upSince: null });
    cap = nextLayerCap(LAYERS, 2, cap, 1400, 4000);
    expect(nextLayerCap(LAYERS, 2, cap, 1400, P.upHoldMs + 1000).layer).toBe(1);
  });

  it('nextLayerCap() bars the layer it left for the backoff, and the layers below it only for the short wait', () => {
    let cap = nextLayerCap(LAYERS, 2, at(2), 150, 0);
    expect(cap).toMatchObject({ layer: 0, barred: 2, backoffMs: P.barMs });
    cap = feed(cap, 2000, 1000, P.downBackoffMs - 1);
    expect(cap.layer).toBe(0);
    cap = feed(cap, 2000, P.downBackoffMs, P.downBackoffMs + P.upHoldMs);
    expect(cap.layer).toBe(1);
    cap = feed(cap, 2000, P.downBackoffMs + P.upHoldMs + 1000, P.barMs - 1);
    expect(cap.layer).toBe(1);
    cap = feed(cap, 2000, P.barMs, P.barMs + P.upHoldMs);
    expect(cap.layer).toBe(2);
  });

  it('nextLayerCap() returns to the layer a failed move up left, doubles the wait for the failed one, and forgets it once it holds', () => {
    // An overshooting estimate (1.5 Mbit/s on a link that carries 450p but not 720p).
    let cap: LayerCap = { ...at(1), downAt: 0, barred: 2 };
    cap = feed(cap, 1500, P.barMs, P.barMs + P.upHoldMs);
    expect(cap.layer).toBe(2);
    const upAt = cap.upAt!;
    // 720p congests the link: the estimate falls to 0.5 Mbit/s, the layer goes back to 450p
    // (not to 180p, which that estimate alone would carry) and the wait doubles.
    cap = feed(cap, 500, upAt + 2000, upAt + 2000);
    expect(cap).toMatchObject({ layer: 1, backoffMs: 2 * P.barMs, upAt: null, barred: 2 });
    const downAt = cap.downAt!;
    cap = feed(cap, 1500, downAt + 1000, downAt + 2 * P.barMs - 1);
    expect(cap.layer).toBe(1);
    cap = feed(cap, 1500, downAt + 2 * P.barMs, downAt + 2 * P.barMs + P.upHoldMs);
    expect(cap.layer).toBe(2);
    // Failing again and again: the wait stops growing at the maximum.
    for (let i = 0; i < 10; i++) {
      const t = cap.upAt ?? cap.downAt!;
      cap = feed(cap, 500, t + 1000, t + 1000);
      cap = feed(cap, 1500, cap.downAt! + 1000, cap.downAt! + cap.backoffMs + P.upHoldMs);
    }
    expect(cap.backoffMs).toBe(P.maxBackoffMs);
    // A layer kept through its probation: the wait is back to the start.
    cap = feed(cap, 1500, cap.upAt! + 1000, cap.upAt! + P.upProbationMs);
    expect(cap).toMatchObject({ layer: 2, backoffMs: P.barMs, upAt: null });
  });

  it('nextLayerCap() never goes above the budget’s layer, however large the estimate', () => {
    const cap = feed(at(0), 10_000, 0, 4 * P.upHoldMs, 1);
    expect(cap.layer).toBe(1);
  });

  it('over a 1 Mbit/s link’s estimates the policy settles on the middle layer, where the previous one kept 180p most of the time', () => {
    const share = (layers: number[], layer: number): number =>
      layers.slice(10).filter((l) => l === layer).length / layers.slice(10).length;
    const now = overOneMbitLink(LINK_POLICY, 300);
    const before = overOneMbitLink(PREVIOUS_LINK_POLICY, 300);
    expect(share(now, 1)).toBeGreaterThan(0.9);
    expect(share(now, 0)).toBe(0);
    expect(share(before, 0)).toBeGreaterThan(0.5);
    // Each try of 720p lasts a second or two; fewer as the wait doubles.
    expect(share(now, 2)).toBeLessThan(0.05);
  });
});
