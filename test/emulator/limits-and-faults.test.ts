import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/emulator/faults.js';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { call, PROFILE_INPUT, start } from './helpers.js';

const list = (e: RunningEmulator) => call(e, 'GET', '/api/custom_oauth_profiles');
const create = (e: RunningEmulator) => call(e, 'POST', '/api/custom_oauth_profiles', { body: PROFILE_INPUT });
const profileCount = (e: RunningEmulator) => e.world.toData().profiles.length;

describe('auth and unknown routes', () => {
  it('answers 401 without the right bearer token', async () => {
    const emulator = await start({ token: 'right' });
    for (const token of [null, 'wrong', '']) {
      const answer = await call(emulator, 'GET', '/api/custom_oauth_profiles', { token });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ message: 'Unauthorized' });
    }
    expect((await call(emulator, 'GET', '/api/custom_oauth_profiles', { token: 'right' })).status).toBe(200);
  });

  it('answers 404 "Not found" for unknown routes and wrong methods', async () => {
    const emulator = await start();
    for (const [method, path] of [
      ['GET', '/api/recipes'],
      ['GET', '/'],
      ['PATCH', '/api/custom_oauth_profiles/320'],
      ['POST', '/api/managed_users/101/custom_oauth_profiles/320/unassign'],
      ['GET', '/api/managed_users/101/custom_oauth_profiles/320/assign/extra'],
      ['GET', '/__emulator/world'],
    ] as const) {
      const answer = await call(emulator, method, path);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.json).toEqual({ message: 'Not found' });
    }
  });
});

