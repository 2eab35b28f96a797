import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // One line per missing outside tool, once; under CI=true a missing tool fails the run instead.
    globalSetup: ['test/setup/tools.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The e2e tests spawn the built CLI and simulators; two workers fit the 2-core machines.
    maxWorkers: 2,
  },
});
