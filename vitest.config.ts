import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    // Integration files each start real mediasoup workers and a real FerretDB (each its own
    // data directory and ports): two files at a time on a 2-core machine, 5 min instead of 9.
    // Tried once before and reverted (a lesson's end lost beside another write): that was
    // FerretDB's non-atomic updates, since fixed (server/db/connect.ts, one command at a time).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
