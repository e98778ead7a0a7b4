/**
 * The customer list assignment rules are resolved against, read as cheaply as can
 * be proved safe. Workato lists customers 100 a page (60 requests a minute), so a
 * 10,000-customer workspace is 100 calls to list in full.
 *
 * When the last listing (kept in the state) came in ascending id order, customers
 * created since then can only be on its last pages: the tail listing reads from
 * the page holding the last customer it saw, and uses it only if that page still
 * starts with the customers it saw there and every customer after them has a
 * larger id. A deletion before that page shifts it, and an unordered listing
 * breaks the id check: either way the whole list is read instead, and the plan
 * says so. What the tail cannot see is an edit (a new name or external id) to a
 * customer on an earlier page: such a customer keeps the name it was listed
 * with until the next full listing: after any deletion, or when asked for with
 * `--refresh-customers` (a scheduled plan is the place for it).
 */
import { PER_PAGE } from '../api/client.js';
import type { Customer, WorkatoClient } from '../api/types.js';
import type { SelectableCustomer } from '../plan/selectors.js';
import type { CustomerListing } from '../plan/types.js';
import type { CustomerListingRecord } from '../state/types.js';

export interface ListingRead {
  customers: SelectableCustomer[];
  listing: CustomerListing;
  record: CustomerListingRecord;
}

function toSelectable(customer: Customer): SelectableCustomer {
  return { id: customer.id, external_id: customer.external_id ?? null, name: String(customer.name) };
}

function isAscending(customers: readonly SelectableCustomer[]): boolean {
  for (let i = 1; i < customers.length; i++) if (customers[i]!.id <= customers[i - 1]!.id) return false;
  return true;
}

function toRecord(
  customers: readonly SelectableCustomer[],
  order: 'id' | 'unordered',
): CustomerListingRecord {
  return { order, customers: customers.map((c) => [c.id, c.external_id, c.name]) };
}

/** Every customer in the workspace, by the tail listing when `recorded` allows and it proves itself. */
export async function readCustomerListing(
  client: WorkatoClient,
  recorded: CustomerListingRecord | undefined,
  /** Every page, whatever the record allows (`--refresh-customers`). */
  { full = false }: { full?: boolean } = {},
): Promise<ListingRead> {
  let pages = 0;
  const count = () => {
    pages += 1;
    return true;
  };
  let fellBack: string | undefined;
  const known = recorded?.customers.length ?? 0;
  // Below two pages the tail is the whole list: nothing to save.
  if (!full && recorded !== undefined && recorded.order === 'id' && known > PER_PAGE) {
    const fromPage = Math.ceil(known / PER_PAGE);
    const start = (fromPage - 1) * PER_PAGE;
    // The first page read decides: a shifted or shuffled one stops the tail there.
    let first = true;
    const tail = (
      await client.listCustomers(
        (page) => {
          pages += 1;
          const known = first ? checkTail(recorded, start, page.map(toSelectable), true) : undefined;
          first = false;
          return known === undefined;
        },
        { fromPage },
      )
    ).map(toSelectable);
    fellBack = checkTail(recorded, start, tail);
    if (fellBack === undefined) {
      const customers: SelectableCustomer[] = [];
      for (let i = 0; i < start; i++) {
        const [id, external_id, name] = recorded.customers[i]!;
        customers.push({ id, external_id, name });
      }
      for (const customer of tail) customers.push(customer);
      return {
        customers,
        listing: { mode: 'tail', pages, customers: customers.length, order: 'id' },
        record: toRecord(customers, 'id'),
      };
    }
  }
  const customers = (await client.listCustomers(count)).map(toSelectable);
  const order = isAscending(customers) ? 'id' : 'unordered';
  return {
    customers,
    listing: {
      mode: 'full',
      pages,
      customers: customers.length,
      order,
      ...(fellBack === undefined ? {} : { fellBack }),
      ...(full ? { asked: true } : {}),
    },
    record: toRecord(customers, order),
  };
}

/** Why the tail read from index `start` cannot stand in for the whole list; undefined when it can. */
export function checkTail(
  recorded: CustomerListingRecord,
  start: number,
  tail: readonly SelectableCustomer[],
  /** Only the first page is read yet: the known customers after it are not missing. */
  firstPage = false,
): string | undefined {
  const known = Math.min(
    recorded.customers.length,
    firstPage ? start + tail.length : Number.POSITIVE_INFINITY,
  );
  for (let i = start; i < known; i++) {
    const expected = recorded.customers[i]![0];
    const found = tail[i - start];
    if (found === undefined || found.id !== expected) {
      return `customer ${i + 1} of the listing is ${found === undefined ? 'gone' : `id ${found.id}`}, not id ${expected} as last listed (customers were deleted, or the listing is not in id order)`;
    }
  }
  if (firstPage) return undefined;
  let last = recorded.customers[known - 1]![0];
  for (let i = known - start; i < tail.length; i++) {
    const id = tail[i]!.id;
    if (id <= last) return `id ${id} comes after id ${last}: the listing is not in id order`;
    last = id;
  }
  return undefined;
}
