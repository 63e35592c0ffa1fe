import { expect, test } from './lib/test.ts';
import { openAs } from './lib/signIn.ts';

test('the management pages switch dates and month names to English with the language (no "2026年12月" in English)', async ({
  browser,
}) => {
  const page = await openAs(browser, 'coordinator', '/manage#dashboard');
  const crumbs = page.getByTestId('report-crumbs');
  await expect(crumbs).toContainText(/\d{4}年\d{1,2}月/);

  await page.getByRole('button', { name: 'language' }).click();
  // This month as the server counts it (China Standard Time), named in English.
  const month = new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: 'long',
    timeZone: 'Asia/Shanghai',
  }).format(new Date());
  await expect(crumbs).toContainText(month);
  await expect(crumbs).not.toContainText('年');
  await expect(page.getByTestId('report-period').locator('option').first()).toHaveText('This month');

  await page.locator('a[data-section="bells"]').click();
  await expect(page.getByRole('tab').first()).toHaveText('Mon');
  await page.getByRole('button', { name: 'language' }).click();
  await expect(page.getByRole('tab').first()).toHaveText('周一');
  await page.context().close();
});
