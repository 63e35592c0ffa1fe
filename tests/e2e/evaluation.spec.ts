import { expect, test } from './lib/test.ts';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import { openAs } from './lib/signIn.ts';

test('an evaluation saved live (听课评课) shows to the lesson’s teacher, with its comment jumping into the recording', async ({
  browser,
}) => {
  const studio = await openAs(browser, 'teacher', '/studio');
  await studio.getByTestId('lesson-start').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  const current = (await (await studio.request.get('/api/lessons/current')).json()) as CurrentLessonResponse;
  const lessonId = current.lesson!.id;

  // The county bureau observes the live lesson and scores it against the county's rubric.
  const bureau = await openAs(browser, 'bureau', `/evaluate?lesson=${lessonId}`);
  await expect(bureau.getByRole('heading', { name: current.lesson!.title })).toBeVisible();
  await expect(bureau.getByText('现场听课')).toBeVisible();
  const items = bureau.getByTestId('eval-item');
  await expect(items).toHaveCount(4);
  for (const [key, level] of [
    ['design', 4],
    ['interaction', 3],
    ['technology', 2],
    ['remote', 4],
  ] as const) {
    const button = bureau.locator(`[data-testid="eval-item"][data-key="${key}"] [data-level="${level}"]`);
    await button.click();
    await expect(button).toHaveAttribute('aria-pressed', 'true');
  }
  await bureau.getByTestId('eval-comment-input').fill('远端课堂的提问等待时间可以再长一些');
  await bureau.getByTestId('eval-add-comment').click();
  await expect(bureau.getByTestId('eval-comments').locator('li')).toHaveCount(1);
  await bureau.getByTestId('eval-summary').fill('整体节奏好，关注到了村小学生。');
  await bureau.getByTestId('eval-submit').click();
  await expect(bureau.getByTestId('eval-status')).toHaveText('已提交');
  // 25×4/4 + 30×3/4 + 20×2/4 + 25×4/4
  await expect(bureau.getByTestId('eval-total')).toHaveText('总分 82.5');

  // The teacher, still teaching, opens its feedback: the evaluation is there.
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  const feedback = await studio.context().newPage();
  await feedback.goto('/evaluations');
  const card = feedback.getByTestId('eval-feedback').getByTestId('eval-card');
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId('eval-card-total')).toHaveText('82.5');
  await expect(card.getByTestId('eval-comment')).toHaveText('远端课堂的提问等待时间可以再长一些');
  await expect(card).toContainText('赵强（桃源县教育局）');
  await expect(card).toContainText('教学设计 4/4');
  // The comment's time links into the library's player at that moment of the lesson.
  const jump = card.getByTestId('eval-jump');
  await expect(jump).toHaveAttribute('href', new RegExp(`^/library\\?lesson=${lessonId}&t=\\d+$`));
  await studio.getByTestId('lesson-end').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'ended');
});