describe('rate limits', () => {
  it('admits ratePerMinute requests per bucket per window, then 429 with Retry-After', async () => {
    const emulator = await start({ ratePerMinute: 3, rateWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) expect((await list(emulator)).status).toBe(200);
    const refused = await list(emulator);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ message: 'Too many requests' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another bucket has its own quota.
    expect((await call(emulator, 'GET', '/api/managed_users/101')).status).toBe(200);
    expect(
      (await call(emulator, 'POST', '/api/managed_users/101/custom_oauth_profiles/320/assign')).status,
    ).toBe(200);
    expect(emulator.requestLog.map((e) => [e.bucket, e.status])).toEqual([
      ['profiles', 200],
      ['profiles', 200],
      ['profiles', 200],
      ['profiles', 429],
      ['embedded', 200],
      ['embedded', 200],
    ]);
  });

  it('frees a slot when the oldest request leaves the rolling window; Retry-After is at least 1', async () => {
    const emulator = await start({ ratePerMinute: 2, rateWindowMs: 300 });
    await list(emulator);
    await list(emulator);
    const refused = await list(emulator);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    await sleep(320);
    expect((await list(emulator)).status).toBe(200);
  });

  it('does not count unauthenticated requests against the quota', async () => {
    const emulator = await start({ ratePerMinute: 1 });
    await call(emulator, 'GET', '/api/custom_oauth_profiles', { token: 'wrong' });
    expect((await list(emulator)).status).toBe(200);
  });
});

describe('fault injection', () => {
  it('plays a scripted sequence in order, then answers normally', async () => {
    const emulator = await start({
      faults: { script: [{ status: 429, retryAfter: 2 }, { status: 503 }, { reset: true }] },
    });
    const limited = await list(emulator);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.json).toEqual({ message: 'Too many requests' });
    const unavailable = await list(emulator);
    expect(unavailable.status).toBe(503);
    expect(unavailable.json).toEqual({ message: 'Service unavailable' });
    await expect(list(emulator)).rejects.toThrow();
    expect((await list(emulator)).status).toBe(200);
    expect(emulator.requestLog.map((e) => [e.status, e.injected])).toEqual([
      [429, true],
      [503, true],
      [0, true],
      [200, false],
    ]);
  });

  it('matches scripted steps by method and path prefix; other requests pass', async () => {
    const emulator = await start({
      faults: { script: [{ method: 'POST', path: '/api/custom_oauth_profiles', status: 503 }] },
    });
    expect((await list(emulator)).status).toBe(200);
    expect((await call(emulator, 'GET', '/api/managed_users/101')).status).toBe(200);
    expect((await create(emulator)).status).toBe(503);
    expect(profileCount(emulator)).toBe(1); // `before`: nothing was created
    expect((await create(emulator)).status).toBe(200);
  });

  it('with when: "after", the change is applied and the answer lost: a 503 or a reset', async () => {
    const emulator = await start({
      faults: {
        script: [
          { method: 'POST', status: 503, when: 'after' },
          { method: 'POST', reset: true, when: 'after' },
        ],
      },
    });
    expect((await create(emulator)).status).toBe(503);
    expect(profileCount(emulator)).toBe(2);
    await expect(create(emulator)).rejects.toThrow();
    expect(profileCount(emulator)).toBe(3);
    const names = (await list(emulator)).json.result.map((p: { name: string }) => p.name);
    expect(names).toEqual(['Old HubSpot', 'My new OAuth profile', 'My new OAuth profile']);
  });

  it('answers with a scripted body, e.g. a refusal inside a 2xx', async () => {
    const body = { success: false, errors: { base: ['refused'] } };
    const emulator = await start({ faults: { script: [{ status: 200, body }] } });
    expect((await list(emulator)).json).toEqual(body);
  });

  it('draws random errors and resets from a seeded PRNG: same seed, same sequence', async () => {
    const run = async (seed: number) => {
      const emulator = await start({ faults: { errorRate: 0.3, resetRate: 0.2, seed } });
      const outcomes: string[] = [];
      for (let i = 0; i < 30; i++) {
        outcomes.push(
          await list(emulator).then(
            (a) => String(a.status),
            () => 'reset',
          ),
        );
      }
      return outcomes;
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['200', '503', 'reset']));
    expect(await run(7)).not.toEqual(first);
  });

  it('the random draws depend only on the seed and the request count', () => {
    const decide = (seed: number) => {
      const injector = new FaultInjector({ errorRate: 0.5, seed });
      return Array.from({ length: 20 }, () => injector.decide('GET', '/api/x').action?.kind ?? 'pass');
    };
    expect(decide(1)).toEqual(decide(1));
    expect(decide(1)).toContain('respond');
    expect(decide(1)).toContain('pass');
  });

  it('adds latency', async () => {
    const emulator = await start({ faults: { latencyMs: 80 } });
    const started = performance.now();
    await list(emulator);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('setFaults replaces the faults', async () => {
    const emulator = await start({ faults: { errorRate: 1 } });
    expect((await list(emulator)).status).toBe(503);
    emulator.setFaults({ errorRate: 1, errorStatus: 502 });
    expect((await list(emulator)).status).toBe(502);
    emulator.setFaults({});
    expect((await list(emulator)).status).toBe(200);
  });

  it('rejects invalid fault options', async () => {
    const emulator = await start();
    expect(() => emulator.setFaults({ errorRate: 2 })).toThrow(/errorRate/);
    expect(() => emulator.setFaults({ script: [{ reset: true, status: 503 }] })).toThrow(/exclude/);
  });
});

describe('control endpoint (control: true only)', () => {
  it('sets faults, shows the log and the world without secrets, stages connections', async () => {
    const emulator = await start({ control: true });
    const set = await call(emulator, 'POST', '/__emulator/faults', {
      body: { script: [{ status: 503 }] },
      token: null,
    });
    expect(set.json).toEqual({ result: { success: true } });
    expect((await list(emulator)).status).toBe(503);

    const log = await call(emulator, 'GET', '/__emulator/log', { token: null });
    expect(log.json.result).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/custom_oauth_profiles',
        status: 503,
        bucket: 'profiles',
      }),
    ]);

    await call(emulator, 'POST', '/api/managed_users/123/custom_oauth_profiles/320/assign');
    const staged = await call(emulator, 'POST', '/__emulator/connections', {
      body: { customer_id: 123, profile_id: 320, count: 4 },
    });
    expect(staged.status).toBe(200);
    expect(
      (await call(emulator, 'GET', '/api/custom_oauth_profiles/320')).json.result.shared_accounts_count,
    ).toBe(4);

    const world = await call(emulator, 'GET', '/__emulator/world', { token: null });
    expect(world.json.result.profiles[0]).toMatchObject({
      id: 320,
      name: 'Old HubSpot',
      client_id: 'old-client',
    });
    expect(world.text).not.toContain('client_secret');
    expect(world.text).not.toContain('old-secret-value');
    expect(world.json.result.customers.find((c: { id: number }) => c.id === 123)).toMatchObject({
      profiles: [320],
      connections: { '320': 4 },
    });

    expect((await call(emulator, 'DELETE', '/__emulator/log')).status).toBe(200);
    expect(emulator.requestLog).toEqual([]);
    const bad = await call(emulator, 'POST', '/__emulator/faults', { body: { errorRate: 'often' } });
    expect(bad.status).toBe(400);
  });
});
