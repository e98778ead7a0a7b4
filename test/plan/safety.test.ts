/**
 * The one safety check, as a table: a plan and a policy in, the refusals out.
 * Each row fails when its rule is removed from src/plan/safety.ts.
 */
import { describe, expect, it } from 'vitest';
import { findRefusals, type SafetyPolicy, withRefusals } from '../../src/plan/safety.js';
import {
  type AssignmentChange,
  assignmentAddress,
  type Change,
  type Plan,
  type ProfileChange,
  profileAddress,
} from '../../src/plan/types.js';
import type { State } from '../../src/state/types.js';
import { state, stateProfile } from './builders.js';

function del(name: string, extra: Partial<ProfileChange> = {}): ProfileChange {
  return { kind: 'profile', action: 'delete', address: profileAddress(name), profile: name, id: 1, ...extra };
}

function replace(name: string, extra: Partial<ProfileChange> = {}): ProfileChange {
  return {
    kind: 'profile',
    action: 'replace',
    address: profileAddress(name),
    profile: name,
    id: 1,
    moves: [],
    unassignFrom: [],
    ...extra,
  };
}

function unassign(customer: string, profile: string): AssignmentChange {
  return {
    kind: 'assignment',
    action: 'unassign',
    address: assignmentAddress(customer, profile),
    customer,
    profile,
    force: false,
  };
}

function planOf(changes: Change[], managedFound = { recorded: 1, live: 1 }): Plan {
  return {
    changes,
    stateOnly: [],
    unmanaged: [],
    warnings: [],
    drift: [],
    refusals: [],
    managedFound,
    apiCalls: { profiles: 0, embedded: 0 },
    ratePerMinute: 60,
    leastSeconds: 0,
  };
}

/** A state of `n` customers each holding profile P, and 10 profiles. */
function bigState(n: number): State {
  const profiles: State['profiles'] = {};
  for (let i = 0; i < 10; i++) profiles[`P${i}`] = stateProfile(i + 1, 'hubspot');
  const customers: State['customers'] = {};
  for (let i = 0; i < n; i++) customers[String(i + 1)] = { id: i + 1, profiles: ['P0'] };
  return state(profiles, customers);
}

const APPLY: SafetyPolicy = { stage: 'apply', allowDelete: true };

interface Row {
  name: string;
  plan: Plan;
  state?: State;
  policy: SafetyPolicy;
  codes: string[];
}

