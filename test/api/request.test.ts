/**
 * The request loop alone, over a scripted exchange: what it does after a
 * failure the server may have acted on, by the call's `ambiguous` strategy.
 */
import { describe, expect, it } from 'vitest';
import type { Adopt, Call } from '../../src/api/call.js';
import { ApiError } from '../../src/api/errors.js';
import type { Exchange, HttpMethod } from '../../src/api/http.js';
import { ignoreAnswer, readProfile } from '../../src/api/readers.js';
import { createRequester, type RequesterOptions } from '../../src/api/request.js';
import type { LiveProfile } from '../../src/api/types.js';
import { failure, profile, TOKEN } from './helpers.js';

const reset: Exchange = {
  ok: false,
  failure: { kind: 'reset', code: 'ECONNRESET', detail: undefined, error: new Error('socket hang up') },
};
const refused: Exchange = {
  ok: false,
  failure: {
    kind: 'connection-refused',
    code: 'ECONNREFUSED',
    detail: undefined,
    error: new Error('refused'),
  },
};
const ok = (body: unknown): Exchange => ({
  ok: true,
  answer: { status: 200, statusText: 'OK', headers: new Headers(), body, text: undefined },
});

/** A requester whose exchanges are `script`, in order, and whose waits are recorded, not slept. */
function scripted(script: Exchange[], options: Partial<RequesterOptions> = {}) {
  const sent: { method: HttpMethod; target: string; body: unknown }[] = [];
  const sleeps: number[] = [];
  const log: string[] = [];
  // Moves only by the waits it skips.
  let clock = 0;
  const requester = createRequester({
    baseUrl: 'https://www.workato.com',
    token: TOKEN,
    timeoutMs: 1000,
    closed: new AbortController().signal,
    exchange: async (method, target, body) => {
      sent.push({ method, target, body });
      const next = script.shift();
      if (next === undefined) throw new Error(`unscripted ${method} ${target}`);
      return next;
    },
    ratePerMinute: 1000,
    windowMs: 1000,
    retry: {
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      random: () => 1,
      now: () => clock,
    },
    debugLog: (line) => log.push(line),
    ...options,
  });
  return { requester, sent, sleeps, log };
}

const INPUT = { name: 'Acme', provider: 'hubspot', data: { client_id: 'cid', client_secret: 'sec-12345' } };

/** A look for what a create made that finds `found`, counting how often it is asked. */
function lookFinding(found?: LiveProfile) {
  const look = {
    times: 0,
    find: async () => {
      look.times += 1;
      return found;
    },
  };
  return look;
}

function create(find: Adopt<LiveProfile>['find']): Call<LiveProfile> {
  return {
    endpoint: 'create profile',
    bucket: 'profiles',
    method: 'POST',
    path: '/api/custom_oauth_profiles',
    body: INPUT,
    secrets: [INPUT.data.client_secret],
    ambiguous: { noun: 'profile', name: INPUT.name, find },
  };
}

const put: Call<LiveProfile> = {
  endpoint: 'update profile',
  bucket: 'profiles',
  method: 'PUT',
  path: '/api/custom_oauth_profiles/7',
  body: INPUT,
  ambiguous: 'retry',
};

