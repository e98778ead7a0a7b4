/**
 * A lock left behind on the state: by a process that is gone (taken over at once)
 * or one no longer refreshed (taken over once stale). Two live applies contending
 * for one state are in test/e2e/apply-lock.test.ts: that needs two processes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireStateLock } from '../../src/state/lock.js';
import { placeLockHolder } from '../state/lock-files.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  expect(world.printed.length).toBeGreaterThan(0);
  await world.expectNoLeaks(['p.json']);
  await world.close();
});

const APPLY = ['apply', '--auto-approve', ...FAST];

describe('two applies on one state', () => {
  it('a lock left by a process that is gone is taken over, with a message', async () => {
    world = await startBench();
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    const holder = { host: hostname(), pid: dead.pid!, since: '2026-01-01T00:00:00.000Z' };
    // Refreshed just now: only that its holder is gone lets it be taken over at once.
    await placeLockHolder(world.statePath, holder, { gen: 7 });

    const applied = await world.cli([...APPLY, '--lock-timeout', '0']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr).toContain(
      `Taking over the state lock left by a process that is gone (pid ${dead.pid} on ${hostname()}, since 2026-01-01T00:00:00.000Z).`,
    );
    expect(applied.stdout).toContain('Apply complete: 22 done, 0 failed, 0 skipped.');
    expect(existsSync(`${world.statePath}.lock`)).toBe(false);
  });

  it('a lock no longer refreshed (its holder on another host, hung or gone) is taken over once stale', async () => {
    world = await startBench();
    const lock = `${world.statePath}.lock`;
    const holder = { host: 'ci-runner-elsewhere', pid: 4242, since: '2026-01-01T00:00:00.000Z' };
    // Last refreshed a minute ago: well past the 10 s after which a lock is stale.
    await placeLockHolder(world.statePath, holder, { refreshedAt: new Date(Date.now() - 60_000) });

    const applied = await world.cli([...APPLY, '--lock-timeout', '0']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr).toContain(
      'Taking over a stale state lock, not refreshed for 10 s (pid 4242 on ci-runner-elsewhere, since 2026-01-01T00:00:00.000Z).',
    );
    expect(applied.stdout).toContain('Apply complete: 22 done, 0 failed, 0 skipped.');
    expect(existsSync(lock)).toBe(false);
  });
});

describe('an apply whose lock another process takes over', () => {
  it('stops sending, records the call in flight, exits 1 saying so, and leaves the new holder its lock', async () => {
    world = await startBench();
    // The first create is held 0.8 s: time for a takeover, but not for the holder's next
    // refresh (every 2 s). Only the check made before each request can stop the next one.
    world.emulator.setFaults({
      script: [{ method: 'POST', path: '/api/custom_oauth_profiles', delayMs: 800 }],
    });
    const applying = world.cli([...APPLY, '--concurrency', '1']);
    const lockDir = `${world.statePath}.lock`;
    let holderFile: string | undefined;
    while (holderFile === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const names = existsSync(lockDir) ? await readdir(lockDir) : [];
      const gen = names.find((name) => /^\d+$/.test(name));
      if (gen && world.calls().some((c) => c.kind === 'create')) holderFile = join(lockDir, gen);
    }
    // As if the apply had been paused past the stale period: another process judges its lock stale.
    const then = new Date(Date.now() - 60_000);
    await utimes(holderFile, then, then);
    const taker = await acquireStateLock(world.statePath, { timeoutSeconds: 0, onMessage: () => {} });

    const applied = await applying;
    expect(applied.code, applied.output).toBe(1);
    expect(applied.stderr).toContain('Stopping: the state lock was taken over by pid');
    expect(applied.stderr).toContain('Finishing the calls in flight...');
    expect(applied.stdout).toContain(
      'skipped  assignment["E:A2308"]["Acme Zoom app"]             assign: not started: the state lock was taken over',
    );
    // One create went out, and nothing after it.
    expect(world.writes().map((c) => c.kind)).toEqual(['create']);
    // The create in flight is recorded: the new holder had not written the state.
    expect(Object.keys((await world.readState()).profiles)).toHaveLength(1);
    expect(taker.signal.aborted).toBe(false);
    expect(existsSync(lockDir)).toBe(true);
    await taker.release();
  }, 20_000);
});
