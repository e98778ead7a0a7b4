/**
 * The pacer's slots as a user relies on them: with any pattern of calls and answer
 * times, no request starts while `limit` others are in flight or answered less
 * than a window ago, and none waits longer than that rule requires (the earliest
 * freed slot is given at once). Simulated time, so it runs in milliseconds.
 */
import fc from 'fast-check';
import { afterEach, expect, it, vi } from 'vitest';
import { createPacer } from '../../src/api/pacing.js';

afterEach(() => {
  vi.useRealTimers();
});

const WINDOW = 1000;

it('keeps every start within the limit and starts each call as soon as a slot is free', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }),
      fc.array(
        fc.record({ arrive: fc.integer({ min: 0, max: 3000 }), takes: fc.integer({ min: 0, max: 700 }) }),
        {
          minLength: 1,
          maxLength: 40,
        },
      ),
      async (limit, calls) => {
        vi.useFakeTimers({ now: 0 });
        const pacer = createPacer({ ratePerMinute: limit, windowMs: WINDOW });
        const done: { start: number; answer: number }[] = [];
        const sorted = [...calls].sort((a, b) => a.arrive - b.arrive);
        const runs = sorted.map(async (call) => {
          await new Promise((resolve) => setTimeout(resolve, call.arrive));
          const permit = await pacer.acquire('embedded');
          const start = Date.now();
          await new Promise((resolve) => setTimeout(resolve, call.takes));
          done.push({ start, answer: Date.now() });
          permit.release();
          return { arrive: call.arrive, start };
        });
        const all = Promise.all(runs);
        await vi.runAllTimersAsync();
        const started = await all;
        // Busy at t: started at or before t, and not answered more than a window before t.
        const busyAt = (t: number, except: number) =>
          done.filter((d, i) => i !== except && d.start <= t && t < d.answer + WINDOW).length;
        for (let i = 0; i < done.length; i++) expect(busyAt(done[i]!.start, i)).toBeLessThan(limit);
        // A call that waited started exactly when some slot came free.
        for (const { arrive, start } of started) {
          if (start > arrive) expect(done.some((d) => d.answer + WINDOW === start)).toBe(true);
        }
        vi.useRealTimers();
      },
    ),
    { numRuns: 150 },
  );
});
