import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The e2e tests spawn the built CLI and simulators; two workers fit the 2-core machines.
    maxWorkers: 2,
  },
});
