/**
 * A 429 is waited out, not counted: storms longer than the retry budget pass,
 * a storm longer than the patience fails saying how long the call waited, and
 * other failures keep their count budget. The client's clock moves only by the
 * waits it asks for (helpers.ts), so ten minutes take no time. The same in real
 * time, against the emulator: client-emulator.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { api, failure, makeClient, profile, useNock } from './helpers.js';

useNock();

const TOO_MANY = { message: 'Too many requests' };
const PATH = '/api/custom_oauth_profiles/7';

describe('a storm of 429s', () => {
  it('without Retry-After, outlasts the old budget of 6 attempts: exponential waits capped at 60 s', async () => {
    const scope = api()
      .get(PATH)
      .times(12)
      .reply(429, TOO_MANY)
      .get(PATH)
      .reply(200, { result: profile(7) });
    const { client, sleeps, log, now } = makeClient();
    expect((await client.getProfile(7)).id).toBe(7);
    scope.done();
    expect(sleeps).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000,
    ]);
    expect(now()).toBe(423_000);
    expect(client.counts()).toEqual({
      requests: { profiles: 13, embedded: 0 },
      retries: { profiles: 12, embedded: 0 },
    });
    expect(log[11]).toMatch(
      / 429 \d+ms bucket=profiles retry=11 \(retrying after rate-limit backoff 60000 ms\)$/,
    );
  });

  it('jitters the backoff below its ceiling', async () => {
    const scope = api()
      .get(PATH)
      .times(8)
      .reply(429, TOO_MANY)
      .get(PATH)
      .reply(200, { result: profile(7) });
    const { client, sleeps } = makeClient({ retry: { random: () => 0.5 } });
    await client.getProfile(7);
    scope.done();
    expect(sleeps).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('with Retry-After, waits as told each time, however many times', async () => {
    const scope = api()
      .get(PATH)
      .times(30)
      .reply(429, TOO_MANY, { 'Retry-After': '2' })
      .get(PATH)
      .reply(200, { result: profile(7) });
    const { client, sleeps } = makeClient({ retry: { maxAttempts: 2 } });
    await client.getProfile(7);
    scope.done();
    expect(sleeps).toEqual(Array.from({ length: 30 }, () => 2000));
  });

  it('fails after 10 minutes of continuous 429s, saying how long it waited', async () => {
    const scope = api().get(PATH).times(11).reply(429, TOO_MANY, { 'Retry-After': '60' });
    const { client, sleeps, log } = makeClient();
    const error = await failure(client.getProfile(7));
    scope.done();
    // Ten waits of 60 s fill the patience; the eleventh would go beyond it.
    expect(sleeps).toHaveLength(10);
    expect(error.message).toBe(
      "GET /api/custom_oauth_profiles/7: 429 Too Many Requests: Too many requests (still rate limited after waiting 10 min over 11 attempts; calls wait out 429s for at most 10 min: is another client using this workspace's quota?)",
    );
    expect(error).toMatchObject({ status: 429, attempts: 11 });
    expect(log.at(-1)).toMatch(
      / 429 \d+ms bucket=profiles retry=10 \(giving up: rate limited for too long\)$/,
    );
  });

  it('takes its patience from the options, and does not start a wait that would end beyond it', async () => {
    const scope = api().get(PATH).times(5).reply(429, TOO_MANY);
    const { client, sleeps } = makeClient({ retry: { rateLimitPatienceMs: 20_000 } });
    const error = await failure(client.getProfile(7));
    scope.done();
    // 1 + 2 + 4 + 8 = 15 s waited; the next 16 s would end at 31 s.
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
    expect(error.message).toMatch(
      /\(still rate limited after waiting 15 s over 5 attempts; calls wait out 429s for at most 20 s:/,
    );
  });

  it('restarts the clock on any other answer, which counts against the budget', async () => {
    const scope = api()
      .get(PATH)
      .times(8)
      .reply(429, TOO_MANY, { 'Retry-After': '60' })
      .get(PATH)
      .reply(503, { message: 'Service down' })
      .get(PATH)
      .times(8)
      .reply(429, TOO_MANY, { 'Retry-After': '60' })
      .get(PATH)
      .reply(200, { result: profile(7) });
    const { client, sleeps, now } = makeClient();
    await client.getProfile(7);
    scope.done();
    // 16 min of 429s in all, but never 10 in a row.
    expect(now()).toBe(16 * 60_000 + 1000);
    expect(sleeps[8]).toBe(1000);
  });

  it('leaves the budget to other failures: maxAttempts of them fail the call, 429s in between or not', async () => {
    const scope = api()
      .get(PATH)
      .times(3)
      .reply(429, TOO_MANY)
      .get(PATH)
      .reply(503, { message: 'Service down' })
      .get(PATH)
      .times(3)
      .reply(429, TOO_MANY)
      .get(PATH)
      .reply(502, { message: 'Bad gateway' });
    const { client, sleeps } = makeClient({ retry: { maxAttempts: 2 } });
    const error = await failure(client.getProfile(7));
    scope.done();
    expect(error.message).toBe(
      'GET /api/custom_oauth_profiles/7: 502 Bad Gateway: Bad gateway (gave up after 8 attempts)',
    );
    expect(error).toMatchObject({ status: 502, attempts: 8 });
    // The 503's backoff is the first of the budget's, whatever 429s came before; each run of 429s starts at 1 s.
    expect(sleeps).toEqual([1000, 2000, 4000, 1000, 1000, 2000, 4000]);
  });

  it('counts requests and retries per bucket, 429s included', async () => {
    api()
      .get(PATH)
      .times(3)
      .reply(429, TOO_MANY)
      .get(PATH)
      .reply(200, { result: profile(7) })
      .get('/api/managed_users/5')
      .reply(429, TOO_MANY, { 'Retry-After': '1' })
      .get('/api/managed_users/5')
      .reply(200, { result: { id: 5, external_id: null, name: 'C' } });
    const { client } = makeClient();
    await Promise.all([client.getProfile(7), client.getCustomer({ id: 5 })]);
    expect(client.counts()).toEqual({
      requests: { profiles: 4, embedded: 2 },
      retries: { profiles: 3, embedded: 1 },
    });
  });
});
