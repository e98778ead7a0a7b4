import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import { backoffDelayMs, parseRetryAfterMs, resolveRetryPolicy } from '../../src/api/retry.js';
import { api, failure, makeClient, profile, socketError, useNock } from './helpers.js';

useNock();

const TOO_MANY = { message: 'Too many requests' };

describe('429', () => {
  it('waits Retry-After seconds, then retries', async () => {
    const scope = api()
      .get('/api/custom_oauth_profiles/7')
      .reply(429, TOO_MANY, { 'Retry-After': '3' })
      .get('/api/custom_oauth_profiles/7')
      .reply(200, { result: profile(7) });
    const { client, sleeps, log } = makeClient();
    expect((await client.getProfile(7)).id).toBe(7);
    scope.done();
    expect(sleeps).toEqual([3000]);
    expect(client.counts()).toEqual({
      requests: { profiles: 2, embedded: 0 },
      retries: { profiles: 1, embedded: 0 },
    });
    expect(log[0]).toMatch(
      /^GET \/api\/custom_oauth_profiles\/7 429 \d+ms bucket=profiles retry=0 \(retrying after Retry-After 3000 ms\)$/,
    );
    expect(log[1]).toMatch(/^GET \/api\/custom_oauth_profiles\/7 200 \d+ms bucket=profiles retry=1$/);
  });

  it('reads Retry-After as an HTTP-date', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    api()
      .get('/api/custom_oauth_profiles/7')
      .reply(429, TOO_MANY, { 'Retry-After': at })
      .get('/api/custom_oauth_profiles/7')
      .reply(200, { result: profile(7) });
    const { client, sleeps } = makeClient();
    await client.getProfile(7);
    expect(sleeps).toHaveLength(1);
    // HTTP-dates have whole seconds.
    expect(sleeps[0]).toBeGreaterThan(3500);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it('honours Retry-After in real time', async () => {
    const times: number[] = [];
    api()
      .get('/api/custom_oauth_profiles/7')
      .reply(() => {
        times.push(Date.now());
        return [429, TOO_MANY, { 'Retry-After': '1' }];
      })
      .get('/api/custom_oauth_profiles/7')
      .reply(() => {
        times.push(Date.now());
        return [200, { result: profile(7) }];
      });
    // The real sleep, not the recording one.
    const { sleep } = await import('../../src/api/retry.js');
    const { client } = makeClient({ retry: { sleep } });
    await client.getProfile(7);
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990);
  });

  it('holds the whole bucket, so concurrent calls wait too', async () => {
    const times: number[] = [];
    api()
      .get('/api/custom_oauth_profiles/1')
      .reply(429, TOO_MANY, { 'Retry-After': '1' })
      .get('/api/custom_oauth_profiles/1')
      .reply(() => {
        times.push(Date.now());
        return [200, { result: profile(1) }];
      })
      .get('/api/custom_oauth_profiles/2')
      .delay(50)
      .reply(() => {
        times.push(Date.now());
        return [200, { result: profile(2) }];
      });
    const { sleep } = await import('../../src/api/retry.js');
    const { client, log } = makeClient({ retry: { sleep } });
    const started = Date.now();
    const first = client.getProfile(1);
    // Sent once the 429 has been read (its debug line comes right before the pause), so it meets the pause.
    while (!log.some((line) => line.includes(' 429 ')))
      await new Promise((resolve) => setTimeout(resolve, 2));
    const second = client.getProfile(2);
    await Promise.all([first, second]);
    expect(Math.min(...times) - started).toBeGreaterThanOrEqual(990);
  });

  it('retries without Retry-After with a backoff, and a create too (nothing was created)', async () => {
    const scope = api()
      .post('/api/custom_oauth_profiles')
      .reply(429, TOO_MANY)
      .post('/api/custom_oauth_profiles')
      .reply(200, { result: profile(9, { name: 'New' }) });
    const { client, sleeps } = makeClient();
    const created = await client.createProfile({
      name: 'New',
      provider: 'hubspot',
      data: { client_id: 'c', client_secret: 's' },
    });
    expect(created.id).toBe(9);
    scope.done();
    expect(sleeps).toEqual([1000]);
  });

  it('cuts an excessive Retry-After to maxRetryAfterMs', async () => {
    api()
      .get('/api/custom_oauth_profiles/7')
      .reply(429, TOO_MANY, { 'Retry-After': '86400' })
      .get('/api/custom_oauth_profiles/7')
      .reply(200, { result: profile(7) });
    const { client, sleeps } = makeClient({ retry: { maxRetryAfterMs: 90_000 } });
    await client.getProfile(7);
    expect(sleeps).toEqual([90_000]);
  });
});

