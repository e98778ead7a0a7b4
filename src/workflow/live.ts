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
import { describeMissing } from '../plan/customers.js';
import { PlanError } from '../plan/diff.js';
import { indexStateCustomers } from '../state/customers.js';
import type { CustomerListingRecord, State } from '../state/types.js';

export interface LiveState {
  profiles: LiveProfile[];
  /** Customers checked to exist in this run, keyed by customerKey of the config's reference. */
  customers: Map<string, { id: number; external_id: string | null }>;
  /** With rules: the customer list as read, for the state (src/workflow/rule-resolution.ts). */
  listing?: CustomerListingRecord | undefined;
}

/**
 * The listing pages a workspace holding the customers the state knows and the new
 * ones takes: the listing's cost when the workspace holds no other customer. There
 * is no total in Workato's answers, so this is the best estimate before reading.
 */
export function expectedListingPages(newCount: number, knownCount: number): number {
  return Math.max(1, Math.ceil((knownCount + newCount) / PER_PAGE));
}

/**
 * GETs cost one call per new customer; the listing one call per 100 customers in
 * the workspace. The cheaper of the two, as far as can be known before reading; a
 * tie goes to the GETs, which also name a missing customer without reading on.
 */
export function chooseVerification(newCount: number, knownCount: number): 'get' | 'list' {
  return newCount <= expectedListingPages(newCount, knownCount) ? 'get' : 'list';
}

/**
 * Whether to read another listing page after `pagesRead`, with `stillWanted`
 * customers not found yet. Up to the expected pages: always, since the listing
 * was chosen as the cheaper way and every page brings it closer to done. Beyond
 * them the workspace holds customers the tool does not know of, and the rest of
 * the listing costs an unknown number of pages, so it is read only while the pages
 * read are fewer than the GETs still needed (the ski-rental rule): the whole check
 * then costs at most twice the cheaper way. The rule this replaces compared the
 * pages read with the customers still wanted from the first page on, so it gave up
 * on the listing near its end (at 100,000 new customers: after 991 of 1,000 pages,
 * then 900 GETs).
 */
export function keepListing(pagesRead: number, stillWanted: number, expectedPages: number): boolean {
  if (stillWanted === 0) return false;
  return pagesRead < Math.max(expectedPages, stillWanted);
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

  const expectedPages = expectedListingPages(customers.length, knownCount);
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
      return keepListing(pages, wanted.size, expectedPages);
    });
    // A loop, not push(...): the customers left may be more than a call's arguments can hold.
    if (listedAll) for (const customer of wanted.values()) missing.push(customer);
    else await getEach([...wanted.values()]);
  }
  if (missing.length > 0) throw new PlanError(missing.map(describeMissing));
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
