import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. Tests run against source: the `@quant-trim/source` export condition
 * points every workspace package at its `src/index.ts`, so no build is needed before testing.
 * Vitest runs Node tests in Vite's SSR environment, which reads `ssr.resolve.conditions`.
 */
export const SOURCE_CONDITIONS = ['@quant-trim/source', 'node', 'import', 'default'];

/**
 * Timeouts are sized for a busy 2-core box, not for speed: a PyTorch-reference case that takes 4 s
 * alone took 60 s with turbo's suites and two CPU-bound trainings beside it (load average ~20).
 * Packages whose tests train models raise it further.
 */
export function defineQuantTrimTestConfig(options: { include?: string[]; testTimeout?: number } = {}) {
  const testTimeout = options.testTimeout ?? 180_000;
  return defineConfig({
    resolve: { conditions: SOURCE_CONDITIONS },
    ssr: { resolve: { conditions: SOURCE_CONDITIONS, externalConditions: SOURCE_CONDITIONS } },
    test: {
      include: options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout,
      // beforeAll / afterAll hooks train and load models too: same budget as a test on a loaded machine.
      hookTimeout: testTimeout,
    },
  });
}
