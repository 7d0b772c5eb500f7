import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // e2e tests build real images: one file at a time keeps the 2-core machines honest.
    fileParallelism: false,
    reporters: ['default'],
  },
});
