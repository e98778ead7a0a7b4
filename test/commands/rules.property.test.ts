/**
 * Property: for random rule sets, explicit entries and customer lists, after
 * apply every customer holds exactly the union of the rules that select it with
 * its entry's overrides (a model written apart from the tool), the next plan is
 * empty, and customers created afterwards are covered by the next apply. A set
 * of rules the model finds in conflict is refused with exit 1 and no write.
 */
import { writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Bench, FAST, startBench } from './harness.js';

interface Customer {
  id: number;
  external_id: string | null;
  name: string;
}

const PROFILES: Record<string, { provider: string; secret: string }> = {
  H1: { provider: 'hubspot', secret: 'HUBSPOT_CLIENT_SECRET' },
  H2: { provider: 'hubspot', secret: 'HUBSPOT_CLIENT_SECRET' },
  S1: { provider: 'salesforce', secret: 'SALESFORCE_CLIENT_SECRET' },
  Z1: { provider: 'zoom', secret: 'ZOOM_CLIENT_SECRET' },
};

type Selector =
  | { all: true }
  | { external_id_matches: string }
  | { name_matches: string }
  | { ids: number[] }
  | { external_ids: string[] };

interface Rule {
  name: string;
  selector: Selector;
  exclude?: { name_matches: string } | { ids: number[] };
  profiles: string[];
}

interface Entry {
  customer: number;
  byExternal: boolean;
  profiles: string[];
  excludeRules: boolean;
}

/** At most one profile per provider, as validate requires. */
function onePerProvider(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const provider = PROFILES[name]!.provider;
    if (seen.has(provider)) return false;
    seen.add(provider);
    return true;
  });
}

const customerArb = (id: number): fc.Arbitrary<Customer> =>
  fc.record({
    id: fc.constant(id),
    external_id: fc.constantFrom(null, `A${id}`, `B-${id}`, `${id}00`),
    name: fc.constantFrom(`EU ${id}`, `US ${id}`),
  });

const customersArb = (ids: number[]) => fc.tuple(...ids.map(customerArb));

const selectorArb: fc.Arbitrary<Selector> = fc.oneof(
  fc.constant({ all: true as const }),
  fc.constantFrom({ external_id_matches: 'A.*' }, { external_id_matches: 'B-\\d+' }),
  fc.constant({ name_matches: 'EU .*' }),
  fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }).map((ids) => ({ ids })),
  fc
    .uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 })
    .map((ids) => ({ external_ids: ids.map((id) => `A${id}`) })),
);

const rulesArb: fc.Arbitrary<Rule[]> = fc
  .array(
    fc.record(
      {
        selector: selectorArb,
        exclude: fc.oneof(
          fc.constant({ name_matches: 'US .*' }),
          fc
            .uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 })
            .map((ids) => ({ ids })),
        ),
        profiles: fc.subarray(Object.keys(PROFILES)),
      },
      { requiredKeys: ['selector', 'profiles'] },
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((rules) => rules.map((r, i) => ({ ...r, name: `r${i}`, profiles: onePerProvider(r.profiles) })));

const entriesArb: fc.Arbitrary<Entry[]> = fc
  .uniqueArray(
    fc.record({
      customer: fc.integer({ min: 1, max: 8 }),
      byExternal: fc.boolean(),
      profiles: fc.subarray(Object.keys(PROFILES)),
      excludeRules: fc.boolean(),
    }),
    { selector: (e) => e.customer, maxLength: 3 },
  )
  .map((entries) => entries.map((e) => ({ ...e, profiles: onePerProvider(e.profiles) })));

function picks(selector: Selector | NonNullable<Rule['exclude']>, c: Customer): boolean {
  if ('all' in selector) return true;
  if ('ids' in selector) return selector.ids.includes(c.id);
  if ('external_ids' in selector)
    return c.external_id !== null && selector.external_ids.includes(c.external_id);
  if ('name_matches' in selector) return new RegExp(`^(?:${selector.name_matches})$`, 'u').test(c.name);
  return (
    c.external_id !== null && new RegExp(`^(?:${selector.external_id_matches})$`, 'u').test(c.external_id)
  );
}

