/**
 * The request loop every call goes through: a paced slot, one exchange, its
 * outcome, then success, a retry or an error. After a failure the server may
 * have acted on, the call's `ambiguous` strategy decides whether it is sent
 * again as is or a create first looks for what it may have made.
 *
 * A 429 is not a failure but a signal to wait: it pauses the bucket for
 * Retry-After, or an exponential backoff, and does not use up the retry budget;
 * only a run of 429s longer than the policy's patience fails the call. Every
 * other retryable failure (5xx, timeout, reset, a proxy that will not open a
 * tunnel) counts against `maxAttempts`.
 *
 * Every attempt, retries included, waits for the pacer; every failure ends as
 * an ApiError whose message is one line and holds no secret.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { type Adopt, type Call, callError, type Read, type Send } from './call.js';
import { ApiError, describeNetworkFailure, formatDuration } from './errors.js';
import type { Exchange, HttpMethod } from './http.js';
import { type Failure, failureError, failureMessage, type Outcome, readOutcome } from './outcome.js';
import { createPacer, type Permit } from './pacing.js';
import { cleanServerText, createRedactor, type Redact, sanitizeCause } from './redaction.js';
import {
  backoffDelayMs,
  QUICK_RETRY_ATTEMPTS,
  QUICK_RETRY_DELAY_MS,
  type RetryOptions,
  resolveRetryPolicy,
  retriesOnlyOnce,
} from './retry.js';
import type { Bucket, RequestCounts } from './types.js';

/**
 * How long after an ambiguous create was sent it may still land: Workato ends
 * a request after 40 s. Until then the create is not sent again; its profile
 * is looked for instead.
 */
export const CREATE_SETTLE_MS = 45_000;
/** The longest wait between two looks for what a create may have made. */
export const CREATE_LOOK_MAX_DELAY_MS = 10_000;

export interface RequestRetryOptions extends RetryOptions {
  /** How long after an ambiguous create was sent to keep looking before posting again. Default CREATE_SETTLE_MS. */
  readonly createSettleMs?: number;
}

export interface RequesterOptions {
  /** Checked already; for messages. */
  readonly baseUrl: string;
  /** Checked already; here only to be kept out of errors and logs. */
  readonly token: string;
  readonly timeoutMs: number;
  /** One request, no retries: http.ts's exchange over the client's transport. */
  readonly exchange: (method: HttpMethod, target: string, body: unknown) => Promise<Exchange>;
  /** Aborted when the client closes. */
  readonly closed: AbortSignal;
  /** The caller's stop (Ctrl-C): calls not yet sent fail with network 'stopped'. */
  readonly stopSignal?: AbortSignal;
  /**
   * Awaited after a request's rate-limit slot is granted, right before it is sent:
   * apply checks there that it still holds the state lock (it may have been paused
   * for minutes in the wait). Aborting `stopSignal` in it stops the request.
   */
  readonly beforeSend?: () => Promise<void>;
  readonly ratePerMinute?: number;
  readonly windowMs?: number;
  readonly retry?: RequestRetryOptions;
  readonly debugLog?: (line: string) => void;
}

export interface Requester {
  readonly send: Send;
  /** The pacing limit per bucket, requests per minute. */
  readonly ratePerMinute: number;
  counts(): RequestCounts;
}

/** The unbroken run of 429s a call is in. */
interface RateLimitedRun {
  answers: number;
  /** Waits taken so far; the patience bounds their sum, not the clock (which counts round trips too). */
  waitedMs: number;
}

type Step<T> =
  | { readonly next: 'retry' }
  | { readonly next: 'fail'; readonly giveUp: boolean }
  /** A delete that an earlier attempt did. */
  | { readonly next: 'done' }
  /** Look for what the create may have made, then retry or fail if it is not there. */
  | { readonly next: 'adopt'; readonly adopt: Adopt<T>; readonly orElse: 'retry' | 'fail' };

