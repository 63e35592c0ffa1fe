import ExcelJS from 'exceljs';
import { expect, test } from './lib/test.ts';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import type { ReportView } from '../../server/contract/reports.ts';
import { currentLessonState, openAs, signedInPage } from './lib/signIn.ts';

const CLASSROOMS = ['classroom1', 'classroom2', 'classroom3', 'classroom4'];

// The demo server runs one-minute demo lessons (DEMO_LESSON_MINUTES in playwright.config.ts).
test('a demo lesson taught in the browser appears as delivered, with each classroom’s attendance, on the dashboard and in the month’s report', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // The demo's month so far (its seeded past lessons), which the lessons taught here add to.
  const coordinator = await signedInPage(browser, 'coordinator');
  const month = async () =>
    ((await (await coordinator.request.get('/api/reports/figures')).json()) as ReportView).figures.sessions;
  const before = await month();
  const kiosks = await Promise.all(CLASSROOMS.map((u) => openAs(browser, u, '/classroom')));
  const studio = await openAs(browser, 'teacher', '/studio');
  const state = studio.getByTestId('lesson-state');

  // The lesson waiting since the server started is taught for a moment only: ended early.
  await studio.getByTestId('lesson-start').click();
  await expect(state).toHaveAttribute('data-state', 'live');
  await studio.getByTestId('lesson-end').click();
  await expect(state).toHaveAttribute('data-state', 'ended');

  // The demo keeps a lesson ready: a fresh one starts now, and is taught to its end.
  await expect.poll(() => currentLessonState(studio)).toBe('scheduled');
  await studio.reload();
  await expect(state).toHaveAttribute('data-state', 'idle');
  await studio.getByTestId('lesson-start').click();
  await expect(state).toHaveAttribute('data-state', 'live');
  for (const kiosk of kiosks)
    await expect(kiosk.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  // The assistant teacher of the first classroom confirms the head count.
  await kiosks[0]!.getByTestId('headcount-confirm').click();
  await expect(kiosks[0]!.getByTestId('headcount-state')).toBeVisible();
  const { lesson } = (await (
    await studio.request.get('/api/lessons/current')
  ).json()) as CurrentLessonResponse;
  await studio.waitForTimeout(Math.max(0, Date.parse(lesson!.scheduledEnd) - Date.now()));
  await studio.getByTestId('lesson-end').click();
  await expect(state).toHaveAttribute('data-state', 'ended');

  // The coordinator's dashboard: this month, the cluster's sessions, the two taught here among them.
  const manage = await openAs(browser, 'coordinator', '/manage#dashboard');
  const ours = (verdict: string) =>
    manage
      .locator(`[data-testid="report-session"][data-verdict="${verdict}"]`)
      .filter({ hasText: lesson!.title });
  const delivered = ours('delivered');
  await expect(delivered).toHaveCount(1);
  await expect(delivered).toContainText('出勤');
  await expect(delivered).not.toContainText('缺席');
  await expect(ours('not-delivered')).toHaveCount(1);
  await expect(manage.getByTestId('target-delivered')).toHaveAttribute(
    'data-value',
    String(before.delivered + 1),
  );
  expect(await month()).toMatchObject({
    delivered: before.delivered + 1,
    notDelivered: before.notDelivered + 1,
  });
  // Its links open under the sessions (sampled once a minute: a one-minute lesson may have none).
  await delivered.getByTestId('report-session-links').click();
  await expect(manage.getByTestId('link-chart')).toBeVisible();
  await expect(manage.getByTestId('link-chart')).toHaveAttribute('data-minutes', /^\d+$/);

  // The month's report, built in the background, has the same figures.
  const [download] = await Promise.all([
    manage.waitForEvent('download'),
    manage.getByTestId('report-xlsx').click(),
  ]);
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(chunks) as unknown as ExcelJS.Buffer);
  const sheet = wb.getWorksheet('汇总')!;
  const header = sheet.getRow(1).values as unknown[];
  expect((sheet.getRow(2).values as unknown[])[header.indexOf('已开课节数')]).toBe(before.delivered + 1);

  // The kiosks would otherwise join the next test's lesson as well.
  for (const page of [...kiosks, studio, manage, coordinator]) await page.context().close();
});
