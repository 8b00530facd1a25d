import { defineConfig } from 'vitest/config';

// Two cores: at most two test files at once; heavy tests (ffmpeg, browser, ONNX) stay sequential
// inside their file. Timings are never asserted here, only in bench/.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: ['default'],
  },
});
