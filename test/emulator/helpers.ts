import { afterEach } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import type { WorldData } from '../../src/emulator/world-data.js';

export const TOKEN = 'emulator-token';

/** A small world: three customers (one with a tricky external id), one legacy profile in use. */
export const WORLD: WorldData = {
  customers: [
    { id: 101, external_id: 'A2300', name: 'Acme Customer 1' },
    { id: 102, external_id: 'A 23/00', name: 'Acme Customer 2' },
    { id: 123, external_id: 'C123', name: 'Customer 123' },
  ],
  profiles: [
    {
      id: 320,
      name: 'Old HubSpot',
      provider: 'hubspot',
      client_id: 'old-client',
      client_secret: 'old-secret-value',
      created_at: '2023-01-15T11:50:32.986-07:00',
      updated_at: '2023-01-15T11:50:32.986-07:00',
    },
  ],
};

const running: RunningEmulator[] = [];

/** Starts an emulator on a free port; every one started is closed after the test. */
export async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({ port: 0, world: WORLD, ...options });
  running.push(emulator);
  return emulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, and the assertions check them.
  json: any;
}

/** One request with the emulator's token (unless `token` says otherwise); `path` is sent as written. */
export async function call(
  emulator: { url: string },
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? JSON.parse(text) : undefined,
  };
}

export const PROFILE_INPUT = {
  name: 'My new OAuth profile',
  provider: 'hubspot',
  data: { client_id: 'new_client_id', client_secret: 'new_client_secret' },
};

/**
 * The structure of a JSON value: key sets (sorted) and types, recursively;
 * integers apart from other numbers. Arrays by the shape of their first item.
 */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, shapeOf(record[key])]),
    );
  }
  return typeof value;
}

/** The sample responses of seeds/002 (profiles) and seeds/001 (assign, unassign), verbatim. */
const SEED_PROFILE = {
  id: 321,
  user_id: 123,
  name: 'Acme HubSpot OAuth app',
  provider: 'hubspot',
  data: { client_id: 'example_client_id' },
  shared_accounts_count: 1,
  oem_customers_count: 5,
  created_at: '2023-01-15T11:50:32.986-07:00',
  updated_at: '2023-01-15T11:50:32.986-07:00',
};
export const SEED = {
  list: { result: [SEED_PROFILE] },
  get: { result: SEED_PROFILE },
  create: { result: { ...SEED_PROFILE, id: 322, name: 'My new OAuth profile' } },
  update: { result: { ...SEED_PROFILE, id: 322, name: 'My updated OAuth profile' } },
  delete: { result: { success: true } },
  assign: { result: { success: true } },
  unassign: { result: { success: true } },
};

/** Like the seeds' `2023-01-15T11:50:32.986-07:00`: milliseconds and an explicit offset. */
export const SEED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;
