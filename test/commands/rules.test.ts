/**
 * Assignment rules end to end, against an emulator holding 2,500 customers whose
 * ids and external ids come in several shapes: one `all: true` rule and three
 * explicit exceptions manage the workspace, a customer created between two
 * applies is covered by the second, and the customer listing reads only its tail
 * when the order holds and everything otherwise (counted in the request log).
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorldData } from '../../src/emulator/world-data.js';
import { API_TOKEN } from '../e2e/world.js';
import { type Bench, FAST, startBench } from './harness.js';
import { applyWithoutSockets } from './socketless-apply.js';

const COUNT = 2500;

interface Listed {
  id: number;
  external_id: string | null;
  name: string;
}

/** Ids with gaps; external ids missing, numeric-looking, with spaces and non-ASCII, or plain. */
function makeCustomers(count: number): Listed[] {
  const customers: Listed[] = [];
  for (let i = 1; i <= count; i++) {
    const id = 1000 + i * 3;
    const shape = i % 10;
    const external_id =
      shape === 0
        ? null
        : shape === 1
          ? `test-${i}`
          : shape === 2
            ? String(900000 + i)
            : shape === 3
              ? `Kunde ü/${i}`
              : `C-${String(i).padStart(5, '0')}`;
    customers.push({ id, external_id, name: i % 4 === 0 ? `EU Customer ${i}` : `Customer ${i}` });
  }
  return customers;
}

const WORLD = (): WorldData => ({ profiles: [], customers: makeCustomers(COUNT) });

const PROFILES = `profiles:
  Acme HubSpot:
    provider: hubspot
    client_id: acme-hubspot
    client_secret: \${HUBSPOT_CLIENT_SECRET}
  Acme Salesforce:
    provider: salesforce
    client_id: acme-salesforce
    client_secret: \${SALESFORCE_CLIENT_SECRET}
  Enterprise HubSpot:
    provider: hubspot
    client_id: enterprise-hubspot
    client_secret: \${HUBSPOT_CLIENT_SECRET}
  Acme Zoom:
    provider: zoom
    client_id: acme-zoom
    client_secret: \${ZOOM_CLIENT_SECRET}
`;

/** One all: true rule (test workspaces left out) and three explicit exceptions. */
const CONFIG = `version: 1
${PROFILES}rules:
  - name: default-crm
    all: true
    exclude:
      external_id_matches: "test-.*"
    profiles: [Acme HubSpot, Acme Salesforce]
customers:
  - external_id: C-00005
    profiles: [Enterprise HubSpot]
  - id: 1021
    profiles: []
    exclude_rules: true
  - external_id: "900012"
    profiles: [Acme Zoom]
`;

/** What CONFIG gives each customer, worked out independently of the tool. */
function expected(customer: Listed): string[] {
  if (customer.id === 1021) return [];
  const rule = customer.external_id?.startsWith('test-') ? [] : ['Acme HubSpot', 'Acme Salesforce'];
  if (customer.external_id === 'C-00005') return ['Acme Salesforce', 'Enterprise HubSpot'];
  if (customer.external_id === '900012') return [...rule, 'Acme Zoom'].sort();
  return rule;
}

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

/** The first apply of thousands of assignments, without sockets (socketless-apply.ts); every outcome done. */
async function applyAll(b: Bench): Promise<void> {
  const outcomes = await applyWithoutSockets({
    emulator: b.emulator,
    token: API_TOKEN,
    dir: b.dir,
    env: b.env,
  });
  expect(outcomes.filter((o) => o.status !== 'done').slice(0, 3)).toEqual([]);
}

async function start(config = CONFIG, world = WORLD()): Promise<Bench> {
  bench = await startBench({ world });
  await writeFile(bench.configPath, config);
  return bench;
}

/** Customer listing requests since `from` in the emulator's log, with the pages asked for. */
function listingPages(b: Bench, from: number): number[] {
  return b.emulator.requestLog
    .slice(from)
    .filter((e) => e.method === 'GET' && /^\/api\/managed_users\?/.test(e.path))
    .map((e) => Number(new URL(e.path, 'http://x').searchParams.get('page')));
}

function expectWorldMatches(b: Bench, customers: readonly Listed[]): void {
  const world = b.emulator.world.toData();
  const names = new Map(world.profiles.map((p) => [p.id, p.name]));
  const held = new Map(world.customers.map((c) => [c.id, c.profiles.map((id) => names.get(id)!).sort()]));
  const wrong = customers.filter((c) => JSON.stringify(held.get(c.id)) !== JSON.stringify(expected(c)));
  expect(wrong.slice(0, 5).map((c) => ({ ...c, held: held.get(c.id), want: expected(c) }))).toEqual([]);
}

