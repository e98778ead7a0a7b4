import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores. Command tests run the CLI in-process; only test/e2e spawns it
    // (kill-resume.test.ts runs its seeds a few at a time, within its own file).
    maxWorkers: 2,
  },
});
