import { expect, test } from './lib/test.ts';
import type { Page } from '@playwright/test';
import type { CoPlanView, LocalTimetableView, TimetableView } from '../../server/contract/timetable.ts';
import { signedInPage } from './lib/signIn.ts';

const CLUSTER = '桃源县漳江小学英语联校群';

// A classroom whiteboard's screen.
test.use({ viewport: { width: 1600, height: 1200 } });

/** The demo schools' own weeks, to put back afterwards: the specs after this one expect the demo as seeded. */
async function weeksOf(page: Page, view: CoPlanView): Promise<LocalTimetableView[]> {
  return Promise.all(
    view.schools.map(
      async (s) =>
        (await (
          await page.request.get(`/api/local-timetables/${s.id}/${view.term}`)
        ).json()) as LocalTimetableView,
    ),
  );
}

test('a coordinator co-plans the demo cluster, a school approves its part, the plan is applied and the timetable shows the sessions', async ({
  browser,
}) => {
  const coordinator = await signedInPage(browser, 'coordinator');
  await coordinator.goto('/manage#timetable');
  await coordinator.getByTestId('tt-cluster').selectOption({ label: CLUSTER });
  const section = coordinator.getByTestId('coplan');
  await expect(section).toContainText('还没有联合编排方案');

  await coordinator.getByTestId('cp-run').click();
  await expect(coordinator.getByTestId('cp-message')).toContainText('联合编排完成', { timeout: 60_000 });
  // Every session placed, next to what the solver places with nothing changed.
  await expect(coordinator.getByTestId('cp-after')).toContainText('5/5 节（100%）');
  await expect(coordinator.getByTestId('cp-before')).toContainText('/5 节');
  await expect(coordinator.locator('[data-testid="cp-locals"] li').first()).toBeVisible();
  const schools = coordinator.getByTestId('cp-school');
  await expect(schools).toHaveCount(4);
  const clusterId = await coordinator.getByTestId('tt-cluster').inputValue();
  const term = await coordinator.getByTestId('tt-term').inputValue();
  const plan = (await (
    await coordinator.request.get(`/api/timetables/${clusterId}/${term}/coplan`)
  ).json()) as CoPlanView;
  const before = await weeksOf(coordinator, plan);

  try {
    // The school's timetabler sees its own week before and after, the synchronized sessions marked, and approves.
    const school = await signedInPage(browser, 'school1');
    await school.goto('/manage');
    await expect(school.getByTestId('cps-decision')).toHaveAttribute('data-decision', 'pending');
    await expect(school.locator('[data-testid="cp-after"] [data-kind="remote"]')).toHaveCount(5);
    await expect(school.locator('[data-testid="cp-before"] [data-kind="locked"]')).toHaveCount(2);
    await school.getByTestId('cps-note').fill('教务处已核对');
    await school.getByTestId('cps-approve').click();
    await expect(school.getByTestId('cps-decision')).toHaveAttribute('data-decision', 'approved');
    await school.context().close();

    // Applying waits for the other three; the coordinator records their approval (given by phone), then applies.
    await coordinator.getByTestId('cp-apply').click();
    await expect(coordinator.getByTestId('cp-message')).toContainText('未同意');
    await coordinator.getByTestId('tt-term').dispatchEvent('change');
    await expect(coordinator.locator('[data-testid="cp-school"][data-decision="approved"]')).toHaveCount(1);
    for (let i = 0; i < 3; i++) {
      const approved = await coordinator
        .locator('[data-testid="cp-school"][data-decision="approved"]')
        .count();
      await coordinator
        .locator('[data-testid="cp-school"][data-decision="pending"] [data-testid="cp-approve-for"]')
        .first()
        .click();
      await expect(coordinator.locator('[data-testid="cp-school"][data-decision="approved"]')).toHaveCount(
        approved + 1,
      );
    }
    await coordinator.getByTestId('cp-apply').click();
    await expect(coordinator.getByTestId('cp-applied')).toContainText('已应用：5 节同步课');
    // The week grid shows the sessions placed, as a draft to publish.
    await expect(coordinator.getByTestId('tt-state')).toHaveAttribute('data-state', 'draft');
    await expect(coordinator.getByTestId('tt-session')).toHaveCount(5);
  } finally {
    // Leaves the demo as it was for the specs after this one: the schools' own weeks (bells
    // are not changed by this plan: 0–4 minutes apart) and no sessions in the draft.
    expect(plan.bellChanges).toEqual([]);
    // The CSRF header the app sends with every cookie-authenticated change.
    const headers = { 'x-requested-with': 'sync-classroom' };
    for (const week of before) {
      const res = await coordinator.request.put(`/api/local-timetables/${week.school.id}/${week.term}`, {
        data: { lessons: week.lessons },
        headers,
      });
      expect(res.status()).toBe(200);
    }
    const base = `/api/timetables/${clusterId}/${term}`;
    const draft = (await (await coordinator.request.get(base)).json()) as TimetableView;
    for (const s of draft.sessions) {
      const res = await coordinator.request.post(`${base}/edit`, {
        data: { offeringId: s.offeringId, from: { weekday: s.weekday, period: s.period } },
        headers,
      });
      expect(res.status()).toBe(200);
    }
  }
});
