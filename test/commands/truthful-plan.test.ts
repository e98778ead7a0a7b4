/**
 * Issue 8: what the plan shows is exactly what apply does, and every drift it can
 * see, it shows. One scenario per case the issue lists, each against the emulator,
 * with the CLI run in-process.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigDoc } from '../e2e/apply-helpers.js';
import { SECRETS } from '../e2e/world.js';
import { type Bench, FAST, startBench } from './harness.js';

const HUBSPOT = 'Acme HubSpot OAuth app';
const SLACK = 'Acme Slack app';
const ZOOM = 'Acme Zoom app';
const SALESFORCE = 'Acme Salesforce app';
const APPLY = ['apply', '--auto-approve', ...FAST];
const PLAN = ['plan', '--detailed-exitcode', ...FAST];

let bench: Bench;

beforeEach(async () => {
  bench = await startBench();
});

afterEach(async () => {
  await bench.expectNoLeaks();
  await bench.close();
});

async function converge(): Promise<void> {
  const first = await bench.cli(APPLY);
  expect(first.code, first.stderr).toBe(0);
  const again = await bench.cli(PLAN);
  expect(again.code, again.stdout).toBe(0);
}

function customer(doc: ConfigDoc, externalId: string) {
  const found = doc.customers.find((c) => c.external_id === externalId);
  if (!found) throw new Error(`no customer ${externalId} in the config`);
  return found;
}

function outsideUpdate(name: string, secret: string): void {
  const live = bench.profile(name);
  const full = bench.emulator.world.toData().profiles.find((p) => p.id === live.id)!;
  const result = bench.emulator.world.updateProfile(live.id, {
    name: full.name,
    provider: full.provider,
    data: { client_id: full.client_id, client_secret: secret, ...(full.token ? { token: full.token } : {}) },
  });
  expect(result.ok).toBe(true);
}

describe('1. a saved plan is recomputed, never executed as edited', () => {
  /** The saved plan file as JSON, to edit as a person would. */
  type SavedPlan = { plan: { changes: Record<string, unknown>[] } };

  async function savePlanThatUnassignsSlack(): Promise<{ path: string; doc: SavedPlan }> {
    await converge();
    await bench.editConfig((doc) => {
      customer(doc, 'A2300').profiles = [HUBSPOT];
    });
    const saved = await bench.cli(['plan', '--out', 'p.json', ...FAST]);
    expect(saved.code, saved.stderr).toBe(0);
    const path = join(bench.dir, 'p.json');
    return { path, doc: JSON.parse(await readFile(path, 'utf8')) };
  }

  it('refuses a plan file whose customer was edited, naming the difference, and sends nothing', async () => {
    const { path, doc } = await savePlanThatUnassignsSlack();
    const change = doc.plan.changes.find((c) => c['action'] === 'unassign')!;
    change['customer'] = 'E:A2305';
    await writeFile(path, JSON.stringify(doc));
    const from = bench.emulator.requestLog.length;
    const result = await bench.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('differs from the plan made now');
    expect(result.stderr).toContain('customer is "E:A2305" in the plan file but "E:A2300" now');
    expect(bench.writes(from)).toEqual([]);
  });

  it('refuses a plan file with force edited in, and sends nothing', async () => {
    const { path, doc } = await savePlanThatUnassignsSlack();
    const change = doc.plan.changes.find((c) => c['action'] === 'unassign')!;
    expect(change['force']).toBe(false);
    change['force'] = true;
    await writeFile(path, JSON.stringify(doc));
    const from = bench.emulator.requestLog.length;
    const result = await bench.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('force is true in the plan file but false now');
    expect(bench.writes(from)).toEqual([]);
  });

  it('refuses a damaged plan file before any call', async () => {
    const { path, doc } = await savePlanThatUnassignsSlack();
    doc.plan.changes[0]!['action'] = 'explode';
    await writeFile(path, JSON.stringify(doc));
    const from = bench.emulator.requestLog.length;
    const result = await bench.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/plan file .*p\.json is damaged/);
    expect(bench.emulator.requestLog.length).toBe(from);
  });

  it('runs the unaltered plan file: exactly the unassign it shows', async () => {
    await savePlanThatUnassignsSlack();
    const from = bench.emulator.requestLog.length;
    const result = await bench.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(result.code, result.stderr).toBe(0);
    expect(bench.writes(from)).toEqual([
      expect.objectContaining({ kind: 'unassign', customer: 'EA2300', force: false, status: 200 }),
    ]);
  });
});

