/**
 * When to try a request again and how long to wait first. Pure functions; the
 * loop that uses them is in request.ts.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { NetworkFailureKind } from './errors.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryOptions {
  /** Requests per call, the first included, not counting those answered 429. Default 6. */
  readonly maxAttempts?: number;
  /** First backoff ceiling; doubles per retry. Default 1 s. */
  readonly baseDelayMs?: number;
  /** Backoff ceiling. Default 30 s. */
  readonly maxDelayMs?: number;
  /** A Retry-After longer than this is cut to it, so one odd header cannot stall a run. Default 120 s. */
  readonly maxRetryAfterMs?: number;
  /** Backoff ceiling after a 429 without Retry-After. Default 60 s. */
  readonly rateLimitMaxDelayMs?: number;
  /**
   * How long a call keeps waiting out continuous 429s before it fails; a wait
   * that would end later is not started. Any other answer restarts the clock.
   * Default 10 min.
   */
  readonly rateLimitPatienceMs?: number;
  /** Injectable for tests. */
  readonly sleep?: Sleep;
  /** Injectable for tests; returns [0, 1). */
  readonly random?: () => number;
  /** Milliseconds on a monotonic clock, for the patience; injectable for tests. */
  readonly now?: () => number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: Omit<RetryPolicy, 'sleep' | 'random' | 'now'> = {
  maxAttempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  rateLimitMaxDelayMs: 60_000,
  rateLimitPatienceMs: 600_000,
};

export const sleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

export function resolveRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, sleep, random: Math.random, now: () => performance.now(), ...options };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError('retry.maxAttempts must be an integer >= 1');
  }
  if (!Number.isFinite(policy.rateLimitPatienceMs) || policy.rateLimitPatienceMs < 0) {
    throw new RangeError('retry.rateLimitPatienceMs must be a number >= 0');
  }
  return policy;
}

/**
 * Exponential backoff with full jitter (a uniform pick in [0, ceiling]), so
 * clients that failed together do not retry together. `retry` counts from 1;
 * `maxDelayMs` defaults to the policy's, a 429 passes its own.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, maxDelayMs = policy.maxDelayMs): number {
  const ceiling = Math.min(maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(policy.random() * ceiling);
}

/** Retry-After as seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * How a failure may be retried:
 * - `never`: the answer is final (4xx other than 429, and failures retrying cannot fix);
 * - `safe`: the server did not act (429, connection refused), any call may be sent again;
 * - `ambiguous`: the server may have acted (5xx, timeout, reset); only idempotent calls
 *   are sent again as is, a create first looks for what it may have created.
 */
export type RetryClass = 'never' | 'safe' | 'ambiguous';

/**
 * A refused connection or an unresolvable host is not a passing glitch: nothing
 * listens there, or the name is wrong, and six attempts over 20 s only delay the
 * message. Such a failure is retried once, after QUICK_RETRY_DELAY_MS (a server
 * restarting, a resolver hiccup), then fails; timeouts, resets, 5xx and 429 keep
 * the full budget.
 */
export const QUICK_RETRY_ATTEMPTS = 2;
export const QUICK_RETRY_DELAY_MS = 500;

export function retriesOnlyOnce(kind: NetworkFailureKind | undefined): boolean {
  return kind === 'connection-refused' || kind === 'dns';
}

export function classifyStatus(status: number): RetryClass {
  if (status === 429) return 'safe';
  // 501 and 505 say the server will never do it; retrying cannot help.
  if (status >= 500 && status !== 501 && status !== 505) return 'ambiguous';
  return 'never';
}

export function classifyNetworkFailure(kind: NetworkFailureKind, code: string | undefined): RetryClass {
  switch (kind) {
    case 'timeout':
    case 'reset':
    case 'network':
      return 'ambiguous';
    case 'connection-refused':
    case 'proxy':
      return 'safe';
    case 'dns':
      // A temporary resolver failure may pass; an unknown host will not.
      return code === 'EAI_AGAIN' ? 'safe' : 'never';
    case 'tls':
    case 'closed':
    case 'stopped':
      return 'never';
  }
}
