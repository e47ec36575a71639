import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/engine.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          // Tests share one engine; files run one after another so timings and names never collide.
          fileParallelism: false,
        },
      },
    ],
  },
});
