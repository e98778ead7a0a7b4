// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
/**
 * Customers are checked to exist once: `plan` records what it checked in the
 * state, so the `apply` after it (with or without a plan file) makes no second
 * round of checks, and nothing checked is checked again later. Counted in the
 * calls the emulator receives.
 */
import { mkdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorldData } from '../../src/emulator/world-data.js';
import { acquireStateLock } from '../../src/state/lock.js';
import type { ConfigDoc } from '../e2e/apply-helpers.js';
import { type Bench, FAST, startBench } from './harness.js';

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const CUSTOMERS = 250;

/** A workspace of 250 customers (ids 1-250, external ids C1-C250), all in the config with one profile. */
async function onboarding(): Promise<Bench> {
  const world: WorldData = {
    customers: Array.from({ length: CUSTOMERS }, (_, i) => ({
      id: i + 1,
      external_id: `C${i + 1}`,
      name: 'c',
    })),
    profiles: [],
  };
  const config = {
    version: 1,
    profiles: { Zoom: { provider: 'zoom', client_id: 'z', client_secret: '${ZOOM_CLIENT_SECRET}' } },
    customers: Array.from({ length: CUSTOMERS }, (_, i) => ({
      external_id: `C${i + 1}`,
      profiles: ['Zoom'],
    })),
  } as unknown as ConfigDoc;
  bench = await startBench({ world, config });
  return bench;
}

const CUSTOMER_CALL = /^\/api\/managed_users(\?|\/[^/]+$)/;

/** Runs the CLI; returns the result and how many customer checks (listing pages and GETs) it made. */
async function run(b: Bench, args: string[]) {
  const mark = b.emulator.requestLog.length;
  const result = await b.cli([...args, ...FAST]);
  const checks = b.emulator.requestLog.slice(mark).filter((e) => CUSTOMER_CALL.test(e.path)).length;
  return { ...result, checks };
}

/** Each test runs the CLI a few times over 250 customers: generous, for a loaded 2-core machine. */
const SLOW_TEST_MS = 120_000;

describe('customers are checked once', { timeout: SLOW_TEST_MS }, () => {
  it('apply without a plan file after plan: no second round of checks', async () => {
    const b = await onboarding();
    const plan = await run(b, ['plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.checks).toBe(3); // 250 customers: 3 listing pages
    expect(plan.stderr).toContain('Recorded 250 customer(s) found to exist');

    const apply = await run(b, ['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.checks).toBe(0);
    expect(b.holdings({ externalId: 'C250' })).toEqual(['Zoom']);
    // Both ids of each customer, learnt by the plan's check, are in the state.
    const state = await b.readState();
    expect(state.customers['E:C7']).toEqual({ id: 7, external_id: 'C7', profiles: ['Zoom'] });
    expect(Object.keys(state.customers)).toHaveLength(CUSTOMERS);
  });

  it('apply alone checks them in its own plan, once', async () => {
    const b = await onboarding();
    const apply = await run(b, ['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.checks).toBe(3);
    const again = await run(b, ['plan']);
    expect(again.checks).toBe(0);
    expect(again.stdout).toMatch(/^No changes\./);
  });

  it('apply PLANFILE: the saved plan still holds after the plan recorded its checks, and nothing is checked again', async () => {
    const b = await onboarding();
    const plan = await run(b, ['plan', '--out', 'p.json']);
    expect(plan.code, plan.stderr).toBe(0);
    const apply = await run(b, ['apply', 'p.json', '--auto-approve']);
    expect(apply.code, apply.output).toBe(0);
    expect(apply.checks).toBe(0);
    expect(b.holdings({ id: 1 })).toEqual(['Zoom']);
  });

  it('a customer taken out of the config after plan is forgotten by the next apply, not kept for ever', async () => {
    const b = await onboarding();
    await run(b, ['plan']);
    await b.editConfig((doc) => {
      doc.customers = doc.customers.filter((c) => c.external_id !== 'C3');
    });
    const apply = await run(b, ['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    const state = await b.readState();
    expect(state.customers['E:C3']).toBeUndefined();
    expect(Object.keys(state.customers)).toHaveLength(CUSTOMERS - 1);
  });

  it('plan while an apply holds the lock: the plan is made, the state left alone, and it says apply will check', async () => {
    const b = await onboarding();
    const lock = await acquireStateLock(b.statePath, { timeoutSeconds: 1, onMessage: () => {} });
    try {
      const plan = await run(b, ['plan']);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toContain('assignment["E:C1"]["Zoom"]');
      expect(plan.stderr).toContain(
        'Note: the 250 customer(s) found to exist were not recorded in the state (the state is locked by another run); apply will check them again.',
      );
    } finally {
      await lock.release();
    }
    const apply = await run(b, ['apply', '--auto-approve']);
    expect(apply.checks).toBe(3);
  });

  it('plan --no-verify-customers checks nothing and writes nothing', async () => {
    const b = await onboarding();
    const plan = await run(b, ['plan', '--no-verify-customers']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.checks).toBe(0);
    await expect(b.readState()).rejects.toThrow(/ENOENT/);
  });

  it('a state folder that cannot be written: the plan still succeeds, with one note', async () => {
    const b = await onboarding();
    const plan = await run(b, ['plan', '--state', 'missing/folder/s.json']);
    expect(plan.code, plan.stderr).toBe(0);
    const notes = plan.stderr.split('\n').filter((line) => line.startsWith('Note: '));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^Note: the 250 customer\(s\) found to exist were not recorded in the state \(.+\); apply will check them again\.$/,
    );
    // Once the folder exists, the next plan records them.
    await mkdir(`${b.dir}/missing/folder`, { recursive: true });
    const again = await run(b, ['plan', '--state', 'missing/folder/s.json']);
    expect(again.stderr).toContain('Recorded 250 customer(s) found to exist in missing/folder/s.json');
  });
});
