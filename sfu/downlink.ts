/**
 * Which of the teacher camera's simulcast layers a classroom's link carries, from mediasoup's
 * bandwidth estimate of that link and what the link did with the layers it was given.
 *
 * mediasoup already moves a simulcast consumer between layers up to its preferred layer by
 * the transport's estimate, but it spends the whole estimate on video at the layers' measured
 * bitrates, which run below the layers' caps on a quiet picture and in the seconds after a
 * switch: no room for audio (which takes no part in its allocation), retransmissions or key
 * frame bursts. On a 1 Mbit/s link with 3 % loss it was seen choosing the 720p layer (capped
 * at 1.2 Mbit/s) at a ~0.75 Mbit/s estimate, which the link then delivered at ~6 frames a
 * second. So the preferred layer is also capped by the estimate, by the layers' nominal
 * bitrates (maxBitrate) plus audio; within that cap mediasoup still does its own switching.
 *
 * The estimate is not a measure of the link in both directions. While a 1 Mbit/s link
 * carried 180p or 360p it read 1.3–1.6 Mbit/s (its probes overshoot; mediasoup caps it at
 * 1.35 × the top layer's bitrate whatever the link), and within a second of the 720p layer
 * reaching that link it fell to 0.45–0.6 Mbit/s and stayed there for 5–10 s while the queue
 * drained, below what the same link had carried at 360p just before (bench:links, estimate
 * traced every second). A policy that believes every reading tries 720p, falls through 360p
 * to 180p on the dip, and, with the wait before the next try doubled, keeps 180p (~160
 * kbit/s of a 1 Mbit/s link) for most of the lesson; that was the policy here until
 * December 2026 (`PREVIOUS_LINK_POLICY`, kept for bench:links' same-run baseline). So
 * (`LINK_POLICY`):
 * - a move down goes one layer down, to where the link was before, unless the estimate is
 *   under half of that layer's need (then to what the estimate carries);
 * - for `recoveryMs` after a move down, the estimate is believed short of the new layer only
 *   when it is under half of its need (the dip after congestion is not the link);
 * - a move down bars the layer it left (and those above) for the backoff, which doubles when
 *   the layer fails again within its probation; the layers below it come back after the
 *   usual short wait.
 */

/** The tunables of the policy; see `LINK_POLICY` for what each does and why its value. */
export interface LinkPolicy {
  /** Share of the estimate a higher layer (plus audio) may take to be moved up to. */
  upShare: number;
  /** The current layer (plus audio) is kept until it needs more than this share of the estimate. */
  downShare: number;
  /** How long the estimate must carry a higher layer before moving up to it, ms. */
  upHoldMs: number;
  /** After moving down, no move up at all for this long, ms. */
  downBackoffMs: number;
  /** First wait before moving up again to the layer left (and above), ms; doubles on each failure. */
  barMs: number;
  /** A move down within this long of a move up means the move up failed, ms. */
  upProbationMs: number;
  /** The longest wait before trying a layer that failed again, ms. */
  maxBackoffMs: number;
  /** How long the estimate must stay short of the current layer before moving down, ms. */
  downConfirmMs: number;
  /** After a move down, how long the estimate is believed short only under half the need, ms. */
  recoveryMs: number;
  /** A move down goes one layer down (true) or straight to what the estimate carries (false). */
  stepDown: boolean;
  /** The wait after a move down bars only the layer left and above (true) or every move up (false). */
  barLeftOnly: boolean;
}

/** The policy in use. */
export const LINK_POLICY: Readonly<LinkPolicy> = Object.freeze({
  upShare: 0.95,
  // A layer stays while the estimate is at least 87 % of its need: on a 1 Mbit/s link a middle
  // layer of 0.65 Mbit/s (714 kbit/s with audio; tried, then left at 0.5 Mbit/s) was estimated
  // at 0.72–1.06 Mbit/s while it carried it.
  downShare: 1.15,
  // Bandwidth probes overshoot: a 1 Mbit/s link was seen estimated at 1.33 Mbit/s for a few
  // seconds, and an upgrade on that froze the picture until the estimate fell back.
  upHoldMs: 8000,
  // As mediasoup's own hold after a downgrade for bandwidth (BweDowngradeConservativeMs).
  downBackoffMs: 10_000,
  // Each failed try of a layer the link cannot carry costs a freeze of up to a second, and the
  // estimate's fall after it (to 0.18–0.6 Mbit/s on a 1 Mbit/s link for 5–10 s) makes
  // mediasoup itself send the lowest layer for 10–20 s: the next tries come after 1, 2 and
  // then every 4 minutes (a school's link changes with its other traffic, not by the second).
  barMs: 60_000,
  upProbationMs: 20_000,
  maxBackoffMs: 240_000,
  // The estimate dips for a sample or two when a burst of key frames or probing meets a queue
  // (it was seen at 0.16 Mbit/s for half a second on a 6 Mbit/s link).
  downConfirmMs: 1000,
  // After 720p congested a 1 Mbit/s link its estimate stayed at 0.45–0.6 Mbit/s for 5–10 s
  // while the link carried 360p (the layer it had carried before) without loss.
  recoveryMs: 12_000,
  stepDown: true,
  barLeftOnly: true,
});

