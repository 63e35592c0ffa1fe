/**
 * Calls `fn` at most once every `ms` with the latest argument: the first call goes at once,
 * later ones within the window are folded into one trailing call with the last argument.
 */
export function throttle<T>(
  fn: (arg: T) => void,
  ms: number,
  now: () => number = Date.now,
): { call(arg: T): void; cancel(): void } {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest: { arg: T } | null = null;
  const fire = (): void => {
    timer = null;
    if (!latest) return;
    const { arg } = latest;
    latest = null;
    last = now();
    fn(arg);
  };
  return {
    call(arg: T): void {
      latest = { arg };
      if (timer) return;
      const wait = last + ms - now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    /** Drops a pending trailing call. */
    cancel(): void {
      if (timer) clearTimeout(timer);
      timer = null;
      latest = null;
    },
  };
}
