/**
 * `drift`: Workato against what the state says was last applied. Every kind of
 * drift is made in the emulator by hand and found, with its repair; a config
 * merged but not applied is not drift; no config and no secret is needed.
 */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRETS } from '../e2e/world.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  await world.expectNoLeaks();
  await world.close();
});

/** An applied workspace, then the config and every secret taken away: drift needs neither. */
async function applied(): Promise<{ env: Record<string, string> }> {
  world = await startBench();
  const result = await world.cli(['apply', '--auto-approve', ...FAST]);
  expect(result.code, result.output).toBe(0);
  const env = Object.fromEntries(Object.keys(SECRETS).map((name) => [name, '']));
  return { env };
}

/** Changes a live profile by hand, as someone in the Workato console would. */
function editByHand(name: string, change: { name?: string; client_id?: string; client_secret?: string }) {
  const live = world.emulator.world.toData().profiles.find((p) => p.name === name)!;
  const result = world.emulator.world.updateProfile(live.id, {
    name: change.name ?? live.name,
    provider: live.provider,
    data: {
      client_id: change.client_id ?? live.client_id,
      client_secret: change.client_secret ?? 'hand-typed-secret',
    },
  });
  expect(result.ok).toBe(true);
  return live.id;
}

describe('drift', () => {
  it('is none right after apply, and none for a config merged but not applied (exit 0)', async () => {
    const { env } = await applied();
    const before = world.calls().length;
    const clean = await world.cli(['drift'], { env });
    expect(clean.code, clean.output).toBe(0);
    expect(clean.stdout).toContain('No drift: the 4 profiles the state records match Workato.');
    // One listing of the profiles: no per-customer or per-assignment call.
    expect(world.calls(before).map((c) => c.kind)).toEqual(['read']);

    await world.editConfig((doc) => {
      doc.profiles['Acme Slack app']!.client_id = 'merged-not-applied';
      delete doc.profiles['Acme Zoom app'];
    });
    const merged = await world.cli(['drift'], { env });
    expect(merged.code, merged.output).toBe(0);
    await rm(world.configPath);
    expect((await world.cli(['drift'], { env })).code).toBe(0);
  });

  it('finds each kind of change made in Workato by hand, with its repair (exit 2)', async () => {
    const { env } = await applied();
    const hub = editByHand('Acme HubSpot OAuth app', { client_secret: 'rotated-by-hand' });
    const slack = editByHand('Acme Slack app', { client_id: 'edited-client' });
    editByHand('Acme Zoom app', { name: 'Zoom (renamed by hand)' });
    const salesforce = world.profile('Acme Salesforce app').id;
    expect(world.emulator.world.assignProfile({ id: 4570 }, salesforce).ok).toBe(true);

    const found = await world.cli(['drift', '--format', 'json'], { env });
    expect(found.code, found.output).toBe(2);
    const report = JSON.parse(found.stdout);
    expect(report.drift).toBe(true);
    expect(report.findings.map((f: { kind: string; address: string }) => `${f.kind} ${f.address}`)).toEqual([
      'edited profile["Acme HubSpot OAuth app"]',
      'assignments profile["Acme Salesforce app"]',
      'client_id profile["Acme Slack app"]',
      'renamed profile["Acme Zoom app"]',
    ]);
    const byKind = Object.fromEntries(report.findings.map((f: { kind: string }) => [f.kind, f]));
    expect(byKind.edited).toMatchObject({
      id: hub,
      repair: 'workato-oauth apply (sends the config fields and secrets again)',
    });
    expect(byKind.client_id.message).toBe('client_id changed from "12345.67890" to "edited-client"');
    expect(byKind.client_id.id).toBe(slack);
    expect(byKind.assignments.message).toMatch(
      /^Workato counts \d+ customer\(s\) holding it, the state records \d+/,
    );
    expect(byKind.assignments.repair).toContain('workato-oauth apply --reassert');
    expect(byKind.renamed.message).toBe('renamed in Workato to "Zoom (renamed by hand)"');

    const text = await world.cli(['drift'], { env });
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('Drift: 4 findings on 4 profiles of the 4 the state records.');
    const markdown = await world.cli(['drift', '--format', 'markdown'], { env });
    expect(markdown.stdout).toContain('| profile | id | what changed | repair |');
  });

  it('finds a profile deleted outside the tool, and says how to forget it', async () => {
    const { env } = await applied();
    const zoom = world.profile('Acme Zoom app').id;
    const state = await world.readState();
    for (const [key, customer] of Object.entries(state.customers)) {
      if (!customer.profiles.includes('Acme Zoom app')) continue;
      const ref = key.startsWith('E:') ? { externalId: key.slice(2) } : { id: Number(key) };
      world.emulator.world.unassignProfile(ref, zoom, { force: true });
    }
    expect(world.emulator.world.deleteProfile(zoom).ok).toBe(true);
    const found = await world.cli(['drift'], { env });
    expect(found.code, found.output).toBe(2);
    expect(found.stdout).toContain(`profile["Acme Zoom app"] (id ${zoom}): deleted outside workato-oauth`);
    expect(found.stdout).toContain(`workato-oauth state rm 'profile["Acme Zoom app"]' (forgets it)`);
  });

  it('without a state file is one line, exit 1, and no API call', async () => {
    world = await startBench();
    const result = await world.cli(['drift']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: no state file at ${world.statePath}: drift compares Workato with what apply recorded there (pass --state, or apply first)\n`,
    );
    expect(world.calls()).toEqual([]);
  });
});