describe('assignment rules against 2,500 customers', () => {
  it('one all: true rule and three exceptions manage the workspace; a new customer is covered by the next apply', async () => {
    const b = await start();
    const customers = makeCustomers(COUNT);

    // The first plan assigns exactly the selected set, each by the rule or the entry that gives it.
    const planned = JSON.parse((await b.cli(['plan', '--format', 'json', ...FAST])).stdout);
    const byCustomer = new Map<string, string[]>();
    for (const change of planned.changes) {
      if (change.kind !== 'assignment') continue;
      expect(change.action).toBe('assign');
      byCustomer.set(change.customer, [...(byCustomer.get(change.customer) ?? []), change.profile]);
    }
    const key = (c: Listed) => (c.external_id === null ? String(c.id) : `E:${c.external_id}`);
    const want = new Map(customers.filter((c) => expected(c).length > 0).map((c) => [key(c), expected(c)]));
    expect(byCustomer.size).toBe(want.size);
    for (const [customer, profiles] of want) expect(byCustomer.get(customer)?.sort()).toEqual(profiles);

    await applyAll(b);
    expectWorldMatches(b, customers);
    // Every page once, up to the empty 26th, for the plan (its state records the listing) and the apply.
    expect(listingPages(b, 0)).toEqual([...Array.from({ length: 26 }, (_, i) => i + 1), 25, 26]);
    expect((await b.readState()).customer_listing?.customers).toHaveLength(COUNT);

    const again = b.emulator.requestLog.length;
    const quiet = await b.cli(['plan', '--detailed-exitcode', ...FAST]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('No changes');
    // The tail: the page holding the last known customer and the one after it.
    expect(listingPages(b, again)).toEqual([25, 26]);
    expect(quiet.stdout).toContain('Customer listing (for the rules): 2 requests, only the pages after');

    // The partner's product creates a customer; the next plan is a change, not drift.
    b.emulator.world.addCustomer({ external_id: 'C-NEW-1', name: 'Brand new' });
    const fresh = { id: 1000 + COUNT * 3 + 1, external_id: 'C-NEW-1', name: 'Brand new' };
    const plan = await b.cli(['plan', '--detailed-exitcode', ...FAST]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('rule `default-crm`: 1 customer gets "Acme HubSpot", "Acme Salesforce"');
    expect(plan.stdout).toContain('+ assignment["E:C-NEW-1"]["Acme HubSpot"] # by rule "default-crm"');
    expect(plan.stdout).toContain('; 2 to assign, 0 to unassign, 0 to swap.');
    const drift = await b.cli(['drift', ...FAST]);
    expect(drift.code).toBe(0);

    const second = await b.cli(['apply', '--auto-approve', ...FAST]);
    expect(second.code).toBe(0);
    expectWorldMatches(b, [...customers, fresh]);
    expect((await b.cli(['plan', '--detailed-exitcode', ...FAST])).code).toBe(0);
    await b.expectNoLeaks();
  });

  it('records the rule of each change in the JSON plan, and collapses long customer lists in markdown', async () => {
    const b = await start();
    const json = await b.cli(['plan', '--format', 'json', ...FAST]);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout);
    const assignments = plan.changes.filter((c: { kind: string }) => c.kind === 'assignment');
    const byRule = assignments.filter((c: { rule: string | null }) => c.rule === 'default-crm');
    // 2,500 customers, 250 test workspaces excluded, 1 opted out; C-00005's HubSpot comes from its entry.
    expect(byRule).toHaveLength((COUNT - 250 - 1) * 2 - 1);
    const byEntry = assignments.filter((c: { rule: string | null }) => c.rule === null);
    expect(byEntry.map((c: { address: string }) => c.address)).toEqual([
      'assignment["E:900012"]["Acme Zoom"]',
      'assignment["E:C-00005"]["Enterprise HubSpot"]',
    ]);
    expect(plan.customer_listing).toEqual({
      mode: 'full',
      pages: 26,
      customers: COUNT,
      order: 'id',
      fell_back: null,
    });

    const markdown = await b.cli(['plan', '--format', 'markdown', ...FAST]);
    expect(markdown.stdout).toContain('### Changes by rule');
    expect(markdown.stdout).toMatch(
      /<details><summary>rule “default-crm”: 2,248 customers get “Acme HubSpot”, “Acme Salesforce”<\/summary>/,
    );
    // C-00005 gets only Salesforce from the rule: a group of one, shown open.
    expect(markdown.stdout).toContain('- rule `default-crm`: 1 customer gets `Acme Salesforce`: `E:C-00005`');
  });

  it('falls back to the full listing when the listing is no longer in id order, and still plans exactly the new customer', async () => {
    const b = await start();
    await applyAll(b);
    b.emulator.world.customerOrder = 'unordered';
    b.emulator.world.addCustomer({ external_id: 'C-NEW-2', name: 'Another' });

    const from = b.emulator.requestLog.length;
    const json = await b.cli(['plan', '--format', 'json', ...FAST]);
    const plan = JSON.parse(json.stdout);
    // One tail page proves the order wrong, then every page.
    expect(listingPages(b, from)).toEqual([25, ...Array.from({ length: 26 }, (_, i) => i + 1)]);
    expect(plan.customer_listing.mode).toBe('full');
    expect(plan.customer_listing.order).toBe('unordered');
    expect(plan.customer_listing.fell_back).toMatch(/not id \d+ as last listed/);
    expect(plan.changes.map((c: { address: string }) => c.address)).toEqual([
      'assignment["E:C-NEW-2"]["Acme HubSpot"]',
      'assignment["E:C-NEW-2"]["Acme Salesforce"]',
    ]);
    // The state now records the order seen: the next plan lists everything at once.
    const next = b.emulator.requestLog.length;
    const text = await b.cli(['plan', ...FAST]);
    expect(text.stdout).toContain(
      '26 requests, every page (not in id order, so the next plan lists them all again)',
    );
    expect(listingPages(b, next)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
  });

  it('falls back to the full listing after a customer on an earlier page was deleted', async () => {
    const b = await start();
    await applyAll(b);
    b.emulator.world.deleteCustomer({ id: 1006 });
    const from = b.emulator.requestLog.length;
    const plan = await b.cli(['plan', '--detailed-exitcode', ...FAST]);
    expect(listingPages(b, from)).toEqual([25, ...Array.from({ length: 25 }, (_, i) => i + 1)]);
    // The deleted customer is selected no more: what the tool assigned it is unassigned (apply finds it gone).
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('- assignment["E:900002"]["Acme HubSpot"]');
  });
});

describe('a customer renamed on an earlier page', () => {
  const EU_CONFIG = `version: 1
${PROFILES}rules:
  - name: eu-zoom
    name_matches: "EU .*"
    profiles: [Acme Zoom]
`;

  it('is not seen by the tail listing, and is with --refresh-customers; apply then follows the refreshed listing', async () => {
    const b = await start(EU_CONFIG);
    await applyAll(b);
    // Customer 1 (id 1003, external id test-1) joins the EU; customer 4 (id 1012, C-00004) leaves it.
    b.emulator.world.renameCustomer({ id: 1003 }, 'EU Customer 1');
    b.emulator.world.renameCustomer({ id: 1012 }, 'Customer 4');

    // The documented blind spot: the tail reads pages 25 and 26 only.
    let from = b.emulator.requestLog.length;
    const tail = await b.cli(['plan', '--detailed-exitcode', ...FAST]);
    expect(listingPages(b, from)).toEqual([25, 26]);
    expect(tail.code).toBe(0);

    from = b.emulator.requestLog.length;
    const refreshed = await b.cli(['plan', '--detailed-exitcode', '--refresh-customers', ...FAST]);
    expect(listingPages(b, from)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(refreshed.code).toBe(2);
    expect(refreshed.stdout).toContain('every page (as --refresh-customers asks, in id order)');
    expect(refreshed.stdout).toContain('+ assignment["E:test-1"]["Acme Zoom"] # by rule "eu-zoom"');
    expect(refreshed.stdout).toContain('- assignment["E:C-00004"]["Acme Zoom"]');
    expect(refreshed.stdout).toContain('; 1 to assign, 1 to unassign, 0 to swap.');

    // That plan recorded the listing it read: apply's own tail sees the new names too.
    expect((await b.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    const zoom = b.emulator.world.toData().profiles.find((p) => p.name === 'Acme Zoom')!.id;
    expect(b.emulator.world.heldProfiles({ id: 1003 })).toEqual([zoom]);
    expect(b.emulator.world.heldProfiles({ id: 1012 })).toEqual([]);
    expect((await b.cli(['plan', '--detailed-exitcode', ...FAST])).code).toBe(0);
  });
});

describe('rule conflicts', () => {
  it('two all rules giving two profiles of one provider are an error before any call', async () => {
    const b = await start(`version: 1
${PROFILES}rules:
  - name: default-crm
    all: true
    profiles: [Acme HubSpot]
  - name: enterprise
    all: true
    profiles: [Enterprise HubSpot]
customers: []
`);
    const plan = await b.cli(['plan', ...FAST]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      "workato-oauth.yaml:25:16  rules[1].profiles[0]  rules 'default-crm' (line 20) and 'enterprise' both select every customer and give it two hubspot profiles, 'Acme HubSpot' and 'Enterprise HubSpot': Workato allows one per application; leave customers out of one rule with exclude",
    );
    expect(b.emulator.requestLog).toEqual([]);
  });

  it('a conflict only the customer list shows names both rules and the first customers, and changes nothing', async () => {
    const b = await start(`version: 1
${PROFILES}rules:
  - name: default-crm
    all: true
    profiles: [Acme HubSpot]
  - name: eu
    name_matches: "EU Customer .*"
    exclude:
      ids: [1012]
    profiles: [Enterprise HubSpot]
customers:
  - id: 1024
    profiles: [Enterprise HubSpot]
`);
    const plan = await b.cli(['apply', '--auto-approve', ...FAST]);
    expect(plan.code).toBe(1);
    // Customer 4 (id 1012) is excluded and customer 8 (id 1024) settles hubspot itself; customer 12
    // holds only Zoom by its entry, customer 20 has no external id.
    expect(plan.stderr).toContain(
      "rules 'default-crm' (workato-oauth.yaml:20) and 'eu' (workato-oauth.yaml:23) give two hubspot profiles, 'Acme HubSpot' and 'Enterprise HubSpot', to 623 customer(s): E:900012, E:C-00016, 1060, E:C-00024, E:C-00028, and 618 more; Workato allows one per application",
    );
    expect(b.writes()).toEqual([]);
  });
});
