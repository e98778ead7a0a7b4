/**
 * Every way apply refuses: it shows the plan, then says why, exits 3 (a safety
 * rule, a stale plan file, secrets unset) or 1 (nobody to confirm), and has
 * not sent a single mutating request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigDoc, mutationsSince } from '../e2e/apply-helpers.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  expect(world.printed.length).toBeGreaterThan(0);
  await world.expectNoLeaks(['p.json']);
  await world.close();
});

const APPLY = ['apply', '--auto-approve', ...FAST];

/** The demo world after a first apply of the example: 4 profiles, 18 assignments. */
async function appliedWorld(): Promise<Bench> {
  const w = await startBench();
  const first = await w.cli(APPLY);
  expect(first.code, first.stderr).toBe(0);
  return w;
}

function withoutProfile(config: ConfigDoc, name: string): ConfigDoc {
  const { [name]: _removed, ...profiles } = config.profiles;
  return {
    ...config,
    profiles,
    customers: config.customers
      .map((c) => ({ ...c, profiles: c.profiles.filter((p) => p !== name) }))
      .filter((c) => c.profiles.length > 0),
  };
}

/** `first` appears in `output`, and `then` after it. */
function expectInOrder(output: string, first: string, then: string): void {
  expect(output).toContain(first);
  expect(output).toContain(then);
  expect(output.indexOf(first), output).toBeLessThan(output.indexOf(then));
}

