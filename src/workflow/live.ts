/**
 * Reads the live world a plan needs, and nothing more: all profiles (paged) once,
 * and the existence of customers new to the state. The plan never reads per
 * assignment: Workato has no endpoint for it, and calls are the cost that matters.
 */
import { PER_PAGE } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { Customer, LiveProfile, WorkatoClient } from '../api/types.js';
import type { DesiredCustomer, DesiredState } from '../config/types.js';
import { customerKey } from '../customer-ref.js';
import { PlanError } from '../plan/diff.js';
import { indexStateCustomers } from '../state/customers.js';
import type { State } from '../state/types.js';

export interface LiveState {
  profiles: LiveProfile[];
  /** Customers checked to exist in this run, keyed by customerKey of the config's reference. */
  customers: Map<string, { id: number; external_id: string | null }>;
}

function describe(customer: DesiredCustomer): string {
  const where = customer.source
    ? `${customer.source.file}:${customer.source.line}:${customer.source.col}  `
    : '';
  const what =
    'id' in customer.ref ? `id ${customer.ref.id}` : `external_id ${JSON.stringify(customer.ref.externalId)}`;
  return `${where}customer ${what} does not exist in the workspace`;
}

/**
 * Individual GETs cost one call per customer; the listing costs one call per 100
 * customers in the workspace, which is at least (known + new) / 100. Start with the
 * listing when even that least cost is below the GETs'. The workspace may hold many
 * more customers than the state knows, so verifyCustomers also stops the listing
 * once it has cost as much as GETs for the customers still missing would.
 */
export function chooseVerification(newCount: number, knownCount: number): 'get' | 'list' {
  const leastListingCalls = Math.max(1, Math.ceil((knownCount + newCount) / 100));
  return newCount <= leastListingCalls ? 'get' : 'list';
}

async function verifyCustomers(
  client: WorkatoClient,
  customers: readonly DesiredCustomer[],
  knownCount: number,
): Promise<LiveState['customers']> {
  const found: LiveState['customers'] = new Map();
  const missing: DesiredCustomer[] = [];
  const record = (customer: DesiredCustomer, live: Customer) =>
    found.set(customerKey(customer.ref), { id: live.id, external_id: live.external_id ?? null });

  const getEach = async (remaining: Iterable<DesiredCustomer>) => {
    for (const customer of remaining) {
      try {
        record(customer, await client.getCustomer(customer.ref));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) missing.push(customer);
        else throw error;
      }
    }
  };

  if (chooseVerification(customers.length, knownCount) === 'get') {
    await getEach(customers);
  } else {
    const wanted = new Map(customers.map((c) => [customerKey(c.ref), c]));
    const consider = (live: Customer) => {
      const keys = [customerKey({ id: live.id })];
      if (live.external_id !== null) keys.push(customerKey({ externalId: live.external_id }));
      for (const key of keys) {
        const customer = wanted.get(key);
        if (customer) {
          record(customer, live);
          wanted.delete(key);
        }
      }
    };
    let pages = 0;
    let listedAll = false;
    await client.listCustomers((page) => {
      pages += 1;
      page.forEach(consider);
      listedAll = page.length < PER_PAGE;
      // Reading on costs at least one more page and at most the rest of the workspace;
      // GETs cost one per customer still missing. Stopping once the pages read reach
      // that number keeps the whole check within twice the cheaper of the two.
      return wanted.size > pages;
    });
    if (listedAll) missing.push(...wanted.values());
    else await getEach([...wanted.values()]);
  }
  if (missing.length > 0) throw new PlanError(missing.map(describe));
  return found;
}

export async function fetchLiveState(
  client: WorkatoClient,
  desired: DesiredState,
  state: State,
  options: { verifyCustomers: boolean },
): Promise<LiveState> {
  const profiles = await client.listProfiles();
  const known = indexStateCustomers(state);
  const unknown = options.verifyCustomers
    ? desired.customers.filter((c) => c.profiles.length > 0 && known(c.ref) === undefined)
    : [];
  const customers =
    unknown.length > 0
      ? await verifyCustomers(client, unknown, Object.keys(state.customers).length)
      : new Map();
  return { profiles, customers };
}
