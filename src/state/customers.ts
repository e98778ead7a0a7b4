import { type CustomerRef, customerKey, parseCustomerKey } from '../customer-ref.js';
import type { State } from './types.js';

/**
 * A customer may be written `id: 101` in one config and `external_id: A2300` in
 * the next; once the state knows both, they are the same customer. These find the
 * state's key for a customer either way.
 */
export function indexStateCustomers(state: State): (ref: CustomerRef) => string | undefined {
  const byId = new Map<number, string>();
  const byExternal = new Map<string, string>();
  // for...in, not Object.entries: no [key, value] pair made per customer (100k at scale).
  const customers = state.customers;
  for (const key in customers) {
    const customer = customers[key]!;
    if (customer.id !== undefined) byId.set(customer.id, key);
    if (customer.external_id !== undefined) byExternal.set(customer.external_id, key);
  }
  return (ref) => {
    const key = customerKey(ref);
    if (state.customers[key]) return key;
    return 'id' in ref ? byId.get(ref.id) : byExternal.get(ref.externalId);
  };
}

/** One-off lookup on a state that is changing (the index above would go stale). */
export function findStateCustomerKey(state: State, key: string): string | undefined {
  if (state.customers[key]) return key;
  const ref = parseCustomerKey(key);
  return Object.keys(state.customers).find((k) => {
    const c = state.customers[k]!;
    return 'id' in ref ? c.id === ref.id : c.external_id === ref.externalId;
  });
}

/**
 * Drops `profile` from every customer's list, and the customers this leaves
 * holding nothing. Customers that held nothing before are customers checked to
 * exist and waiting for an assignment: they stay.
 */
export function forgetProfileAssignments(state: State, profile: string): void {
  for (const [key, customer] of Object.entries(state.customers)) {
    if (!customer.profiles.includes(profile)) continue;
    customer.profiles = customer.profiles.filter((p) => p !== profile);
    if (customer.profiles.length === 0) delete state.customers[key];
  }
}

/** How many customers the state records holding each profile, by the state's profile name. */
export function countStateHolders(state: State): Map<string, number> {
  const counts = new Map<string, number>();
  for (const customer of Object.values(state.customers)) {
    for (const profile of new Set(customer.profiles)) counts.set(profile, (counts.get(profile) ?? 0) + 1);
  }
  return counts;
}
