/**
 * When a call fails, apply goes on with what does not depend on it, skips what
 * does, says which is which and why, exits 1, and a later apply finishes the
 * job without making anything twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  callsSince,
  liveHoldings,
  mutationsSince,
  profileIds,
  recordedHoldings,
  wantedHoldings,
} from '../e2e/apply-helpers.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  expect(world.printed.length).toBeGreaterThan(0);
  await world.expectNoLeaks(['p.json']);
  await world.close();
});

const APPLY = ['apply', '--auto-approve', ...FAST];
const HUBSPOT = 'Acme HubSpot OAuth app';
/** Customers of the example config that hold the HubSpot profile, as plan addresses. */
const HUBSPOT_HOLDERS = ['4567', 'E:A2300', 'E:A2301', 'E:A2304', 'E:A2307', 'E:B 17/02'];

async function appliedWorld(): Promise<Bench> {
  const w = await startBench();
  const first = await w.cli(APPLY);
  expect(first.code, first.stderr).toBe(0);
  return w;
}

describe('apply with a failed profile create', () => {
  it('skips its assigns, does the rest, reports each outcome; a re-run finishes without duplicates', async () => {
    world = await startBench();
    // One at a time, so the first create (plan order: HubSpot) is the one refused.
    world.emulator.setFaults({
      script: [
        {
          method: 'POST',
          path: '/api/custom_oauth_profiles',
          status: 400,
          body: { errors: { 'data.client_id': ['is not a valid HubSpot client id'] } },
        },
      ],
    });
    const failed = await world.cli([...APPLY, '--concurrency', '1']);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toContain('Apply finished with failures: 15 done, 1 failed, 6 skipped.\n');
    const table = failed.stdout.slice(failed.stdout.indexOf('Apply finished with failures'));
    const rows = table.split('\n').filter((line) => /^ {2}(failed|skipped) /.test(line));
    expect(rows).toHaveLength(7);
    expect(rows[0]).toMatch(
      /^ {2}failed {3}profile\["Acme HubSpot OAuth app"\] +create: .*data\.client_id is not a valid HubSpot client id/,
    );
    for (const holder of HUBSPOT_HOLDERS) {
      const address = `assignment[${JSON.stringify(holder)}][${JSON.stringify(HUBSPOT)}]`;
      expect(rows).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^ {2}skipped {2}${address.replace(/[[\]"/]/g, '\\$&')} +assign: profile\\["Acme HubSpot OAuth app"\\] was not created$`,
          ),
        ),
      );
    }

    // The other profiles and their assigns are done, and the state says exactly that.
    const ids = profileIds(world.emulator);
    expect(Object.keys(ids).sort()).toEqual([
      'Acme Salesforce app',
      'Acme Slack app',
      'Acme Zoom app',
      'Legacy Zoom app',
    ]);
    const config = await world.readConfig();
    const managed = Object.keys(config.profiles);
    const withoutHubspot = {
      ...config,
      customers: config.customers.map((c) => ({ ...c, profiles: c.profiles.filter((p) => p !== HUBSPOT) })),
    };
    expect(liveHoldings(world.emulator, managed)).toEqual(wantedHoldings(withoutHubspot, world.emulator));
    const state = await world.readState();
    expect(Object.keys(state.profiles).sort()).toEqual([
      'Acme Salesforce app',
      'Acme Slack app',
      'Acme Zoom app',
    ]);
    expect(recordedHoldings(state, world.emulator)).toEqual(liveHoldings(world.emulator, managed));

    // The fault is gone: the next apply does only what is left.
    world.emulator.setFaults({});
    const mark = world.emulator.requestLog.length;
    const rerun = await world.cli(APPLY);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('Apply complete: 7 done, 0 failed, 0 skipped.');
    const kinds = callsSince(world.emulator, mark)
      .filter((c) => c.kind !== 'read')
      .map((c) => c.kind);
    expect(kinds.sort()).toEqual(['assign', 'assign', 'assign', 'assign', 'assign', 'assign', 'create']);
    expect(Object.keys(profileIds(world.emulator))).toHaveLength(5);
    expect(liveHoldings(world.emulator, managed)).toEqual(wantedHoldings(config, world.emulator));
    const again = await world.cli(['plan', '--detailed-exitcode', ...FAST]);
    expect(again.code, again.stdout).toBe(0);
  });
});

