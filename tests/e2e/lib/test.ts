import { test as base } from '@playwright/test';

/**
 * Playwright's `test`, plus one rule every spec needs: contexts a test opened itself with
 * `browser.newContext()` (a kiosk, a studio, six teachers) are closed when it ends, passed or
 * failed. Playwright closes only its own `context` fixture; a forgotten one keeps capturing,
 * encoding and receiving video into every later spec of the run, on two cores.
 */
export const test = base.extend<{ closeOpenedContexts: void }>({
  closeOpenedContexts: [
    async ({ browser }, use) => {
      await use();
      await Promise.all(browser.contexts().map((context) => context.close()));
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
