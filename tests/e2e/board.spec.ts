import { expect, test } from './lib/test.ts';
import type { Browser, Page, WebSocketRoute } from '@playwright/test';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import { board, itemsOf, scribble, seqOf } from './lib/board.ts';
import { currentLessonState, signedInPage } from './lib/signIn.ts';

interface Opened {
  page: Page;
  /** Cuts the page's signaling connection (and refuses reconnects) until `restore`. */
  cut(): Promise<void>;
  restore(): void;
}

/**
 * A page in its own browser context, logged in. A `cuttable` page's socket.io connection is
 * routed through the test (every message relayed by Playwright: only where a cut is needed).
 */
async function openAs(
  browser: Browser,
  username: string,
  path: string,
  { cuttable = false }: { cuttable?: boolean } = {},
): Promise<Opened> {
  const page = await signedInPage(browser, username);
  let down = false;
  const open = new Set<WebSocketRoute>();
  if (cuttable)
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (down) {
        void ws.close({ code: 1006, reason: 'cut by the test' }).catch(() => undefined);
        return;
      }
      open.add(ws);
      ws.onClose(() => open.delete(ws));
      ws.connectToServer();
    });
  await page.goto(path);
  return {
    page,
    async cut() {
      if (!cuttable) throw new Error(`${username}'s page was not opened cuttable`);
      down = true;
      await Promise.all([...open].map((ws) => ws.close({ code: 1006, reason: 'cut by the test' })));
    },
    restore() {
      down = false;
    },
  };
}