describe('apply with a failed adopt', () => {
  it('skips the assigns of the profile it could not adopt, saying so', async () => {
    world = await startBench();
    // Made in Workato by hand before the tool managed it: apply adopts it by name (a PUT).
    const made = world.emulator.world.createProfile({
      name: 'Acme Zoom app',
      provider: 'zoom',
      data: { client_id: 'acme-zoom-client', client_secret: 'set-by-hand' },
    });
    expect(made.ok).toBe(true);
    world.emulator.setFaults({
      script: [
        { method: 'PUT', path: '/api/custom_oauth_profiles/', status: 422, body: { message: 'Locked' } },
      ],
    });
    const failed = await world.cli(APPLY);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toContain('Apply finished with failures: 17 done, 1 failed, 4 skipped.\n');
    expect(failed.stdout).toMatch(/^ {2}failed {3}profile\["Acme Zoom app"\] +adopt: .*Locked$/m);
    const skipped = failed.stdout.match(/^ {2}skipped .*$/gm) ?? [];
    expect(skipped).toHaveLength(4);
    for (const row of skipped) expect(row).toMatch(/assign: profile\["Acme Zoom app"\] was not adopted$/);
  });
});

describe('apply with an unassign refused because the profile is in use', () => {
  it('reports that customer failed with how to force it, and goes on with the rest', async () => {
    world = await appliedWorld();
    const ids = profileIds(world.emulator);
    const hubspot = ids[HUBSPOT]!;
    expect(world.emulator.world.setConnections({ externalId: 'A2301' }, hubspot, 2).ok).toBe(true);

    const config = await world.readConfig();
    // HubSpot leaves A2301 (in use), A2300 and B 17/02; the Zoom app goes altogether.
    delete config.profiles['Acme Zoom app'];
    config.customers = config.customers
      .map((c) => ({
        ...c,
        profiles: c.profiles.filter(
          (p) =>
            p !== 'Acme Zoom app' &&
            !(p === HUBSPOT && ['A2300', 'A2301', 'B 17/02'].includes(c.external_id ?? '')),
        ),
      }))
      .filter((c) => c.profiles.length > 0);
    await world.writeConfig(config);
    const mark = world.emulator.requestLog.length;
    const refused = await world.cli([...APPLY, '--allow-delete', '--max-change-percent', '50']);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain('Apply finished with failures: 7 done, 1 failed, 0 skipped.\n');
    expect(refused.stdout).toMatch(
      /^ {2}failed {3}assignment\["E:A2301"\]\["Acme HubSpot OAuth app"\] +unassign: .*in use.*\(set force_unassign: true on the customer, or pass --force-unassign\)$/m,
    );
    // The rest went on: the other unassigns, then the delete of the Zoom app.
    expect(profileIds(world.emulator)).not.toHaveProperty(['Acme Zoom app']);
    const managed = Object.keys(config.profiles);
    const live = liveHoldings(world.emulator, managed);
    // Customer 102 is A2301 in the demo world.
    expect(live['102']).toEqual(['Acme HubSpot OAuth app', 'Acme Salesforce app']);
    expect(recordedHoldings(await world.readState(), world.emulator)).toEqual(live);
    expect(
      callsSince(world.emulator, mark)
        .filter((c) => c.kind === 'unassign')
        .every((c) => c.force === false),
    ).toBe(true);

    // force_unassign on that customer: force=true for it, and for no one else.
    const forced = await world.readConfig();
    forced.customers = forced.customers.map((c) =>
      c.external_id === 'A2301'
        ? { ...c, force_unassign: true }
        : c.id === 4567
          ? { ...c, profiles: c.profiles.filter((p) => p !== HUBSPOT) }
          : c,
    );
    await world.writeConfig(forced);
    const second = world.emulator.requestLog.length;
    const applied = await world.cli(APPLY);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 2 done, 0 failed, 0 skipped.');
    const unassigns = callsSince(world.emulator, second)
      .filter((c) => c.kind !== 'read')
      .map((c) => `${c.kind} ${c.customer} ${c.profileId} force=${c.force}`);
    expect(unassigns.sort()).toEqual([
      `unassign 4567 ${hubspot} force=false`,
      `unassign EA2301 ${hubspot} force=true`,
    ]);
    expect(liveHoldings(world.emulator, managed)).toEqual(wantedHoldings(forced, world.emulator));
    const again = await world.cli(['plan', '--detailed-exitcode', ...FAST]);
    expect(again.code, again.stdout).toBe(0);
  });

  it('--force-unassign unassigns it anyway', async () => {
    world = await appliedWorld();
    const hubspot = profileIds(world.emulator)[HUBSPOT]!;
    expect(world.emulator.world.setConnections({ externalId: 'A2301' }, hubspot, 2).ok).toBe(true);
    const config = await world.readConfig();
    config.customers = config.customers.map((c) =>
      c.external_id === 'A2301' ? { ...c, profiles: ['Acme Salesforce app'] } : c,
    );
    await world.writeConfig(config);
    const mark = world.emulator.requestLog.length;

    const applied = await world.cli([...APPLY, '--force-unassign']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 1 done, 0 failed, 0 skipped.');
    expect(mutationsSince(world.emulator, mark).map((e) => `${e.method} ${e.path}`)).toEqual([
      `DELETE /api/managed_users/EA2301/custom_oauth_profiles/${hubspot}/unassign?force=true`,
    ]);
    expect(world.emulator.world.heldProfiles({ externalId: 'A2301' })).not.toContain(hubspot);
  });
});
