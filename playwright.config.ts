import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/e2e/lib/chromium.ts';

const PORT = Number(process.env['E2E_PORT'] ?? 3310);
// Each port gets its own output and data directory (Playwright empties its output directory
// when a run starts), so runs on different ports (E2E_PORT) can share a working copy.
const OUTPUT_DIR = PORT === 3310 ? 'test-results' : `test-results-${PORT}`;
const DATA_DIR = `${OUTPUT_DIR}/.e2e-data`;

/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser) with a fake camera
 * and microphone, against the real server, real mediasoup workers and embedded FerretDB.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: OUTPUT_DIR,
  // A test left focused with `.only` fails the CI run instead of silently skipping the others.
  forbidOnly: !!process.env['CI'],
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    locale: 'zh-CN',
    viewport: { width: 1280, height: 720 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `rm -rf ${DATA_DIR} && node --import tsx server/main.ts`,
    url: `http://localhost:${PORT}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    // Short demo lessons, so that a whole one can be taught (and counted as delivered) in a test.
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATA_DIR,
      LOG_LEVEL: 'warn',
      SFU_WORKERS: '2',
      DEMO_LESSON_MINUTES: '1',
    },
  },
});
