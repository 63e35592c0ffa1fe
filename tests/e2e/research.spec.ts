import { expect, test } from './lib/test.ts';
import type { Page } from '@playwright/test';
import type { ResearchSessionView } from '../../server/contract/research.ts';
import { DEMO_ALLIANCES } from '../../server/seed/research.ts';
import { board, itemsOf, scribble, settledSeq } from './lib/board.ts';
import { openAs, signedInPage } from './lib/signIn.ts';

const TEACHERS = ['teacher', 'teacher2', 'teacher3', 'teacher4', 'teacher5', 'teacher6'];
const CSRF = { 'x-requested-with': 'sync-classroom' };

/** The page's remote tiles: whether each one's video plays and how much of its voice was heard. */
function remoteTiles(page: Page): Promise<{ video: string; energy: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="research-tile"][data-audio-energy]')].map(
      (el) => ({
        video: el.dataset['video'] ?? '',
        energy: Number(el.dataset['audioEnergy']),
      }),
    ),
  );
}

test('a research session (网络教研, N+N) of 6 teachers: each sees and hears the other 5, and all 6 count as taking part', async ({
  browser,
}) => {
  // The county bureau adds teacher2 to the English alliance: six teachers from five schools.
  const bureau = await signedInPage(browser, 'bureau');
  const alliances = (await (await bureau.request.get('/api/alliances')).json()) as {
    items: { id: string; name: string; memberTeacherIds: string[] }[];
  };
  const english = alliances.items.find((a) => a.name === DEMO_ALLIANCES[0])!;
  const users = (await (await bureau.request.get('/api/users?pageSize=200')).json()) as {
    items: { id: string; username: string }[];
  };
  const teacher2 = users.items.find((u) => u.username === 'teacher2')!;
  const patched = await bureau.request.patch(`/api/alliances/${english.id}`, {
    headers: CSRF,
    data: { memberTeacherIds: [...english.memberTeacherIds, teacher2.id] },
  });
  expect(patched.status()).toBe(200);
  const sessions = (await (
    await bureau.request.get(`/api/research-sessions?allianceId=${english.id}`)
  ).json()) as {
    items: { id: string }[];
  };
  const sessionId = sessions.items[0]!.id;

  const pages: Page[] = [];
  for (const username of TEACHERS) {
    const page = await openAs(browser, username, `/research/session?id=${sessionId}`);
    await expect(page.getByTestId('research-tile')).toHaveCount(6);
    await page.getByTestId('research-join').click();
    await expect(page.getByTestId('research-status')).toHaveAttribute('data-media', 'joined', {
      timeout: 30_000,
    });
    pages.push(page);
  }
  for (const [i, page] of pages.entries()) {
    await expect
      .poll(async () => (await remoteTiles(page)).filter((t) => t.video === 'playing').length, {
        timeout: 60_000,
        message: `${TEACHERS[i]} sees the other five`,
      })
      .toBe(5);
    await expect
      .poll(async () => (await remoteTiles(page)).filter((t) => t.energy > 0).length, {
        timeout: 30_000,
        message: `${TEACHERS[i]} hears the other five`,
      })
      .toBe(5);
  }
  const view = (await (
    await bureau.request.get(`/api/research-sessions/${sessionId}/view`)
  ).json()) as ResearchSessionView;
  expect(view.state).toBe('live');
  expect(view.attendeeIds).toHaveLength(6);

  // The shared board: the leading teacher draws; every other teacher's board shows the same
  // stroke at the same sequence number, and without the pen it is not theirs to write on.
  const lead = pages[0]!;
  // (Below the session's heading and agenda at 1280×720: scribble scrolls it into view.)
  await scribble(lead, [0.2, 0.3], [0.6, 0.4]);
  await expect.poll(() => itemsOf(lead)).toBe(1);
  await settledSeq(pages);
  for (const page of pages.slice(1)) {
    await expect(board(page)).toHaveAttribute('data-items', '1');
    await expect(board(page)).toHaveAttribute('data-editable', 'false');
  }

  // The leading teacher ends it.
  await pages[0]!.getByTestId('research-end').click();
  await expect(pages[0]!.getByTestId('research-state')).toHaveAttribute('data-state', 'ended');
});
