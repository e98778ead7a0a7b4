/** How a plan's cost reads: durations and the calls line. The figures come from src/plan/cost.ts. */
import { BUCKETS } from '../api/types.js';
import { type CallBudget, countCalls } from '../plan/cost.js';
import { formatCount } from './numbers.js';

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
export function formatApiCalls(budget: CallBudget & { readonly leastSeconds: number }): string {
  const perBucket = BUCKETS.map((bucket) => `${bucket} ${formatCount(budget.apiCalls[bucket])}`).join(', ');
  const seconds = budget.leastSeconds;
  const rate = `the rate limit of ${formatCount(budget.ratePerMinute)}/min per bucket`;
  const wait = seconds === 0 ? `within ${rate}` : `at least ${formatDuration(seconds)} from ${rate}`;
  return `API calls: ${formatCount(countCalls(budget.apiCalls))} (${perBucket}), ${wait}.`;
}