export function createRequester(options: RequesterOptions): Requester {
  const { baseUrl, timeoutMs, closed } = options;
  const stop = options.stopSignal;
  const policy = resolveRetryPolicy(options.retry);
  const createSettleMs = options.retry?.createSettleMs ?? CREATE_SETTLE_MS;
  if (!Number.isFinite(createSettleMs) || createSettleMs < 0) {
    throw new RangeError('retry.createSettleMs must be a number >= 0');
  }
  /** Ends every wait that comes before sending: closing the client, or the caller's stop. */
  const waits = stop ? AbortSignal.any([closed, stop]) : closed;
  // Every paced wait listens on it; with --concurrency above 10 Node would warn of a leak that is not one.
  setMaxListeners(0, waits);
  const pacer = createPacer({
    ...(options.ratePerMinute !== undefined ? { ratePerMinute: options.ratePerMinute } : {}),
    ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
    signal: waits,
    sleep: policy.sleep,
  });
  const requests: Record<Bucket, number> = { profiles: 0, embedded: 0 };
  const retries: Record<Bucket, number> = { profiles: 0, embedded: 0 };
  const tokenRedactor = createRedactor([options.token]);

  /** Lines are built from our own values; the only server-supplied parts are cleaned where they are read. */
  const debug = (line: string): void => {
    if (options.debugLog === undefined) return;
    try {
      options.debugLog(line);
    } catch {
      // A failing logger must not fail the request it reports on.
    }
  };

  const closedError = (call: Call<unknown>, attempts: number): ApiError => {
    const kind = !closed.aborted && stop?.aborted ? 'stopped' : 'closed';
    const message = describeNetworkFailure({
      method: call.method,
      path: call.path,
      kind,
      baseUrl,
      timeoutMs,
    });
    return callError(call, message, { network: kind, attempts });
  };

  /** Pacing, then one exchange, read into success or a classified failure; `sentAt` is policy.now() when it was sent. */
  async function attemptOnce(
    call: Call<unknown>,
    attempt: number,
    redact: Redact,
  ): Promise<{ outcome: Outcome; sentAt: number }> {
    let permit: Permit;
    try {
      permit = await pacer.acquire(call.bucket);
    } catch (error) {
      if (waits.aborted) throw closedError(call, attempt - 1);
      throw error;
    }
    if (options.beforeSend && !stop?.aborted) await options.beforeSend().catch(() => {});
    if (stop?.aborted) {
      permit.release();
      throw closedError(call, attempt - 1);
    }
    requests[call.bucket] += 1;
    if (attempt > 1) retries[call.bucket] += 1;
    const sentAt = policy.now();
    let result: Exchange;
    try {
      result = await options.exchange(call.method, targetOf(call), call.body);
    } finally {
      // After the answer is in: the slot's window starts when the server has surely seen the request.
      permit.release();
    }
    return { outcome: readOutcome(call, result, { baseUrl, timeoutMs, redact }), sentAt };
  }

  async function send<T>(call: Call<T>, read: Read<T>): Promise<T> {
    const redact =
      call.secrets === undefined ? tokenRedactor : createRedactor([options.token, ...call.secrets]);
    let mayHaveActed = false;
    /** Attempts that use up the budget: all but those answered 429. */
    let counted = 0;
    let rateLimited: RateLimitedRun | undefined;
    /** Attempts that found nothing listening or no such host: these get one quick retry, not the budget. */
    let refusedOrUnresolved = 0;
    /** policy.now() until which a create sent earlier may still land: it is not sent again before. */
    let settleUntil = Number.NEGATIVE_INFINITY;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const { outcome, sentAt } = await attemptOnce(call, attempt, redact);
      const ms = performance.now() - started;
      const log = (note?: string) => logAttempt(call, attempt, outcome, ms, note);
      if (outcome.ok) {
        log(outcome.note);
        return read(call, outcome.answer);
      }
      if (outcome.answer?.status === 429) {
        rateLimited ??= { answers: 0, waitedMs: 0 };
        rateLimited.answers += 1;
        pauseForRateLimit(call, outcome, attempt, rateLimited, log);
        continue;
      }
      rateLimited = undefined;
      counted += 1;
      const quick = retriesOnlyOnce(outcome.fields.network);
      if (quick) refusedOrUnresolved += 1;
      const lastAttempt =
        counted >= policy.maxAttempts || (quick && refusedOrUnresolved >= QUICK_RETRY_ATTEMPTS);
      const step = nextStep(call, outcome, mayHaveActed, lastAttempt);
      if (outcome.retry === 'ambiguous') {
        mayHaveActed = true;
        settleUntil = Math.max(settleUntil, sentAt + createSettleMs);
      }
      switch (step.next) {
        case 'done':
          log('gone after an earlier attempt: done');
          return read(call, outcome.answer!);
        case 'fail':
          log(step.giveUp ? 'giving up' : undefined);
          throw failureError(call, outcome, attempt);
        case 'retry':
          if (quick) {
            log('retrying once, quickly: nothing answered at that address');
            await pause(call, QUICK_RETRY_DELAY_MS, attempt);
            break;
          }
          log(`retrying after backoff (attempt ${counted + 1} of ${policy.maxAttempts})`);
          await waitBeforeRetry(call, counted, attempt);
          break;
        case 'adopt': {
          const { adopt } = step;
          let found: T | undefined;
          if (step.orElse === 'retry') {
            log(`ambiguous: will look for the ${adopt.noun} before any retry`);
            found = await lookUntilSettled(call, adopt, outcome, attempt, redact, settleUntil);
          } else {
            log();
            found = await lookFor(call, adopt, outcome, attempt, redact);
          }
          if (found !== undefined) return found;
          if (step.orElse === 'fail') throw failureError(call, outcome, attempt);
          if (lastAttempt) {
            throw failureError(
              call,
              outcome,
              attempt,
              `; no ${adopt.noun} named "${adopt.name}" was created`,
            );
          }
        }
      }
    }
  }

  /**
   * Looks for what a create may have made until `settleUntil`, when nothing
   * sent earlier can still land: after a backoff (baseDelayMs, doubling, at
   * most CREATE_LOOK_MAX_DELAY_MS) each time, the last wait cut to end at
   * `settleUntil`. At least one look; every look is a paced listing call.
   */
  async function lookUntilSettled<T>(
    call: Call<T>,
    adopt: Adopt<T>,
    failure: Failure,
    attempt: number,
    redact: Redact,
    settleUntil: number,
  ): Promise<T | undefined> {
    for (let look = 1; ; look++) {
      const step = Math.min(CREATE_LOOK_MAX_DELAY_MS, policy.baseDelayMs * 2 ** Math.min(look - 1, 30));
      // Wait first, so a create still in progress on the server has landed before the list looks for it.
      await pause(call, look === 1 ? step : Math.min(step, settleUntil - policy.now()), attempt);
      const found = await lookFor(call, adopt, failure, attempt, redact);
      if (found !== undefined) return found;
      const left = settleUntil - policy.now();
      if (left <= 0) return undefined;
      debug(
        `${call.method} ${call.path}: no ${adopt.noun} "${adopt.name}" yet (look ${look}); the create may still land for ${Math.ceil(left)} ms`,
      );
    }
  }

  /** What an earlier attempt of a create may have made; a failed look fails the call, saying so. */
  async function lookFor<T>(
    call: Call<T>,
    adopt: Adopt<T>,
    failure: Failure,
    attempt: number,
    redact: Redact,
  ): Promise<T | undefined> {
    let found: (T & { readonly id: number }) | undefined;
    try {
      found = await adopt.find();
    } catch (error) {
      const why =
        error instanceof ApiError
          ? error.message
          : cleanServerText(error instanceof Error ? error.message : String(error), redact);
      throw callError(
        call,
        `${failureMessage(failure, attempt)}; could not check whether ${adopt.noun} "${adopt.name}" was created anyway (${why}); run plan before retrying, the ${adopt.noun} may exist`,
        {
          ...failure.fields,
          attempts: attempt,
          cause: error instanceof ApiError ? error : sanitizeCause(error, redact),
        },
      );
    }
    if (found !== undefined) {
      debug(
        `${call.method} ${call.path}: adopted existing ${adopt.noun} ${found.id} instead of creating a duplicate`,
      );
    }
    return found;
  }

  function logAttempt(
    call: Call<unknown>,
    attempt: number,
    outcome: Outcome,
    ms: number,
    note: string | undefined,
  ): void {
    debug(
      `${call.method} ${targetOf(call)} ${outcome.label} ${Math.round(ms)}ms bucket=${call.bucket} retry=${attempt - 1}${note ? ` (${note})` : ''}`,
    );
  }

  /** Waits before the next attempt after the `counted`-th failure that uses up the budget. */
  async function waitBeforeRetry(call: Call<unknown>, counted: number, attempt: number): Promise<void> {
    await pause(call, backoffDelayMs(policy, counted), attempt);
  }

  /** Sleeps `ms`; closing the client or the caller's stop fails the call as closed or stopped. */
  async function pause(call: Call<unknown>, ms: number, attempt: number): Promise<void> {
    try {
      await policy.sleep(Math.max(0, ms), waits);
    } catch (error) {
      if (waits.aborted) throw closedError(call, attempt);
      throw error;
    }
  }

  /**
   * Holds the whole bucket, not just this call, for as long as Workato says or
   * an exponential backoff: the quota is per workspace, so other calls in the
   * bucket would only be refused too. Throws instead once the wait would end
   * beyond the patience, saying how long the call has been rate limited.
   */
  function pauseForRateLimit(
    call: Call<unknown>,
    failure: Failure,
    attempt: number,
    run: RateLimitedRun,
    log: (note?: string) => void,
  ): void {
    const told = failure.retryAfterMs !== undefined;
    const ms = told
      ? Math.min(failure.retryAfterMs, policy.maxRetryAfterMs)
      : backoffDelayMs(policy, run.answers, policy.rateLimitMaxDelayMs);
    const waited = run.waitedMs;
    if (waited + ms > policy.rateLimitPatienceMs) {
      log('giving up: rate limited for too long');
      throw callError(
        call,
        `${failure.message} (still rate limited after waiting ${formatDuration(waited)} over ${attempt} attempts; calls wait out 429s for at most ${formatDuration(policy.rateLimitPatienceMs)}: is another client using this workspace's quota?)`,
        { ...failure.fields, attempts: attempt },
      );
    }
    run.waitedMs += ms;
    log(`retrying after ${told ? 'Retry-After' : 'rate-limit backoff'} ${ms} ms`);
    // The next acquire waits for the pause, and fails as closed if the wait is cut short.
    pacer.pause(call.bucket, ms);
  }

  return {
    send,
    ratePerMinute: pacer.ratePerMinute,
    counts: () => ({ requests: { ...requests }, retries: { ...retries } }),
  };
}

