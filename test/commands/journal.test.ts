/**
 * An apply killed before it saved the state leaves its journal: plan reads it
 * (the plan is true to what was done), and the next apply folds it into the
 * state before anything else.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { StateRecorder } from '../../src/apply/recorder.js';
import { emptyState } from '../../src/state/store.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  await world.expectNoLeaks();
  await world.close();
});

describe('a journal left by an apply killed before its first save', () => {
  it('is read by plan, and folded into the state by the next apply', async () => {
    world = await startBench();
    const first = await world.cli(['apply', '--auto-approve', ...FAST]);
    expect(first.code, first.output).toBe(0);
    const done = await world.readState();
    // The same apply, killed after its last call and before it wrote the state file.
    await rm(world.statePath);
    const recorder = new StateRecorder(world.statePath, emptyState(done.workspace), { exists: false });
    for (const [name, record] of Object.entries(done.profiles)) {
      const live = { ...record, name, data: { client_id: record.client_id } };
      await recorder.recordProfile(
        name,
        { ...live, shared_accounts_count: 0, oem_customers_count: 0, created_at: '' },
        {
          ...(record.client_secret_fingerprint ? { client_secret: record.client_secret_fingerprint } : {}),
          ...(record.token_fingerprint ? { token: record.token_fingerprint } : {}),
        },
        { preventDestroy: record.prevent_destroy },
      );
    }
    for (const [key, customer] of Object.entries(done.customers)) {
      for (const profile of customer.profiles) {
        await recorder.recordAssignment(
          key,
          profile,
          customer.id === undefined
            ? undefined
            : { id: customer.id, external_id: customer.external_id ?? null },
        );
      }
    }
    const journaled =
      Object.keys(done.profiles).length +
      Object.values(done.customers).reduce((n, c) => n + c.profiles.length, 0);

    const plan = await world.cli(['plan', '--detailed-exitcode']);
    expect(plan.stdout, plan.output).toContain('No changes.');
    expect(plan.code).toBe(0);
    expect(existsSync(`${world.statePath}.journal`)).toBe(true);

    const calls = world.calls().length;
    const applied = await world.cli(['apply', '--auto-approve', ...FAST]);
    expect(applied.code, applied.output).toBe(0);
    expect(applied.stderr).toContain(
      `Recovered ${journaled} change(s) from ${world.statePath}.journal, recorded by an apply that stopped before saving the state.`,
    );
    expect(applied.stdout).toContain('No changes.');
    expect(world.writes(calls)).toEqual([]);
    expect(existsSync(`${world.statePath}.journal`)).toBe(false);
    const { lineage: _l, serial: _s, ...saved } = await world.readState();
    const { lineage: _l2, serial: _s2, ...before } = done;
    expect(saved).toEqual(before);
  });
});
