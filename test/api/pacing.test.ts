import { describe, expect, it } from 'vitest';
import { createPacer } from '../../src/api/pacing.js';
import { estimatePacedMs } from '../../src/plan/cost.js';
import { api, makeClient, profile, useNock } from './helpers.js';

useNock();

/** Largest number of timestamps inside any window [t, t + windowMs), wherever it starts. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('pacing', () => {
  it('keeps a burst of 130 calls under 10 per rolling 200 ms', async () => {
    const times: number[] = [];
    api()
      .get(/^\/api\/custom_oauth_profiles\/\d+$/)
      .times(130)
      .reply((uri) => {
        times.push(Date.now());
        return [200, { result: profile(Number(uri.split('/').at(-1))) }];
      });
    const { client } = makeClient({ ratePerMinute: 10, windowMs: 200 });
    const started = Date.now();
    const estimate = estimatePacedMs(130, { ratePerMinute: 10, windowMs: 200 });
    const profiles = await Promise.all(Array.from({ length: 130 }, (_, i) => client.getProfile(i + 1)));
    const elapsed = Date.now() - started;
    expect(profiles).toHaveLength(130);
    expect(times).toHaveLength(130);
    expect(busiestWindow(times, 200)).toBeLessThanOrEqual(10);
    // Not far slower than needed either (a pacer that serialised everything would take
    // 130 round trips plus 13 windows); the bound is loose so a loaded CI machine passes.
    expect(elapsed).toBeGreaterThanOrEqual(estimate);
    expect(elapsed).toBeLessThan(estimate * 2);
    console.info(
      `pacing: 130 requests in ${elapsed} ms; lower bound ${estimate} ms (12 windows after the first 10); busiest 200 ms window: ${busiestWindow(times, 200)}`,
    );
  });

  it('paces each bucket on its own', async () => {
    const times: number[] = [];
    const record = () => {
      times.push(Date.now());
      return [200, { result: { success: true } }] as [number, unknown];
    };
    api()
      .delete(/^\/api\/custom_oauth_profiles\/\d+$/)
      .times(5)
      .reply(record)
      .post(/^\/api\/managed_users\/\d+\/custom_oauth_profiles\/\d+\/assign$/)
      .times(5)
      .reply(record);
    const { client } = makeClient({ ratePerMinute: 5, windowMs: 1000 });
    const started = Date.now();
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => client.deleteProfile(i + 1)),
      ...Array.from({ length: 5 }, (_, i) => client.assignProfile({ id: i + 1 }, 7)),
    ]);
    // Ten requests, five per bucket: all in the first window.
    expect(Date.now() - started).toBeLessThan(500);
    expect(client.counts().requests).toEqual({ profiles: 5, embedded: 5 });
  });

  it('sends retries through the limiter too', async () => {
    const times: number[] = [];
    const record = (status: number) => () => {
      times.push(Date.now());
      return [status, status === 200 ? { result: profile(1) } : { message: 'down' }] as [number, unknown];
    };
    api()
      .get('/api/custom_oauth_profiles/1')
      .reply(record(503))
      .get('/api/custom_oauth_profiles/1')
      .reply(record(200))
      .get('/api/custom_oauth_profiles/2')
      .reply(record(200));
    // Backoff sleeps are skipped (recorded): only the limiter spaces the requests.
    const { client } = makeClient({ ratePerMinute: 2, windowMs: 300 });
    await Promise.all([client.getProfile(1), client.getProfile(2)]);
    expect(times).toHaveLength(3);
    expect(busiestWindow(times, 300)).toBeLessThanOrEqual(2);
    expect(client.counts()).toEqual({
      requests: { profiles: 3, embedded: 0 },
      retries: { profiles: 1, embedded: 0 },
    });
  });

  it('exposes the rate for an ETA', () => {
    const { client } = makeClient({ ratePerMinute: 42 });
    expect(client.ratePerMinute).toBe(42);
    expect(makeClient({ ratePerMinute: undefined }).client.ratePerMinute).toBe(60);
    expect(estimatePacedMs(60, { ratePerMinute: 60 })).toBe(0);
    expect(estimatePacedMs(61, { ratePerMinute: 60 })).toBe(60_000);
    // 10,000 assignments at 60 per minute: 2 h 46 min (workato-api-facts.md says at least 2 h 47 min).
    expect(estimatePacedMs(10_000, { ratePerMinute: 60 })).toBe(166 * 60_000);
    expect(estimatePacedMs(130, { ratePerMinute: 10, windowMs: 200, roundTripMs: 5 })).toBe(12 * 205 + 5);
  });

  it('rejects waiting calls once closed', async () => {
    const controller = new AbortController();
    const pacer = createPacer({ ratePerMinute: 1, windowMs: 10_000, signal: controller.signal });
    (await pacer.acquire('profiles')).release();
    const waiting = pacer.acquire('profiles');
    expect(pacer.queued('profiles')).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toThrow();
  });
});
