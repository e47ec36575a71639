import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          // The state folder (parse cache, session records) is a temporary one, never the user's home.
          setupFiles: ['test/setup/temp-state.ts'],
        },
      },
      {
        // Debian's Chromium against pages served on loopback; needs no engine, so it runs beside the integration suite.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/setup/browser.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // A class on a real one-node swarm: sandboxes with their own engines, the class server, the gateway. Heavy,
        // so `npm test` runs it after the other projects, alone.
        test: {
          name: 'swarm',
          include: ['test/swarm/**/*.test.ts'],
          globalSetup: ['test/setup/swarm.ts'],
          testTimeout: 300_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        // Every lab verified on each engine of the matrix: this machine's, and a cgroup v2 VM with the containerd
        // image store, rootful and rootless, reached over TCP (QEMU; software emulation where KVM does not boot).
        test: {
          name: 'engines',
          include: ['test/engines/**/*.test.ts'],
          globalSetup: ['test/setup/engines.ts'],
          testTimeout: 90 * 60_000,
          hookTimeout: 45 * 60_000,
          fileParallelism: false,
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
