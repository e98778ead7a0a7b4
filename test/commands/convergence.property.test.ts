/**
 * Properties over random configs and random changes made outside the tool:
 *  - after `apply`, the world matches the config and the next plan is empty;
 *  - a saved plan with any single field of its plan altered is refused, and sends nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorldData } from '../../src/emulator/world-data.js';
import type { ConfigDoc } from '../e2e/apply-helpers.js';
import { type Bench, FAST, startBench } from './harness.js';

const CUSTOMERS = [1, 2, 3, 4, 5, 6];
const WORLD: WorldData = {
  customers: CUSTOMERS.map((id) => ({ id, external_id: `C${id}`, name: `Customer ${id}` })),
  profiles: [],
};
const SECRET_ENV = { P_SECRET: 'property-secret-value-1', Q_SECRET: 'property-secret-value-2' };

/** Profile names and the providers each may have (two choices, so a provider change happens). */
const POOL: Record<string, [string, string]> = {
  'Hub A': ['hubspot', 'pipedrive'],
  'Hub B': ['hubspot', 'hubspot'],
  Slackish: ['zoom', 'outlook'],
};

interface Shape {
  profiles: Record<string, { provider: 0 | 1; clientId: 0 | 1; secret: 'P_SECRET' | 'Q_SECRET' }>;
  customers: { id: number; byExternal: boolean; picks: string[]; force: boolean }[];
}

const shapeArb: fc.Arbitrary<Shape> = fc
  .record({
    present: fc.subarray(Object.keys(POOL)),
    variants: fc.array(
      fc.record({
        provider: fc.constantFrom(0 as const, 1 as const),
        clientId: fc.constantFrom(0 as const, 1 as const),
        secret: fc.constantFrom('P_SECRET' as const, 'Q_SECRET' as const),
      }),
      { minLength: 3, maxLength: 3 },
    ),
    customers: fc.array(
      fc.record({
        id: fc.constantFrom(...CUSTOMERS),
        byExternal: fc.boolean(),
        picks: fc.subarray(Object.keys(POOL)),
        force: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ present, variants, customers }) => {
    const profiles: Shape['profiles'] = {};
    for (const [i, name] of Object.keys(POOL).entries()) {
      if (present.includes(name)) profiles[name] = variants[i]!;
    }
    const seen = new Set<number>();
    const kept: Shape['customers'] = [];
    for (const c of customers) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      // One profile per provider per customer, as validate requires.
      const providers = new Set<string>();
      const picks = c.picks.filter((name) => {
        const p = profiles[name];
        if (!p) return false;
        const provider = POOL[name]![p.provider];
        if (providers.has(provider)) return false;
        providers.add(provider);
        return true;
      });
      kept.push({ ...c, picks });
    }
    return { profiles, customers: kept };
  });

function configOf(shape: Shape): ConfigDoc {
  return {
    version: 1,
    profiles: Object.fromEntries(
      Object.entries(shape.profiles).map(([name, p]) => [
        name,
        {
          provider: POOL[name]![p.provider],
          client_id: `${name}-client-${p.clientId}`,
          client_secret: `\${${p.secret}}`,
        },
      ]),
    ),
    customers: shape.customers.map((c) => ({
      ...(c.byExternal ? { external_id: `C${c.id}` } : { id: c.id }),
      profiles: c.picks,
      ...(c.force ? { force_unassign: true } : {}),
    })),
  };
}

type Outside =
  | { kind: 'unassign'; customer: number; pick: number }
  | { kind: 'rewrite'; pick: number; secret: string }
  | { kind: 'stranger'; name: string };

const outsideArb: fc.Arbitrary<Outside[]> = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('unassign' as const),
      customer: fc.constantFrom(...CUSTOMERS),
      pick: fc.nat(5),
    }),
    fc.record({
      kind: fc.constant('rewrite' as const),
      pick: fc.nat(5),
      secret: fc.constant('typed-in-workato'),
    }),
    fc.record({
      kind: fc.constant('stranger' as const),
      name: fc.constantFrom('Someone else', 'Another one'),
    }),
  ),
  { maxLength: 3 },
);

/** Changes someone makes in Workato by hand, that the tool can see or repair. */
function makeOutsideChanges(bench: Bench, changes: Outside[]): void {
  const { world } = bench.emulator;
  for (const change of changes) {
    const profiles = world.toData().profiles;
    if (change.kind === 'stranger') {
      world.createProfile({
        name: change.name,
        provider: 'zoom',
        data: { client_id: 'x', client_secret: 'y' },
      });
    } else if (change.kind === 'unassign') {
      const held = world.heldProfiles({ id: change.customer }) ?? [];
      const id = held[change.pick % Math.max(1, held.length)];
      if (id !== undefined) world.unassignProfile({ id: change.customer }, id, { force: true });
    } else if (profiles.length > 0) {
      const p = profiles[change.pick % profiles.length]!;
      world.updateProfile(p.id, {
        name: p.name,
        provider: p.provider,
        data: { client_id: p.client_id, client_secret: change.secret },
      });
    }
  }
}