/** The policy before December 2026, for bench:links' same-run baseline (see the top of the file). */
export const PREVIOUS_LINK_POLICY: Readonly<LinkPolicy> = Object.freeze({
  upShare: 0.95,
  downShare: 1.05,
  upHoldMs: 8000,
  downBackoffMs: 10_000,
  barMs: 10_000,
  upProbationMs: 20_000,
  maxBackoffMs: 160_000,
  downConfirmMs: 1000,
  recoveryMs: 0,
  stepDown: false,
  barLeftOnly: false,
});

/** Names of the policies a room can be told to use (`LessonRoomOptions.linkPolicy`). */
export const LINK_POLICIES = { adaptive: LINK_POLICY, previous: PREVIOUS_LINK_POLICY } as const;
export type LinkPolicyName = keyof typeof LINK_POLICIES;

/** Room kept for audio beside video, kbit/s: audio comes first. */
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
  /** When (ms) the layer last moved up; null if never or once it held through its probation. */
  upAt: number | null;
  /** Wait after a move down before moving up to `barred` or above, ms (doubles after each failed move up). */
  backoffMs: number;
  /** The lowest layer waiting for `backoffMs` after the last move down (the layer it left). */
  barred: number;
}

/** A receiver's cap before any estimate: at `layer`, nothing tried yet. */
export function initialLayerCap(layer: number, policy: Readonly<LinkPolicy> = LINK_POLICY): LayerCap {
  return {
    layer,
    upSince: null,
    downAt: null,
    lowSince: null,
    upAt: null,
    backoffMs: policy.barMs,
    barred: 0,
  };
}

/**
 * The next preferred layer for a receiver given a new estimate (kbit/s) at `now` (ms); never
 * above `ceiling` (the budget's layer).
 *
 * - Down, once the current layer has not fitted for `downConfirmMs` (at once when the estimate
 *   is under half its need; within `recoveryMs` of a move down, only then): one layer down
 *   (`stepDown`), or to the layer the estimate carries when that is under half the lower
 *   layer's need too. A move down within `upProbationMs` of a move up doubles the backoff.
 * - Up, one layer at a time, once the estimate has carried the next layer for `upHoldMs`,
 *   `downBackoffMs` after the last move down, and `backoffMs` after it for the layer it left
 *   and above. A layer kept through its probation brings the backoff back to `barMs`.
 */
export function nextLayerCap(
  encodings: readonly { maxBitrate?: number }[],
  ceiling: number,
  cap: LayerCap,
  estimateKbps: number,
  now: number,
  policy: Readonly<LinkPolicy> = LINK_POLICY,
): LayerCap {
  const current = Math.min(cap.layer, ceiling);
  const carried = Math.min(ceiling, highestFitting(encodings, estimateKbps * policy.upShare));
  const need = needKbps(encodings, current);
  const proven = cap.upAt !== null && now - cap.upAt >= policy.upProbationMs;
  const backoffMs = proven ? policy.barMs : cap.backoffMs;
  const recovering = cap.downAt !== null && now - cap.downAt < policy.recoveryMs;
  const short = recovering ? estimateKbps < need / 2 : need > estimateKbps * policy.downShare;
  if (current > 0 && short) {
    const lowSince = cap.lowSince ?? now;
    if (now - lowSince < policy.downConfirmMs && estimateKbps >= need / 2)
      return { ...cap, layer: current, upSince: null, lowSince, backoffMs };
    const failedUp = cap.upAt !== null && now - cap.upAt < policy.upProbationMs;
    const stepped =
      policy.stepDown && estimateKbps >= needKbps(encodings, current - 1) / 2 ? current - 1 : carried;
    return {
      layer: Math.min(stepped, current - 1),
      upSince: null,
      downAt: now,
      lowSince: null,
      upAt: null,
      backoffMs: failedUp ? Math.min(policy.maxBackoffMs, backoffMs * 2) : backoffMs,
      // A further move down while recovering follows from the first: the bar stays on the layer it left.
      barred: !policy.barLeftOnly ? 0 : recovering ? cap.barred : current,
    };
  }
  const settled = { ...cap, layer: current, lowSince: null, backoffMs, upAt: proven ? null : cap.upAt };
  const sinceDown = cap.downAt === null ? Infinity : now - cap.downAt;
  const waiting = sinceDown < policy.downBackoffMs || (current + 1 >= cap.barred && sinceDown < backoffMs);
  if (carried <= current || waiting) return { ...settled, upSince: null };
  const upSince = cap.upSince ?? now;
  if (now - upSince < policy.upHoldMs) return { ...settled, upSince };
  return { ...settled, layer: current + 1, upSince: null, upAt: now };
}
