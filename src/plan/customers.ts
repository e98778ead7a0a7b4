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

function refText(customer: DesiredCustomer): string {
  return 'id' in customer.ref
    ? `id ${customer.ref.id}`
    : `external_id ${JSON.stringify(customer.ref.externalId)}`;
}

/** `id 101 (file:line:col)`: a config entry, for messages naming two of them. */
export function describeEntry(customer: DesiredCustomer): string {
  const where = customer.source
    ? ` (${customer.source.file}:${customer.source.line}:${customer.source.col})`
    : '';
  return `${refText(customer)}${where}`;
}

/** One problem line for an entry naming a customer the workspace does not hold. */
export function describeMissing(customer: DesiredCustomer): string {
  const where = customer.source
    ? `${customer.source.file}:${customer.source.line}:${customer.source.col}  `
    : '';
  return `${where}customer ${refText(customer)} does not exist in the workspace`;
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
        `customer ${describeEntry(earlier)} and customer ${describeEntry(customer)} are the same customer (Workato id ${identity}); keep one entry`,
      );
    } else {
      first.set(identity, customer);
    }
  }
  return problems;
}
