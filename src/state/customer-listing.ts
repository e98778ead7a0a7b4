/**
 * The customer list as plan last read it, kept in the state so the next plan can
 * read only the pages after it (src/workflow/customer-listing.ts): every customer
 * as `[id, external_id, name]`, in listing order, and the order observed. Written
 * one customer per line, so a state diff shows the customers that came and went.
 */
import type { CustomerListingRecord } from './types.js';

/** `serialized` (the rest of the state, pretty JSON ending in `}\n`) with the listing added as its last key. */
export function appendCustomerListing(
  serialized: string,
  listing: CustomerListingRecord | undefined,
): string {
  if (listing === undefined) return serialized;
  const lines = listing.customers.map((customer) => `      ${JSON.stringify(customer)}`);
  const body = lines.length === 0 ? '[]' : `[\n${lines.join(',\n')}\n    ]`;
  const record = `  "customer_listing": {\n    "order": ${JSON.stringify(listing.order)},\n    "customers": ${body}\n  }`;
  return `${serialized.replace(/\n}\n$/, '')},\n${record}\n}\n`;
}