/** `mayHaveActed`: an earlier attempt failed in a way the server may have acted on. */
function nextStep<T>(call: Call<T>, failure: Failure, mayHaveActed: boolean, lastAttempt: boolean): Step<T> {
  const status = failure.answer?.status;
  // A delete retried after an ambiguous failure finds the profile gone: the earlier attempt did it.
  if (mayHaveActed && call.answers?.kind === 'delete' && status === 404) return { next: 'done' };
  if (call.ambiguous !== 'retry') {
    const adopt = call.ambiguous;
    if (failure.retry === 'ambiguous') return { next: 'adopt', adopt, orElse: 'retry' };
    // A retry refused with a 4xx ("name taken"?) may be refused because an earlier attempt landed.
    if (mayHaveActed && failure.retry === 'never' && isRefusalStatus(status)) {
      return { next: 'adopt', adopt, orElse: 'fail' };
    }
  }
  if (failure.retry === 'never') return { next: 'fail', giveUp: false };
  return lastAttempt ? { next: 'fail', giveUp: true } : { next: 'retry' };
}

/** A 4xx about the request itself, not about access. */
function isRefusalStatus(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403;
}

function targetOf(call: Call<unknown>): string {
  return call.query === undefined ? call.path : `${call.path}?${new URLSearchParams(call.query).toString()}`;
}
