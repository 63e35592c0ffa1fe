import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { openAs } from './lib/signIn.ts';

/** Frames decoded so far by the video element matched by `selector`. */
function decodedFrames(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const video = document.querySelector<HTMLVideoElement>(sel);
    return video && video.videoWidth > 0 ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
  }, selector);
}

test('a lesson taught live is recorded (录制中 in the studio and the kiosk), composed, listed in the library and played in Chromium beside its board', async ({
  browser,
}) => {
  const kiosk = await openAs(browser, 'classroom1', '/classroom');
  const studio = await openAs(browser, 'teacher', '/studio');
  await studio.getByTestId('lesson-start').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  await expect
    .poll(() => decodedFrames(kiosk, '[data-testid="teacher-video"]'), { timeout: 45_000 })
    .toBeGreaterThan(10);
  // The recorders run: the teacher and the kiosk both see it.
  await expect(studio.getByTestId('recording-badge')).toHaveAttribute('data-recording', 'on', {
    timeout: 20_000,
  });
  await expect(kiosk.getByTestId('recording-badge')).toHaveAttribute('data-recording', 'on', {
    timeout: 20_000,
  });
  await expect(studio.getByTestId('recording-badge')).toHaveText('录制中');
  // Some lesson to record, then the end.
  await studio.waitForTimeout(8000);
  await studio.getByTestId('lesson-end').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'ended');
  await kiosk.context().close();

  // The library lists it, composing then ready (the list refreshes itself while composing).
  await studio.getByTestId('library-link').click();
  const item = studio.getByTestId('library-item').first();
  await expect(item).toBeVisible();
  await expect(item.getByTestId('library-state')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await item.getByTestId('library-play').click();

  // The MP4 plays in Chromium, and the board's slider follows it.
  const video = studio.getByTestId('player-video');
  await expect(video).toBeVisible();
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 15_000 })
    .toBeGreaterThan(1);
  const duration = await video.evaluate((v: HTMLVideoElement) => v.duration);
  expect(duration).toBeGreaterThan(5);
  await studio.getByTestId('player-speed-1.5').click();
  await video.evaluate((v: HTMLVideoElement) => {
    v.muted = true;
    return v.play();
  });
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 })
    .toBeGreaterThan(1);
  expect(await video.evaluate((v: HTMLVideoElement) => v.playbackRate)).toBe(1.5);
  await expect
    .poll(async () => Number(await studio.getByTestId('player-board-slider').inputValue()))
    .toBeGreaterThan(500);
  // Seeking the board seeks the video.
  await video.evaluate((v: HTMLVideoElement) => v.pause());
  await studio.getByTestId('player-board-slider').fill('2000');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(2, 0);
  await studio.context().close();
});
