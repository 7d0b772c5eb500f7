// `make bench` runs the benchmark through vitest, which runs TypeScript and shares the
// end-to-end helpers; the test command never picks it up (it includes test/ only).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/run.ts'],
    testTimeout: 4 * 60 * 60 * 1000,
  },
});
