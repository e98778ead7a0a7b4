/**
 * Ctrl-C during an apply: the calls in flight finish, the state records exactly
 * what happened, the exit code is 130 and the output says what is left; the
 * next apply finishes the job.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ApplyWorld,
  callsSince,
  FAST,
  liveHoldings,
  recordedHoldings,
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

describe('apply interrupted by SIGINT', () => {
  it('exits 130 with what is left, the state matches the world, and a re-run finishes', async () => {
    world = await startApplyWorld();
    // Slow enough that 18 assigns, two at a time, take seconds: the signal lands mid-run.
    world.emulator.setFaults({ latencyMs: 250 });
    const run = world.start([...APPLY, '--concurrency', '2']);
    const answeredAssigns = () =>
      world.emulator.requestLog.filter((e) => e.path.endsWith('/assign') && e.status !== 0).length;
    await waitFor(() => answeredAssigns() >= 3, 'three assigns to be answered');
    run.child.kill('SIGINT');
    const interrupted = await run.done;

    expect(interrupted.code, interrupted.stdout + interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain(
      'Interrupted: finishing the calls in flight and saving the state...',
    );
    const verdict = /Apply interrupted: (\d+) done, 0 failed, (\d+) skipped\./.exec(interrupted.stdout);
    expect(verdict, interrupted.stdout).not.toBeNull();
    const done = Number(verdict![1]);
    const skipped = Number(verdict![2]);
    expect(done + skipped).toBe(22);
    expect(skipped).toBeGreaterThan(0);
    const skippedRows =
      interrupted.stdout.match(/^ {2}skipped {2}.* interrupted before it (started|was sent)$/gm) ?? [];
    expect(skippedRows).toHaveLength(skipped);

    // Every call made was answered, and the state records exactly those assigns.
    const calls = callsSince(world.emulator);
    expect(calls.filter((c) => c.kind === 'create')).toHaveLength(4);
    expect(calls.filter((c) => c.kind === 'assign')).toHaveLength(done - 4);
    const config = await world.readConfig();
    const managed = Object.keys(config.profiles);
    const live = liveHoldings(world.emulator, managed);
    const state = await world.readState();
    expect(Object.keys(state.profiles).sort()).toEqual([...managed].sort());
    expect(recordedHoldings(state, world.emulator)).toEqual(live);
    expect(live).not.toEqual(wantedHoldings(config, world.emulator));

    world.emulator.setFaults({});
    const mark = world.emulator.requestLog.length;
    const rerun = await world.run(APPLY);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`Apply complete: ${skipped} done, 0 failed, 0 skipped.`);
    const made = callsSince(world.emulator, mark).filter((c) => c.kind !== 'read');
    expect(made.every((c) => c.kind === 'assign')).toBe(true);
    expect(made).toHaveLength(skipped);
    expect(liveHoldings(world.emulator, managed)).toEqual(wantedHoldings(config, world.emulator));
    expect(recordedHoldings(await world.readState(), world.emulator)).toEqual(
      wantedHoldings(config, world.emulator),
    );
  });

  it('does not wait for the rate limit: calls not yet sent are dropped at once', async () => {
    world = await startApplyWorld();
    // 10 per minute: the plan's customer listing and 9 assigns use the embedded
    // bucket's first window; the 10th assign would wait a minute for its turn.
    const run = world.start(['apply', '--auto-approve', '--rate-limit', '10']);
    const answeredAssigns = () =>
      world.emulator.requestLog.filter((e) => e.path.endsWith('/assign') && e.status !== 0).length;
    await waitFor(() => answeredAssigns() >= 9, 'nine assigns to be answered');
    // The next assigns cannot be sent for a minute; give the apply a moment to queue
    // them behind the limit (the server logs an answer before the client reads it).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sent = world.emulator.requestLog.length;
    const signalled = Date.now();
    run.child.kill('SIGINT');
    const interrupted = await run.done;
    const seconds = (Date.now() - signalled) / 1000;

    expect(interrupted.code, interrupted.stdout + interrupted.stderr).toBe(130);
    expect(seconds).toBeLessThan(20);
    expect(world.emulator.requestLog.length).toBe(sent);
    expect(interrupted.stdout).toMatch(/Apply interrupted: 13 done, 0 failed, 9 skipped\./);
    expect(interrupted.stdout).toContain('interrupted before it was sent');
  });
});
