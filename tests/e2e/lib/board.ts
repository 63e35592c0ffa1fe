import type { Locator, Page } from '@playwright/test';

/** The page's lesson board (its data attributes: `data-seq`, `data-items`, `data-page`, …). */
export const board = (page: Page): Locator => page.getByTestId('board');
/** The sequence number of the last change the page's board shows. */
export const seqOf = async (page: Page): Promise<number> =>
  Number(await board(page).getAttribute('data-seq'));
/** How many items the page's board shows. */
export const itemsOf = async (page: Page): Promise<number> =>
  Number(await board(page).getAttribute('data-items'));

/**
 * Draws a freehand stroke with the mouse from `from` to `to` (fractions of the board's surface),
 * in a few moves: each move waits for the page to take it, which takes seconds on two cores
 * busy with several pages' video, and a stroke of six moves streams as one like any other.
 */
export async function scribble(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const surface = page.getByTestId('board-surface');
  await surface.scrollIntoViewIfNeeded();
  const box = (await surface.boundingBox())!;
  const at = ([x, y]: [number, number]): [number, number] => [box.x + box.width * x, box.y + box.height * y];
  const [x0, y0] = at(from);
  const [x1, y1] = at(to);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i <= 6; i++)
    await page.mouse.move(x0 + ((x1 - x0) * i) / 6, y0 + ((y1 - y0) * i) / 6 + Math.sin(i) * 8);
  await page.mouse.up();
}
