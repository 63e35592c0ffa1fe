/**
 * Number words for the delivery reasons and rule sentences (which are `Text`s, in both
 * languages: scheduler/text.ts). Pure formatting, no rules.
 */

/**
 * A share as a percentage with at most one decimal, rounded down, so that a share just
 * under a threshold never reads as the threshold ("79.9", not "80"). 0.8 → "80".
 */
export function percent(share: number): string {
  // The epsilon absorbs binary noise (0.29 × 1000 = 289.99999999999994).
  const tenths = Math.floor(share * 1000 + 1e-6);
  return String(tenths / 10);
}

/** A duration in ms as minutes with at most one decimal: 1_800_000 → "30", 1_830_000 → "30.5". */
export function minutes(ms: number): string {
  return String(Math.round(ms / 6_000) / 10);
}
