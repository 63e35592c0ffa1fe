import type { Page } from '@playwright/test';

/**
 * Records, in the page, the wall-clock time (ms since the epoch) of every video frame the
 * element matched by `selector` presents (requestVideoFrameCallback). A rejoin may put a new
 * element in its place: the recorder follows whichever element matches now.
 */
export async function recordFrames(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { __frames?: Record<string, number[]> };
    const frames = ((w.__frames ??= {})[sel] = [] as number[]);
    let watched: HTMLVideoElement | null = null;
    const watch = (video: HTMLVideoElement): void => {
      video.requestVideoFrameCallback(() => {
        if (video !== watched) return;
        frames.push(Date.now());
        watch(video);
      });
    };
    setInterval(() => {
      const video = document.querySelector<HTMLVideoElement>(sel);
      if (video && video !== watched) {
        watched = video;
        watch(video);
      }
    }, 100);
  }, selector);
}

/** The times recorded by `recordFrames` for `selector`. */
export function framesOf(page: Page, selector: string): Promise<number[]> {
  return page.evaluate(
    (sel) => (window as unknown as { __frames?: Record<string, number[]> }).__frames?.[sel] ?? [],
    selector,
  );
}

/**
 * When video came back after an outage that began at `since`: the first frame after the
 * longest pause between frames that overlaps `since`, provided `frames` more follow it (a
 * stray frame is not recovery). Null while it has not.
 */
export function resumedAt(times: readonly number[], since: number, frames = 10): number | null {
  let gapEnd: number | null = null;
  let longest = 0;
  for (let i = 1; i < times.length; i++) {
    const [before, after] = [times[i - 1]!, times[i]!];
    if (after <= since) continue;
    if (after - before > longest) {
      longest = after - before;
      gapEnd = i;
    }
  }
  if (gapEnd === null || times.length - gapEnd < frames) return null;
  return times[gapEnd]!;
}

/** Frames decoded so far by the video element matched by `selector` (0 before its first frame). */
export function decodedFrames(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const video = document.querySelector<HTMLVideoElement>(sel);
    return video && video.videoWidth > 0 ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
  }, selector);
}
