import { expect, test } from './lib/test.ts';
import type { Locator, Page } from '@playwright/test';
import { PASSWORD } from './lib/signIn.ts';

const CLUSTER = '桃源县漳江小学英语联校群';

async function signIn(page: Page, username: string, lands: string): Promise<void> {
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`**${lands}**`);
}

/** Drags a card with the mouse (pointer events, as a finger would) and returns the verdict shown on the target. */
async function dragTo(page: Page, card: Locator, cell: Locator): Promise<string | undefined> {
  const from = (await card.boundingBox())!;
  const to = (await cell.boundingBox())!;
  await page.mouse.move(from.x + 20, from.y + 15);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await expect(cell).toHaveAttribute('data-drop', /ok|conflict/);
  const verdict = (await cell.getAttribute('data-drop')) ?? undefined;
  await page.mouse.up();
  return verdict;
}

// A classroom whiteboard's screen: the whole week grid in view.
test.use({ viewport: { width: 1600, height: 1200 } });

test('a coordinator solves, adjusts and publishes the demo cluster’s term; the kiosk shows the next lesson', async ({
  page,
  browser,
}) => {
  await signIn(page, 'coordinator', '/manage');
  await page.locator('[data-section="timetable"]').click();
  await page.getByTestId('tt-cluster').selectOption({ label: CLUSTER });

  await page.getByTestId('tt-solve').click();
  await expect(page.getByTestId('tt-state')).toHaveAttribute('data-state', 'draft', { timeout: 30_000 });
  const sessions = page.getByTestId('tt-session');
  await expect(sessions).toHaveCount(5);

  // A session dragged onto the first period (the classes have 语文 there) is refused, and says why.
  const card = sessions.first();
  const before = {
    weekday: await card.getAttribute('data-weekday'),
    period: await card.getAttribute('data-period'),
  };
  const busy = page.locator('[data-testid="tt-cell"][data-weekday="1"][data-period="1"]');
  expect(await dragTo(page, card, busy)).toBe('conflict');
  await expect(page.getByTestId('tt-message')).toHaveClass(/form-error/);
  await expect(sessions.first()).toHaveAttribute('data-weekday', before.weekday!);

  // An empty period-4 or period-5 slot is free for everyone: the session moves there.
  const empty = page
    .locator(
      '[data-testid="tt-cell"]:is([data-period="4"], [data-period="5"]):not(:has([data-testid="tt-session"]))',
    )
    .first();
  const target = {
    weekday: await empty.getAttribute('data-weekday'),
    period: await empty.getAttribute('data-period'),
  };
  expect(await dragTo(page, sessions.first(), empty)).toBe('ok');
  await expect(
    page.locator(
      `[data-testid="tt-cell"][data-weekday="${target.weekday}"][data-period="${target.period}"] [data-testid="tt-session"]`,
    ),
  ).toHaveCount(1);
  await expect(sessions).toHaveCount(5);

  // Lock it, publish.
  const moved = page.locator(
    `[data-testid="tt-cell"][data-weekday="${target.weekday}"][data-period="${target.period}"] [data-testid="tt-session"]`,
  );
  await moved.locator('.tt-lock').click();
  await expect(moved).toHaveAttribute('data-locked', 'true');
  await page.getByTestId('tt-publish').click();
  await expect(page.getByTestId('tt-state')).toHaveAttribute('data-state', 'published');

  // The classroom kiosk of a receiving class shows the next lesson of the published timetable.
  const kioskContext = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const kiosk = await kioskContext.newPage();
  await signIn(kiosk, 'classroom1', '/classroom');
  await expect(kiosk.getByTestId('next-lesson')).toContainText(/(英语|音乐|美术)（4年级）/);
  await kioskContext.close();
});

test('the bell timeline shows every school of the demo cluster and finds their bells compatible', async ({
  page,
}) => {
  await signIn(page, 'coordinator', '/manage');
  await page.locator('[data-section="bells"]').click();
  await page.getByTestId('compat-cluster').selectOption({ label: CLUSTER });
  await expect(page.getByTestId('compat-verdict')).toHaveAttribute('data-feasible', 'true');
  await expect(page.getByTestId('compat-row')).toHaveCount(5);
  await expect(page.locator('.compat-row.hub .period.ok')).toHaveCount(6);
});
