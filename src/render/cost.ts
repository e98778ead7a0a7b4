/**
 * What apply will cost in API calls and time. Shared by the renderers and by apply's
 * progress (ETA), so the plan's estimate and the running estimate agree.
 */

import { estimatePacedMs } from '../api/pacing.js';
import { BUCKETS, type Bucket } from '../api/types.js';
import { formatCount } from './numbers.js';

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
 * `45 s`, `5 min 12 s`, `2 h 47 min`: seconds only matter below an hour, so above
 * one the time is rounded to the nearest minute. Negative or non-finite input (an
 * ETA that is already due) shows as `0 s` rather than throwing in a progress line.
 */
export function formatDuration(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) : 0;
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
  }
  const minutes = Math.round(s / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}

/**
 * `API calls: 312 (profiles 12, embedded 300), at least 4 min from the rate limit of 60/min per bucket.`
 * or, when everything fits in the first window, `..., within the rate limit of 60/min per bucket.`
 */
export function formatApiCalls(budget: CallBudget): string {
  const perBucket = BUCKETS.map((bucket) => `${bucket} ${formatCount(budget.apiCalls[bucket])}`).join(', ');
  const seconds = estimateSeconds(budget);
  const rate = `the rate limit of ${formatCount(budget.ratePerMinute)}/min per bucket`;
  const wait = seconds === 0 ? `within ${rate}` : `at least ${formatDuration(seconds)} from ${rate}`;
  return `API calls: ${formatCount(countCalls(budget.apiCalls))} (${perBucket}), ${wait}.`;
}
