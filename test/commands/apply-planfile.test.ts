/**
 * `plan --out p.json` then `apply p.json`: the reviewed plan is what runs, call
 * for call, and afterwards there is nothing left to plan.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callsSince, profileIds } from '../e2e/apply-helpers.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  expect(world.printed.length).toBeGreaterThan(0);
  await world.expectNoLeaks(['p.json']);
  await world.close();
});

/** The part of a saved plan file this test reads. */
interface PlanFile {
  plan: {
    changes: (
      | { kind: 'profile'; action: string; profile: string }
      | {
          kind: 'assignment';
          action: string;
          customer: string;
          profile: string;
        }
    )[];
  };
}

/** The `:managed_user_id` segment of a plan's customer key, decoded. */
function segment(customerKey: string): string {
  return customerKey.startsWith('E:') ? `E${customerKey.slice(2)}` : customerKey;
}

describe('apply PLANFILE', () => {
  it('executes exactly the saved plan, then the next plan is empty', async () => {
    world = await startBench();
    const planned = await world.cli(['plan', '--out', 'p.json', ...FAST]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stderr).toContain('Saved the plan to p.json');
    const planFile = JSON.parse(await readFile(join(world.dir, 'p.json'), 'utf8')) as PlanFile;
    expect(planFile.plan.changes).toHaveLength(22);
    const mark = world.emulator.requestLog.length;

    const applied = await world.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Plan: 4 to create');
    expect(applied.stdout).toContain('Apply complete: 22 done, 0 failed, 0 skipped.');

    // One create per planned create, and the live profiles are exactly those (and the unmanaged one).
    const calls = callsSince(world.emulator, mark).filter((c) => c.kind !== 'read');
    const ids = profileIds(world.emulator);
    const creates = planFile.plan.changes.filter((c) => c.action === 'create').map((c) => c.profile);
    expect(calls.filter((c) => c.kind === 'create')).toHaveLength(creates.length);
    expect(Object.keys(ids).sort()).toEqual([...creates, 'Legacy Zoom app'].sort());
    // Every other call is one of the plan's assignments, each exactly once.
    const assignments = planFile.plan.changes
      .filter((c) => c.kind === 'assignment')
      .map((c) => `${c.action} ${segment(c.customer)} ${ids[c.profile]}`);
    const made = calls
      .filter((c) => c.kind !== 'create')
      .map((c) => `${c.kind} ${c.customer} ${c.profileId}`);
    expect(made.sort()).toEqual(assignments.sort());

    // The same plan file cannot run twice: the state it was made against has moved.
    const twice = await world.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(twice.code, twice.stdout + twice.stderr).toBe(3);
    // (The plan made the state file, recording the customers it checked; apply wrote it since.)
    expect(twice.stderr).toMatch(/the state was written since \(serial 1 -> \d+\)/);
    expect(callsSince(world.emulator).filter((c) => c.kind !== 'read')).toHaveLength(22);

    const again = await world.cli(['plan', '--detailed-exitcode', ...FAST]);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('No changes.');
  });
});
