/**
 * Which of the teacher camera's simulcast layers a classroom's link carries, from mediasoup's
 * bandwidth estimate of that link.
 *
 * mediasoup already moves a simulcast consumer between layers up to its preferred layer by
 * the transport's estimate, but it spends the whole estimate on video at the layers' measured
 * bitrates, which run below the layers' caps on a quiet picture and in the seconds after a
 * switch: no room for audio (which takes no part in its allocation), retransmissions or key
 * frame bursts. On a 1 Mbit/s link with 3 % loss it was seen choosing the 720p layer (capped
 * at 1.2 Mbit/s) at a ~0.75 Mbit/s estimate, which the link then delivered at ~6 frames a
 * second. So the preferred layer is also capped by the estimate, by the layers' nominal
 * bitrates (maxBitrate) plus audio; within that cap mediasoup still does its own switching.
 */

/** Share of the estimate a higher layer (plus audio) may take to be moved up to. */
export const UP_SHARE = 0.95;
/** The current layer (plus audio) is kept until it needs more than this share of the estimate. */
export const DOWN_SHARE = 1.05;
/**
 * How long the estimate must carry a higher layer before moving up to it, ms. Bandwidth
 * probes overshoot: a 1 Mbit/s link was seen estimated at 1.33 Mbit/s for a few seconds, and
 * an upgrade on that froze the picture until the estimate fell back.
 */
export const UP_HOLD_MS = 8000;
/** After moving down, no move up for this long, ms (as mediasoup's own hold after a BWE downgrade). */
export const DOWN_BACKOFF_MS = 10_000;
/**
 * A move down within this long of a move up means the move up failed, ms: the next wait
 * before moving up doubles (up to `MAX_BACKOFF_MS`). Bandwidth estimates overshoot a thin
 * link (a 1 Mbit/s link was estimated at 1.3–1.6 Mbit/s while it carried the lowest layer),
 * and each failed move up costs the classroom a second or more of frozen picture.
 */
export const UP_PROBATION_MS = 20_000;
/** The longest wait before trying a higher layer again, ms. */
export const MAX_BACKOFF_MS = 160_000;
/**
 * How long the estimate must stay short of the current layer before moving down, ms: the
 * estimate dips for a sample or two when a burst of key frames or probing meets a queue (it
 * was seen at 0.16 Mbit/s for half a second on a 6 Mbit/s link), and a move down on that
 * costs the classroom `DOWN_BACKOFF_MS` plus `UP_HOLD_MS` at the lower layer. A drop below
 * half the layer's need is believed at once.
 */
export const DOWN_CONFIRM_MS = 1000;
/** Room kept for audio beside video, kbit/s. */
export const AUDIO_KBPS = 64;

/** kbit/s that layer `i` of `encodings` needs with audio (its maxBitrate; 0 when unknown). */
function needKbps(encodings: readonly { maxBitrate?: number }[], i: number): number {
  return (encodings[i]?.maxBitrate ?? 0) / 1000 + AUDIO_KBPS;
}

/** The highest layer whose need fits `kbps` (layer 0 when none does). */
function highestFitting(encodings: readonly { maxBitrate?: number }[], kbps: number): number {
  let layer = 0;
  for (let i = 0; i < encodings.length; i++) if (needKbps(encodings, i) <= kbps) layer = i;
  return layer;
}

/**
 * The highest simulcast layer that fits `budgetKbps` with room for audio, by the encodings'
 * maxBitrate (bit/s); the lowest one when none fits; the top one without a budget.
 */
export function layerForBudget(
  encodings: readonly { maxBitrate?: number }[],
  budgetKbps: number | undefined,
): number {
  if (budgetKbps === undefined) return encodings.length - 1;
  return highestFitting(encodings, budgetKbps);
}

/** State of one receiver's cap, kept between estimates. */
export interface LayerCap {
  /** The layer preferred now. */
  layer: number;
  /** Since when (ms) the estimate has carried a layer above `layer`; null when it has not. */
  upSince: number | null;
  /** When (ms) the layer last moved down; null if never. */
  downAt: number | null;
  /** Since when (ms) the estimate has been short of the current layer; null when it has not. */
  lowSince: number | null;
  /** When (ms) the layer last moved up; null if never. */
  upAt: number | null;
  /** Wait after a move down before moving up again, ms (doubles after each failed move up). */
  backoffMs: number;
}

/** A receiver's cap before any estimate: at `layer`, nothing tried yet. */
export function initialLayerCap(layer: number): LayerCap {
  return { layer, upSince: null, downAt: null, lowSince: null, upAt: null, backoffMs: DOWN_BACKOFF_MS };
}

/**
 * The next preferred layer for a receiver given a new estimate (kbit/s) at `now` (ms); never
 * above `ceiling` (the budget's layer).
 *
 * - Down, to the layer the estimate carries, once the current layer has not fitted for
 *   `DOWN_CONFIRM_MS` (at once when the estimate is under half its need). A move down within
 *   `UP_PROBATION_MS` of a move up doubles the wait before the next move up.
 * - Up, one layer at a time, once the estimate has carried the next layer for `UP_HOLD_MS`
 *   and the wait since the last move down is over. A layer kept through its probation brings
 *   the wait back to `DOWN_BACKOFF_MS`.
 */
export function nextLayerCap(
  encodings: readonly { maxBitrate?: number }[],
  ceiling: number,
  cap: LayerCap,
  estimateKbps: number,
  now: number,
): LayerCap {
  const current = Math.min(cap.layer, ceiling);
  const carried = Math.min(ceiling, highestFitting(encodings, estimateKbps * UP_SHARE));
  const need = needKbps(encodings, current);
  const proven = cap.upAt !== null && now - cap.upAt >= UP_PROBATION_MS;
  const backoffMs = proven ? DOWN_BACKOFF_MS : cap.backoffMs;
  if (current > 0 && need > estimateKbps * DOWN_SHARE) {
    const lowSince = cap.lowSince ?? now;
    if (now - lowSince < DOWN_CONFIRM_MS && estimateKbps >= need / 2)
      return { ...cap, layer: current, upSince: null, lowSince, backoffMs };
    const failedUp = cap.upAt !== null && now - cap.upAt < UP_PROBATION_MS;
    return {
      layer: Math.min(carried, current - 1),
      upSince: null,
      downAt: now,
      lowSince: null,
      upAt: null,
      backoffMs: failedUp ? Math.min(MAX_BACKOFF_MS, backoffMs * 2) : backoffMs,
    };
  }
  const settled = { ...cap, layer: current, lowSince: null, backoffMs, upAt: proven ? null : cap.upAt };
  if (carried <= current || (cap.downAt !== null && now - cap.downAt < backoffMs))
    return { ...settled, upSince: null };
  const upSince = cap.upSince ?? now;
  if (now - upSince < UP_HOLD_MS) return { ...settled, upSince };
  return { ...settled, layer: current + 1, upSince: null, upAt: now };
}