describe('apply refuses, before any mutating request', () => {
  it('deleting a profile needs --allow-delete', async () => {
    world = await appliedWorld();
    await world.writeConfig(withoutProfile(await world.readConfig(), 'Acme Zoom app'));
    const mark = world.emulator.requestLog.length;

    const refused = await world.cli(APPLY);
    expect(refused.code, refused.output).toBe(3);
    expectInOrder(
      refused.output,
      '# profile["Acme Zoom app"] would be deleted',
      'error: apply refused:\n  profile["Acme Zoom app"] would be deleted; pass --allow-delete to allow it\n',
    );
    expect(mutationsSince(world.emulator, mark)).toEqual([]);

    // The same plan with the flag goes through.
    const allowed = await world.cli([...APPLY, '--allow-delete']);
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('Apply complete: 5 done, 0 failed, 0 skipped.');
  });

  it('a prevent_destroy profile is never deleted, even with --allow-delete and --force', async () => {
    world = await appliedWorld();
    await world.writeConfig(withoutProfile(await world.readConfig(), 'Acme Salesforce app'));
    const mark = world.emulator.requestLog.length;

    const refused = await world.cli([...APPLY, '--allow-delete', '--force']);
    expect(refused.code, refused.output).toBe(3);
    expectInOrder(
      refused.output,
      '# profile["Acme Salesforce app"] would be deleted (prevent_destroy is set)',
      'profile["Acme Salesforce app"] has prevent_destroy; to delete it, first apply it with prevent_destroy: false, then remove it',
    );
    expect(mutationsSince(world.emulator, mark)).toEqual([]);
  });

  it('a prevent_destroy profile is not replaced either (a provider change deletes it)', async () => {
    world = await appliedWorld();
    const config = await world.readConfig();
    config.profiles['Acme Salesforce app']!.provider = 'salesforce_secondary';
    await world.writeConfig(config);
    const mark = world.emulator.requestLog.length;

    const refused = await world.cli([...APPLY, '--allow-delete', '--force']);
    expect(refused.code, refused.output).toBe(3);
    expectInOrder(
      refused.output,
      '# profile["Acme Salesforce app"] would be replaced',
      'profile["Acme Salesforce app"] has prevent_destroy, and a new provider replaces it (the old profile is deleted); to allow it, first apply it with prevent_destroy: false',
    );
    expect(mutationsSince(world.emulator, mark)).toEqual([]);
  });

  it('replacing a profile deletes it, so it needs --allow-delete too', async () => {
    world = await appliedWorld();
    const config = await world.readConfig();
    config.profiles['Acme Zoom app']!.provider = 'zoom_v2';
    await world.writeConfig(config);
    const mark = world.emulator.requestLog.length;

    const refused = await world.cli(APPLY);
    expect(refused.code, refused.output).toBe(3);
    expectInOrder(
      refused.output,
      '# profile["Acme Zoom app"] would be replaced',
      'profile["Acme Zoom app"] would be replaced for a new provider, which deletes the old profile; pass --allow-delete to allow it',
    );
    expect(mutationsSince(world.emulator, mark)).toEqual([]);

    const allowed = await world.cli([...APPLY, '--allow-delete']);
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('Apply complete: 1 done, 0 failed, 0 skipped.');
    // Made beside the old one, its 4 customers moved (each gets the new one before it loses
    // the old one), the old one deleted, the new one renamed.
    const writes = mutationsSince(world.emulator, mark);
    const kinds = writes.map((e) =>
      e.path.endsWith('/assign')
        ? 'assign'
        : e.path.includes('/unassign')
          ? 'unassign'
          : `${e.method} profile`,
    );
    expect(kinds[0]).toBe('POST profile');
    expect(kinds.slice(-2)).toEqual(['DELETE profile', 'PUT profile']);
    expect(kinds.filter((k) => k === 'assign')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'unassign')).toHaveLength(4);
    for (const customer of ['4569', 'EA2304', 'EA2306', 'EA2308']) {
      const at = (action: string) =>
        writes.findIndex(
          (e) =>
            e.path.includes(`/managed_users/${encodeURIComponent(customer)}/`) && e.path.includes(action),
        );
      expect(at('/assign'), customer).toBeLessThan(at('/unassign'));
    }
    const again = await world.cli(['plan', '--detailed-exitcode', ...FAST]);
    expect(again.code, again.stdout).toBe(0);
  });

  it('removing more than --max-change-percent of at least 10 assignments needs --force', async () => {
    world = await appliedWorld();
    const config = await world.readConfig();
    // A2300 and A2301 hold two profiles each, A2302 and B 17/02 one: 6 of 18 (33.3%).
    const leaving = ['A2300', 'A2301', 'A2302', 'B 17/02'];
    config.customers = config.customers.filter((c) => !leaving.includes(c.external_id ?? ''));
    await world.writeConfig(config);
    const mark = world.emulator.requestLog.length;

    const refused = await world.cli(APPLY);
    expect(refused.code, refused.output).toBe(3);
    expectInOrder(
      refused.output,
      'Plan: 0 to create, 0 to adopt, 0 to update, 0 to replace, 0 to delete; 0 to assign, 6 to unassign, 0 to swap.',
      'the plan removes 6 of 18 managed assignments (33.3%, more than --max-change-percent 30); pass --force if that is intended',
    );
    expect(mutationsSince(world.emulator, mark)).toEqual([]);

    const forced = await world.cli([...APPLY, '--force']);
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    expect(forced.stdout).toContain('Apply complete: 6 done, 0 failed, 0 skipped.');
    const unassigns = mutationsSince(world.emulator, mark).filter((e) => e.path.includes('/unassign'));
    expect(unassigns).toHaveLength(6);
  });

  it('with no terminal and no --auto-approve: exit 1, saying how to approve', async () => {
    world = await startBench();
    const refused = await world.cli(['apply', ...FAST]);
    expect(refused.code, refused.output).toBe(1);
    expectInOrder(
      refused.output,
      'Plan: 4 to create',
      'error: there is no terminal to confirm on; review the plan, then run apply with --auto-approve\n',
    );
    expect(mutationsSince(world.emulator)).toEqual([]);
  });

  it('with secrets unset at apply time: exit 3 naming the variables', async () => {
    world = await startBench();
    const env = { HUBSPOT_CLIENT_SECRET: undefined, SLACK_APP_TOKEN: undefined };
    const refused = await world.cli(APPLY, { env });
    expect(refused.code, refused.output).toBe(3);
    expectInOrder(
      refused.output,
      'Plan: 4 to create (2 refused)',
      'error: apply refused:\n' +
        '  profile["Acme HubSpot OAuth app"].client_secret needs $HUBSPOT_CLIENT_SECRET, which is not set\n' +
        '  profile["Acme Slack app"].token needs $SLACK_APP_TOKEN, which is not set\n',
    );
    expect(mutationsSince(world.emulator)).toEqual([]);

    // A plan file made with every secret set is refused the same way when one is gone.
    const planned = await world.cli(['plan', '--out', 'p.json', ...FAST]);
    expect(planned.code, planned.stderr).toBe(0);
    const fromFile = await world.cli(['apply', 'p.json', '--auto-approve', ...FAST], {
      env: { ZOOM_CLIENT_SECRET: undefined },
    });
    expect(fromFile.code, fromFile.output).toBe(3);
    expect(fromFile.output).toContain(
      'profile["Acme Zoom app"].client_secret needs $ZOOM_CLIENT_SECRET, which is not set\n',
    );
    expect(mutationsSince(world.emulator)).toEqual([]);
  });
});

