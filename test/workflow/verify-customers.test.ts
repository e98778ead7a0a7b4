/**
 * Checking that customers new to the state exist, counted in the calls the
 * emulator receives: one GET per new customer or the listing's pages, whichever
 * is cheaper, at sizes on both sides of the switch-over and at 20,000 customers,
 * where the old stop rule gave up on the listing near its end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/api/client.js';
import type { WorkatoClient } from '../../src/api/types.js';
import type { DesiredCustomer, DesiredState } from '../../src/config/types.js';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import { PlanError } from '../../src/plan/diff.js';
import { emptyState } from '../../src/state/store.js';
import type { State } from '../../src/state/types.js';
import { fetchLiveState, keepListing } from '../../src/workflow/live.js';

const TOKEN = 'verify-token-1234';

let emulator: RunningEmulator | undefined;
let client: WorkatoClient | undefined;
afterEach(async () => {
  await client?.close();
  await emulator?.close();
  client = undefined;
  emulator = undefined;
});

/** A workspace of customers 1..total (external ids C1...), and a client to it. */
async function workspace(total: number): Promise<{ emulator: RunningEmulator; client: WorkatoClient }> {
  const customers = Array.from({ length: total }, (_, i) => ({
    id: i + 1,
    external_id: `C${i + 1}`,
    name: 'c',
  }));
  emulator = await startEmulator({
    token: TOKEN,
    world: { customers, profiles: [] },
    ratePerMinute: 1_000_000,
  });
  client = createClient({ baseUrl: emulator.url, token: TOKEN, ratePerMinute: 1_000_000 });
  return { emulator, client };
}

function desired(refs: DesiredCustomer['ref'][]): DesiredState {
  return {
    workspace: {},
    profiles: [],
    customers: refs.map((ref) => ({ ref, profiles: ['P'], forceUnassign: false })),
  };
}

/** A state that knows customers `from`..`to` (by id) to exist. */
function stateKnowing(url: string, from: number, to: number): State {
  const state = emptyState(url);
  for (let id = from; id <= to; id++) state.customers[String(id)] = { id, profiles: ['P'] };
  return state;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The customer calls made: `list` pages and `get` calls. */
async function verify(refs: DesiredCustomer['ref'][], state: State) {
  const mark = emulator!.requestLog.length;
  const live = await fetchLiveState(client!, desired(refs), state, { verifyCustomers: true });
  const made = emulator!.requestLog.slice(mark).filter((e) => e.path.startsWith('/api/managed_users'));
  return {
    found: live.customers.size,
    list: made.filter((e) => e.path.startsWith('/api/managed_users?')).length,
    get: made.filter((e) => !e.path.startsWith('/api/managed_users?')).length,
  };
}

describe('new customers are checked the cheaper way: min(one GET each, one page per 100 in the workspace)', () => {
  it('a state that knows 1,000 of 1,012: GETs up to 11 new customers, the 11 listing pages from 12 on', async () => {
    const { emulator } = await workspace(1_012);
    const state = stateKnowing(emulator.url, 1, 1_000);
    const counts: Record<number, { list: number; get: number; found: number }> = {};
    for (const n of [10, 11, 12])
      counts[n] = await verify(
        range(1_001, 1_000 + n).map((id) => ({ id })),
        state,
      );
    expect(counts).toEqual({
      10: { found: 10, get: 10, list: 0 },
      11: { found: 11, get: 11, list: 0 },
      12: { found: 12, get: 0, list: 11 },
    });
  });

  it('an onboarding of 20,000 (none known): exactly the 200 pages, where the old rule took 199 pages and 100 GETs', async () => {
    await workspace(20_000);
    const refs = range(1, 20_000).map((i) => ({ externalId: `C${i}` }));
    expect(await verify(refs, emptyState(emulator!.url))).toEqual({ found: 20_000, list: 200, get: 0 });
  });

  it('an onboarding of 150 in a workspace of 150: 2 pages; of 2: one page; of 1: one GET', async () => {
    const { emulator } = await workspace(150);
    const fresh = emptyState(emulator.url);
    expect(
      await verify(
        range(1, 150).map((id) => ({ id })),
        fresh,
      ),
    ).toEqual({ found: 150, list: 2, get: 0 });
    expect(await verify([{ id: 7 }, { id: 9 }], fresh)).toEqual({ found: 2, list: 1, get: 0 });
    expect(await verify([{ externalId: 'C9' }], fresh)).toEqual({ found: 1, list: 0, get: 1 });
  });

  it('a workspace far bigger than the state knows: the listing stops once it has cost the GETs still needed', async () => {
    // 5 new customers at the end of 2,000; the state knows 100, so 2 pages were expected.
    const { emulator } = await workspace(2_000);
    const counts = await verify(
      range(1_996, 2_000).map((id) => ({ id })),
      stateKnowing(emulator.url, 1, 100),
    );
    // Pages 1-5 find none of them; 5 GETs then do: 10 calls, not the 20 pages of the whole listing.
    expect(counts).toEqual({ found: 5, list: 5, get: 5 });
  });

  it('customers missing from the workspace fail the plan, each named', async () => {
    await workspace(300);
    const refs = [...range(1, 250).map((id) => ({ id })), { id: 999_001 }, { externalId: 'nobody' }];
    const error = await fetchLiveState(client!, desired(refs), emptyState(emulator!.url), {
      verifyCustomers: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).message).toContain('customer id 999001 does not exist in the workspace');
    expect((error as PlanError).message).toContain('customer external_id "nobody" does not exist');
  });
});

describe('keepListing', () => {
  it('reads every expected page, then only while the pages read are fewer than the GETs left', () => {
    // 100,000 new, none known: 1,000 pages expected; near the end few are wanted but the listing goes on.
    expect(keepListing(991, 900, 1_000)).toBe(true);
    expect(keepListing(999, 100, 1_000)).toBe(true);
    expect(keepListing(1_000, 0, 1_000)).toBe(false);
    // Past the expected pages: the ski-rental rule.
    expect(keepListing(3, 5, 2)).toBe(true);
    expect(keepListing(5, 5, 2)).toBe(false);
  });
});