/** What the emulator holds of the config's profiles, against what the config asks. */
function expectWorldMatches(bench: Bench, doc: ConfigDoc): void {
  const data = bench.emulator.world.toData();
  const managed = Object.keys(doc.profiles);
  for (const [name, p] of Object.entries(doc.profiles)) {
    const live = data.profiles.filter((l) => l.name === name && l.provider === p.provider);
    expect(live, `profile ${name}`).toHaveLength(1);
    expect(live[0]!.client_id).toBe(p.client_id);
    const variable = p.client_secret.slice(2, -1) as keyof typeof SECRET_ENV;
    expect(bench.emulator.world.storedSecrets(live[0]!.id)?.client_secret).toBe(SECRET_ENV[variable]);
  }
  for (const c of doc.customers) {
    const id = c.id ?? Number(c.external_id!.slice(1));
    const held = bench.holdings({ id }).filter((name) => managed.includes(name));
    expect(held, `customer ${id}`).toEqual([...c.profiles].sort());
  }
}

/** More runs on demand: `PROPERTY_RUNS=500 npx vitest run test/commands/convergence.property.test.ts`. */
const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 20);

const ALL_FLAGS = ['--auto-approve', '--allow-delete', '--force', '--reassert', ...FAST];

describe('convergence', () => {
  it(
    'after apply the world matches the config and the next plan is empty, whatever happened outside',
    async () => {
      await fc.assert(
        fc.asyncProperty(shapeArb, outsideArb, shapeArb, async (first, outside, second) => {
          const bench = await startBench({ world: WORLD, config: configOf(first) });
          try {
            const env = SECRET_ENV;
            const one = await bench.cli(['apply', ...ALL_FLAGS], { env });
            expect(one.code, one.stdout + one.stderr).toBe(0);
            makeOutsideChanges(bench, outside);
            const doc = configOf(second);
            await bench.writeConfig(doc);
            const two = await bench.cli(['apply', '--force-unassign', ...ALL_FLAGS], { env });
            expect(two.code, two.stdout + two.stderr).toBe(0);
            expectWorldMatches(bench, doc);
            const next = await bench.cli(['plan', '--detailed-exitcode', ...FAST], { env });
            expect(next.code, next.stdout).toBe(0);
            await bench.expectNoLeaks();
          } finally {
            await bench.close();
          }
        }),
        { numRuns: RUNS },
      );
    },
    30_000 + RUNS * 3_000,
  );
});

/** Every leaf of a JSON value, as a path of keys. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      leaves(v, [...path, Array.isArray(value) ? Number(k) : k]),
    );
  }
  return [path];
}

function alter(value: unknown): unknown {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'string') return `${value}x`;
  return 'x';
}

describe('saved plans', () => {
  it(
    'a plan file with any single field of its plan altered is refused, and nothing is sent',
    async () => {
      const doc = configOf({
        profiles: {
          'Hub A': { provider: 0, clientId: 0, secret: 'P_SECRET' },
          Slackish: { provider: 0, clientId: 0, secret: 'Q_SECRET' },
        },
        customers: [
          { id: 1, byExternal: true, picks: ['Hub A', 'Slackish'], force: false },
          { id: 2, byExternal: false, picks: ['Hub A'], force: true },
        ],
      });
      const bench = await startBench({ world: WORLD, config: doc });
      try {
        expect((await bench.cli(['apply', ...ALL_FLAGS], { env: SECRET_ENV })).code).toBe(0);
        // A plan with every kind of assignment change and a profile update.
        doc.profiles['Hub A']!.client_id = 'changed';
        doc.customers = [
          { external_id: 'C1', profiles: ['Hub A'] },
          { id: 3, profiles: ['Slackish'] },
        ];
        await bench.writeConfig(doc);
        expect((await bench.cli(['plan', '--out', 'p.json', ...FAST], { env: SECRET_ENV })).code).toBe(0);
        const path = join(bench.dir, 'p.json');
        const original = await readFile(path, 'utf8');
        const saved = JSON.parse(original);
        const paths = leaves(saved.plan);
        expect(paths.length).toBeGreaterThan(50);

        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...paths), async (leaf) => {
            const edited = JSON.parse(original);
            let target = edited.plan;
            for (const key of leaf.slice(0, -1)) target = target[key];
            const last = leaf[leaf.length - 1]!;
            target[last] = alter(target[last]);
            await writeFile(path, JSON.stringify(edited));
            const from = bench.emulator.requestLog.length;
            const result = await bench.cli(['apply', 'p.json', '--auto-approve', ...FAST], {
              env: SECRET_ENV,
            });
            expect(result.code, `${leaf.join('.')}: ${result.stderr}`).not.toBe(0);
            expect(bench.writes(from)).toEqual([]);
          }),
          { numRuns: 2 * RUNS },
        );
        await writeFile(path, original);
        const applied = await bench.cli(['apply', 'p.json', '--auto-approve', ...FAST], { env: SECRET_ENV });
        expect(applied.code, applied.stderr).toBe(0);
      } finally {
        await bench.close();
      }
    },
    30_000 + RUNS * 3_000,
  );
});
