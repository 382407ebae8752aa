import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // The PromQL conformance suite runs Prometheus's whole .test corpus in one test file.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
