/**
 * One customer, one entry: a customer may be written `id: 101` in one place and
 * `external_id: A2300` in another. Once the state (or the workspace's listing) knows
 * both belong to one customer, two entries for it would fight each other on every
 * apply, so they are refused before any call. Pure.
 */
import type { DesiredCustomer, DesiredState } from '../config/types.js';
import { customerKey } from '../customer-ref.js';
import type { State } from '../state/types.js';

export interface VerifiedCustomer {
  id: number;
  external_id: string | null;
}

function describe(customer: DesiredCustomer): string {
  const what =
    'id' in customer.ref ? `id ${customer.ref.id}` : `external_id ${JSON.stringify(customer.ref.externalId)}`;
  const where = customer.source
    ? ` (${customer.source.file}:${customer.source.line}:${customer.source.col})`
    : '';
  return `${what}${where}`;
}

/** Each pair of config entries that name one customer, as one message each. */
export function findDuplicateCustomers(
  desired: DesiredState,
  state: State,
  verified?: ReadonlyMap<string, VerifiedCustomer>,
): string[] {
  // Both names of every customer known to be one: from the state, then the listing.
  const idOfExternal = new Map<string, number>();
  const customers = state.customers;
  for (const key in customers) {
    const customer = customers[key]!;
    if (customer.id !== undefined && customer.external_id !== undefined) {
      idOfExternal.set(customer.external_id, customer.id);
    }
  }
  for (const found of verified?.values() ?? []) {
    if (found.external_id !== null) idOfExternal.set(found.external_id, found.id);
  }
  const first = new Map<string, DesiredCustomer>();
  const problems: string[] = [];
  for (const customer of desired.customers) {
    const id = 'id' in customer.ref ? customer.ref.id : idOfExternal.get(customer.ref.externalId);
    const identity = id === undefined ? customerKey(customer.ref) : String(id);
    const earlier = first.get(identity);
    if (earlier) {
      problems.push(
        `customer ${describe(earlier)} and customer ${describe(customer)} are the same customer (Workato id ${identity}); keep one entry`,
      );
    } else {
      first.set(identity, customer);
    }
  }
  return problems;
}
