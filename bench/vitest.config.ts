// `make bench` runs the benchmark through vitest, which runs TypeScript; it shares the
// build-host helpers of buildhost/ with the end-to-end tests. The test command never
// picks it up (it includes test/ only).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // bench/buildkit.ts runs by name (BENCH_FILE): it starts an engine of its own.
    include: process.env.BENCH_FILE ? [process.env.BENCH_FILE] : ['bench/run.ts'],
    testTimeout: 4 * 60 * 60 * 1000,
  },
});
