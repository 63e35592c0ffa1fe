import { expect, test } from './lib/test.ts';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { decodedFrames } from './lib/frameClock.ts';
import { openAs } from './lib/signIn.ts';

/** Classrooms of the broadcast: the demo's four and this many more. */
const EXTRA = 18;
const TILE_VIDEO = (id: string): string =>
  `[data-testid="classroom-tile"][data-classroom-id="${id}"] [data-testid="classroom-video"]`;

/**
 * Issue 19 in the browser: the teacher of a broadcast (名师课堂) of 22 classrooms sees them 16
 * at a time, with one bar counting every classroom's link, and receives the cameras of the
 * classrooms in view only: paging closes the cameras paged out, on the server too.
 */
test.describe('a broadcast’s classrooms in the teacher’s grid', () => {
  test.describe.configure({ timeout: 240_000 });
  let t: TestPlatform;
  let lessonId = '';
  /** classroom1 is first (page 1), classroom2 17th (page 2). */
  let order: string[] = [];

  test.beforeAll(async () => {
    t = await startPlatform();
    const { Classroom, Lesson } = t.platform.models;
    // The lesson the studio offers the demo teacher now.
    const current = (await (
      await fetch(`${t.url}/api/lessons/current`, {
        headers: { authorization: `Bearer ${await login(t.url, 'teacher')}` },
      })
    ).json()) as CurrentLessonResponse;
    const lesson = await Lesson.findById(current.lesson!.id).lean();
    const [c1, c2, ...rest] = lesson!.classroomIds;
    const school = (await Classroom.findById(c1).lean())!.schoolId;
    const extra = await Classroom.insertMany(
      Array.from({ length: EXTRA }, (_, i) => ({
        schoolId: school,
        name: `直播点 ${i + 1}`,
        kind: 'receiving',
      })),
    );
    const ids = [
      c1!,
      ...extra.slice(0, 15).map((c) => c._id),
      c2!,
      ...extra.slice(15).map((c) => c._id),
      ...rest,
    ];
    await Lesson.updateOne({ _id: lesson!._id }, { $set: { classroomIds: ids } });
    lessonId = String(lesson!._id);
    order = ids.map(String);
  });
  test.afterAll(async () => {
    await t?.close();
    if (t) removeDataDir(t.dataDir);
  });

  test('pages of 16 with one health bar; only the cameras in view reach the teacher', async ({ browser }) => {
    const baseURL = t.url;
    const studio = await openAs(browser, 'teacher', '/studio', { baseURL });
    const grid = studio.getByTestId('classroom-grid');
    await expect(grid).toHaveAttribute('data-paged', 'true');
    await expect(studio.getByTestId('classroom-tile')).toHaveCount(16);
    await expect(studio.getByTestId('grid-page')).toHaveText('第 1/2 页');
    await studio.getByTestId('lesson-start').click();
    await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
    const kiosks = await Promise.all(
      ['classroom1', 'classroom2'].map((u) => openAs(browser, u, '/classroom', { baseURL })),
    );
    for (const kiosk of kiosks)
      await expect(kiosk.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');

    // The bar counts all 22: the two kiosks connected, wherever their tiles are, the rest not.
    const bar = studio.getByTestId('grid-health');
    await expect
      .poll(async () => Number(await bar.getAttribute('data-offline')), { timeout: 60_000 })
      .toBe(EXTRA + 2);
    // Page 1: classroom1's camera plays; classroom2's tile is on page 2 and its camera is not received.
    await expect
      .poll(() => decodedFrames(studio, TILE_VIDEO(order[0]!)), { timeout: 60_000 })
      .toBeGreaterThan(5);
    const room = t.platform.rooms.get(lessonId)!;
    const consumersOnPage1 = room.stats().consumers;

    // Page 2: classroom2's camera plays, classroom1's is closed on the server (the count of
    // consumers stays: one camera out, one in).
    await studio.getByTestId('grid-next').click();
    await expect(studio.getByTestId('grid-page')).toHaveText('第 2/2 页');
    await expect(studio.getByTestId('classroom-tile')).toHaveCount(order.length - 16);
    await expect
      .poll(() => decodedFrames(studio, TILE_VIDEO(order[16]!)), { timeout: 60_000 })
      .toBeGreaterThan(5);
    expect(room.stats().consumers).toBe(consumersOnPage1);

    // The floor to classroom1 from the hand list brings its page back into view.
    await kiosks[0]!.getByTestId('raise-hand').click();
    await studio.getByTestId('hand-floor').click();
    await expect(studio.getByTestId('grid-page')).toHaveText('第 1/2 页');
    await expect
      .poll(() => decodedFrames(studio, TILE_VIDEO(order[0]!)), { timeout: 60_000 })
      .toBeGreaterThan(5);
  });
});