describe('2. a profile changed in Workato is drift the plan repairs', () => {
  it('a secret changed outside: exit 2, an update that re-sends the secret, then no changes', async () => {
    await converge();
    outsideUpdate(HUBSPOT, 'rotated-by-hand-in-workato');
    const plan = await bench.cli(PLAN);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('modified outside workato-oauth');
    expect(plan.stdout).toContain(`profile["${HUBSPOT}"]`);

    const applied = await bench.cli(APPLY);
    expect(applied.code, applied.stderr).toBe(0);
    const id = bench.profile(HUBSPOT).id;
    expect(bench.emulator.world.storedSecrets(id)?.client_secret).toBe(SECRETS.HUBSPOT_CLIENT_SECRET);
    expect((await bench.cli(PLAN)).code).toBe(0);
  });

  it('without the secret (a fork pull request) the drift still shows, as unknown until apply', async () => {
    await converge();
    outsideUpdate(HUBSPOT, 'rotated-by-hand-in-workato');
    const plan = await bench.cli(PLAN, { env: { HUBSPOT_CLIENT_SECRET: undefined } });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('modified outside workato-oauth');
    expect(plan.stdout).toContain('unknown');
    const apply = await bench.cli(APPLY, { env: { HUBSPOT_CLIENT_SECRET: undefined } });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toContain('$HUBSPOT_CLIENT_SECRET');
  });
});

describe('3. assignments made or removed outside the tool are drift', () => {
  it('an assignment added outside: exit 2, both counts and the repair', async () => {
    await converge();
    expect(bench.emulator.world.assignProfile({ id: 4571 }, bench.profile(ZOOM).id).ok).toBe(true);
    const plan = await bench.cli(PLAN);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/Workato counts 5 customer\(s\), the state records 4/);
    expect(plan.stdout).toContain('apply --reassert');
  });

  it('an assignment removed outside: exit 2; apply --reassert puts it back and the next plan is empty', async () => {
    await converge();
    const slack = bench.profile(SLACK).id;
    expect(bench.emulator.world.unassignProfile({ externalId: 'A2300' }, slack, { force: true }).ok).toBe(
      true,
    );
    expect((await bench.cli(PLAN)).code).toBe(2);
    const from = bench.emulator.requestLog.length;
    const reassert = await bench.cli([...APPLY, '--reassert']);
    expect(reassert.code, reassert.stderr).toBe(0);
    const assigns = bench.writes(from).filter((c) => c.kind === 'assign');
    // Every assignment the config wants, sent again: 18 in the example.
    expect(assigns).toHaveLength(18);
    expect(bench.holdings({ externalId: 'A2300' })).toEqual([HUBSPOT, SLACK]);
    expect((await bench.cli(PLAN)).code).toBe(0);
  });
});