describe('backoff', () => {
  it('doubles up to the cap, then gives up after maxAttempts with a clear error', async () => {
    const scope = api().get('/api/custom_oauth_profiles/7').times(6).reply(503, { message: 'Service down' });
    const { client, sleeps } = makeClient({ retry: { baseDelayMs: 1000, maxDelayMs: 4000, maxAttempts: 6 } });
    const error = await failure(client.getProfile(7));
    scope.done();
    expect(sleeps).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(
      'GET /api/custom_oauth_profiles/7: 503 Service Unavailable: Service down (gave up after 6 attempts)',
    );
    expect(error).toMatchObject({ status: 503, attempts: 6 });
    expect(client.counts()).toEqual({
      requests: { profiles: 6, embedded: 0 },
      retries: { profiles: 5, embedded: 0 },
    });
  });

  it('draws each delay uniformly below the ceiling (full jitter)', () => {
    const policy = resolveRetryPolicy({ random: () => 0.25 });
    expect([1, 2, 3, 6, 10].map((n) => backoffDelayMs(policy, n))).toEqual([250, 500, 1000, 7500, 7500]);
  });

  it('parses Retry-After forms', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfterMs('2', now)).toBe(2000);
    expect(parseRetryAfterMs('0', now)).toBe(0);
    expect(parseRetryAfterMs('Mon, 01 Jan 2024 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfterMs('Sun, 31 Dec 2023 00:00:07 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it('never retries a 4xx', async () => {
    const scope = api()
      .put('/api/custom_oauth_profiles/7')
      .reply(400, { errors: { name: ["can't be blank"] } });
    const { client, sleeps } = makeClient();
    await failure(
      client.updateProfile(7, {
        name: '',
        provider: 'hubspot',
        data: { client_id: 'c', client_secret: 's' },
      }),
    );
    scope.done();
    expect(sleeps).toEqual([]);
  });

  it.each([
    [
      'PUT update',
      (c: ReturnType<typeof makeClient>['client']) =>
        c.updateProfile(7, { name: 'n', provider: 'hubspot', data: { client_id: 'c', client_secret: 's' } }),
      'put',
      '/api/custom_oauth_profiles/7',
      { result: profile(7) },
    ],
    [
      'DELETE profile',
      (c: ReturnType<typeof makeClient>['client']) => c.deleteProfile(7),
      'delete',
      '/api/custom_oauth_profiles/7',
      { result: { success: true } },
    ],
    [
      'assign',
      (c: ReturnType<typeof makeClient>['client']) => c.assignProfile({ id: 5 }, 7),
      'post',
      '/api/managed_users/5/custom_oauth_profiles/7/assign',
      { result: { success: true } },
    ],
  ] as const)('retries %s after a reset and a 502', async (_name, run, method, path, body) => {
    const scope = api()
      [method](path)
      .replyWithError(socketError('ECONNRESET'))
      [method](path)
      .reply(502, '<html>Bad gateway</html>')
      [method](path)
      .reply(200, body);
    const { client } = makeClient();
    await run(client);
    scope.done();
  });

  it('retries an unassign after a timeout', async () => {
    const scope = api()
      .delete('/api/managed_users/5/custom_oauth_profiles/7/unassign')
      .query({ force: 'false' })
      .delay(300)
      .reply(200, { result: { success: true } })
      .delete('/api/managed_users/5/custom_oauth_profiles/7/unassign')
      .query({ force: 'false' })
      .reply(200, { result: { success: true } });
    const { client, log } = makeClient({ timeoutMs: 50 });
    await client.unassignProfile({ id: 5 }, 7, { force: false });
    scope.done();
    expect(log[0]).toMatch(/ timeout \d+ms bucket=embedded retry=0 \(retrying/);
  });

  it('says what happened when every attempt times out', async () => {
    api()
      .get('/api/custom_oauth_profiles/7')
      .times(2)
      .delay(300)
      .reply(200, { result: profile(7) });
    const { client } = makeClient({ timeoutMs: 50, retry: { maxAttempts: 2 } });
    const error = await failure(client.getProfile(7));
    expect(error.message).toBe(
      'GET /api/custom_oauth_profiles/7: no answer within 50 ms from https://www.workato.com (timed out) (gave up after 2 attempts)',
    );
    expect(error).toMatchObject({ network: 'timeout', status: undefined });
  });
});

describe('create is not idempotent', () => {
  const input = {
    name: 'Acme HubSpot',
    provider: 'hubspot',
    data: { client_id: 'cid', client_secret: 'sec' },
  };
  const listed = (profiles: unknown[]) => ({ result: profiles });

  it('after a connection reset, adopts the profile the list shows: exactly one POST', async () => {
    let secondPosts = 0;
    const scope = api()
      .post('/api/custom_oauth_profiles')
      .replyWithError(socketError('ECONNRESET'))
      .get('/api/custom_oauth_profiles')
      .query({ page: '1', per_page: '100' })
      .reply(200, listed([profile(1), profile(42, { name: 'Acme HubSpot', data: { client_id: 'cid' } })]));
    // Would answer a second POST: it must stay unused.
    api()
      .post('/api/custom_oauth_profiles')
      .reply(() => {
        secondPosts += 1;
        return [201, { result: profile(99, { name: 'Acme HubSpot' }) }];
      });
    const { client, log } = makeClient();
    const created = await client.createProfile(input);
    expect(created.id).toBe(42);
    scope.done();
    expect(secondPosts).toBe(0);
    expect(log.filter((l) => /^POST \S+ \S+ \d+ms/.test(l))).toHaveLength(1);
    expect(log).toContain(
      'POST /api/custom_oauth_profiles: adopted existing profile 42 instead of creating a duplicate',
    );
    expect(client.counts()).toEqual({
      requests: { profiles: 2, embedded: 0 },
      retries: { profiles: 0, embedded: 0 },
    });
  });

  it('after a 502, keeps looking and posts again only 45 s after the first POST was sent', async () => {
    const postedAt: number[] = [];
    const lookedAt: number[] = [];
    const { client, now, sleeps } = makeClient();
    const scope = api()
      .post('/api/custom_oauth_profiles')
      .times(2)
      .reply(() => {
        postedAt.push(now());
        return postedAt.length === 1
          ? [502, 'Bad Gateway']
          : [201, { result: profile(43, { name: 'Acme HubSpot' }) }];
      })
      .get('/api/custom_oauth_profiles')
      .query({ page: '1', per_page: '100' })
      .times(7)
      .reply(() => {
        lookedAt.push(now());
        // Same name, another provider: not ours.
        return [200, listed([profile(1, { name: 'Acme HubSpot', provider: 'salesforce' })])];
      });
    expect((await client.createProfile(input)).id).toBe(43);
    scope.done();
    expect(postedAt).toHaveLength(2);
    expect(postedAt[1]! - postedAt[0]!).toBeGreaterThanOrEqual(45_000);
    // Backoff 1, 2, 4, 8 s, then 10 s at most, the last look at 45 s.
    expect(lookedAt).toEqual([1000, 3000, 7000, 15_000, 25_000, 35_000, 45_000]);
    expect(sleeps).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(client.counts()).toEqual({
      requests: { profiles: 9, embedded: 0 },
      retries: { profiles: 1, embedded: 0 },
    });
  });

  it('adopts a profile that the server made late, found on the third look: exactly one POST', async () => {
    let posts = 0;
    let looks = 0;
    const { client, log, now } = makeClient({ timeoutMs: 50 });
    const scope = api()
      .post('/api/custom_oauth_profiles')
      // The answer is lost: the first POST times out (the server "acts late").
      .delay(300)
      .reply(() => {
        posts += 1;
        return [201, { result: profile(99, { name: 'Acme HubSpot' }) }];
      })
      .get('/api/custom_oauth_profiles')
      .query(true)
      .times(3)
      .reply(() => {
        looks += 1;
        const made = looks >= 3 ? [profile(70, { name: 'Acme HubSpot', data: { client_id: 'cid' } })] : [];
        return [200, listed([profile(1), ...made])];
      });
    const created = await client.createProfile(input);
    expect(created.id).toBe(70);
    scope.done();
    expect(posts).toBe(1);
    expect(looks).toBe(3);
    expect(now()).toBe(7000);
    expect(log).toContain(
      'POST /api/custom_oauth_profiles: adopted existing profile 70 instead of creating a duplicate',
    );
    expect(client.counts()).toEqual({
      requests: { profiles: 4, embedded: 0 },
      retries: { profiles: 0, embedded: 0 },
    });
  });

  it('looks only for retry.createSettleMs after the POST was sent', async () => {
    const scope = api()
      .post('/api/custom_oauth_profiles')
      .reply(502, {})
      .get('/api/custom_oauth_profiles')
      .query(true)
      .times(3)
      .reply(200, listed([]))
      .post('/api/custom_oauth_profiles')
      .reply(201, { result: profile(44, { name: 'Acme HubSpot' }) });
    const { client, sleeps } = makeClient({ retry: { createSettleMs: 5000 } });
    expect((await client.createProfile(input)).id).toBe(44);
    scope.done();
    // 1 s, 2 s, then cut to end at 5 s.
    expect(sleeps).toEqual([1000, 2000, 2000]);
  });

  it('after a timeout, looks before retrying and prefers the candidate with our client id', async () => {
    const scope = api()
      .post('/api/custom_oauth_profiles')
      .delay(300)
      .reply(200, {})
      .get('/api/custom_oauth_profiles')
      .query(true)
      .reply(
        200,
        listed([
          profile(50, { name: 'Acme HubSpot', data: { client_id: 'cid' } }),
          profile(51, { name: 'Acme HubSpot', data: { client_id: 'other' } }),
        ]),
      );
    const { client } = makeClient({ timeoutMs: 50 });
    expect((await client.createProfile(input)).id).toBe(50);
    scope.done();
  });

  it('after a 4xx on a retry that followed an ambiguous failure, looks once more', async () => {
    const scope = api()
      .post('/api/custom_oauth_profiles')
      .reply(504, {})
      .get('/api/custom_oauth_profiles')
      .query(true)
      .reply(200, listed([]))
      .post('/api/custom_oauth_profiles')
      .reply(400, { errors: { name: ['has already been taken'] } })
      .get('/api/custom_oauth_profiles')
      .query(true)
      .reply(200, listed([profile(60, { name: 'Acme HubSpot' })]));
    const { client } = makeClient({ retry: { createSettleMs: 0 } });
    expect((await client.createProfile(input)).id).toBe(60);
    scope.done();
  });

  it('says so when the check itself fails', async () => {
    api()
      .post('/api/custom_oauth_profiles')
      .reply(502, {})
      .get('/api/custom_oauth_profiles')
      .query(true)
      .reply(401, { message: 'Unauthorized' });
    const { client } = makeClient();
    const error = await failure(client.createProfile(input));
    expect(error.message).toMatch(
      /^POST \/api\/custom_oauth_profiles: 502 Bad Gateway; could not check whether profile "Acme HubSpot" was created anyway \(GET \/api\/custom_oauth_profiles: 401 Unauthorized.*\); run plan before retrying, the profile may exist$/,
    );
    expect(error.cause).toBeInstanceOf(ApiError);
  });

  it('gives up after maxAttempts, having checked each time', async () => {
    const scope = api()
      .post('/api/custom_oauth_profiles')
      .times(3)
      .reply(500, { message: 'Internal error' })
      .get('/api/custom_oauth_profiles')
      .query(true)
      .times(3)
      .reply(200, listed([]));
    const { client } = makeClient({ retry: { maxAttempts: 3, createSettleMs: 0 } });
    const error = await failure(client.createProfile(input));
    scope.done();
    expect(error.message).toBe(
      'POST /api/custom_oauth_profiles: 500 Internal Server Error: Internal error (gave up after 3 attempts); no profile named "Acme HubSpot" was created',
    );
  });

  it('never retries a 400', async () => {
    const scope = api()
      .post('/api/custom_oauth_profiles')
      .reply(400, { errors: { name: ["can't be blank"] } });
    const { client } = makeClient();
    await failure(client.createProfile(input));
    scope.done();
    expect(client.counts().requests.profiles).toBe(1);
  });
});