/** The model: what each customer holds, or undefined when two rules conflict for some customer. */
function model(rules: Rule[], entries: Entry[], customers: Customer[]): Map<number, string[]> | undefined {
  const result = new Map<number, string[]>();
  for (const c of customers) {
    const entry = entries.find((e) => e.customer === c.id);
    const held = new Set(entry?.profiles ?? []);
    if (entry?.excludeRules !== true) {
      const own = new Set([...held].map((p) => PROFILES[p]!.provider));
      const given = new Map<string, string>();
      for (const rule of rules) {
        if (!picks(rule.selector, c) || (rule.exclude && picks(rule.exclude, c))) continue;
        for (const p of rule.profiles) {
          const provider = PROFILES[p]!.provider;
          if (own.has(provider)) continue;
          if (given.has(provider) && given.get(provider) !== p) return undefined;
          given.set(provider, p);
        }
      }
      for (const p of given.values()) held.add(p);
    }
    result.set(c.id, [...held].sort());
  }
  return result;
}

function configText(rules: Rule[], entries: Entry[], customers: Customer[]): string {
  const profiles = Object.fromEntries(
    Object.entries(PROFILES).map(([name, p]) => [
      name,
      { provider: p.provider, client_id: `${name}-client`, client_secret: `\${${p.secret}}` },
    ]),
  );
  return stringify({
    version: 1,
    profiles,
    rules: rules.map((r) => ({
      name: r.name,
      ...r.selector,
      ...(r.exclude ? { exclude: r.exclude } : {}),
      profiles: r.profiles,
    })),
    customers: entries.map((e) => {
      const c = customers.find((x) => x.id === e.customer)!;
      const ref = e.byExternal && c.external_id !== null ? { external_id: c.external_id } : { id: c.id };
      return { ...ref, profiles: e.profiles, ...(e.excludeRules ? { exclude_rules: true } : {}) };
    }),
  });
}

function holdings(bench: Bench): Map<number, string[]> {
  const world = bench.emulator.world.toData();
  const names = new Map(world.profiles.map((p) => [p.id, p.name]));
  return new Map(world.customers.map((c) => [c.id, c.profiles.map((id) => names.get(id)!).sort()]));
}

/** Applies; true when it converged, false when refused for a conflict (then nothing was written). */
async function applyAndCheck(bench: Bench, want: Map<number, string[]> | undefined): Promise<boolean> {
  const from = bench.emulator.requestLog.length;
  const run = await bench.cli(['apply', '--auto-approve', '--allow-delete', ...FAST]);
  if (want === undefined) {
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(/rules '.+' .*and '.+' .*give/);
    expect(bench.writes(from)).toEqual([]);
    return false;
  }
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(holdings(bench)).toEqual(want);
  const next = await bench.cli(['plan', '--detailed-exitcode', ...FAST]);
  expect(next.code, next.stdout).toBe(0);
  return true;
}

const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 15);

describe('rules, property', () => {
  it("the applied world is the rules' union with the entries' overrides, also for customers created later; the next plan is empty", async () => {
    await fc.assert(
      fc.asyncProperty(
        customersArb([1, 2, 3, 4, 5, 6, 7, 8]),
        customersArb([9, 10, 11, 12]),
        rulesArb,
        entriesArb,
        async (first, later, rules, entries) => {
          const bench = await startBench({ world: { profiles: [], customers: first } });
          try {
            await writeFile(bench.configPath, configText(rules, entries, first));
            if (!(await applyAndCheck(bench, model(rules, entries, first)))) return;
            for (const c of later) bench.emulator.world.addCustomer(c);
            await applyAndCheck(bench, model(rules, entries, [...first, ...later]));
            await bench.expectNoLeaks();
          } finally {
            await bench.close();
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);
});