describe('apply PLANFILE refuses a stale plan with exit 3, saying what moved', () => {
  /** Plans a pending change (a new customer) into p.json. */
  async function planNewCustomer(w: Bench): Promise<void> {
    const config = await w.readConfig();
    config.customers.push({ external_id: 'H4572', profiles: ['Acme Slack app'] });
    await w.writeConfig(config);
    const planned = await w.cli(['plan', '--out', 'p.json', ...FAST]);
    expect(planned.code, planned.stderr).toBe(0);
  }

  async function expectStale(w: Bench, mark: number, moved: string): Promise<void> {
    const refused = await w.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(refused.code, refused.output).toBe(3);
    expect(refused.output).toContain(moved);
    expect(refused.output).toMatch(/plan again/);
    expect(mutationsSince(w.emulator, mark)).toEqual([]);
  }

  it('when the config was edited since', async () => {
    world = await appliedWorld();
    await planNewCustomer(world);
    const config = await world.readConfig();
    config.customers.push({ external_id: 'G4570', profiles: ['Acme Slack app'] });
    await world.writeConfig(config);
    await expectStale(world, world.emulator.requestLog.length, 'workato-oauth.yaml changed');
  });

  it('when the state was written since', async () => {
    world = await appliedWorld();
    await planNewCustomer(world);
    // The plan recorded the customer it checked: the plan file names the serial it left.
    const serial = (await world.readState()).serial;
    // Another apply (from the config) does the change first and writes the state.
    const other = await world.cli(APPLY);
    expect(other.code, other.stderr).toBe(0);
    const now = (await world.readState()).serial;
    expect(now).toBeGreaterThan(serial);
    await expectStale(
      world,
      world.emulator.requestLog.length,
      `the state was written since (serial ${serial} -> ${now})`,
    );
  });

  it('when a live profile was changed in Workato since', async () => {
    world = await appliedWorld();
    await planNewCustomer(world);
    const slack = world.emulator.world.toData().profiles.find((p) => p.name === 'Acme Slack app')!;
    // Someone saves the profile in Workato's UI: same values, but updated_at moves.
    const saved = world.emulator.world.updateProfile(slack.id, {
      name: slack.name,
      provider: slack.provider,
      data: { client_id: slack.client_id, client_secret: slack.client_secret, token: slack.token },
    });
    expect(saved.ok).toBe(true);
    await expectStale(
      world,
      world.emulator.requestLog.length,
      `profile "Acme Slack app" (id ${slack.id}) was changed in Workato`,
    );
  });

  it('when a secret variable holds another value than when the plan was made', async () => {
    world = await startBench();
    const planned = await world.cli(['plan', '--out', 'p.json', ...FAST]);
    expect(planned.code, planned.stderr).toBe(0);
    const refused = await world.cli(['apply', 'p.json', '--auto-approve', ...FAST], {
      env: { HUBSPOT_CLIENT_SECRET: 'hubspot-secret-rotated' },
    });
    expect(refused.code, refused.output).toBe(3);
    expect(refused.output).toContain(
      'profile["Acme HubSpot OAuth app"].client_secret: $HUBSPOT_CLIENT_SECRET is not the value the plan was made with',
    );
    expect(refused.output).toMatch(/plan again/);
    expect(refused.output).not.toContain('hubspot-secret-rotated');
    expect(mutationsSince(world.emulator)).toEqual([]);
  });
});
