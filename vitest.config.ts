/** Test projects: fast unit tests per package, and end-to-end tests against the real kernel. @module */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    // Bundles the CLIs once; CLI tests run the real binaries (node_modules/.bin/spa-server, spa-client).
    globalSetup: ['packages/test-kit/src/global-setup.ts'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
      reportsDirectory: 'reports/coverage',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'action/src/**/*.test.ts',
            'bench/lib/**/*.test.ts',
          ],
          // A package's kernel tests drive its own classes against the real kernel: e2e, not unit.
          exclude: ['packages/*/test/kernel/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts', 'packages/*/test/kernel/**/*.test.ts'],
          // Namespaces, firewalls and timing: one file at a time keeps them honest.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
