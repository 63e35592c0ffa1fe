/**
 * Time bounds of a recording's background work: composing its MP4 and stopping its
 * recorders. Work that outlives its bound is stopped (its signal aborts: ffmpeg and ffprobe
 * are killed) and ends as failed with a clear error, instead of leaving the recording
 * "composing" for ever.
 */

/** How long a composition may run: `floorMs` plus `perLesson` times the lesson's length. */
export interface ComposeBound {
  floorMs: number;
  perLesson: number;
}

/**
 * Two minutes plus twice the lesson's length: composition runs at ≥ 4× real time here
 * (bench:recording), so this is eight times the goal's time plus room for a queue and a
 * slow start; a 45-minute lesson gets 92 minutes.
 */
export const DEFAULT_COMPOSE_BOUND: ComposeBound = { floorMs: 120_000, perLesson: 2 };

/** How long an ended lesson's recorders may take to stop before it is finished without them, ms. */
export const STOP_BOUND_MS = 30_000;

/** The composition bound of a lesson `durationMs` long, ms. */
export function composeBoundMs(durationMs: number, bound: ComposeBound = DEFAULT_COMPOSE_BOUND): number {
  return Math.round(bound.floorMs + bound.perLesson * durationMs);
}

/** Work stopped because it ran past its bound. */
export class TimeBoundError extends Error {
  override readonly name = 'TimeBoundError';
  readonly boundMs: number;

  constructor(message: string, boundMs: number) {
    super(message);
    this.boundMs = boundMs;
  }
}

/** A duration in words for an error message: "45 s", "12.5 min". */
export function spoken(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

/**
 * Runs `work` with a signal that aborts when `outer` does or when `boundMs` has passed
 * (with `timeout()` as its reason), and settles as soon as either happens: a step that
 * ignores the signal cannot hold the caller. The work should stop its processes on the
 * signal and write nothing once it aborted.
 */
export async function bounded<T>(
  boundMs: number,
  outer: AbortSignal | undefined,
  timeout: () => TimeBoundError,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const watchdog = new AbortController();
  const timer = setTimeout(() => watchdog.abort(timeout()), boundMs);
  const signal = outer ? AbortSignal.any([outer, watchdog.signal]) : watchdog.signal;
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = work(signal);
  // Whichever loses the race is settled here, not reported as unhandled.
  running.catch(() => undefined);
  aborted.catch(() => undefined);
  try {
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
