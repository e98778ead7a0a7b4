/**
 * The executor against a permissive fake client: it accepts every call in any order,
 * so the ordering guards are the executor's own, and a test fails when one is removed
 * (the strict emulator would refuse a misordered call and hide the missing guard).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import type { LiveProfile, ProfileInput, WorkatoClient } from '../../src/api/types.js';
import { executePlan, type Outcome } from '../../src/apply/execute.js';
import { StateRecorder } from '../../src/apply/recorder.js';
import { customerKey } from '../../src/customer-ref.js';
import { planCost } from '../../src/plan/cost.js';
import {
  type AssignmentChange,
  assignmentAddress,
  type Change,
  type Plan,
  type ProfileChange,
  profileAddress,
  sortChanges,
} from '../../src/plan/types.js';
import type { State } from '../../src/state/types.js';
import { state, stateProfile } from '../plan/builders.js';

interface FakeClient extends WorkatoClient {
  log: string[];
  /** `call` strings (as in log) that fail with this error. */
  failures: Map<string, Error>;
  gone: Set<string>;
}

function notFound(path: string): ApiError {
  return new ApiError(`GET ${path}: 404 Not Found`, { method: 'GET', path, endpoint: 'x', status: 404 });
}

function fakeClient(): FakeClient {
  let nextId = 500;
  const log: string[] = [];
  const failures = new Map<string, Error>();
  const gone = new Set<string>();
  const profile = (id: number, input: ProfileInput): LiveProfile => ({
    id,
    name: input.name,
    provider: input.provider,
    data: { client_id: input.data.client_id },
    shared_accounts_count: 0,
    oem_customers_count: 0,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: `2026-01-01T00:00:${String(log.length).padStart(2, '0')}Z`,
  });
  const call = async (entry: string) => {
    log.push(entry);
    const failure = failures.get(entry);
    if (failure) throw failure;
  };
  return {
    baseUrl: 'http://fake',
    ratePerMinute: 60,
    log,
    failures,
    gone,
    listProfiles: async () => [],
    getProfile: async () => {
      throw new Error('not used');
    },
    async createProfile(input) {
      await call(`create ${input.name}`);
      return profile(nextId++, input);
    },
    async updateProfile(id, input) {
      await call(`update ${id} ${input.name}`);
      return profile(id, input);
    },
    async deleteProfile(id) {
      await call(`delete ${id}`);
    },
    async assignProfile(customer, id) {
      const key = customerKey(customer);
      await call(`assign ${key} ${id}`);
      if (gone.has(key)) throw notFound(key);
    },
    async unassignProfile(customer, id, { force }) {
      const key = customerKey(customer);
      await call(`unassign ${key} ${id}${force ? ' force' : ''}`);
      if (gone.has(key)) throw notFound(key);
    },
    async getCustomer(customer) {
      const key = customerKey(customer);
      log.push(`get ${key}`);
      if (gone.has(key)) throw notFound(key);
      return { id: 1, external_id: null, name: key };
    },
    listCustomers: async () => [],
    counts: () => ({ requests: { profiles: 0, embedded: 0 }, retries: { profiles: 0, embedded: 0 } }),
    close: async () => {},
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-exec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function planOf(changes: Change[]): Plan {
  const sorted = sortChanges(changes);
  return {
    changes: sorted,
    stateOnly: [],
    unmanaged: [],
    warnings: [],
    drift: [],
    refusals: [],
    managedFound: { recorded: 0, live: 0 },
    ...planCost(sorted, 60),
  };
}

function assignment(
  action: AssignmentChange['action'],
  customer: string,
  profile: string,
  extra: Partial<AssignmentChange> = {},
): AssignmentChange {
  return {
    kind: 'assignment',
    action,
    address: assignmentAddress(customer, profile),
    customer,
    profile,
    ...extra,
  };
}

function profileChange(action: ProfileChange['action'], name: string, extra: Partial<ProfileChange> = {}) {
  return { kind: 'profile', action, address: profileAddress(name), profile: name, ...extra } as ProfileChange;
}

async function run(plan: Plan, start: State, client = fakeClient(), concurrency = 4) {
  const recorder = new StateRecorder(join(dir, 'state.json'), start, { exists: false });
  const outcomes = await executePlan(plan, {
    client,
    recorder,
    profileInput: (name) => ({
      name,
      provider: 'pipedrive',
      data: { client_id: 'id', client_secret: 'not-a-real-secret' },
    }),
    fingerprints: () => ({}),
    preventDestroy: () => false,
    customers: {},
    concurrency,
  });
  return { outcomes, client, state: recorder.state };
}

const status = (outcomes: Outcome[]) => outcomes.map((o) => `${o.status} ${o.change.address}`);

describe('executePlan', () => {
  it('deletes a profile only after every unassign of it is done', async () => {
    const start = state(
      { A: stateProfile(10, 'hubspot') },
      { '1': { profiles: ['A'] }, '2': { profiles: ['A'] } },
    );
    const client = fakeClient();
    client.failures.set('unassign 2 10', new Error('boom'));
    const { outcomes } = await run(
      planOf([
        profileChange('delete', 'A', { id: 10 }),
        assignment('unassign', '1', 'A'),
        assignment('unassign', '2', 'A'),
      ]),
      start,
      client,
    );
    expect(status(outcomes)).toEqual([
      'done assignment["1"]["A"]',
      'failed assignment["2"]["A"]',
      'skipped profile["A"]',
    ]);
    expect(client.log).not.toContain('delete 10');
  });

  it('runs the steps in order, whatever the concurrency: creates, assigns, unassigns, deletes', async () => {
    const start = state({ Old: stateProfile(10, 'zoom') }, { '1': { profiles: ['Old'] } });
    const { client } = await run(
      planOf([
        profileChange('delete', 'Old', { id: 10 }),
        assignment('unassign', '1', 'Old'),
        assignment('assign', '1', 'New'),
        profileChange('create', 'New'),
      ]),
      start,
      fakeClient(),
      8,
    );
    expect(client.log).toEqual(['create New', 'assign 1 500', 'unassign 1 10', 'delete 10']);
  });

  it('skips the assigns of a profile whose create failed, and does the rest', async () => {
    const client = fakeClient();
    client.failures.set('create New', new Error('400 Bad Request'));
    const { outcomes } = await run(
      planOf([
        profileChange('create', 'New'),
        assignment('assign', '1', 'New'),
        profileChange('create', 'Other'),
      ]),
      state(),
      client,
    );
    expect(status(outcomes)).toEqual([
      'failed profile["New"]',
      'done profile["Other"]',
      'skipped assignment["1"]["New"]',
    ]);
  });

  it('sends exactly the force the change says', async () => {
    const start = state(
      { A: stateProfile(10, 'hubspot') },
      { '1': { profiles: ['A'] }, '2': { profiles: ['A'] } },
    );
    const { client } = await run(
      planOf([
        assignment('unassign', '1', 'A', { force: true }),
        assignment('unassign', '2', 'A', { force: false }),
      ]),
      start,
    );
    expect(client.log.sort()).toEqual(['unassign 1 10 force', 'unassign 2 10']);
  });

  it('forgets a customer Workato no longer has, with a note, and counts the unassign done', async () => {
    const start = state({ A: stateProfile(10, 'hubspot') }, { '1': { profiles: ['A'] } });
    const client = fakeClient();
    client.gone.add('1');
    const { outcomes, state: after } = await run(planOf([assignment('unassign', '1', 'A')]), start, client);
    expect(outcomes[0]).toMatchObject({ status: 'done', note: expect.stringContaining('no longer exists') });
    expect(after.customers['1']).toBeUndefined();
  });

  it('a 404 for a customer that exists is a failure, not a forgotten customer', async () => {
    const start = state({ A: stateProfile(10, 'hubspot') }, { '1': { profiles: ['A'] } });
    const client = fakeClient();
    client.failures.set('unassign 1 10', notFound('profile'));
    const { outcomes, state: after } = await run(planOf([assignment('unassign', '1', 'A')]), start, client);
    expect(outcomes[0]?.status).toBe('failed');
    expect(after.customers['1']?.profiles).toEqual(['A']);
  });

  describe('replace', () => {
    const start = () =>
      state({ A: stateProfile(10, 'hubspot') }, { '1': { profiles: ['A'] }, '2': { profiles: ['A'] } });
    const change = () =>
      profileChange('replace', 'A', {
        id: 10,
        moves: ['1', '2'],
        unassignFrom: [],
        forced: ['2'],
        replacementName: 'A (replacing id 10)',
      });

    it('gives each customer the new profile before it takes the old one, then deletes and renames', async () => {
      const { client, outcomes, state: after } = await run(planOf([change()]), start(), fakeClient(), 1);
      expect(outcomes[0]?.status).toBe('done');
      expect(client.log).toEqual([
        'create A (replacing id 10)',
        'assign 1 500',
        'unassign 1 10',
        'assign 2 500',
        'unassign 2 10 force',
        'delete 10',
        'update 500 A',
      ]);
      expect(after.profiles['A']).toMatchObject({ id: 500, provider: 'pipedrive' });
      expect(after.profiles['A']?.rename_to).toBeUndefined();
      expect(after.customers['1']?.profiles).toEqual(['A']);
    });

    it('keeps the old profile when a customer cannot leave it: no delete, no rename, all on old or new', async () => {
      const client = fakeClient();
      client.failures.set('unassign 2 10 force', new Error('refused'));
      const { outcomes, state: after } = await run(planOf([change()]), start(), client, 1);
      expect(outcomes[0]?.status).toBe('failed');
      expect(client.log).not.toContain('delete 10');
      expect(client.log.filter((c) => c.startsWith('update'))).toEqual([]);
      expect(after.profiles['A']?.id).toBe(10);
      expect(after.profiles['A (replacing id 10)']).toMatchObject({ id: 500, rename_to: 'A' });
      expect(after.customers['1']?.profiles).toEqual(['A (replacing id 10)']);
      expect(after.customers['2']?.profiles).toEqual(['A', 'A (replacing id 10)']);
    });

    it('a customer whose move failed is never left without a profile: the old one stays if the new one did not come', async () => {
      const client = fakeClient();
      client.failures.set('assign 1 500', new Error('refused'));
      await run(planOf([change()]), start(), client, 1);
      expect(client.log).not.toContain('unassign 1 10');
    });

    it('re-puts a replacement an interrupted apply made, instead of making another', async () => {
      const { client } = await run(planOf([{ ...change(), replacementId: 77 }]), start(), fakeClient(), 1);
      expect(client.log[0]).toBe('update 77 A (replacing id 10)');
      expect(client.log.filter((c) => c.startsWith('create'))).toEqual([]);
    });

    it('the assigns of the new profile by its name wait for the replace', async () => {
      const client = fakeClient();
      client.failures.set('create A (replacing id 10)', new Error('400'));
      const { outcomes } = await run(planOf([change(), assignment('assign', '3', 'A')]), start(), client);
      expect(status(outcomes)).toEqual(['failed profile["A"]', 'skipped assignment["3"]["A"]']);
    });
  });
});
