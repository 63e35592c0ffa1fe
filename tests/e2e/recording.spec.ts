import { expect, test } from './lib/test.ts';
import { itemsOf, scribble } from './lib/board.ts';
import { openAs } from './lib/signIn.ts';
import { decodedFrames } from './lib/frameClock.ts';

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
  // A stroke, a pause, a second stroke: the board at a moment between them is kept.
  await scribble(studio, [0.2, 0.3], [0.6, 0.4]);
  await expect.poll(() => itemsOf(studio)).toBe(1);
  const between = Date.now() + 1500;
  await studio.waitForTimeout(3000);
  await scribble(studio, [0.2, 0.6], [0.7, 0.7]);
  await expect.poll(() => itemsOf(studio)).toBe(2);
  await studio.waitForTimeout(2000);
  await studio.getByTestId('lesson-end').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'ended');
  await kiosk.context().close();

  // The library lists it, composing then ready (the list refreshes itself while composing).
  // The studio already shows the demo's next lesson (scheduled at once when one ends, so its
  // join window is open): the library by its address.
  await studio.goto('/library');
  const item = studio.getByTestId('library-item').first();
  await expect(item).toBeVisible();
  await expect(item.getByTestId('library-state')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const lessonId = await item.getAttribute('data-lesson');
  await item.getByTestId('library-play').click();

  // The MP4 plays in Chromium, and the timeline and the board beside it follow it.
  const video = studio.getByTestId('player-video');
  await expect(video).toBeVisible();
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 15_000 })
    .toBeGreaterThan(1);
  const duration = await video.evaluate((v: HTMLVideoElement) => v.duration);
  expect(duration).toBeGreaterThan(5);
  // The board is drawn into the video, the teacher's camera in a column beside it.
  expect(await video.evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight])).toEqual([1280, 540]);
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
    .poll(async () => Number(await studio.getByTestId('player-seek').inputValue()))
    .toBeGreaterThan(500);
  // The board in the player at a moment is the board that was live then.
  const recording = (await (await studio.request.get(`/api/library/recordings/${lessonId}`)).json()) as {
    liveStartedAt: string;
  };
  const liveStart = Date.parse(recording.liveStartedAt);
  await video.evaluate(
    (v: HTMLVideoElement, at: number) => {
      v.pause();
      v.currentTime = at;
    },
    (between - liveStart) / 1000,
  );
  await expect.poll(() => itemsOf(studio)).toBe(1);
  await video.evaluate((v: HTMLVideoElement) => (v.currentTime = v.duration - 0.5));
  await expect.poll(() => itemsOf(studio)).toBe(2);
  // Seeking the timeline seeks the video; so do the keys (→ 5 s) and a tap on a page (to when
  // it was first shown: the only page, at 0).
  await video.evaluate((v: HTMLVideoElement) => v.pause());
  await studio.getByTestId('player-seek').fill('2000');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(2, 0);
  await studio.getByTestId('player').focus();
  await studio.keyboard.press('ArrowRight');
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime))
    .toBeCloseTo(Math.min(7, duration), 0);
  await expect(studio.getByTestId('player-page')).toHaveCount(1);
  await expect(studio.getByTestId('player-page')).toHaveAttribute('aria-current', 'true');
  await studio.getByTestId('player-page').click();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(0, 0);

  // The teacher shares it to the region (共享): another teacher of the county finds it.
  await studio.goto('/library');
  const mine = studio.locator(`[data-testid="library-item"][data-lesson="${lessonId}"]`);
  await mine.getByTestId('library-share').click();
  await expect(mine.getByTestId('library-shared')).toBeVisible();
  const colleague = await openAs(browser, 'teacher2', '/library');
  const found = colleague.locator(`[data-testid="library-item"][data-lesson="${lessonId}"]`);
  await expect(found).toBeVisible();
  await expect(found.getByTestId('library-shared')).toBeVisible();
  await expect(found.getByTestId('library-share')).toHaveCount(0);
  // Counted on the coordinator's dashboard: recorded and shared this month, playable in the session's row.
  const manage = await openAs(browser, 'coordinator', '/manage#dashboard');
  const card = manage.getByTestId('target-recordings');
  await expect(card).toBeVisible();
  expect(Number(await card.getAttribute('data-value'))).toBeGreaterThanOrEqual(1);
  expect(Number(await card.getAttribute('data-shared'))).toBeGreaterThanOrEqual(1);
  await expect(
    manage.locator('[data-testid="report-session-recording"][data-state="ready"]').first(),
  ).toBeVisible();
  for (const page of [studio, colleague, manage]) await page.context().close();
});
