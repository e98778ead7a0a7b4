/**
 * A lock left behind on the state: by a process that is gone (taken over at once)
 * or one no longer refreshed (taken over once stale). Two live applies contending
 * for one state are in test/e2e/apply-lock.test.ts: that needs two processes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
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
    await mkdir(`${world.statePath}.lock`);
    const holder = { host: hostname(), pid: dead.pid, since: '2026-01-01T00:00:00.000Z' };
    await writeFile(`${world.statePath}.lock/holder.json`, JSON.stringify(holder));

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
    await mkdir(lock);
    const holder = { host: 'ci-runner-elsewhere', pid: 4242, since: '2026-01-01T00:00:00.000Z' };
    await writeFile(`${lock}/holder.json`, JSON.stringify(holder));
    // Last refreshed a minute ago: well past the 10 s after which a lock is stale.
    const then = new Date(Date.now() - 60_000);
    await utimes(lock, then, then);

    const applied = await world.cli([...APPLY, '--lock-timeout', '0']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr).toContain(
      'Taking over a stale state lock, not refreshed for 10 s (pid 4242 on ci-runner-elsewhere, since 2026-01-01T00:00:00.000Z).',
    );
    expect(applied.stdout).toContain('Apply complete: 22 done, 0 failed, 0 skipped.');
    expect(existsSync(lock)).toBe(false);
  });
});
