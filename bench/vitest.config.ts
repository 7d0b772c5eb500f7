// `make bench` runs the benchmark through vitest, which runs TypeScript; it shares the
// build-host helpers of buildhost/ with the end-to-end tests. The test command never
// picks it up (it includes test/ only).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/run.ts'],
    testTimeout: 4 * 60 * 60 * 1000,
  },
});
