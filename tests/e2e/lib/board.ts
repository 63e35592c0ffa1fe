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
 * Waits until every page's board shows the same sequence number and it has not changed for
 * `quietMs`, and returns it. A stroke is one item from its first change on while its later
 * points are still under way, so a sequence read as soon as the item shows may be overtaken
 * (seen: 1 read, 4 a moment later).
 */
export async function settledSeq(
  pages: readonly Page[],
  quietMs = 1000,
  timeoutMs = 30_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let settled: number | null = null;
  let since = Date.now();
  for (;;) {
    const seqs = await Promise.all(pages.map(seqOf));
    const same = seqs.every((s) => s === seqs[0]) ? seqs[0]! : null;
    if (same === null || same !== settled) {
      settled = same;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return settled;
    if (Date.now() > deadline)
      throw new Error(`the boards did not settle on one sequence: ${seqs.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
