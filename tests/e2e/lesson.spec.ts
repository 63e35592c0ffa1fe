import { expect, test } from './lib/test.ts';
import type { APIRequestContext } from '@playwright/test';
import type { CurrentLessonResponse, SfuStatsResponse } from '../../server/contract/api.ts';
import { PASSWORD, openAs } from './lib/signIn.ts';
import { decodedFrames } from './lib/frameClock.ts';

const CLASSROOMS = ['classroom1', 'classroom2', 'classroom3', 'classroom4'];

async function sfuStats(request: APIRequestContext): Promise<SfuStatsResponse> {
  const login = await request.post('/api/auth/login', {
    data: { username: 'coordinator', password: PASSWORD },
  });
  const { token } = (await login.json()) as { token: string };
  const res = await request.get('/api/admin/sfu', { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as SfuStatsResponse;
}
const sfuTotals = async (request: APIRequestContext): Promise<SfuStatsResponse['totals']> =>
  (await sfuStats(request)).totals;

/**
 * What is left of a lesson's media: its room, and the routers and transports (recorders'
 * included) of the workers beyond the rooms still open (the pages may already wait in the
 * demo's next lesson, scheduled at once when one ends).
 */
async function leftOf(request: APIRequestContext, lessonId: string): Promise<object> {
  const { workers, rooms } = await sfuStats(request);
  const sum = (of: { transports: number }[]): number => of.reduce((n, x) => n + x.transports, 0);
  return {
    room: rooms.some((r) => r.lessonId === lessonId),
    routers: workers.reduce((n, w) => n + w.routers, 0) - rooms.length,
    transports: sum(workers) - sum(rooms),
  };
}

test('a hub teacher teaches four classrooms live: video and audio both ways, and ending closes every transport of the lesson', async ({
  browser,
  request,
}) => {
  // Classrooms wait on their kiosks before the lesson starts.
  const classrooms = await Promise.all(CLASSROOMS.map((u) => openAs(browser, u, '/classroom')));
  for (const page of classrooms) {
    await expect(page.getByTestId('lesson-state')).toHaveAttribute('data-state', 'idle');
  }

  const studio = await openAs(browser, 'teacher', '/studio');
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'idle');
  await expect(studio.getByTestId('classroom-tile')).toHaveCount(4);
  await studio.getByTestId('lesson-start').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');

  // Every kiosk joins by itself, decodes the teacher's video and receives audio.
  for (const page of classrooms) {
    await expect(page.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
    await expect
      .poll(() => decodedFrames(page, '[data-testid="teacher-video"]'), { timeout: 45_000 })
      .toBeGreaterThan(10);
    await expect
      .poll(async () => Number(await page.getByTestId('connection').getAttribute('data-audio-packets')), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
  }

  // The teacher decodes all four classroom cameras, and sees them connected.
  const tiles = studio.getByTestId('classroom-tile');
  for (let i = 0; i < 4; i++) {
    const id = await tiles.nth(i).getAttribute('data-classroom-id');
    const video = `[data-testid="classroom-tile"][data-classroom-id="${id}"] [data-testid="classroom-video"]`;
    await expect.poll(() => decodedFrames(studio, video), { timeout: 45_000 }).toBeGreaterThan(5);
    await expect(tiles.nth(i)).toHaveAttribute('data-connection', 'connected', { timeout: 15_000 });
  }
  // On a 1600×900 whiteboard the four tiles fit beside the board, whole, without scrolling.
  await studio.setViewportSize({ width: 1600, height: 900 });
  const bottoms = await tiles.evaluateAll((all) => all.map((tile) => tile.getBoundingClientRect().bottom));
  expect(Math.max(...bottoms)).toBeLessThanOrEqual(900);
  // 5 participants × (send + recv), and the recorder's taps (lessons are recorded by default: a
  // plain transport each) of the teacher's camera and voice and of each classroom's camera, whose
  // recorders start once its camera has settled.
  await expect.poll(async () => (await sfuTotals(request)).transports, { timeout: 15_000 }).toBe(16);

  const { lesson } = (await (
    await studio.request.get('/api/lessons/current')
  ).json()) as CurrentLessonResponse;
  await studio.getByTestId('lesson-end').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'ended');
  // Each kiosk leaves the lesson: it shows it ended until the demo's next lesson (scheduled at
  // once when one ends) becomes current, which can come before a poll sees 'ended'.
  for (const page of classrooms) {
    await expect(page.getByTestId('lesson-state')).not.toHaveAttribute('data-state', 'live');
  }
  // The studio stays open all day: the demo's next lesson comes on screen by itself, ready to start.
  await expect(studio.getByTestId('lesson-start')).toBeEnabled({ timeout: 15_000 });
  await expect
    .poll(() => leftOf(request, lesson!.id), { timeout: 15_000 })
    .toEqual({ room: false, routers: 0, transports: 0 });
  for (const page of [...classrooms, studio]) await page.context().close();
});
