/**
 * Two applies on one state, each its own process: the second waits for the first
 * (--lock-timeout) and then finds nothing to do, or refuses at once naming the
 * process that holds the lock. (A lock left by a process that is gone, or gone
 * stale, is taken over: test/commands/apply-lock.test.ts.)
 */
import { existsSync, readdirSync } from 'node:fs';
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
  expect(readdirSync(`${w.statePath}.lock`).filter((name) => /^\d+$/.test(name))).toHaveLength(1);
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
});
