import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // e2e tests build real images: one file at a time keeps the 2-core machines honest.
    fileParallelism: false,
    // In CI every test is listed with its time, so the log shows that the end-to-end
    // tests ran (a skipped build would show as skipped, or fail with MKIMAGE_E2E_REQUIRED=1).
    reporters: [process.env.CI ? 'verbose' : 'default'],
  },
});
