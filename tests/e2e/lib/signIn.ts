import type { Browser, BrowserContext, BrowserContextOptions, Page } from '@playwright/test';
import type { CurrentLessonResponse } from '../../../server/contract/api.ts';

/** Every demo account's password (server/seed/demo.ts). */
export const PASSWORD = 'demo2026';

export interface SignInOptions extends BrowserContextOptions {
  /** Run on the new context before its page exists (init scripts, routes). */
  prepare?: (context: BrowserContext) => Promise<void>;
}

/** A page in a browser context of its own (camera and microphone allowed), signed in as `username`. */
export async function signedInPage(
  browser: Browser,
  username: string,
  { prepare, ...options }: SignInOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], ...options });
  await prepare?.(context);
  const page = await context.newPage();
  const res = await page.request.post('/api/auth/login', { data: { username, password: PASSWORD } });
  if (!res.ok()) throw new Error(`sign-in as ${username} failed: ${res.status()} ${await res.text()}`);
  return page;
}

/** `signedInPage`, then opens `path`. */
export async function openAs(
  browser: Browser,
  username: string,
  path: string,
  options: SignInOptions = {},
): Promise<Page> {
  const page = await signedInPage(browser, username, options);
  await page.goto(path);
  return page;
}

/** The state of the lesson `/api/lessons/current` offers the page's account now (undefined: none). */
export async function currentLessonState(page: Page): Promise<string | undefined> {
  const res = await page.request.get('/api/lessons/current');
  return ((await res.json()) as CurrentLessonResponse).lesson?.state;
}