describe('ambiguous writes', () => {
  it('adopts what a create whose answer was lost made, instead of posting it twice', async () => {
    const { requester, sent, log } = scripted([reset]);
    const look = lookFinding(profile(42, { name: INPUT.name }));
    const made = await requester.send(create(look.find), readProfile);
    expect(made.id).toBe(42);
    expect(look.times).toBe(1);
    expect(sent.map((s) => s.method)).toEqual(['POST']);
    expect(log).toContain(
      'POST /api/custom_oauth_profiles: adopted existing profile 42 instead of creating a duplicate',
    );
    expect(log[0]).toMatch(/\(ambiguous: will look for the profile before any retry\)$/);
  });

  it('posts a create again only when the looks find nothing for 45 s after it was sent', async () => {
    const { requester, sent, sleeps } = scripted([reset, ok({ result: profile(43) })]);
    const look = lookFinding();
    const made = await requester.send(create(look.find), readProfile);
    expect(made.id).toBe(43);
    expect(look.times).toBe(7);
    expect(sent.map((s) => s.method)).toEqual(['POST', 'POST']);
    // A wait before each look, so a create still landing on the server is seen; 45 s in all.
    expect(sleeps).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(requester.counts()).toEqual({
      requests: { profiles: 2, embedded: 0 },
      retries: { profiles: 1, embedded: 0 },
    });
  });

  it('retries a create that surely never reached the server without looking', async () => {
    const { requester, sent } = scripted([refused, ok({ result: profile(44) })]);
    const look = lookFinding();
    const made = await requester.send(create(look.find), readProfile);
    expect(made.id).toBe(44);
    expect(look.times).toBe(0);
    expect(sent).toHaveLength(2);
  });

  it('retries a refused connection once, quickly, then fails naming the address', async () => {
    const { requester, sent, sleeps } = scripted([refused, refused, refused]);
    const error = await requester.send(put, readProfile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ network: 'connection-refused', attempts: 2 });
    expect(String(error)).toContain('connection refused by https://www.workato.com');
    expect(sent).toHaveLength(2);
    expect(sleeps).toEqual([500]);
  });

  it('retries a passing resolver failure once, then fails naming the host', async () => {
    const dns: Exchange = {
      ok: false,
      failure: { kind: 'dns', code: 'EAI_AGAIN', detail: undefined, error: new Error('getaddrinfo') },
    };
    const { requester, sent } = scripted([dns, dns, dns]);
    const error = await requester.send(put, readProfile).catch((e: unknown) => e);
    expect(String(error)).toContain('cannot resolve host www.workato.com (EAI_AGAIN)');
    expect(sent).toHaveLength(2);
  });

  it('keeps the full budget for resets even after a refused connection', async () => {
    const { requester, sent } = scripted([refused, reset, reset, reset, ok({ result: profile(7) })]);
    expect((await requester.send(put, readProfile)).id).toBe(7);
    expect(sent).toHaveLength(5);
  });

  it('retries an idempotent PUT after a reset, as is', async () => {
    const { requester, sent, sleeps, log } = scripted([reset, ok({ result: profile(7) })]);
    expect((await requester.send(put, readProfile)).id).toBe(7);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(sleeps).toEqual([1000]);
    expect(log[0]).toMatch(
      /^PUT \/api\/custom_oauth_profiles\/7 ECONNRESET \d+ms bucket=profiles retry=0 \(retrying/,
    );
  });

  it('gives up on a PUT after maxAttempts resets, saying how many', async () => {
    const { requester, sent } = scripted([reset, reset], {
      retry: { maxAttempts: 2, sleep: async () => {} },
    });
    const error = await failure(requester.send(put, readProfile));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ network: 'reset', attempts: 2 });
    expect(error.message).toMatch(
      /reset before the answer was complete \(ECONNRESET\) \(gave up after 2 attempts\)$/,
    );
    expect(sent).toHaveLength(2);
  });
});

describe('stop signal', () => {
  it('drops calls not yet sent with network "stopped", and lets the one sent finish', async () => {
    const stop = new AbortController();
    let answer: (exchange: Exchange) => void = () => {};
    const sent: string[] = [];
    const requester = createRequester({
      baseUrl: 'https://www.workato.com',
      token: TOKEN,
      timeoutMs: 1000,
      closed: new AbortController().signal,
      stopSignal: stop.signal,
      // One slot per long window: the second call waits for its turn.
      ratePerMinute: 1,
      windowMs: 60_000,
      exchange: (_method, target) => {
        sent.push(target);
        return new Promise((resolve) => {
          answer = resolve;
        });
      },
    });
    const call = (id: number): Call<void> => ({
      endpoint: 'delete profile',
      bucket: 'profiles',
      method: 'DELETE',
      path: `/api/custom_oauth_profiles/${id}`,
      ambiguous: 'retry',
    });
    const first = requester.send(call(1), ignoreAnswer);
    const second = requester.send(call(2), ignoreAnswer);
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    await expect(second).rejects.toMatchObject({ network: 'stopped', attempts: 0 });
    answer(ok({ result: { success: true } }));
    await first;
    expect(sent).toEqual(['/api/custom_oauth_profiles/1']);
  });
});
