/**
 * `--rate-limit-wait` / WORKATO_RATE_LIMIT_WAIT: how long a call waits out
 * continuous 429s before it fails (default 10 min, too long for a test).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  await world.expectNoLeaks();
  await world.close();
});

/** Every profile listing answered 429 with Retry-After 1, `n` times. */
function storm(n: number) {
  return {
    script: Array.from({ length: n }, () => ({ method: 'GET', status: 429, retryAfter: 1 })),
  };
}

describe('--rate-limit-wait', () => {
  it('fails a plan that stays rate limited longer than the wait, saying how long it waited', async () => {
    world = await startBench({ emulator: { faults: storm(50) } });
    const run = await world.cli(['plan', ...FAST, '--rate-limit-wait', '2.5']);
    expect(run.code).toBe(1);
    // Retry-After 1 s each: two waits fit in 2.5 s, the third would not.
    expect(run.stderr).toMatch(/still rate limited after waiting 2(\.\d)? s over 3 attempts/);
    expect(run.stderr).toContain('calls wait out 429s for at most 2.5 s');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('waits out a shorter storm and plans', async () => {
    world = await startBench({ emulator: { faults: storm(2) } });
    const run = await world.cli(['plan', ...FAST, '--rate-limit-wait', '5']);
    expect(run.code, run.stderr).toBe(0);
    expect(world.emulator.requestLog.filter((e) => e.status === 429)).toHaveLength(2);
  });

  it('a wait exactly as long as the Retry-After is waited out once', async () => {
    world = await startBench({ emulator: { faults: storm(1) } });
    const run = await world.cli(['plan', ...FAST, '--rate-limit-wait', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(world.emulator.requestLog.filter((e) => e.status === 429)).toHaveLength(1);
  });

  it('is read from WORKATO_RATE_LIMIT_WAIT; 0 fails at the first 429', async () => {
    world = await startBench({ emulator: { faults: storm(50) } });
    const run = await world.cli(['plan', ...FAST], { env: { WORKATO_RATE_LIMIT_WAIT: '0' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('calls wait out 429s for at most 0 ms');
    expect(world.emulator.requestLog.filter((e) => e.status === 429)).toHaveLength(1);
  });

  it('refuses a WORKATO_RATE_LIMIT_WAIT that is not a number, before any call', async () => {
    world = await startBench();
    const run = await world.cli(['plan', ...FAST], { env: { WORKATO_RATE_LIMIT_WAIT: 'soon' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('WORKATO_RATE_LIMIT_WAIT must be a number of seconds >= 0, not "soon"');
    expect(world.emulator.requestLog).toHaveLength(0);
  });
});
