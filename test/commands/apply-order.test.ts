// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax.
/**
 * apply runs its changes in the design's order: profiles exist before they are
 * assigned, a swap unassigns the old profile before assigning the new one,
 * unassigns come after assigns, and a profile is deleted only once it has left
 * every customer. Asserted on the order the emulator received the requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Call, callsSince, liveHoldings, profileIds, wantedHoldings } from '../e2e/apply-helpers.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  expect(world.printed.length).toBeGreaterThan(0);
  await world.expectNoLeaks(['p.json']);
  await world.close();
});

const APPLY = ['apply', '--auto-approve', ...FAST];
const MUTATING = new Set<Call['kind']>(['create', 'update', 'delete', 'assign', 'unassign']);

function describeMutations(calls: Call[]): string[] {
  return calls
    .filter((c) => MUTATING.has(c.kind))
    .map((c) =>
      [c.kind, c.customer, c.profileId, c.force === undefined ? undefined : `force=${c.force}`]
        .filter((part) => part !== undefined)
        .join(' '),
    );
}

describe('apply order (emulator request log)', () => {
  it('creates every profile before the first assign, then the next plan is empty', async () => {
    world = await startBench();
    const applied = await world.cli(APPLY);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 22 done, 0 failed, 0 skipped.');

    const calls = callsSince(world.emulator);
    const creates = calls.flatMap((c, i) => (c.kind === 'create' ? [i] : []));
    const assigns = calls.flatMap((c, i) => (c.kind === 'assign' ? [i] : []));
    expect(creates).toHaveLength(4);
    expect(assigns).toHaveLength(18);
    expect(Math.max(...creates)).toBeLessThan(Math.min(...assigns));
    // Every request was answered with success: nothing was refused or retried.
    expect(calls.filter((c) => c.status >= 300)).toEqual([]);

    const config = await world.readConfig();
    expect(liveHoldings(world.emulator, Object.keys(config.profiles))).toEqual(
      wantedHoldings(config, world.emulator),
    );
    const again = await world.cli(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('No changes.');
  });

  it('runs update, swap (unassign then assign), assign, unassign and delete in that order', async () => {
    world = await startBench();
    const first = await world.cli(APPLY);
    expect(first.code, first.stderr).toBe(0);
    const before = profileIds(world.emulator);

    const config = await world.readConfig();
    config.profiles['Acme Salesforce app']!.client_id = '3MVG9acme.salesforce.rotated';
    config.profiles['Acme HubSpot EU app'] = {
      provider: 'hubspot',
      client_id: 'acme-hubspot-eu-client',
      client_secret: '${HUBSPOT_CLIENT_SECRET}',
    };
    delete config.profiles['Acme Zoom app'];
    config.customers = config.customers
      // A2302 leaves; A2308 and 4569 held only the Zoom app.
      .filter((c) => !['A2302', 'A2308'].includes(c.external_id ?? '') && c.id !== 4569)
      .map((c) => ({ ...c, profiles: c.profiles.filter((p) => p !== 'Acme Zoom app') }))
      .map((c) =>
        c.external_id === 'A2300' ? { ...c, profiles: ['Acme HubSpot EU app', 'Acme Slack app'] } : c,
      );
    config.customers.push({ external_id: 'H4572', profiles: ['Acme HubSpot EU app'] });
    await world.writeConfig(config);

    const mark = world.emulator.requestLog.length;
    // 6 of 18 assignments leave (one swap, five unassigns): above the default 30%.
    const applied = await world.cli([...APPLY, '--allow-delete', '--max-change-percent', '50']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 10 done, 0 failed, 0 skipped.');

    const after = profileIds(world.emulator);
    const eu = after['Acme HubSpot EU app']!;
    const hubspot = before['Acme HubSpot OAuth app']!;
    const salesforce = before['Acme Salesforce app']!;
    const zoom = before['Acme Zoom app']!;
    const calls = callsSince(world.emulator, mark);
    expect(describeMutations(calls).sort()).toEqual(
      [
        'create',
        `update ${salesforce}`,
        `unassign EA2300 ${hubspot} force=false`,
        `assign EA2300 ${eu}`,
        `assign EH4572 ${eu}`,
        `unassign EA2302 ${salesforce} force=false`,
        `unassign EA2304 ${zoom} force=false`,
        `unassign EA2306 ${zoom} force=false`,
        `unassign EA2308 ${zoom} force=false`,
        `unassign 4569 ${zoom} force=false`,
        `delete ${zoom}`,
      ].sort(),
    );

    const at = (match: (c: Call) => boolean): number[] => calls.flatMap((c, i) => (match(c) ? [i] : []));
    const [create] = at((c) => c.kind === 'create');
    const [update] = at((c) => c.kind === 'update');
    const [swapOut] = at((c) => c.kind === 'unassign' && c.customer === 'EA2300');
    const [swapIn] = at((c) => c.kind === 'assign' && c.customer === 'EA2300');
    const [assign] = at((c) => c.kind === 'assign' && c.customer === 'EH4572');
    const unassigns = at((c) => c.kind === 'unassign' && c.customer !== 'EA2300');
    const zoomUnassigns = at((c) => c.kind === 'unassign' && c.profileId === zoom);
    const [remove] = at((c) => c.kind === 'delete');
    expect(create).toBeLessThan(update!);
    expect(update).toBeLessThan(swapOut!);
    expect(swapOut).toBeLessThan(swapIn!);
    expect(Math.max(swapIn!, assign!)).toBeLessThan(Math.min(...unassigns));
    expect(zoomUnassigns).toHaveLength(4);
    expect(remove).toBeGreaterThan(Math.max(...zoomUnassigns));

    expect(after).not.toHaveProperty(['Acme Zoom app']);
    expect(liveHoldings(world.emulator, Object.keys(config.profiles))).toEqual(
      wantedHoldings(config, world.emulator),
    );
    const again = await world.cli(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('No changes.');
  });
});
