/**
 * The precedence of docs/config-format.md ("Rules"), on plain values: rules'
 * union, an entry winning per provider, exclude_rules, conflicts, and which rule
 * each profile is owed to.
 */
import { describe, expect, it } from 'vitest';
import type { DesiredCustomer, DesiredRule, DesiredState } from '../../src/config/types.js';
import { resolveRules } from '../../src/plan/assignment-rules.js';
import type { SelectableCustomer } from '../../src/plan/selectors.js';

const secret = { known: true as const, ref: 'S', value: 'v' };
const profile = (name: string, provider: string) => ({
  name,
  provider,
  clientId: name,
  clientSecret: secret,
  preventDestroy: false,
  previousNames: [],
});

function desired(rules: DesiredRule[], customers: DesiredCustomer[] = []): DesiredState {
  return {
    workspace: {},
    profiles: [
      profile('HS', 'hubspot'),
      profile('HS Ent', 'hubspot'),
      profile('SF', 'salesforce'),
      profile('Zoom', 'zoom'),
    ],
    customers,
    rules,
  };
}

const LISTED: SelectableCustomer[] = [
  { id: 3, external_id: 'A3', name: 'EU Three' },
  { id: 1, external_id: 'A1', name: 'US One' },
  { id: 2, external_id: null, name: 'EU Two' },
];

const entry = (ref: DesiredCustomer['ref'], profiles: string[], excludeRules = false): DesiredCustomer => ({
  ref,
  profiles,
  forceUnassign: false,
  ...(excludeRules ? { excludeRules } : {}),
});

function held(result: ReturnType<typeof resolveRules>) {
  return result.customers.map((c) => ({
    ref: c.ref,
    profiles: [...c.profiles].sort(),
    rules: Object.fromEntries(c.ruleOf ?? []),
  }));
}

describe('resolveRules', () => {
  it('gives each customer the union of its rules, by id order, the first rule owning a shared profile', () => {
    const result = resolveRules(
      desired([
        { name: 'crm', select: { all: true }, profiles: ['HS', 'SF'] },
        { name: 'eu', select: { nameMatches: 'EU .*' }, exclude: { ids: [3] }, profiles: ['Zoom', 'SF'] },
      ]),
      LISTED,
    );
    expect(result.problems).toEqual([]);
    expect(held(result)).toEqual([
      { ref: { externalId: 'A1' }, profiles: ['HS', 'SF'], rules: { HS: 'crm', SF: 'crm' } },
      { ref: { id: 2 }, profiles: ['HS', 'SF', 'Zoom'], rules: { HS: 'crm', SF: 'crm', Zoom: 'eu' } },
      { ref: { externalId: 'A3' }, profiles: ['HS', 'SF'], rules: { HS: 'crm', SF: 'crm' } },
    ]);
  });

  it("lets an entry win per provider, keeps the rules' other providers, and drops every rule with exclude_rules", () => {
    const result = resolveRules(
      desired(
        [{ name: 'crm', select: { all: true }, profiles: ['HS', 'SF'] }],
        [entry({ id: 1 }, ['HS Ent']), entry({ externalId: 'A3' }, [], true)],
      ),
      LISTED,
    );
    expect(held(result)).toEqual([
      { ref: { id: 1 }, profiles: ['HS Ent', 'SF'], rules: { SF: 'crm' } },
      { ref: { externalId: 'A3' }, profiles: [], rules: {} },
      { ref: { id: 2 }, profiles: ['HS', 'SF'], rules: { HS: 'crm', SF: 'crm' } },
    ]);
  });

  it('names both rules and the customers of a conflict, unless an entry settles the provider', () => {
    const rules: DesiredRule[] = [
      { name: 'crm', select: { all: true }, profiles: ['HS'] },
      { name: 'ent', select: { externalIdMatches: 'A.*' }, profiles: ['HS Ent'] },
    ];
    expect(resolveRules(desired(rules), LISTED).problems).toEqual([
      "rules 'crm' and 'ent' give two hubspot profiles, 'HS' and 'HS Ent', to 2 customer(s): E:A1, E:A3; Workato allows one per application: exclude them from one rule, or give them a hubspot profile in their customers entry",
    ]);
    const settled = desired(rules, [entry({ externalId: 'A1' }, ['HS Ent']), entry({ id: 3 }, ['HS'])]);
    expect(resolveRules(settled, LISTED).problems).toEqual([]);
  });

  it('refuses an entry for a customer the workspace does not have, and two entries for one customer', () => {
    const result = resolveRules(
      desired(
        [{ name: 'crm', select: { ids: [1] }, profiles: ['HS'] }],
        [entry({ id: 9 }, ['SF']), entry({ id: 3 }, ['SF']), entry({ externalId: 'A3' }, ['Zoom'])],
      ),
      LISTED,
    );
    expect(result.problems).toEqual([
      'customer id 9 does not exist in the workspace',
      'customer id 3 and customer external_id "A3" are the same customer (Workato id 3); keep one entry',
    ]);
  });
});
