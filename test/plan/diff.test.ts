// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax.
import { describe, expect, it } from 'vitest';
import { computePlan, type PlanInput } from '../../src/plan/diff.js';
import { findRefusals } from '../../src/plan/safety.js';
import type { AssignmentChange, Plan, ProfileChange } from '../../src/plan/types.js';
import { customer, desired, live, profile, secrets, state, stateProfile } from './builders.js';

const HUB = 'Acme HubSpot';
const HUB2 = 'Acme HubSpot EU';
const SLACK = 'Acme Slack';

function plan(input: Omit<PlanInput, 'secrets' | 'ratePerMinute'> & Partial<PlanInput>): Plan {
  return computePlan({ secrets: secrets(input.desired), ratePerMinute: 60, ...input });
}

function summary(p: Plan): string[] {
  return p.changes.map((c) => `${c.action} ${c.address}`);
}

/** A world where HubSpot is created, recorded and assigned to customer E:A1 and 7. */
function converged() {
  const d = desired(
    [profile(HUB, 'hubspot')],
    [customer({ externalId: 'A1' }, [HUB]), customer({ id: 7 }, [HUB])],
  );
  const s = state(
    { [HUB]: stateProfile(10, 'hubspot') },
    { 'E:A1': { profiles: [HUB] }, '7': { id: 7, profiles: [HUB] } },
  );
  const l = [live(10, HUB, 'hubspot', { oem_customers_count: 2 })];
  return { desired: d, state: s, live: l };
}