/** A small valid PDF of `pages` landscape pages, each saying its number (with a correct xref table). */
function pdfOf(pages: number): Buffer {
  const objects: string[] = [];
  const kids: string[] = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  for (let i = 0; i < pages; i++) {
    const page = 4 + i * 2;
    const text = `BT /F1 64 Tf 120 180 Td (Courseware page ${i + 1}) Tj ET`;
    objects[page] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] /Contents ${page + 1} 0 R ` +
      '/Resources << /Font << /F1 3 0 R >> >> >>';
    objects[page + 1] = `<< /Length ${text.length} >>\nstream\n${text}\nendstream`;
    kids.push(`${page} 0 R`);
  }
  objects[2] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let n = 1; n < objects.length; n++) {
    offsets[n] = out.length;
    out += `${n} 0 obj\n${objects[n]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let n = 1; n < objects.length; n++) out += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Every page shows the board at the teacher's sequence number with the teacher's items. */
async function expectSameBoard(teacher: Page, classrooms: Page[]): Promise<void> {
  await expect.poll(() => seqOf(teacher)).toBeGreaterThan(0);
  for (const page of classrooms) {
    await expect.poll(async () => (await seqOf(page)) === (await seqOf(teacher))).toBe(true);
    expect(await itemsOf(page)).toBe(await itemsOf(teacher));
  }
}

test('the board in a live lesson: the teacher draws, a classroom with the pen draws, one without is refused, late and cut classrooms end identical, raise hand → floor → another classroom hears it', async ({
  browser,
}) => {
  // Four pages with live video on two cores: 2.2 min alone here, so room to spare.
  test.setTimeout(300_000);
  const studio = (await openAs(browser, 'teacher', '/studio')).page;
  const [k1, k2, k3] = await Promise.all(
    ['classroom1', 'classroom2', 'classroom3'].map((u) =>
      openAs(browser, u, '/classroom', { cuttable: u === 'classroom3' }),
    ),
  );
  const kiosks = [k1!.page, k2!.page, k3!.page];
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'idle');
  await expect(studio.getByTestId('board-surface')).toBeVisible();
  await studio.getByTestId('lesson-start').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  for (const page of kiosks) await expect(page.getByTestId('board-surface')).toBeVisible({ timeout: 30_000 });

  // The teacher imports a two-page PDF: rendered in the browser, uploaded, and every classroom follows.
  await studio.getByTestId('board-import-input').setInputFiles({
    name: '课件.pdf',
    mimeType: 'application/pdf',
    buffer: pdfOf(2),
  });
  await expect(studio.getByTestId('board-page-label')).toContainText('2 / 3', { timeout: 30_000 });
  const page = await board(studio).getAttribute('data-page');
  for (const kiosk of kiosks) await expect(board(kiosk)).toHaveAttribute('data-page', page!);

  // The teacher draws on the courseware: every classroom ends with the same board.
  await scribble(studio, [0.1, 0.2], [0.5, 0.3]);
  await expect.poll(() => itemsOf(studio)).toBe(1);
  await expectSameBoard(studio, kiosks);

  // The pen to classroom 1: it draws and the teacher sees it; classroom 2 cannot.
  const tile = (n: number) => studio.getByTestId('classroom-tile').nth(n);
  await tile(0).getByTestId('tile-pen').click();
  await expect(board(kiosks[0]!)).toHaveAttribute('data-editable', 'true');
  await expect(board(kiosks[1]!)).toHaveAttribute('data-editable', 'false');
  await scribble(kiosks[0]!, [0.2, 0.6], [0.6, 0.7]);
  await expect.poll(() => itemsOf(studio)).toBe(2);
  // Counted in strokes, not in changes: classroom 1's stroke may still be finishing (its last
  // changes numbered after this point) while classroom 2 tries.
  await scribble(kiosks[1]!, [0.2, 0.4], [0.4, 0.5]);
  await studio.waitForTimeout(500);
  expect(await itemsOf(studio)).toBe(2);
  await expect.poll(() => itemsOf(kiosks[1]!)).toBe(2);
  await tile(0).getByTestId('tile-pen').click();
  await expect(board(kiosks[0]!)).toHaveAttribute('data-editable', 'false');

  // Classroom 3's connection is cut for 5 s while the teacher draws; it comes back by itself.
  await k3!.cut();
  await scribble(studio, [0.5, 0.5], [0.8, 0.6]);
  await scribble(studio, [0.5, 0.7], [0.8, 0.8]);
  await studio.waitForTimeout(5000);
  k3!.restore();
  // A classroom joins late.
  const late = (await openAs(browser, 'classroom4', '/classroom')).page;
  await expect(late.getByTestId('board-surface')).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => itemsOf(studio)).toBe(4);
  await expectSameBoard(studio, [...kiosks, late]);

  // Classroom 2 raises its hand; the teacher gives it the floor; classroom 1 hears it.
  await kiosks[1]!.getByTestId('raise-hand').click();
  await expect(studio.getByTestId('hand-list').locator('li[data-classroom-id]')).toHaveCount(1);
  await expect(tile(1).getByTestId('tile-hand')).toBeVisible();
  await studio.getByTestId('hand-floor').click();
  await expect(studio.getByTestId('hand-list').locator('li[data-classroom-id]')).toHaveCount(0);
  await expect(kiosks[1]!.getByTestId('room-note')).not.toBeEmpty();
  await expect
    .poll(
      () =>
        kiosks[0]!.evaluate(() => {
          const audio = document.querySelector<HTMLAudioElement>('[data-testid="floor-audio"]');
          const track = (audio?.srcObject as MediaStream | null)?.getAudioTracks()[0];
          // A remote track is muted until its packets flow.
          return track ? track.readyState === 'live' && !track.muted : false;
        }),
      { timeout: 30_000 },
    )
    .toBe(true);

  // The end: the board is closed, and the demo prepares the next lesson.
  const { lesson } = (await (
    await studio.request.get('/api/lessons/current')
  ).json()) as CurrentLessonResponse;
  const finalSeq = await seqOf(studio);
  const finalItems = await itemsOf(studio);
  await studio.getByTestId('lesson-end').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'ended');
  await expect.poll(() => currentLessonState(studio)).toBe('scheduled');

  // Afterwards the coordinator replays the board: it opens as the lesson left it, and rewinds.
  const replay = (await openAs(browser, 'coordinator', `/replay?lesson=${lesson!.id}`)).page;
  await expect(board(replay)).toHaveAttribute('data-seq', String(finalSeq));
  expect(await itemsOf(replay)).toBe(finalItems);
  await replay.getByTestId('replay-slider').fill('0');
  await expect(board(replay)).toHaveAttribute('data-seq', '1');
  await expect(board(replay)).toHaveAttribute('data-items', '0');
  for (const page of [studio, ...kiosks, late, replay]) await page.context().close();
});
