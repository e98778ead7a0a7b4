/**
 * A config with assignment rules, made into the desired state plan diffs: the
 * customer list read (src/workflow/customer-listing.ts), the rules resolved
 * against it (src/plan/assignment-rules.ts). The listing also proves the config's
 * own entries exist, so they need no check of their own.
 */
import type { WorkatoClient } from '../api/types.js';
import type { DesiredState } from '../config/types.js';
import { customerKey } from '../customer-ref.js';
import { resolveRules } from '../plan/assignment-rules.js';
import { PlanError } from '../plan/diff.js';
import type { CustomerListing } from '../plan/types.js';
import { indexStateCustomers } from '../state/customers.js';
import type { CustomerListingRecord, State } from '../state/types.js';
import { readCustomerListing } from './customer-listing.js';
import type { LiveState } from './live.js';

export interface ResolvedDesired {
  desired: DesiredState;
  /** Customers new to the state that the listing found, as a verification would have. */
  verified: LiveState['customers'];
  listing: CustomerListing;
  record: CustomerListingRecord;
}

/** Undefined for a config without rules: nothing is listed for it. */
export async function resolveDesired(
  client: WorkatoClient,
  desired: DesiredState,
  state: State,
  /** `--refresh-customers`: every page of the listing, not only its tail. */
  options: { fullListing?: boolean } = {},
): Promise<ResolvedDesired | undefined> {
  if ((desired.rules ?? []).length === 0) return undefined;
  const read = await readCustomerListing(client, state.customer_listing, {
    full: options.fullListing === true,
  });
  const resolution = resolveRules(desired, read.customers);
  if (resolution.problems.length > 0) throw new PlanError(resolution.problems);

  const byKey = new Map<string, { id: number; external_id: string | null }>();
  for (const customer of read.customers) {
    const found = { id: customer.id, external_id: customer.external_id };
    byKey.set(customerKey({ id: customer.id }), found);
    if (customer.external_id !== null) byKey.set(customerKey({ externalId: customer.external_id }), found);
  }
  const known = indexStateCustomers(state);
  const verified: LiveState['customers'] = new Map();
  for (const customer of resolution.customers) {
    if (customer.profiles.length === 0 || known(customer.ref) !== undefined) continue;
    const key = customerKey(customer.ref);
    const found = byKey.get(key);
    if (found !== undefined) verified.set(key, found);
  }
  return {
    desired: { ...desired, customers: resolution.customers },
    verified,
    listing: read.listing,
    record: read.record,
  };
}

/** Puts the listing in the state; whether that changed it. */
export function rememberCustomerListing(state: State, record: CustomerListingRecord | undefined): boolean {
  if (record === undefined) return false;
  const before = state.customer_listing;
  if (before !== undefined && JSON.stringify(before) === JSON.stringify(record)) return false;
  state.customer_listing = record;
  return true;
}