const ROWS: Row[] = [
  { name: 'nothing to refuse', plan: planOf([del('A')]), policy: APPLY, codes: [] },
  {
    name: 'prevent_destroy on a delete, at plan time too',
    plan: planOf([del('A', { preventDestroy: true })]),
    policy: { stage: 'plan' },
    codes: ['prevent-destroy'],
  },
  {
    name: 'prevent_destroy on a replace',
    plan: planOf([replace('A', { preventDestroy: true })]),
    policy: APPLY,
    codes: ['prevent-destroy'],
  },
  {
    name: 'a delete without --allow-delete',
    plan: planOf([del('A')]),
    policy: { stage: 'apply' },
    codes: ['delete-not-allowed'],
  },
  {
    name: 'a replace without --allow-delete',
    plan: planOf([replace('A')]),
    policy: { stage: 'apply' },
    codes: ['delete-not-allowed'],
  },
  {
    name: '--allow-delete is not asked at plan time',
    plan: planOf([del('A')]),
    policy: { stage: 'plan' },
    codes: [],
  },
  {
    name: 'a delete of a profile Workato counts more customers on than the state knows',
    plan: planOf([del('A', { customerCount: { live: 5, known: 4 } })]),
    policy: { stage: 'plan' },
    codes: ['unknown-holders'],
  },
  {
    name: 'a replace of such a profile',
    plan: planOf([replace('A', { customerCount: { live: 2, known: 1 } })]),
    policy: APPLY,
    codes: ['unknown-holders'],
  },
  {
    name: 'fewer live customers than known is not refused',
    plan: planOf([replace('A', { customerCount: { live: 1, known: 2 } })]),
    policy: APPLY,
    codes: [],
  },
  {
    name: 'a state none of whose profiles is live',
    plan: planOf([], { recorded: 3, live: 0 }),
    policy: { stage: 'plan' },
    codes: ['workspace-mismatch'],
  },
  {
    name: '... unless --force',
    plan: planOf([], { recorded: 3, live: 0 }),
    policy: { stage: 'plan', force: true },
    codes: [],
  },
  {
    name: 'an empty state is no mismatch',
    plan: planOf([], { recorded: 0, live: 0 }),
    policy: { stage: 'plan' },
    codes: [],
  },
  {
    name: 'removing 4 of 10 assignments (40% > 30%)',
    plan: planOf(['1', '2', '3', '4'].map((c) => unassign(c, 'P0'))),
    state: bigState(10),
    policy: APPLY,
    codes: ['too-many-removals'],
  },
  {
    name: '... with --force',
    plan: planOf(['1', '2', '3', '4'].map((c) => unassign(c, 'P0'))),
    state: bigState(10),
    policy: { ...APPLY, force: true },
    codes: [],
  },
  {
    name: '... or a higher --max-change-percent',
    plan: planOf(['1', '2', '3', '4'].map((c) => unassign(c, 'P0'))),
    state: bigState(10),
    policy: { ...APPLY, maxChangePercent: 50 },
    codes: [],
  },
  {
    name: 'a replace that only moves customers removes nothing',
    plan: planOf([replace('P0', { moves: ['1', '2', '3', '4', '5'] })]),
    state: bigState(10),
    policy: APPLY,
    codes: [],
  },
  {
    name: 'a replace that unassigns counts those',
    plan: planOf([replace('P0', { unassignFrom: ['1', '2', '3', '4', '5'] })]),
    state: bigState(10),
    policy: APPLY,
    codes: ['too-many-removals'],
  },
  {
    name: 'deleting 4 of 10 profiles',
    plan: planOf(['P1', 'P2', 'P3', 'P4'].map((n) => del(n))),
    state: bigState(0),
    policy: APPLY,
    codes: ['too-many-removals'],
  },
  {
    name: 'secrets missing at apply',
    plan: planOf([]),
    policy: {
      stage: 'apply',
      missingSecrets: [{ address: profileAddress('A'), variable: 'A_SECRET', field: 'client_secret' }],
    },
    codes: ['secret-missing'],
  },
  {
    name: 'a stale or altered plan file',
    plan: planOf([]),
    policy: { stage: 'apply', stalePlanFile: ['the config changed', 'it differs'] },
    codes: ['stale-plan-file', 'stale-plan-file'],
  },
  {
    name: 'apply-only facts are not judged at plan time',
    plan: planOf([]),
    policy: {
      stage: 'plan',
      stalePlanFile: ['x'],
      missingSecrets: [{ address: 'a', variable: 'V', field: 'f' }],
    },
    codes: [],
  },
];

describe('findRefusals', () => {
  it.each(ROWS)('$name', ({ plan, state: s, policy, codes }) => {
    expect(findRefusals(plan, s ?? state(), policy).map((r) => r.code)).toEqual(codes);
  });

  it('names the environment variable, never a value', () => {
    const [refusal] = findRefusals(planOf([]), state(), {
      stage: 'apply',
      missingSecrets: [{ address: profileAddress('A'), variable: 'A_SECRET', field: 'client_secret' }],
    });
    expect(refusal?.message).toBe('profile["A"].client_secret needs $A_SECRET, which is not set');
  });
});

describe('withRefusals', () => {
  it('marks each refused change with its reason and keeps the others as they were', () => {
    const keep = unassign('1', 'P0');
    const plan = planOf([del('A', { preventDestroy: true }), keep]);
    const refusals = findRefusals(plan, state(), { stage: 'plan' });
    const marked = withRefusals(plan, refusals);
    expect((marked.changes[0] as ProfileChange).refused).toContain('prevent_destroy');
    expect(marked.changes[1]).toBe(keep);
    expect(marked.refusals).toEqual(refusals);
  });

  it('returns the same plan when nothing is refused', () => {
    const plan = planOf([del('A')]);
    expect(withRefusals(plan, [])).toBe(plan);
  });
});
