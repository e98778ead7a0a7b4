import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type ClientOptions, createClient } from '../../src/api/client.js';
import type { LiveProfile, WorkatoClient } from '../../src/api/types.js';

export const BASE = 'https://www.workato.com';
/** Recognisable, so a leak is found by searching for it. */
export const TOKEN = 'wkt-API-TOKEN-do-not-leak-5e1f';

export interface TestClient {
  client: WorkatoClient;
  /** Every wait the client asked for (backoff and Retry-After), in ms. */
  sleeps: number[];
  /** Debug lines. */
  log: string[];
  /** The client's clock (for the rate-limit patience), ms: the sum of its skipped waits. */
  now(): number;
}

const open: WorkatoClient[] = [];

/**
 * A client whose waits are recorded and skipped (random() = 1, so a backoff is
 * its full ceiling), and whose pacing is loose enough not to matter. Its clock
 * moves only by the waits it skips, so ten minutes of 429s take no time.
 */
export function makeClient(options: Partial<ClientOptions> = {}): TestClient {
  const sleeps: number[] = [];
  const log: string[] = [];
  let clock = 0;
  const client = createClient({
    baseUrl: BASE,
    token: TOKEN,
    ratePerMinute: 1000,
    windowMs: 1000,
    debugLog: (line) => log.push(line),
    ...options,
    retry: {
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      random: () => 1,
      now: () => clock,
      ...options.retry,
    },
  });
  open.push(client);
  return { client, sleeps, log, now: () => clock };
}

export function profile(id: number, overrides: Partial<LiveProfile> = {}): LiveProfile {
  return {
    id,
    user_id: 1,
    name: `Profile ${id}`,
    provider: 'hubspot',
    data: { client_id: `client-${id}` },
    shared_accounts_count: 0,
    oem_customers_count: 0,
    created_at: '2024-01-01T00:00:00.000+00:00',
    updated_at: '2024-01-01T00:00:00.000+00:00',
    ...overrides,
  };
}

export function api(): nock.Scope {
  return nock(BASE);
}

/** Nock set-up for a test file: no real network, no mock left over between tests. */
export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    nock.cleanAll();
  });
  afterAll(() => nock.enableNetConnect());
}

/** The rejection of `promise`, which must reject. */
export async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

/**
 * What node:http emits on a socket failure: an Error with a code. nock's
 * replyWithError with a plain object makes node:http emit nothing at all.
 */
export function socketError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}