describe('computePlan', () => {
  it('creates profiles before assigning them, on a first run', () => {
    const d = desired(
      [profile(HUB, 'hubspot'), profile(SLACK, 'slack')],
      [customer({ externalId: 'A1' }, [HUB, SLACK]), customer({ id: 7 }, [HUB])],
    );
    const p = plan({ desired: d, state: state(), live: [] });
    expect(summary(p)).toEqual([
      'create profile["Acme HubSpot"]',
      'create profile["Acme Slack"]',
      'assign assignment["7"]["Acme HubSpot"]',
      'assign assignment["E:A1"]["Acme HubSpot"]',
      'assign assignment["E:A1"]["Acme Slack"]',
    ]);
    expect(p.apiCalls).toEqual({ profiles: 2, embedded: 3 });
    const create = p.changes[0] as ProfileChange;
    expect(create.after).toEqual({
      name: HUB,
      provider: 'hubspot',
      client_id: 'hubspot-client',
      client_secret: '(sensitive)',
    });
    expect(JSON.stringify(p)).not.toContain('not-a-real-secret');
  });

  it('has nothing to do when state, live and config agree', () => {
    const p = plan(converged());
    expect(p.changes).toEqual([]);
    expect(p.warnings).toEqual([]);
  });

  it('updates a changed client_id and a changed secret, field by field', () => {
    const world = converged();
    const d = desired([profile(HUB, 'hubspot', { clientId: 'new-id' })], world.desired.customers as never);
    const p = computePlan({
      ...world,
      desired: d,
      secrets: secrets(d, { [HUB]: { client_secret: 'changed' } }),
      ratePerMinute: 60,
    });
    expect(summary(p)).toEqual(['update profile["Acme HubSpot"]']);
    const update = p.changes[0] as ProfileChange;
    expect(update.changed).toEqual(['client_id', 'client_secret']);
    expect(update.before?.client_id).toBe('hubspot-client');
    expect(update.after?.client_id).toBe('new-id');
  });

  it('still plans when a secret is unknown, and says so', () => {
    const world = converged();
    const p = computePlan({
      ...world,
      secrets: secrets(world.desired, { [HUB]: { client_secret: 'unknown' } }),
      ratePerMinute: 60,
    });
    expect(p.changes).toEqual([]);
    expect(p.warnings.map((w) => w.code)).toEqual(['secret-unknown']);
    expect(p.warnings[0]?.message).toContain('$HUBSPOT_SECRET');
  });

  it('marks the unknown secret on an update that needs it', () => {
    const world = converged();
    const d = desired([profile(HUB, 'hubspot', { clientId: 'new-id' })], world.desired.customers as never);
    const p = computePlan({
      ...world,
      desired: d,
      secrets: secrets(d, { [HUB]: { client_secret: 'unknown' } }),
      ratePerMinute: 60,
    });
    const update = p.changes[0] as ProfileChange;
    expect(update.changed).toEqual(['client_id']);
    expect(update.unknown).toEqual(['client_secret']);
    expect(update.after?.client_secret).toBe('(unknown)');
  });

  it('adopts a live profile of the same name that the state does not know', () => {
    const d = desired([profile(HUB, 'hubspot')], []);
    const p = plan({ desired: d, state: state(), live: [live(10, HUB, 'hubspot')] });
    expect(summary(p)).toEqual(['adopt profile["Acme HubSpot"]']);
    expect((p.changes[0] as ProfileChange).id).toBe(10);
    expect((p.changes[0] as ProfileChange).changed).toEqual(['client_secret']);
  });

  it('refuses to adopt a live profile of the same name but another provider', () => {
    const d = desired([profile(HUB, 'hubspot')], []);
    expect(() => plan({ desired: d, state: state(), live: [live(10, HUB, 'slack')] })).toThrow(
      /profile named "Acme HubSpot" \(id 10\) for provider slack/,
    );
  });

  it('adopts the earliest of two live profiles with one name, and lists the other as a duplicate', () => {
    const d = desired([profile(HUB, 'hubspot')], []);
    const p = plan({
      desired: d,
      state: state(),
      live: [live(11, HUB, 'hubspot'), live(10, HUB, 'hubspot')],
    });
    expect(summary(p)).toEqual(['adopt profile["Acme HubSpot"]']);
    expect((p.changes[0] as ProfileChange).id).toBe(10);
    expect(p.unmanaged).toEqual([{ id: 11, name: HUB, provider: 'hubspot', duplicateOf: HUB }]);
  });

  it('finds a managed profile by its id: another of the same name is a duplicate, not a blocker', () => {
    const world = converged();
    const p = plan({ ...world, live: [live(5, HUB, 'hubspot'), ...world.live] });
    expect(p.changes).toEqual([]);
    expect(p.unmanaged).toEqual([{ id: 5, name: HUB, provider: 'hubspot', duplicateOf: HUB }]);
    expect(p.warnings.map((w) => w.code)).toEqual(['duplicate-name']);
    expect(p.warnings[0]!.message).toContain(
      'curl -X DELETE -H "Authorization: Bearer $WORKATO_API_TOKEN" "${WORKATO_API_URL:-https://www.workato.com}/api/custom_oauth_profiles/5"',
    );
  });

  it('replaces a profile whose provider changed by moving each customer to the new one', () => {
    const world = converged();
    const d = desired([profile(HUB, 'salesforce')], world.desired.customers as never);
    const p = plan({ ...world, desired: d });
    expect(summary(p)).toEqual(['replace profile["Acme HubSpot"]']);
    const replace = p.changes[0] as ProfileChange;
    expect(replace.moves).toEqual(['7', 'E:A1']);
    expect(replace.unassignFrom).toEqual([]);
    expect(replace.replacementName).toBe('Acme HubSpot (replacing id 10)');
    expect(replace.customerCount).toEqual({ live: 2, known: 2 });
    // create, delete, rename; an assign and an unassign per customer moved
    expect(p.apiCalls).toEqual({ profiles: 3, embedded: 4 });
  });

  it('a replace only unassigns the customers the config no longer gives the profile', () => {
    const world = converged();
    const d = desired([profile(HUB, 'salesforce')], [customer({ id: 7 }, [HUB], true)]);
    const replace = plan({ ...world, desired: d }).changes[0] as ProfileChange;
    expect(replace.moves).toEqual(['7']);
    expect(replace.unassignFrom).toEqual(['E:A1']);
    expect(replace.forced).toEqual(['7']);
  });

  it('resumes an interrupted replace: the recorded replacement is reused, its holders not moved again', () => {
    const world = converged();
    const temp = 'Acme HubSpot (replacing id 10)';
    world.state.profiles[temp] = stateProfile(20, 'salesforce', { rename_to: HUB });
    world.state.customers['7'] = { id: 7, profiles: [temp] };
    world.live.push(live(20, temp, 'salesforce', { oem_customers_count: 1 }));
    world.live[0]!.oem_customers_count = 1;
    const d = desired([profile(HUB, 'salesforce')], world.desired.customers as never);
    const p = plan({ ...world, desired: d });
    expect(summary(p)).toEqual(['replace profile["Acme HubSpot"]']);
    const replace = p.changes[0] as ProfileChange;
    expect(replace.replacementId).toBe(20);
    expect(replace.replacementName).toBe(temp);
    expect(replace.moves).toEqual(['E:A1']);
    expect(replace.unassignFrom).toEqual([]);
  });

  it('finishes a replace whose old profile is already deleted: one rename', () => {
    const world = converged();
    const temp = 'Acme HubSpot (replacing id 10)';
    world.state.profiles[temp] = stateProfile(20, 'salesforce', { rename_to: HUB });
    world.state.customers = { 'E:A1': { profiles: [temp] }, '7': { id: 7, profiles: [temp] } };
    delete world.state.profiles[HUB];
    const d = desired([profile(HUB, 'salesforce')], world.desired.customers as never);
    const p = plan({
      ...world,
      desired: d,
      live: [live(20, temp, 'salesforce', { oem_customers_count: 2 })],
    });
    expect(summary(p)).toEqual(['update profile["Acme HubSpot"]']);
    const update = p.changes[0] as ProfileChange;
    expect(update.renamedFrom).toBe(temp);
    expect(update.changed).toEqual(['name']);
  });

  it('renames a managed profile found under a previous name, keeping its customers', () => {
    const world = converged();
    const d = desired(
      [profile('Acme HubSpot (prod)', 'hubspot', { previousNames: [HUB] })],
      [customer({ externalId: 'A1' }, ['Acme HubSpot (prod)']), customer({ id: 7 }, ['Acme HubSpot (prod)'])],
    );
    const p = plan({ ...world, desired: d });
    expect(summary(p)).toEqual(['update profile["Acme HubSpot (prod)"]']);
    expect((p.changes[0] as ProfileChange).renamedFrom).toBe(HUB);
    expect(p.drift).toEqual([]);
  });

  it('re-sends a profile whose updated_at moved outside the tool, with the reason', () => {
    const world = converged();
    world.live[0]!.updated_at = '2026-02-02T00:00:00.000+00:00';
    const p = plan(world);
    expect(summary(p)).toEqual(['update profile["Acme HubSpot"]']);
    const update = p.changes[0] as ProfileChange;
    expect(update.drift).toContain('modified outside workato-oauth');
    expect(update.changed).toEqual(['client_secret']);
  });

  it('adopts a managed profile deleted and made again by hand, and assigns it anew', () => {
    const world = converged();
    const p = plan({ ...world, live: [live(11, HUB, 'hubspot')] });
    expect(summary(p)).toEqual([
      'adopt profile["Acme HubSpot"]',
      'assign assignment["7"]["Acme HubSpot"]',
      'assign assignment["E:A1"]["Acme HubSpot"]',
    ]);
    expect((p.changes[0] as ProfileChange).id).toBe(11);
    expect(p.warnings.map((w) => w.code)).toEqual(['profile-recreated']);
  });

  it('--force-unassign is in the plan: every unassign says force', () => {
    const world = converged();
    const d = desired([profile(HUB, 'hubspot')], [customer({ id: 7 }, [])]);
    const p = plan({ ...world, desired: d, options: { forceUnassign: true } });
    expect(p.changes.map((c) => (c as AssignmentChange).force)).toEqual([true, true]);
  });

  it('--reassert sends every wanted assignment again', () => {
    const p = plan({ ...converged(), options: { reassert: true } });
    expect(summary(p)).toEqual([
      'assign assignment["7"]["Acme HubSpot"]',
      'assign assignment["E:A1"]["Acme HubSpot"]',
    ]);
    expect(p.changes.every((c) => (c as AssignmentChange).reassert === true)).toBe(true);
  });

  it('marks an unassign without force of a profile connections use', () => {
    const world = converged();
    world.live[0]!.shared_accounts_count = 4;
    const d = desired(
      [profile(HUB, 'hubspot')],
      [customer({ id: 7 }, [HUB]), customer({ externalId: 'A1' }, [])],
    );
    const change = plan({ ...world, desired: d }).changes[0] as AssignmentChange;
    expect(change.inUse).toBe(4);
  });

  it('refuses two entries for one customer, naming both', () => {
    const world = converged();
    world.state.customers['E:A1'] = { id: 101, external_id: 'A1', profiles: [HUB] };
    const d = desired(
      [profile(HUB, 'hubspot')],
      [customer({ externalId: 'A1' }, [HUB]), customer({ id: 101 }, [])],
    );
    expect(() => plan({ ...world, desired: d })).toThrow(
      /external_id "A1" and customer id 101 are the same customer/,
    );
  });

  it('guards a replace like a delete when the config sets prevent_destroy', () => {
    const world = converged();
    const d = desired(
      [profile(HUB, 'salesforce', { preventDestroy: true })],
      world.desired.customers as never,
    );
    const p = plan({ ...world, desired: d });
    expect((p.changes[0] as ProfileChange).preventDestroy).toBe(true);
    expect(findRefusals(p, world.state, { stage: 'plan' })).toEqual([
      expect.objectContaining({
        code: 'prevent-destroy',
        message: expect.stringContaining(
          'profile["Acme HubSpot"] has prevent_destroy, and a new provider replaces it',
        ),
      }),
    ]);
  });

  it('deletes a profile gone from the config after unassigning it, and flags prevent_destroy', () => {
    const world = converged();
    world.state.profiles[HUB]!.prevent_destroy = true;
    const p = plan({ ...world, desired: desired([], []) });
    expect(summary(p)).toEqual([
      'unassign assignment["7"]["Acme HubSpot"]',
      'unassign assignment["E:A1"]["Acme HubSpot"]',
      'delete profile["Acme HubSpot"]',
    ]);
    expect((p.changes[2] as ProfileChange).preventDestroy).toBe(true);
  });

  it('swaps a customer to another profile of the same provider, with its force policy', () => {
    const world = converged();
    const d = desired(
      [profile(HUB, 'hubspot'), profile(HUB2, 'hubspot')],
      [customer({ externalId: 'A1' }, [HUB2], true), customer({ id: 7 }, [HUB])],
    );
    const p = plan({ ...world, desired: d });
    expect(summary(p)).toEqual([
      'create profile["Acme HubSpot EU"]',
      'swap assignment["E:A1"]["Acme HubSpot EU"]',
    ]);
    const swap = p.changes[1] as AssignmentChange;
    expect(swap.previous).toBe(HUB);
    expect(swap.force).toBe(true);
    expect(p.apiCalls).toEqual({ profiles: 1, embedded: 2 });
  });

  it('unassigns what a customer no longer lists, with force only where the customer allows it', () => {
    const world = converged();
    const d = desired(
      [profile(HUB, 'hubspot')],
      [customer({ externalId: 'A1' }, [], true), customer({ id: 7 }, [], false)],
    );
    const p = plan({ ...world, desired: d });
    expect(p.changes.map((c) => [c.address, (c as AssignmentChange).force])).toEqual([
      ['assignment["7"]["Acme HubSpot"]', false],
      ['assignment["E:A1"]["Acme HubSpot"]', true],
    ]);
  });

  it('unassigns everything from a customer removed from the config', () => {
    const world = converged();
    const d = desired([profile(HUB, 'hubspot')], [customer({ id: 7 }, [HUB])]);
    expect(summary(plan({ ...world, desired: d }))).toEqual(['unassign assignment["E:A1"]["Acme HubSpot"]']);
  });

  it('reports drift when Workato counts other assignments than the state records', () => {
    const world = converged();
    world.live[0]!.oem_customers_count = 5;
    const p = plan(world);
    expect(p.changes).toEqual([]);
    expect(p.drift).toEqual([
      {
        code: 'assignment-count-drift',
        address: 'profile["Acme HubSpot"]',
        message: expect.stringContaining('Workato counts 5 customer(s), the state records 2'),
        repair: 'workato-oauth apply --reassert',
      },
    ]);
  });

  it('lists live profiles it does not manage, and leaves them alone', () => {
    const world = converged();
    const p = plan({ ...world, live: [...world.live, live(900, 'Legacy Zoom', 'zoom')] });
    expect(p.changes).toEqual([]);
    expect(p.unmanaged).toEqual([{ id: 900, name: 'Legacy Zoom', provider: 'zoom' }]);
  });

  it('knows a customer by either id once the state holds both', () => {
    const world = converged();
    world.state.customers['E:A1'] = { id: 101, external_id: 'A1', profiles: [HUB] };
    const d = desired([profile(HUB, 'hubspot')], [customer({ id: 101 }, [HUB]), customer({ id: 7 }, [HUB])]);
    expect(plan({ ...world, desired: d }).changes).toEqual([]);
  });

  it('creates again, and assigns anew, a managed profile deleted outside the tool', () => {
    const world = converged();
    const p = plan({ ...world, live: [] });
    expect(summary(p)).toEqual([
      'create profile["Acme HubSpot"]',
      'assign assignment["7"]["Acme HubSpot"]',
      'assign assignment["E:A1"]["Acme HubSpot"]',
    ]);
    expect(p.warnings.map((w) => w.code)).toEqual(['profile-gone']);
  });

  it('gives the same plan for the same inputs, whatever the input order', () => {
    const d = desired(
      [profile(SLACK, 'slack'), profile(HUB, 'hubspot')],
      [customer({ id: 9 }, [SLACK, HUB]), customer({ externalId: 'B' }, [HUB])],
    );
    const reversed = desired([...d.profiles].reverse(), [...d.customers].reverse());
    const a = plan({ desired: d, state: state(), live: [] });
    const b = plan({ desired: reversed, state: state(), live: [] });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