describe('4. a provider change never leaves a customer without the profile', () => {
  const holders = ['EA2300', 'EA2301', 'EB 17/02', 'EA2304', 'EA2307', '4567'];

  async function changeHubSpotProvider(): Promise<void> {
    await bench.editConfig((doc) => {
      doc.profiles[HUBSPOT]!.provider = 'pipedrive';
    });
  }

  it('moves each customer to the new profile before it leaves the old one, then deletes and renames', async () => {
    await converge();
    const oldId = bench.profile(HUBSPOT).id;
    await changeHubSpotProvider();
    const from = bench.emulator.requestLog.length;
    const result = await bench.cli([...APPLY, '--allow-delete']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const calls = bench.writes(from);
    const created = calls.find((c) => c.kind === 'create');
    expect(created).toBeDefined();
    const newId = bench.profile(HUBSPOT).id;
    expect(newId).not.toBe(oldId);
    for (const holder of holders) {
      const assigned = calls.findIndex((c) => c.kind === 'assign' && c.customer === holder);
      const left = calls.findIndex(
        (c) => c.kind === 'unassign' && c.customer === holder && c.profileId === oldId,
      );
      expect(assigned, holder).toBeGreaterThanOrEqual(0);
      expect(left, holder).toBeGreaterThan(assigned);
    }
    const deleted = calls.findIndex((c) => c.kind === 'delete' && c.profileId === oldId);
    const renamed = calls.findIndex((c) => c.kind === 'update' && c.profileId === newId);
    expect(deleted).toBeGreaterThan(Math.max(...calls.map((c, i) => (c.kind === 'unassign' ? i : -1))));
    expect(renamed).toBeGreaterThan(deleted);
    expect(bench.profile(HUBSPOT).provider).toBe('pipedrive');
    expect(bench.holdings({ externalId: 'A2300' })).toEqual([HUBSPOT, SLACK]);
    expect((await bench.cli(PLAN)).code).toBe(0);
  });

  it('the plan shows the moves and the calls it will make', async () => {
    await converge();
    await changeHubSpotProvider();
    const plan = await bench.cli(['plan', '--format', 'json', ...FAST]);
    expect(plan.code, plan.stderr).toBe(0);
    const json = JSON.parse(plan.stdout);
    const replace = json.changes.find((c: { action: string }) => c.action === 'replace');
    expect(replace.moves).toHaveLength(holders.length);
    // create + delete + rename, and two calls per customer moved
    expect(json.api_calls.profiles).toBe(3);
    expect(json.api_calls.embedded).toBe(2 * holders.length);
  });

  it('refuses before any call when Workato counts customers the state does not know', async () => {
    await converge();
    expect(bench.emulator.world.assignProfile({ id: 4571 }, bench.profile(HUBSPOT).id).ok).toBe(true);
    await changeHubSpotProvider();
    const plan = await bench.cli(['plan', ...FAST]);
    expect(plan.code).toBe(3);
    expect(plan.stderr).toContain('is assigned to 7 customer(s) in Workato, but the state knows 6');
    const from = bench.emulator.requestLog.length;
    const apply = await bench.cli([...APPLY, '--allow-delete']);
    expect(apply.code).toBe(3);
    expect(bench.writes(from)).toEqual([]);
  });

  it('a customer that cannot leave the old profile keeps it; the rest move; a re-run finishes', async () => {
    await converge();
    const oldId = bench.profile(HUBSPOT).id;
    expect(bench.emulator.world.setConnections({ externalId: 'A2300' }, oldId, 2).ok).toBe(true);
    await changeHubSpotProvider();
    const first = await bench.cli([...APPLY, '--allow-delete']);
    expect(first.code).toBe(1);
    // Nobody is without the application: A2300 holds both, everyone else the new one.
    const live = bench.emulator.world.toData().profiles;
    expect(live.find((p) => p.id === oldId)).toBeDefined();
    expect(bench.holdings({ externalId: 'A2300' })).toHaveLength(3);
    for (const ref of [{ externalId: 'A2301' }, { id: 4567 }]) {
      expect(bench.holdings(ref).some((name) => name.startsWith(`${HUBSPOT} (replacing id`))).toBe(true);
    }
    await bench.editConfig((doc) => {
      customer(doc, 'A2300').force_unassign = true;
    });
    const second = await bench.cli([...APPLY, '--allow-delete']);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(bench.profile(HUBSPOT).provider).toBe('pipedrive');
    expect(bench.emulator.world.toData().profiles.find((p) => p.id === oldId)).toBeUndefined();
    expect((await bench.cli(PLAN)).code).toBe(0);
  });
});

describe('5. one customer listed twice', () => {
  it('by id and by external id is an error naming both entries, before any call', async () => {
    await converge();
    await bench.editConfig((doc) => {
      doc.customers.push({ id: 101, profiles: [ZOOM] });
    });
    const from = bench.emulator.requestLog.length;
    const plan = await bench.cli(['plan', ...FAST]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(
      /customer external_id "A2300" \(workato-oauth\.yaml:\d+:\d+\) and customer id 101 \(workato-oauth\.yaml:\d+:\d+\) are the same customer/,
    );
    expect(bench.emulator.requestLog.length).toBe(from);
  });
});

describe('6. a customer deleted in Workato', () => {
  it('and removed from the config: forgotten with a note, apply succeeds, the next plan is empty', async () => {
    await converge();
    expect(bench.emulator.world.deleteCustomer({ externalId: 'A2308' }).ok).toBe(true);
    await bench.editConfig((doc) => {
      doc.customers = doc.customers.filter((c) => c.external_id !== 'A2308');
    });
    const applied = await bench.cli(APPLY);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('no longer exists in Workato');
    const state = await bench.readState();
    expect(state.customers['E:A2308']).toBeUndefined();
    expect((await bench.cli(PLAN)).code).toBe(0);
  });
});

describe('7. --force-unassign: every output says what is sent', () => {
  it('plan and apply show force=true and send it', async () => {
    await converge();
    await bench.editConfig((doc) => {
      customer(doc, 'A2300').profiles = [HUBSPOT];
    });
    const without = JSON.parse((await bench.cli(['plan', '--format', 'json', ...FAST])).stdout);
    expect(without.changes.find((c: { action: string }) => c.action === 'unassign').force).toBe(false);
    const plan = await bench.cli(['plan', '--format', 'json', '--force-unassign', ...FAST]);
    const json = JSON.parse(plan.stdout);
    expect(json.changes.find((c: { action: string }) => c.action === 'unassign').force).toBe(true);
    const text = await bench.cli(['plan', '--force-unassign', ...FAST]);
    expect(text.stdout).toMatch(/force/);

    const from = bench.emulator.requestLog.length;
    const applied = await bench.cli([...APPLY, '--force-unassign', '--format', 'json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(bench.writes(from)).toEqual([expect.objectContaining({ kind: 'unassign', force: true })]);
    const report = JSON.parse(applied.stdout);
    expect(report.plan.changes[0].force).toBe(true);
  });

  it('a plan file saved without it is refused by apply --force-unassign', async () => {
    await converge();
    await bench.editConfig((doc) => {
      customer(doc, 'A2300').profiles = [HUBSPOT];
    });
    await bench.cli(['plan', '--out', 'p.json', ...FAST]);
    const from = bench.emulator.requestLog.length;
    const applied = await bench.cli(['apply', 'p.json', '--auto-approve', '--force-unassign', ...FAST]);
    expect(applied.code).toBe(3);
    expect(applied.stderr).toContain('force is false in the plan file but true now');
    expect(bench.writes(from)).toEqual([]);
  });
});

describe('8. refusals are shown in every format', () => {
  beforeEach(async () => {
    await converge();
    await bench.editConfig((doc) => {
      doc.profiles[SALESFORCE]!.provider = 'pipedrive';
    });
  });

  it('text', async () => {
    const plan = await bench.cli(['plan', ...FAST]);
    expect(plan.code).toBe(3);
    expect(plan.stdout).toMatch(new RegExp(`! .*profile\\["${SALESFORCE}"\\]`));
    expect(plan.stdout).toContain('prevent_destroy');
  });

  it('markdown', async () => {
    const plan = await bench.cli(['plan', '--format', 'markdown', ...FAST]);
    expect(plan.code).toBe(3);
    expect(plan.stdout).toMatch(/refused/i);
    expect(plan.stdout).toContain('prevent_destroy');
  });

  it('json', async () => {
    const plan = await bench.cli(['plan', '--format', 'json', ...FAST]);
    expect(plan.code).toBe(3);
    const json = JSON.parse(plan.stdout);
    const replace = json.changes.find((c: { action: string }) => c.action === 'replace');
    expect(replace.refused).toContain('prevent_destroy');
    expect(json.refusals).toEqual([
      expect.objectContaining({ code: 'prevent-destroy', address: `profile["${SALESFORCE}"]` }),
    ]);
    expect(json.summary.refused).toBe(1);
  });
});

describe('9. renaming a profile with previous_names', () => {
  it('is one PUT: no create, no delete, no re-assignment', async () => {
    await converge();
    const id = bench.profile(ZOOM).id;
    await bench.editConfig((doc) => {
      const zoom = doc.profiles[ZOOM]!;
      delete doc.profiles[ZOOM];
      doc.profiles['Acme Zoom (prod)'] = { ...zoom, previous_names: [ZOOM] } as typeof zoom;
      for (const c of doc.customers)
        c.profiles = c.profiles.map((p) => (p === ZOOM ? 'Acme Zoom (prod)' : p));
    });
    const from = bench.emulator.requestLog.length;
    const applied = await bench.cli(APPLY);
    expect(applied.code, applied.stderr).toBe(0);
    expect(bench.writes(from)).toEqual([expect.objectContaining({ kind: 'update', profileId: id })]);
    expect(bench.profile('Acme Zoom (prod)').id).toBe(id);
    const state = await bench.readState();
    expect(state.profiles['Acme Zoom (prod)']?.id).toBe(id);
    expect(state.profiles[ZOOM]).toBeUndefined();
    expect(state.customers['E:A2308']?.profiles).toEqual(['Acme Zoom (prod)']);
    expect((await bench.cli(PLAN)).code).toBe(0);
  });
});

describe('10. a state from another workspace', () => {
  it('is refused when none of its profiles exists; --force recreates them', async () => {
    await converge();
    const state = await bench.readState();
    for (const profile of Object.values(state.profiles)) profile.id += 50_000;
    await bench.writeState(state);
    const plan = await bench.cli(['plan', ...FAST]);
    expect(plan.code).toBe(3);
    expect(plan.stderr).toContain(
      'this state belongs to another workspace, or every managed profile was deleted',
    );
    const forced = await bench.cli(['plan', '--force', ...FAST]);
    expect(forced.code, forced.stderr).toBe(0);
  });
});

describe('11. a same-named profile made by someone else', () => {
  it('is an unmanaged duplicate, not a blocker', async () => {
    await converge();
    const made = bench.emulator.world.createProfile({
      name: HUBSPOT,
      provider: 'hubspot',
      data: { client_id: 'someone-else', client_secret: 'x' },
    });
    expect(made.ok).toBe(true);
    const plan = await bench.cli(PLAN);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(HUBSPOT);
    const json = JSON.parse((await bench.cli(['plan', '--format', 'json', ...FAST])).stdout);
    expect(json.unmanaged).toContainEqual(expect.objectContaining({ name: HUBSPOT, duplicate_of: HUBSPOT }));
    const from = bench.emulator.requestLog.length;
    expect((await bench.cli(APPLY)).code).toBe(0);
    expect(bench.writes(from)).toEqual([]);
  });
});

describe('12. an unassign likely to fail is flagged', () => {
  it('names the connections that use the profile', async () => {
    await converge();
    const slack = bench.profile(SLACK).id;
    expect(bench.emulator.world.setConnections({ externalId: 'A2300' }, slack, 3).ok).toBe(true);
    await bench.editConfig((doc) => {
      customer(doc, 'A2300').profiles = [HUBSPOT];
    });
    const plan = await bench.cli(['plan', ...FAST]);
    expect(plan.stdout).toMatch(/in use by 3 connection/);
    const json = JSON.parse((await bench.cli(['plan', '--format', 'json', ...FAST])).stdout);
    expect(json.changes.find((c: { action: string }) => c.action === 'unassign').in_use).toBe(3);
  });
});

describe('15. a managed profile deleted and made again by hand', () => {
  it('is adopted by its new id and assigned to every customer again', async () => {
    await converge();
    const old = bench.profile(ZOOM).id;
    const { world } = bench.emulator;
    for (const ref of [
      { externalId: 'A2304' },
      { externalId: 'A2306' },
      { externalId: 'A2308' },
      { id: 4569 },
    ]) {
      expect(world.unassignProfile(ref, old, { force: true }).ok).toBe(true);
    }
    expect(world.deleteProfile(old).ok).toBe(true);
    const made = world.createProfile({
      name: ZOOM,
      provider: 'zoom',
      data: { client_id: 'acme-zoom-client', client_secret: 'typed-by-hand' },
    });
    expect(made.ok).toBe(true);
    const plan = await bench.cli(PLAN);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('was deleted in Workato and another profile of that name');
    const applied = await bench.cli(APPLY);
    expect(applied.code, applied.stderr).toBe(0);
    const id = bench.profile(ZOOM).id;
    expect(id).not.toBe(old);
    expect(bench.holdings({ externalId: 'A2308' })).toEqual([ZOOM]);
    expect((await bench.readState()).profiles[ZOOM]?.id).toBe(id);
    expect((await bench.cli(PLAN)).code).toBe(0);
  });
});

describe('13. a move between two profiles of one provider, in markdown', () => {
  it('shows under both profiles', async () => {
    await converge();
    await bench.editConfig((doc) => {
      doc.profiles['Acme HubSpot EU'] = { ...doc.profiles[HUBSPOT]!, client_id: 'eu-client' };
      customer(doc, 'A2300').profiles = ['Acme HubSpot EU', SLACK];
    });
    const plan = await bench.cli(['plan', '--format', 'markdown', ...FAST]);
    expect(plan.code, plan.stderr).toBe(0);
    // One block per profile, headed by its name in bold.
    const blocks = plan.stdout.split(/\n(?=\*\*`)/);
    const about = (name: string) => blocks.find((b) => b.startsWith(`**\`${name}\`**`)) ?? '';
    expect(about('Acme HubSpot EU')).toContain('swap     "E:A2300"');
    expect(about(HUBSPOT)).toContain('swap out "E:A2300" (to "Acme HubSpot EU"');
  });
});

describe('14. a state file edited by hand', () => {
  it('is refused naming the field, before any call', async () => {
    await converge();
    const state = (await bench.readState()) as unknown as { profiles: Record<string, { id: unknown }> };
    state.profiles[HUBSPOT]!.id = 'abc';
    await writeFile(bench.statePath, JSON.stringify(state));
    const from = bench.emulator.requestLog.length;
    const plan = await bench.cli(['plan', ...FAST]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`profiles["${HUBSPOT}"].id must be`);
    expect(plan.stderr).not.toMatch(/\n\s+at /);
    expect(bench.emulator.requestLog.length).toBe(from);
  });
});
