import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    // Integration files each start real mediasoup workers and a real FerretDB, and mostly wait
    // on real time (segments, failovers, timers): two at a time keep both cores busy (one file
    // at a time left the machine 30-40 % idle; 559 s -> 345 s for the whole suite). Each file
    // takes its own ports and data directories, so two never meet.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
