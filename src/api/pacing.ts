/**
 * Client-side pacing: at most `ratePerMinute` requests per rolling window in
 * each rate-limit bucket, so a large apply runs at the quota instead of
 * bouncing off 429s.
 *
 * Why not p-throttle (strict mode): it spaces the moments requests are
 * *sent*, but the server counts them when they *arrive*. Measured with nock,
 * a burst of 130 at 10 per 200 ms put 11 arrivals in one window: the first
 * ten arrived ~10 ms late, the eleventh on time. Here each bucket has
 * `ratePerMinute` slots and a slot is free again `windowMs` after the answer
 * to the request that used it. A request arrives before its answer leaves,
 * and the next one on that slot is sent a full window after that answer, so
 * no window of arrivals holds more than the limit, whatever the latency.
 * The price is throughput: one window plus one round trip per slot use.
 */
import type { Sleep } from './retry.js';
import { sleep as defaultSleep } from './retry.js';
import { BUCKETS, type Bucket } from './types.js';

export const DEFAULT_RATE_PER_MINUTE = 60;
export const DEFAULT_WINDOW_MS = 60_000;

export interface PacerOptions {
  /** Requests per window per bucket. Default 60 (Workato's limit). */
  readonly ratePerMinute?: number;
  /** Length of the rolling window. Default one minute; tests shorten it. */
  readonly windowMs?: number;
  /** Aborting rejects every waiting `acquire`. */
  readonly signal?: AbortSignal;
  /** Used for pauses; injectable for tests. */
  readonly sleep?: Sleep;
}

/** Leave to send one request. Call `release` once its answer (or failure) is in. */
export interface Permit {
  release(): void;
}

export interface Pacer {
  readonly ratePerMinute: number;
  readonly windowMs: number;
  /** Resolves when a request in this bucket may be sent. Every attempt, retries too, takes one. */
  acquire(bucket: Bucket): Promise<Permit>;
  /**
   * Holds the whole bucket for `ms` (after a 429): the server said the quota
   * is spent, which other requests in the bucket would only confirm.
   */
  pause(bucket: Bucket, ms: number): void;
  /** Requests waiting in this bucket. */
  queued(bucket: Bucket): number;
}

interface Waiter {
  resolve(permit: Permit): void;
  reject(reason: unknown): void;
}

/**
 * `limit` slots, each busy while its request is in flight and for `windowMs` after.
 * A slot's next free time is its release time plus the same window, so released
 * slots come free in the order they were released: a queue, not a scan of every
 * slot per request (which cost O(limit) at each acquire and release; at
 * `--rate-limit 100000` that was most of a large apply's CPU).
 */
class SlotLimiter {
  /** Slots never used yet: free now. */
  private unused: number;
  /** When each released slot is free again, in release order (never decreasing), from `head` on. */
  private readonly freeAt: number[] = [];
  private head = 0;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    limit: number,
    private readonly windowMs: number,
  ) {
    this.unused = limit;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(): Promise<Permit> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }

  abort(reason: unknown): void {
    this.clearTimer();
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }

  private pump(): void {
    while (this.waiters.length > 0) {
      // Every slot in flight: a release pumps again.
      if (this.unused === 0 && this.head === this.freeAt.length) break;
      const at = this.unused > 0 ? 0 : this.freeAt[this.head]!;
      if (at > Date.now()) {
        this.wake(at);
        return;
      }
      if (this.unused > 0) this.unused -= 1;
      else this.take();
      const waiter = this.waiters.shift()!;
      let released = false;
      waiter.resolve({
        release: () => {
          if (released) return;
          released = true;
          // Kept in order even if the clock steps back: a slot is then held a little longer, never less.
          const last = this.freeAt.length > this.head ? this.freeAt[this.freeAt.length - 1]! : 0;
          this.freeAt.push(Math.max(Date.now() + this.windowMs, last));
          this.pump();
        },
      });
    }
    // Nobody waits, or every slot is in flight (its release pumps again): no
    // timer is needed, and none may keep the process alive.
    this.clearTimer();
  }

  /** Takes the earliest released slot; drops used entries now and then, not on every take. */
  private take(): void {
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.freeAt.length) {
      this.freeAt.splice(0, this.head);
      this.head = 0;
    }
  }

  private wake(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(1, at - Date.now()),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}

export function createPacer(options: PacerOptions = {}): Pacer {
  const ratePerMinute = options.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE;
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  if (!Number.isInteger(ratePerMinute) || ratePerMinute < 1) {
    throw new RangeError('ratePerMinute must be an integer >= 1');
  }
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError('windowMs must be > 0');
  const sleep = options.sleep ?? defaultSleep;
  const signal = options.signal;

  const limiters = new Map<Bucket, SlotLimiter>(
    BUCKETS.map((bucket) => [bucket, new SlotLimiter(ratePerMinute, windowMs)]),
  );
  const pausing = new Map<Bucket, number>(BUCKETS.map((bucket) => [bucket, 0]));
  const pauses = new Map<Bucket, { until: number; done: Promise<void> }>();
  signal?.addEventListener(
    'abort',
    () => {
      for (const limiter of limiters.values()) limiter.abort(signal.reason);
    },
    { once: true },
  );

  const limiterOf = (bucket: Bucket): SlotLimiter => {
    const limiter = limiters.get(bucket);
    if (limiter === undefined) throw new RangeError(`unknown rate-limit bucket ${bucket}`);
    return limiter;
  };

  return {
    ratePerMinute,
    windowMs,
    async acquire(bucket) {
      const limiter = limiterOf(bucket);
      pausing.set(bucket, (pausing.get(bucket) ?? 0) + 1);
      try {
        // A pause set while we waited for an earlier one is waited for too.
        for (let pause = pauses.get(bucket); pause !== undefined; pause = pauses.get(bucket)) {
          await pause.done;
          if (pauses.get(bucket) === pause) pauses.delete(bucket);
        }
      } finally {
        pausing.set(bucket, (pausing.get(bucket) ?? 1) - 1);
      }
      signal?.throwIfAborted();
      return limiter.acquire();
    },
    pause(bucket, ms) {
      const until = Date.now() + ms;
      const current = pauses.get(bucket);
      if (current !== undefined && current.until >= until) return;
      // Swallowed: an abort is reported by acquire's throwIfAborted, not by a stray rejection.
      const done = sleep(ms, signal).catch(() => {});
      pauses.set(bucket, { until, done });
    },
    queued(bucket) {
      return (pausing.get(bucket) ?? 0) + limiterOf(bucket).waiting;
    },
  };
}
