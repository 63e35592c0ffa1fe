import { expect, test } from './lib/test.ts';
import type { Page } from '@playwright/test';
import { removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { sampleMedia, trackPeerConnections } from './lib/mediaStats.ts';
import { signedInPage } from './lib/signIn.ts';
import { decodedFrames } from './lib/frameClock.ts';

/**
 * 巡课 in Chromium. The platform runs in this test's process (its own port and data folder,
 * beside the configured web server), so that the test can put a second lesson live beside the
 * demo's and read the lessons' rooms directly.
 */
let t: TestPlatform;
let english: string;
let music: string;

test.beforeAll(async () => {
  t = await startPlatform({ env: { SFU_WORKERS: '2' } });
  const m = t.platform.models;
  const demo = (await m.Lesson.findOne({ state: 'scheduled' }).lean())!;
  const classroom1 = demo.classroomIds[0]!;
  const classroom3 = demo.classroomIds[2]!;
  const teacher2 = (await m.User.findOne({ username: 'teacher2' }).lean())!;
  // Two lessons now, one classroom each (fewer browsers on a small machine): the demo's English
  // lesson with classroom1, and teacher2's music lesson with classroom3.
  await m.Lesson.updateOne({ _id: demo._id }, { $set: { classroomIds: [classroom1] } });
  const second = await m.Lesson.create({
    clusterId: demo.clusterId,
    title: '音乐 · 歌曲《送别》',
    subject: '音乐',
    grade: 4,
    teacherId: teacher2._id,
    hubClassroomId: demo.hubClassroomId,
    classroomIds: [classroom3],
    scheduledStart: demo.scheduledStart,
    scheduledEnd: new Date(demo.scheduledStart.getTime() + 40 * 60_000),
  });
  english = demo._id.toString();
  music = second._id.toString();
});
test.afterAll(async () => {
  await t?.close();
  if (t) removeDataDir(t.dataDir);
});

test('an inspector watches two live lessons on the wall and opens one silently: the lesson’s media, board and participants are unchanged', async ({
  browser,
}) => {
  // Five browsers and two lessons on a small shared machine: the steps, not the figures, are tested.
  test.setTimeout(420_000);
  const as = async (username: string, path: string): Promise<Page> => {
    const page = await signedInPage(browser, username, { baseURL: t.url, prepare: trackPeerConnections });
    await page.goto(path);
    return page;
  };

  // Two lessons live, each with its classroom receiving the teacher.
  const kiosks: Page[] = [];
  const studios: Page[] = [];
  for (const [teacher, classroom] of [
    ['teacher', 'classroom1'],
    ['teacher2', 'classroom3'],
  ] as const) {
    const kiosk = await as(classroom, '/classroom');
    const studio = await as(teacher, '/studio');
    await studio.getByTestId('lesson-start').click();
    await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
    await expect(kiosk.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
    await expect
      .poll(() => decodedFrames(kiosk, '[data-testid="teacher-video"]'), { timeout: 60_000 })
      .toBeGreaterThan(10);
    kiosks.push(kiosk);
    studios.push(studio);
  }
  const room = t.platform.rooms.get(english)!;
  const participants = room.peers.map((p) => `${p.role}:${p.refId}`).sort();
  expect(participants).toHaveLength(2);
  const kiosk = kiosks[0]!;
  const before = await sampleMedia(kiosk);
  const boardBefore = await t.platform.models.BoardChunk.countDocuments({ lessonId: english });

  // The wall: both lessons, each tile the teacher's picture.
  const wall = await as('inspector', '/inspection');
  await expect(wall.getByTestId('wall-tile')).toHaveCount(2, { timeout: 30_000 });
  await expect(wall.getByTestId('wall-summary')).toContainText('2');
  for (const id of [english, music]) {
    await expect
      .poll(() => decodedFrames(wall, `[data-lesson="${id}"] [data-testid="wall-video"]`), {
        timeout: 60_000,
      })
      .toBeGreaterThan(5);
  }
  await expect(wall.locator(`[data-lesson="${english}"] [data-quality]`)).toHaveAttribute(
    'data-quality',
    /good|constrained/,
  );
  // The filter narrows the wall to the music lesson.
  await wall.getByTestId('wall-subject').selectOption('音乐');
  await expect(wall.getByTestId('wall-tile')).toHaveCount(1);
  await expect(wall.getByTestId('wall-tile')).toHaveAttribute('data-lesson', music);
  await wall.getByTestId('wall-subject').selectOption('');
  await expect(wall.getByTestId('wall-tile')).toHaveCount(2);

  // Opened: the teacher large with sound, the classroom beside, and a note stamped with the lesson's clock.
  await wall.locator(`[data-lesson="${english}"] [data-testid="wall-open"]`).click();
  await expect(wall.getByTestId('watch-state')).toHaveAttribute('data-state', 'watching', {
    timeout: 30_000,
  });
  await expect
    .poll(() => decodedFrames(wall, '[data-testid="watch-teacher-video"]'), { timeout: 60_000 })
    .toBeGreaterThan(5);
  await expect
    .poll(() => decodedFrames(wall, '[data-testid="watch-classroom"] video'), { timeout: 60_000 })
    .toBeGreaterThan(5);
  await expect
    .poll(async () => (await sampleMedia(wall)).audio.packetsReceived, { timeout: 30_000 })
    .toBeGreaterThan(0);
  // The board as the classroom sees it, read-only.
  await expect(wall.locator('[data-testid="watch-board"] canvas').first()).toBeVisible({ timeout: 30_000 });
  await wall.getByTestId('note-text').fill('板书清晰，远端学生回答积极');
  await wall.getByTestId('note-add').click();
  await expect(wall.getByTestId('note')).toHaveCount(1);
  await expect(wall.getByTestId('note')).toContainText('板书清晰');

  // The lesson is unchanged: the same participants, no badge (the region does not show it by
  // default), the kiosk still receives what it did, the board untouched, and no attendance for the watcher.
  expect(room.peers.map((p) => `${p.role}:${p.refId}`).sort()).toEqual(participants);
  await expect(kiosk.getByTestId('inspection-badge')).toBeHidden();
  const after = await sampleMedia(kiosk);
  expect(after.video.bytesReceived).toBeGreaterThan(before.video.bytesReceived);
  expect(after.audio.packetsReceived).toBeGreaterThan(before.audio.packetsReceived);
  expect(after.video.frameHeight).toBeGreaterThan(0);
  expect(await t.platform.models.BoardChunk.countDocuments({ lessonId: english })).toBe(boardBefore);
  const inspector = (await t.platform.models.User.findOne({ username: 'inspector' }).lean())!;
  expect(await t.platform.models.LessonEvent.countDocuments({ refId: inspector._id.toString() })).toBe(0);
  const studioGrid = room.peers.filter((p) => p.role === 'classroom');
  expect(studioGrid).toHaveLength(1);

  // Back on the wall; then nobody watches any more.
  await wall.getByTestId('watch-back').click();
  await expect(wall.getByTestId('wall-tile')).toHaveCount(2);
  await wall.context().close();
  await expect.poll(() => t.platform.rooms.get(english)!.stats().peers, { timeout: 15_000 }).toBe(2);

  // The county's bureau lets its classrooms see 巡课中: the next watcher is shown on the kiosk.
  const bureau = await as('bureau', '/inspection');
  await bureau.getByTestId('wall-county').selectOption('430725');
  await expect(bureau.getByTestId('wall-notice')).not.toBeChecked();
  const saved = bureau.waitForResponse((r) => r.url().endsWith('/policy') && r.request().method() === 'PUT');
  await bureau.getByTestId('wall-notice').check();
  expect((await saved).status()).toBe(200);
  await bureau.context().close();
  const again = await as('inspector', '/inspection');
  await expect(kiosk.getByTestId('inspection-badge')).toBeVisible({ timeout: 60_000 });
  await again.context().close();
  await expect(kiosk.getByTestId('inspection-badge')).toBeHidden({ timeout: 15_000 });
  for (const page of [...kiosks, ...studios]) await page.context().close();
});
