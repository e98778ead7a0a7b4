/**
 * A reviewed plan of a rules config: apply runs it although its own plan reads
 * only the tail of the customer list, and refuses it once a customer the rules
 * select was created in Workato after the review (the plan would no longer be
 * what apply sends).
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, FAST, startBench } from './harness.js';

const CONFIG = `version: 1
profiles:
  Acme HubSpot:
    provider: hubspot
    client_id: acme-hubspot
    client_secret: \${HUBSPOT_CLIENT_SECRET}
rules:
  - name: vip
    external_id_matches: "VIP-.*"
    profiles: [Acme HubSpot]
`;

/** 150 customers: two listing pages, so the tail (page 2) is cheaper than the whole. */
const WORLD = {
  profiles: [],
  customers: Array.from({ length: 150 }, (_, i) => ({
    id: 500 + i,
    external_id: i % 50 === 7 ? `VIP-${i}` : `C${i}`,
    name: `Customer ${i}`,
  })),
};

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

function listingPages(b: Bench, from: number): number[] {
  return b.emulator.requestLog
    .slice(from)
    .filter((e) => e.method === 'GET' && /^\/api\/managed_users\?/.test(e.path))
    .map((e) => Number(new URL(e.path, 'http://x').searchParams.get('page')));
}

describe('a saved plan of a rules config', () => {
  it('is applied as reviewed, though apply reads only the tail of the customer list', async () => {
    bench = await startBench({ world: WORLD });
    await writeFile(bench.configPath, CONFIG);
    const plan = await bench.cli(['plan', '--out', 'rules.plan', ...FAST]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('rule `vip`: 3 customers get "Acme HubSpot"');
    const from = bench.emulator.requestLog.length;
    const apply = await bench.cli(['apply', 'rules.plan', '--auto-approve', ...FAST]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(listingPages(bench, from)).toEqual([2]);
    expect(bench.holdings({ externalId: 'VIP-57' })).toEqual(['Acme HubSpot']);
    expect(bench.holdings({ externalId: 'C56' })).toEqual([]);
  });

  it('is refused as stale when a customer the rules select appeared since, and sends nothing', async () => {
    bench = await startBench({ world: WORLD });
    await writeFile(bench.configPath, CONFIG);
    expect((await bench.cli(['plan', '--out', 'rules.plan', ...FAST])).code).toBe(0);
    bench.emulator.world.addCustomer({ external_id: 'VIP-new', name: 'Newcomer' });
    const from = bench.emulator.requestLog.length;
    const apply = await bench.cli(['apply', 'rules.plan', '--auto-approve', ...FAST]);
    expect(apply.code).toBe(3);
    expect(apply.stdout + apply.stderr).toContain('assignment["E:VIP-new"]["Acme HubSpot"]');
    expect(bench.writes(from)).toEqual([]);
  });
});
