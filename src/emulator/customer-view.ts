/**
 * How the emulator shows customers: each as GET and the listing return it, and
 * the order of the listing: ascending id (the default, and
 * what Workato appears to do), or `unordered`, a fixed shuffle in which new
 * customers land anywhere, to test a client that must not rely on the order
 * (the tool's tail listing, src/workflow/customer-listing.ts).
 */
import type { Customer } from '../api/types.js';
import { DEFAULT_TIMESTAMP } from './world-data.js';

export type CustomerOrder = 'id' | 'unordered';

/** The fields the model keeps; the rest are fixed values the tool ignores. */
export function presentCustomer(c: { id: number; externalId: string | null; name: string }): Customer {
  return {
    id: c.id,
    external_id: c.externalId,
    name: c.name,
    notification_email: null,
    plan_id: 'oem_plan',
    in_trial: false,
    time_zone: 'UTC',
    created_at: DEFAULT_TIMESTAMP,
    updated_at: DEFAULT_TIMESTAMP,
  };
}

export function compareForListing(order: CustomerOrder): (a: { id: number }, b: { id: number }) => number {
  return order === 'id' ? (a, b) => a.id - b.id : (a, b) => scramble(a.id) - scramble(b.id) || a.id - b.id;
}

/** A fixed permutation of ids (Knuth's multiplicative hash). */
function scramble(id: number): number {
  return Math.imul(id, 2654435761) >>> 0;
}
