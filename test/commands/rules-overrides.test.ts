// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
/**
 * An entry added for a customer a rule already covers: its profile replaces the
 * rule's of the same provider as a swap, and removing the entry swaps back, the
 * plan saying which rule gives the profile back.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, FAST, startBench } from './harness.js';

const HEAD = `version: 1
profiles:
  HS:
    provider: hubspot
    client_id: hs
    client_secret: \${HUBSPOT_CLIENT_SECRET}
  HS Ent:
    provider: hubspot
    client_id: hs-ent
    client_secret: \${HUBSPOT_CLIENT_SECRET}
rules:
  - name: everyone
    all: true
    profiles: [HS]
`;
const WITH_ENTRY = `${HEAD}customers:
  - external_id: A2301
    profiles: [HS Ent]
`;

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

describe('an entry over a rule', () => {
  it('swaps the rule’s profile for its own, and back when the entry goes', async () => {
    bench = await startBench();
    await writeFile(bench.configPath, HEAD);
    expect((await bench.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    expect(bench.holdings({ externalId: 'A2301' })).toEqual(['HS']);

    await writeFile(bench.configPath, WITH_ENTRY);
    const plan = JSON.parse((await bench.cli(['plan', '--format', 'json', ...FAST])).stdout);
    expect(plan.changes).toMatchObject([
      { action: 'swap', customer: 'E:A2301', profile: 'HS Ent', previous: 'HS', rule: null },
    ]);
    expect(plan.changes).toHaveLength(1);
    expect((await bench.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    expect(bench.holdings({ externalId: 'A2301' })).toEqual(['HS Ent']);

    await writeFile(bench.configPath, HEAD);
    const back = await bench.cli(['plan', ...FAST]);
    expect(back.stdout).toContain(
      '-/+ assignment["E:A2301"]["HS"] (replaces "HS Ent", same provider) # by rule "everyone"',
    );
    expect((await bench.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    expect(bench.holdings({ externalId: 'A2301' })).toEqual(['HS']);
    expect((await bench.cli(['plan', '--detailed-exitcode', ...FAST])).code).toBe(0);
  });
});
