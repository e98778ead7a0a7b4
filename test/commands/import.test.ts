// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax.
/**
 * `import` takes a workspace whose profiles were made by hand under management:
 * a config that validates, a state that records them, no API write; then
 * `apply --reassert` with the customers filled in brings it to "No changes".
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { WorldData } from '../../src/emulator/world-data.js';
import { type Bench, FAST, startBench } from './harness.js';

const HAND_MADE: WorldData = {
  customers: [
    { id: 201, external_id: 'C1', name: 'Customer 1', profiles: [1000, 1001] },
    { id: 202, external_id: 'C2', name: 'Customer 2', profiles: [1000] },
    { id: 203, external_id: 'C3', name: 'Customer 3', profiles: [] },
  ],
  profiles: [
    {
      id: 1000,
      name: 'Partner HubSpot',
      provider: 'hubspot',
      client_id: 'hub-1',
      client_secret: 'hand-typed-hub',
    },
    {
      id: 1001,
      name: 'Partner Slack',
      provider: 'slack',
      client_id: 'slack-1',
      client_secret: 'hand-typed-slack',
    },
    {
      id: 1002,
      name: 'Partner Slack',
      provider: 'slack',
      client_id: 'slack-2',
      client_secret: 'hand-typed-dup',
    },
    {
      id: 1003,
      name: 'Sandbox Zoom',
      provider: 'zoom',
      client_id: 'zoom-1',
      client_secret: 'hand-typed-zoom',
    },
  ],
};

let world: Bench;
afterEach(async () => {
  await world.expectNoLeaks(['workato-oauth.yaml']);
  const written = existsSync(world.configPath) ? await readFile(world.configPath, 'utf8') : '';
  for (const secret of ['hand-typed-hub', 'hand-typed-slack', 'hand-typed-dup', 'hand-typed-zoom']) {
    expect(written).not.toContain(secret);
  }
  await world.close();
});

async function handMade(): Promise<Bench> {
  world = await startBench({ world: HAND_MADE });
  await rm(world.configPath);
  return world;
}

describe('import', () => {
  it('writes a config that validates and records the profiles, with no API write', async () => {
    await handMade();
    const imported = await world.cli(['import', '--names', '^Partner ']);
    expect(imported.code, imported.output).toBe(0);
    expect(world.writes()).toEqual([]);
    expect(imported.stderr).toContain(
      'Skipped "Partner Slack" (id 1002): a duplicate of id 1001, which is taken.',
    );
    expect(imported.stdout).toContain(
      'Export before apply (secrets cannot be read through the API):\n  PARTNER_HUBSPOT_CLIENT_SECRET\n  PARTNER_SLACK_CLIENT_SECRET\n',
    );
    expect(imported.stdout).toContain('Workato counts 3 assignment(s) of these profiles');

    const config = parse(await readFile(world.configPath, 'utf8'));
    expect(config).toEqual({
      version: 1,
      workspace: { api_url: world.emulator.url },
      profiles: {
        'Partner HubSpot': {
          provider: 'hubspot',
          client_id: 'hub-1',
          client_secret: '${PARTNER_HUBSPOT_CLIENT_SECRET}',
        },
        'Partner Slack': {
          provider: 'slack',
          client_id: 'slack-1',
          client_secret: '${PARTNER_SLACK_CLIENT_SECRET}',
        },
      },
      customers: [],
    });
    expect((await world.cli(['validate'])).code).toBe(0);
    const state = await world.readState();
    expect(Object.fromEntries(Object.entries(state.profiles).map(([n, p]) => [n, p.id]))).toEqual({
      'Partner HubSpot': 1000,
      'Partner Slack': 1001,
    });

    const plan = await world.cli(['plan', '--format', 'json']);
    expect(JSON.parse(plan.stdout).changes).toEqual([]);
  });

  it('then apply --reassert with the customers filled in reaches "No changes"', async () => {
    await handMade();
    expect((await world.cli(['import', '--names', '^Partner '])).code).toBe(0);
    const config = parse(await readFile(world.configPath, 'utf8'));
    config.customers = [
      { external_id: 'C1', profiles: ['Partner HubSpot', 'Partner Slack'] },
      { external_id: 'C2', profiles: ['Partner HubSpot'] },
    ];
    await writeFile(world.configPath, stringify(config));
    const before = world.calls().length;
    const applied = await world.cli(['apply', '--reassert', '--auto-approve', ...FAST]);
    expect(applied.code, applied.output).toBe(0);
    // Only assigns, each once: the hand-made assignments are recorded, nothing else is touched.
    expect(world.writes(before).map((c) => c.kind)).toEqual(['assign', 'assign', 'assign']);
    const plan = await world.cli(['plan', '--detailed-exitcode']);
    expect(plan.stdout, plan.output).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it('never overwrites a config, and rejects a bad --names, before any call', async () => {
    world = await startBench({ world: HAND_MADE });
    const exists = await world.cli(['import']);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain(
      `error: ${world.configPath} exists; import writes a new config and never overwrites one`,
    );
    const bad = await world.cli(['import', '--write-config', join(world.dir, 'new.yaml'), '--names', '(']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: --names "\(" is not a regular expression/);
    expect(world.calls()).toEqual([]);
  });
});
