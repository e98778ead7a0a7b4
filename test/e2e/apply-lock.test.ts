/**
 * Two applies on one state: the second waits for the first (--lock-timeout) and
 * then finds nothing to do, or refuses at once naming who holds the lock.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ApplyWorld,
  FAST,
  liveHoldings,
  mutationsSince,
  startApplyWorld,
  waitFor,
  wantedHoldings,
} from './apply-helpers.js';

let world: ApplyWorld;
afterEach(async () => {
  await world.expectNoLeaks();
  await world.close();
});

const APPLY = ['apply', '--auto-approve', ...FAST];

/**
 * Starts an apply whose first assign the emulator holds for `holdMs`, and
 * resolves once that assign is in flight: the apply then holds the state lock.
 */
async function startSlowApply(w: ApplyWorld, holdMs: number) {
  w.emulator.setFaults({ script: [{ method: 'POST', path: '/api/managed_users/', delayMs: holdMs }] });
  const first = w.start(APPLY);
  let exited = false;
  void first.done.then(() => {
    exited = true;
  });
  await waitFor(
    () => exited || w.emulator.requestLog.some((e) => e.path.endsWith('/assign') && e.status === 0),
    'the first apply to send its first assign',
  );
  expect(exited).toBe(false);
  expect(existsSync(`${w.statePath}.lock/holder.json`)).toBe(true);
  return first;
}

describe('two applies on one state', () => {
  it('with --lock-timeout 0 the second refuses with exit 3, naming the holder', async () => {
    world = await startApplyWorld();
    const first = await startSlowApply(world, 4000);

    const second = await world.runCombined([...APPLY, '--lock-timeout', '0']);
    expect(second.code, second.output).toBe(3);
    expect(second.output).toContain(
      `error: the state ${world.statePath} is locked by pid ${first.child.pid} on ${hostname()}, since `,
    );
    expect(second.output).toContain('another apply is running (wait, or raise --lock-timeout)');

    const done = await first.done;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    // Only the first apply changed anything: 4 creates and 18 assigns, once each.
    expect(mutationsSince(world.emulator)).toHaveLength(22);
  });

  it('with a long enough --lock-timeout the second waits, then finds no changes', async () => {
    world = await startApplyWorld();
    // Held past the lock's first refresh, 5 s after it was taken: the lock must survive it.
    const first = await startSlowApply(world, 6500);

    const second = await world.run([...APPLY, '--lock-timeout', '60']);
    const done = await first.done;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stderr).toContain(
      `Waiting for the state lock held by pid ${first.child.pid} on ${hostname()}, since `,
    );
    expect(second.stdout).toContain('No changes.');
    expect(done.stderr).not.toContain('lock was compromised');
    expect(existsSync(`${world.statePath}.lock`)).toBe(false);
    expect(mutationsSince(world.emulator)).toHaveLength(22);
    const config = await world.readConfig();
    expect(liveHoldings(world.emulator, Object.keys(config.profiles))).toEqual(
      wantedHoldings(config, world.emulator),
    );
  });

  it('a lock left by a process that is gone is taken over, with a message', async () => {
    world = await startApplyWorld();
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    await mkdir(`${world.statePath}.lock`);
    const holder = { host: hostname(), pid: dead.pid, since: '2026-01-01T00:00:00.000Z' };
    await writeFile(`${world.statePath}.lock/holder.json`, JSON.stringify(holder));

    const applied = await world.run([...APPLY, '--lock-timeout', '0']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr).toContain(
      `Taking over the state lock left by a process that is gone (pid ${dead.pid} on ${hostname()}, since 2026-01-01T00:00:00.000Z).`,
    );
    expect(applied.stdout).toContain('Apply complete: 22 done, 0 failed, 0 skipped.');
    expect(existsSync(`${world.statePath}.lock`)).toBe(false);
  });

  it('a lock no longer refreshed (its holder on another host, hung or gone) is taken over once stale', async () => {
    world = await startApplyWorld();
    const lock = `${world.statePath}.lock`;
    await mkdir(lock);
    const holder = { host: 'ci-runner-elsewhere', pid: 4242, since: '2026-01-01T00:00:00.000Z' };
    await writeFile(`${lock}/holder.json`, JSON.stringify(holder));
    // Last refreshed a minute ago: well past the 10 s after which a lock is stale.
    const then = new Date(Date.now() - 60_000);
    await utimes(lock, then, then);

    const applied = await world.run([...APPLY, '--lock-timeout', '0']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr).toContain(
      'Taking over a stale state lock, not refreshed for 10 s (pid 4242 on ci-runner-elsewhere, since 2026-01-01T00:00:00.000Z).',
    );
    expect(applied.stdout).toContain('Apply complete: 22 done, 0 failed, 0 skipped.');
    expect(existsSync(lock)).toBe(false);
  });
});
