import ExcelJS from 'exceljs';
import { expect, test } from './lib/test.ts';
import type { APIRequestContext, Page } from '@playwright/test';
import { PASSWORD } from './lib/signIn.ts';

async function token(request: APIRequestContext, username: string): Promise<string> {
  const res = await request.post('/api/auth/login', { data: { username, password: PASSWORD } });
  return ((await res.json()) as { token: string }).token;
}

/** Signs in through the login form, as people do. */
async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL('**/manage**');
}

/** Fills the downloaded cluster template in the way a coordinator would in Excel. */
async function fillTemplate(template: Buffer, rows: Record<string, unknown[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ExcelJS.Buffer);
  for (const [sheet, values] of Object.entries(rows))
    for (const row of values) wb.getWorksheet(sheet)!.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

test('a coordinator builds a 1+N cluster from an Excel workbook in the browser', async ({
  page,
  request,
  browser,
}) => {
  // The county bureau's admin sets up an empty cluster and names the coordinator.
  const admin = await token(request, 'admin');
  const auth = { authorization: `Bearer ${admin}` };
  const users = await request.get('/api/users?role=coordinator', { headers: auth });
  const coordinatorId = ((await users.json()) as { items: { id: string; username: string }[] }).items.find(
    (u) => u.username === 'coordinator',
  )!.id;
  const clusterName = '桃源县架桥镇音乐联校群';
  const created = await request.post('/api/clusters', {
    headers: auth,
    data: {
      name: clusterName,
      level: 'county',
      mode: '1+N',
      regionCode: '430725',
      hubSchoolIds: [],
      memberSchoolIds: [],
      coordinatorIds: [coordinatorId],
    },
  });
  expect(created.status()).toBe(201);

  await signIn(page, 'coordinator');
  await page.locator('[data-section="import"]').click();
  await page.getByTestId('import-kind').selectOption('cluster');
  await page.getByTestId('import-cluster').selectOption({ label: clusterName });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '下载模板' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('联校群导入模板.xlsx');
  const template = await download.createReadStream().then(async (stream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  });

  const rows: Record<string, unknown[][]> = {
    学校: [
      ['架桥镇中心小学', 430725, '主讲学校', 100, 50],
      ['龙潭村小学', 430725, '乡村学校', 6, 2],
      ['白鹤教学点', 430725, '教学点', 4, 1],
    ],
    教室: [
      ['架桥镇中心小学', '录播教室', '录播教室', '是', 'jq.rec'],
      ['龙潭村小学', '三年级教室', '接收教室', '是', 'lt.room3'],
      ['白鹤教学点', '复式教室', '接收教室', '否', 'bh.room1'],
    ],
    教学班: [
      ['龙潭村小学', 3, '三年级1班', 21],
      ['白鹤教学点', '三年级', '复式班', 8],
    ],
    教师: [['jq.music', '彭丽', '13700000001', '架桥镇中心小学', '音乐']],
    作息时间: [
      ['架桥镇中心小学', 1, '08:00', '08:40', '1-5'],
      ['龙潭村小学', 1, '08:10', '08:50', '周一至周五'],
      ['白鹤教学点', 1, '08:20', '09:00', '1-5'],
    ],
  };
  // First try: a typo in a class size and a school that is not in the workbook.
  const bad = structuredClone(rows);
  bad['教学班']!.push(['龙潭村小学', 4, '四年级1班', '二十'], ['不存在小学', 5, '五年级1班', 20]);
  await page.getByTestId('import-file').setInputFiles({
    name: '架桥联校群.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: await fillTemplate(template, bad),
  });
  await page.getByTestId('import-check').click();
  const result = page.getByTestId('import-result');
  await expect(result).toHaveAttribute('data-state', 'errors');
  const errorRows = page.getByTestId('import-errors').locator('tbody tr');
  await expect(errorRows).toHaveCount(2);
  await expect(errorRows.nth(0)).toContainText('教学班');
  await expect(errorRows.nth(0)).toContainText('4');
  await expect(errorRows.nth(0)).toContainText('人数');
  await expect(errorRows.nth(1)).toContainText('不存在小学');

  // Fixed: the check passes and says what it will do; the import creates the cluster.
  await page.getByTestId('import-file').setInputFiles({
    name: '架桥联校群.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: await fillTemplate(template, rows),
  });
  await page.getByTestId('import-check').click();
  await expect(result).toHaveAttribute('data-state', 'checked');
  await expect(page.getByTestId('import-summary')).toContainText('学校');
  await page.getByTestId('import-run').click();
  await expect(result).toHaveAttribute('data-state', 'imported');
  const credentials = page.getByTestId('import-credentials').locator('tbody tr');
  await expect(credentials).toHaveCount(4);

  // A new classroom device signs in with the password handed out: it is one-time, so the
  // whiteboard asks for a password of its own, then opens the classroom kiosk.
  const device = credentials.filter({ hasText: 'lt.room3' });
  const password = (await device.locator('td').nth(2).textContent())!;
  const whiteboard = await (await browser.newContext()).newPage();
  await whiteboard.goto('/login');
  await whiteboard.locator('#username').fill('lt.room3');
  await whiteboard.locator('#password').fill(password);
  await whiteboard.getByTestId('login-submit').click();
  await expect(whiteboard.getByTestId('password-form')).toBeVisible();
  await whiteboard.locator('#new-password').fill('lt-room3-own');
  await whiteboard.locator('#repeat-password').fill('lt-room3-own');
  await whiteboard.getByTestId('password-submit').click();
  await expect(whiteboard).toHaveURL(/\/classroom/);
  const login = await request.post('/api/auth/login', { data: { username: 'lt.room3', password } });
  expect(login.status()).toBe(401);
  await whiteboard.context().close();

  // The overview shows the new cluster: its hub and two receiving schools.
  await page.locator('[data-section="overview"]').click();
  const card = page.getByTestId('cluster-card').filter({ hasText: clusterName });
  await expect(card.getByTestId('school-card')).toHaveCount(3);
  await expect(card.locator('.school-card.hub')).toContainText('架桥镇中心小学');
});

test('a county bureau admin sees only their county', async ({ page, request }) => {
  // A school in the neighbouring county 安乡县 (430721).
  const admin = await token(request, 'admin');
  const res = await request.post('/api/schools', {
    headers: { authorization: `Bearer ${admin}` },
    data: {
      name: '安乡县深柳镇中心小学',
      regionCode: '430721',
      kind: 'hub',
      downlinkMbps: 100,
      uplinkMbps: 50,
    },
  });
  expect(res.status()).toBe(201);

  await signIn(page, 'bureau');
  await page.locator('[data-section="schools"]').click();
  const table = page.getByTestId('table-schools');
  await expect(table).toContainText('桃源县漳江小学');
  await expect(table).not.toContainText('安乡县深柳镇中心小学');
  const direct = await page.request.get(`/api/schools/${((await res.json()) as { id: string }).id}`);
  expect(direct.status()).toBe(404);
});
