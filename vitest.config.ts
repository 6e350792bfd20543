import { defineConfig } from 'vitest/config';

// Tiers: unit tests run with the network blocked; integration tests build the real app and run
// it against the real development identity provider (oidc-provider) over HTTP.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.integration.test.ts', 'test/e2e/**'],
          setupFiles: ['test/support/block-network.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.integration.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
