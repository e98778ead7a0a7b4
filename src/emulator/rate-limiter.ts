import type { Bucket } from '../api/types.js';

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Per-bucket rolling window: at most `limit` admitted requests in any `windowMs`.
 * A rolling window (not fixed minutes) is the stricter reading: a client that
 * bursts at a minute boundary is refused here even if Workato would let it by.
 * Refused requests do not take a slot, so a client that honours Retry-After
 * gets in when it retries.
 */
export class RollingWindowLimiter {
  private readonly admitted = new Map<Bucket, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  admit(bucket: Bucket, now: number): Admission {
    let times = this.admitted.get(bucket);
    if (!times) {
      times = [];
      this.admitted.set(bucket, times);
    }
    while (times.length > 0 && (times[0] ?? 0) <= now - this.windowMs) times.shift();
    if (times.length < this.limit) {
      times.push(now);
      return { admitted: true };
    }
    // The oldest admitted request leaves the window first; its slot frees then.
    const freesAt = (times[0] ?? now) + this.windowMs;
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((freesAt - now) / 1000)) };
  }
}
