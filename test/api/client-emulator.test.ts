/**
 * The client against the local emulator (src/emulator): the API's rules as the
 * emulator enforces them, read by the client as done, refused or failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientOptions, createClient } from '../../src/api/client.js';
import { ApiError } from '../../src/api/errors.js';
import { sleep } from '../../src/api/retry.js';
import type { WorkatoClient } from '../../src/api/types.js';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import type { WorldData } from '../../src/emulator/world-data.js';

const TOKEN = 'emu-token-abcdef';

const WORLD: WorldData = {
  customers: [
    { id: 123, external_id: 'C 1/23', name: 'Customer 123' },
    // Holds the old HubSpot profile, used by two connections.
    { id: 124, external_id: null, name: 'Customer 124', profiles: [320], connections: { '320': 2 } },
  ],
  profiles: [
    { id: 320, name: 'Old HubSpot', provider: 'hubspot', client_id: 'old', client_secret: 'old-secret' },
  ],
};

const NEW_PROFILE = {
  name: 'New HubSpot',
  provider: 'hubspot',
  data: { client_id: 'new-client', client_secret: 'new-client-secret' },
};

const running: RunningEmulator[] = [];
const clients: WorkatoClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function setUp(
  emulatorOptions: EmulatorOptions = {},
  clientOptions: Partial<ClientOptions> = {},
): Promise<{ emu: RunningEmulator; client: WorkatoClient }> {
  const emu = await startEmulator({ token: TOKEN, world: WORLD, ...emulatorOptions });
  running.push(emu);
  const client = createClient({
    baseUrl: emu.url,
    token: TOKEN,
    retry: { sleep: async () => {}, random: () => 0 },
    ...clientOptions,
  });
  clients.push(client);
  return { emu, client };
}

describe('client against the emulator', () => {
  it('creates, reads, updates and lists profiles', async () => {
    const { client, emu } = await setUp();
    const created = await client.createProfile(NEW_PROFILE);
    expect(created).toMatchObject({
      name: 'New HubSpot',
      provider: 'hubspot',
      data: { client_id: 'new-client' },
    });
    expect(await client.getProfile(created.id)).toMatchObject({ id: created.id });
    const updated = await client.updateProfile(created.id, { ...NEW_PROFILE, name: 'Renamed' });
    expect(updated.name).toBe('Renamed');
    expect(emu.world.storedSecrets(created.id)).toEqual({ client_secret: 'new-client-secret' });
    expect((await client.listProfiles()).map((p) => p.id)).toEqual([320, created.id]);
  });

  it('treats a repeated assign as done, also by external id', async () => {
    const { client, emu } = await setUp();
    const { id } = await client.createProfile(NEW_PROFILE);
    await client.assignProfile({ id: 123 }, id);
    await client.assignProfile({ id: 123 }, id);
    await client.assignProfile({ externalId: 'C 1/23' }, id);
    expect(emu.world.heldProfiles({ id: 123 })).toEqual([id]);
  });

  it('refuses a second profile of the same provider', async () => {
    const { client } = await setUp();
    const { id } = await client.createProfile(NEW_PROFILE);
    const error = await client.assignProfile({ id: 124 }, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, reason: 'holds-other-profile', inUse: false });
    expect((error as Error).message).toContain('already holds custom OAuth profile 320');
  });

  it('refuses to unassign a profile in use without force, and does it with force', async () => {
    const { client, emu } = await setUp();
    const error = await client.unassignProfile({ id: 124 }, 320, { force: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, inUse: true, reason: 'in-use' });
    expect(emu.world.heldProfiles({ id: 124 })).toEqual([320]);
    await client.unassignProfile({ id: 124 }, 320, { force: true });
    expect(emu.world.heldProfiles({ id: 124 })).toEqual([]);
  });

  it('treats unassigning a profile the customer does not hold as done', async () => {
    const { client } = await setUp();
    await client.unassignProfile({ id: 123 }, 320, { force: false });
  });

  it('refuses to delete a profile still assigned', async () => {
    const { client } = await setUp();
    const error = await client.deleteProfile(320).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, reason: 'still-assigned' });
    await client.unassignProfile({ id: 124 }, 320, { force: true });
    await client.deleteProfile(320);
    expect(await client.listProfiles()).toEqual([]);
  });

  it('reports unknown ids and a bad token', async () => {
    const { client, emu } = await setUp();
    await expect(client.getCustomer({ id: 999 })).rejects.toMatchObject({
      status: 404,
      workatoMessage: 'Customer not found',
    });
    await expect(client.unassignProfile({ id: 123 }, 999, { force: false })).rejects.toMatchObject({
      status: 404,
    });
    expect(await client.getCustomer({ externalId: 'C 1/23' })).toMatchObject({ id: 123 });
    const wrong = createClient({ baseUrl: emu.url, token: 'wrong-token' });
    clients.push(wrong);
    await expect(wrong.listCustomers()).rejects.toThrow(
      /401 Unauthorized: the API token \(WORKATO_API_TOKEN\) is wrong/,
    );
  });

  it('stays under the emulator’s rolling-window limit: 45 calls at 10 per 300 ms, no 429', async () => {
    const { client, emu } = await setUp(
      { ratePerMinute: 10, rateWindowMs: 300 },
      { ratePerMinute: 10, windowMs: 300 },
    );
    await Promise.all([
      ...Array.from({ length: 45 }, () => client.getProfile(320)),
      ...Array.from({ length: 15 }, () => client.getCustomer({ id: 123 })),
    ]);
    expect(emu.requestLog.filter((entry) => entry.status === 429)).toEqual([]);
    expect(client.counts()).toEqual({
      requests: { profiles: 45, embedded: 15 },
      retries: { profiles: 0, embedded: 0 },
    });
  });

  it('adopts a profile whose create answer was lost, instead of creating it twice', async () => {
    const { client, emu } = await setUp({
      faults: {
        script: [{ method: 'POST', path: '/api/custom_oauth_profiles', reset: true, when: 'after' }],
      },
    });
    const created = await client.createProfile(NEW_PROFILE);
    const named = (await client.listProfiles()).filter((p) => p.name === NEW_PROFILE.name);
    expect(named).toEqual([expect.objectContaining({ id: created.id })]);
    expect(emu.requestLog.filter((e) => e.method === 'POST')).toHaveLength(1);
  });
});

describe('429 storms, in real time', () => {
  // Short backoffs stand in for seconds; the real sleep, not a skipped one.
  const quick = (retry: NonNullable<ClientOptions['retry']>) =>
    setUp({}, { retry: { sleep, baseDelayMs: 10, rateLimitMaxDelayMs: 40, ...retry } });
  const tooMany = (emu: RunningEmulator) => emu.requestLog.filter((e) => e.status === 429).length;

  it('waits out a storm without Retry-After that lasts far longer than 6 attempts', async () => {
    const { emu, client } = await quick({ maxAttempts: 2 });
    emu.setFaults({ errorRate: 1, errorStatus: 429 });
    const started = Date.now();
    const storm = setTimeout(() => emu.setFaults({}), 600);
    try {
      expect((await client.getProfile(320)).id).toBe(320);
    } finally {
      clearTimeout(storm);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(tooMany(emu)).toBeGreaterThan(6);
    expect(client.counts()).toEqual({
      requests: { profiles: tooMany(emu) + 1, embedded: 0 },
      retries: { profiles: tooMany(emu), embedded: 0 },
    });
  });

  it('fails a storm that outlasts the patience, in about the patience, saying how long it waited', async () => {
    const { emu, client } = await quick({ rateLimitPatienceMs: 300 });
    emu.setFaults({ errorRate: 1, errorStatus: 429 });
    const started = Date.now();
    const error = await client.getProfile(320).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(
      /^GET \/api\/custom_oauth_profiles\/320: 429 Too Many Requests: Too many requests \(still rate limited after waiting \d+ ms over \d+ attempts; calls wait out 429s for at most 300 ms:/,
    );
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
    expect((error as ApiError).attempts).toBe(tooMany(emu));
  });

  it('honours Retry-After through a storm', async () => {
    const { emu, client } = await quick({ maxAttempts: 2 });
    emu.setFaults({ script: Array.from({ length: 8 }, () => ({ status: 429, retryAfter: 0.05 })) });
    const started = Date.now();
    await client.getProfile(320);
    expect(Date.now() - started).toBeGreaterThanOrEqual(8 * 50 - 10);
    expect(tooMany(emu)).toBe(8);
  });
});
