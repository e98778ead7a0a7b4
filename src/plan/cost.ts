/**
 * What apply will cost in API calls and time, computed once when the plan is made
 * and stored in it, so the plan, its renderers and apply's progress all say the same.
 * Pure.
 */
import { BUCKETS, type Bucket } from '../api/types.js';
import type { Change } from './types.js';

/** Workato's rate-limit window. */
const WINDOW_MS = 60_000;

/**
 * API calls each action makes, per bucket. A replace makes (or re-puts) the new
 * profile, deletes the old one and renames the new one, plus two calls per customer
 * it moves and one per customer it only unassigns.
 */
const CALLS: Record<Change['action'], Partial<Record<Bucket, number>>> = {
  create: { profiles: 1 },
  adopt: { profiles: 1 },
  update: { profiles: 1 },
  replace: { profiles: 3 },
  delete: { profiles: 1 },
  swap: { embedded: 2 },
  assign: { embedded: 1 },
  unassign: { embedded: 1 },
};

/** API calls one change makes, per bucket. */
export function callsFor(change: Change): Record<Bucket, number> {
  const calls: Record<Bucket, number> = { profiles: 0, embedded: 0, ...CALLS[change.action] };
  if (change.kind === 'profile') {
    calls.embedded += 2 * (change.moves?.length ?? 0) + (change.unassignFrom?.length ?? 0);
  }
  return calls;
}

export function countApiCalls(changes: readonly Change[]): Record<Bucket, number> {
  const calls: Record<Bucket, number> = { profiles: 0, embedded: 0 };
  for (const change of changes) {
    const one = callsFor(change);
    calls.profiles += one.profiles;
    calls.embedded += one.embedded;
  }
  return calls;
}

/** The part of a Plan the estimate needs; apply passes the calls it has left. */
export interface CallBudget {
  apiCalls: Readonly<Record<Bucket, number>>;
  ratePerMinute: number;
}

export function countCalls(apiCalls: Readonly<Record<Bucket, number>>): number {
  let total = 0;
  for (const bucket of BUCKETS) total += apiCalls[bucket];
  return total;
}

/**
 * The least time the rate limit imposes on apply, in whole seconds (rounded up).
 * The client's pacer (src/api/pacing.ts) lets `ratePerMinute` calls go at once and
 * each further one a window later, so 22 calls wait for nothing and 312 wait at
 * least 5 minutes. Apply runs the profile steps before the assignment steps, so
 * the buckets' times add up instead of overlapping. Latency comes on top.
 */
export function estimateSeconds({ apiCalls, ratePerMinute }: CallBudget): number {
  if (!(ratePerMinute > 0)) throw new RangeError(`ratePerMinute must be positive, got ${ratePerMinute}`);
  let ms = 0;
  for (const bucket of BUCKETS) ms += estimatePacedMs(apiCalls[bucket], { ratePerMinute });
  return Math.ceil(ms / 1000);
}

/**
 * Least time `requests` calls in one bucket take when sent as fast as the
 * pacer allows: `ratePerMinute` at once, then each slot again one window plus
 * one round trip later. Buckets run side by side, so a run's estimate is the
 * largest of its buckets' (when their calls overlap).
 */
export function estimatePacedMs(
  requests: number,
  options: { readonly ratePerMinute: number; readonly windowMs?: number; readonly roundTripMs?: number },
): number {
  if (requests <= 0) return 0;
  const rounds = Math.ceil(requests / options.ratePerMinute);
  const roundTrip = options.roundTripMs ?? 0;
  return (rounds - 1) * ((options.windowMs ?? WINDOW_MS) + roundTrip) + roundTrip;
}

/** The cost fields of a Plan. */
export function planCost(
  changes: readonly Change[],
  ratePerMinute: number,
): { apiCalls: Record<Bucket, number>; ratePerMinute: number; leastSeconds: number } {
  const apiCalls = countApiCalls(changes);
  return { apiCalls, ratePerMinute, leastSeconds: estimateSeconds({ apiCalls, ratePerMinute }) };
}
