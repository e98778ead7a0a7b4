import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { call, PROFILE_INPUT, SEED, shapeOf, start } from './helpers.js';

async function createProfile(emulator: RunningEmulator, name: string, provider = 'hubspot'): Promise<number> {
  const body = { ...PROFILE_INPUT, name, provider };
  const { json } = await call(emulator, 'POST', '/api/custom_oauth_profiles', { body });
  return json.result.id as number;
}

const assign = (e: RunningEmulator, customer: string, id: number) =>
  call(e, 'POST', `/api/managed_users/${customer}/custom_oauth_profiles/${id}/assign`);
const unassign = (e: RunningEmulator, customer: string, id: number, query = '') =>
  call(e, 'DELETE', `/api/managed_users/${customer}/custom_oauth_profiles/${id}/unassign${query}`);
const counts = async (e: RunningEmulator, id: number) => {
  const { json } = await call(e, 'GET', `/api/custom_oauth_profiles/${id}`);
  return { customers: json.result.oem_customers_count, connections: json.result.shared_accounts_count };
};

describe('assign and unassign', () => {
  it('answer with the seed shapes and keep oem_customers_count', async () => {
    const emulator = await start();
    const id = await createProfile(emulator, 'New HubSpot', 'salesforce');
    const assigned = await assign(emulator, '123', id);
    expect(assigned.status).toBe(200);
    expect(assigned.json).toEqual(SEED.assign);
    expect(shapeOf(assigned.json)).toEqual(shapeOf(SEED.assign));
    expect(await counts(emulator, id)).toEqual({ customers: 1, connections: 0 });
    expect((await assign(emulator, 'EA2300', id)).status).toBe(200);
    expect(await counts(emulator, id)).toEqual({ customers: 2, connections: 0 });

    const unassigned = await unassign(emulator, '123', id);
    expect(unassigned.json).toEqual(SEED.unassign);
    expect(await counts(emulator, id)).toEqual({ customers: 1, connections: 0 });
    expect(emulator.world.heldProfiles({ id: 101 })).toEqual([id]);
  });

  it('a repeated assign of the same profile succeeds (idempotent)', async () => {
    const emulator = await start();
    const id = await createProfile(emulator, 'HubSpot');
    expect((await assign(emulator, '123', id)).status).toBe(200);
    const again = await assign(emulator, '123', id);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ result: { success: true } });
    expect(await counts(emulator, id)).toEqual({ customers: 1, connections: 0 });
  });

  it('refuses a second profile for the same provider, naming the one held', async () => {
    const emulator = await start();
    expect((await assign(emulator, '123', 320)).status).toBe(200);
    const id = await createProfile(emulator, 'New HubSpot');
    const refused = await assign(emulator, 'EC123', id);
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual({
      message:
        'Customer 123 already holds custom OAuth profile 320 ("Old HubSpot") for provider hubspot; unassign it first',
    });
    // The documented way: unassign the old one, then assign the new one.
    expect((await unassign(emulator, '123', 320)).status).toBe(200);
    expect((await assign(emulator, '123', id)).status).toBe(200);
  });

  it('refuses to unassign a profile the customer does not hold', async () => {
    const emulator = await start();
    const refused = await unassign(emulator, '123', 320);
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual({ message: 'Custom OAuth profile 320 is not assigned to customer 123' });
  });

  it('refuses to unassign a profile in use unless force=true, which drops the connections', async () => {
    const emulator = await start({
      world: {
        customers: [{ id: 123, external_id: 'C123', name: 'C', profiles: [321], connections: { '321': 2 } }],
        profiles: [{ id: 321, name: 'HubSpot', provider: 'hubspot', client_id: 'c', client_secret: 's' }],
      },
    });
    expect(await counts(emulator, 321)).toEqual({ customers: 1, connections: 2 });
    for (const query of ['', '?force=false']) {
      const refused = await unassign(emulator, '123', 321, query);
      expect(refused.status).toBe(422);
      expect(refused.json).toEqual({
        message:
          'Custom OAuth profile 321 is in use by 2 connection(s) in customer 123; pass force=true to unassign anyway',
      });
    }
    expect((await unassign(emulator, '123', 321, '?force=yes')).status).toBe(400);
    const forced = await unassign(emulator, '123', 321, '?force=true');
    expect(forced.status).toBe(200);
    expect(await counts(emulator, 321)).toEqual({ customers: 0, connections: 0 });
    // Assigned again, it starts with no connections: the old ones went with the force.
    expect((await assign(emulator, '123', 321)).status).toBe(200);
    expect(await counts(emulator, 321)).toEqual({ customers: 1, connections: 0 });
  });

  it('sums shared_accounts_count over customers', async () => {
    const emulator = await start({
      world: {
        customers: [
          { id: 1, name: 'a', profiles: [5], connections: { '5': 2 } },
          { id: 2, name: 'b', profiles: [5], connections: { '5': 3 } },
          { id: 3, name: 'c', profiles: [5] },
        ],
        profiles: [{ id: 5, name: 'Zoom', provider: 'zoom', client_id: 'c', client_secret: 's' }],
      },
    });
    expect(await counts(emulator, 5)).toEqual({ customers: 3, connections: 5 });
  });

  it('answers 404 for an unknown customer or profile, customer first', async () => {
    const emulator = await start();
    const customer = { message: 'Customer not found' };
    const profile = { message: 'Custom OAuth profile not found' };
    expect((await assign(emulator, '999', 320)).json).toEqual(customer);
    expect((await assign(emulator, 'ENOPE', 320)).json).toEqual(customer);
    expect((await assign(emulator, '999', 999)).json).toEqual(customer);
    expect((await assign(emulator, '123', 999)).json).toEqual(profile);
    expect((await unassign(emulator, '123', 999)).json).toEqual(profile);
    expect((await unassign(emulator, '999', 320)).status).toBe(404);
    expect((await call(emulator, 'GET', '/api/managed_users/999')).json).toEqual(customer);
    expect((await call(emulator, 'GET', '/api/managed_users/xyz')).json).toEqual(customer);
  });
});

describe('deleting profiles', () => {
  it('refuses to delete a profile that is still assigned, with the number of customers', async () => {
    const emulator = await start();
    for (const customer of ['101', '102', '123'])
      expect((await assign(emulator, customer, 320)).status).toBe(200);
    const refused = await call(emulator, 'DELETE', '/api/custom_oauth_profiles/320');
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual({
      message: 'Custom OAuth profile 320 is assigned to 3 customer(s); unassign it first',
    });
    for (const customer of ['101', '102', '123']) await unassign(emulator, customer, 320);
    expect((await call(emulator, 'DELETE', '/api/custom_oauth_profiles/320')).status).toBe(200);
    expect((await call(emulator, 'GET', '/api/custom_oauth_profiles/320')).status).toBe(404);
  });

  it('never reuses a deleted id', async () => {
    const emulator = await start();
    const first = await createProfile(emulator, 'A');
    await call(emulator, 'DELETE', `/api/custom_oauth_profiles/${first}`);
    expect(await createProfile(emulator, 'B')).toBe(first + 1);
  });

  it('refuses to change the provider of an assigned profile (it would break one-per-provider)', async () => {
    const emulator = await start();
    await assign(emulator, '123', 320);
    const body = { ...PROFILE_INPUT, provider: 'salesforce' };
    const refused = await call(emulator, 'PUT', '/api/custom_oauth_profiles/320', { body });
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual({
      message: 'Custom OAuth profile 320 is assigned to 1 customer(s); unassign it first',
    });
    await unassign(emulator, '123', 320);
    expect((await call(emulator, 'PUT', '/api/custom_oauth_profiles/320', { body })).status).toBe(200);
  });
});

describe('customers', () => {
  it('gets a customer by numeric id or E + external id, with id, external_id and name', async () => {
    const emulator = await start();
    const byId = await call(emulator, 'GET', '/api/managed_users/101');
    expect(byId.status).toBe(200);
    expect(byId.json.result).toMatchObject({ id: 101, external_id: 'A2300', name: 'Acme Customer 1' });
    const byExternal = await call(emulator, 'GET', '/api/managed_users/EA2300');
    expect(byExternal.json).toEqual(byId.json);
  });

  it('lists customers ordered by id', async () => {
    const emulator = await start();
    const { json } = await call(emulator, 'GET', '/api/managed_users');
    expect(json.result.map((c: { id: number; external_id: string }) => [c.id, c.external_id])).toEqual([
      [101, 'A2300'],
      [102, 'A 23/00'],
      [123, 'C123'],
    ]);
  });

  it.each([
    'A 23/00',
    'a/b/c',
    '100% sure',
    'tag#1',
    'Zürich 東京 🚀',
    'plus+sign',
    'question?mark',
    '..',
    'E-leading-E',
    '12345',
  ])('routes the external id %j when URL-encoded', async (externalId) => {
    const emulator = await start({ world: { customers: [{ id: 7, external_id: externalId, name: 'N' }] } });
    const segment = encodeURIComponent(`E${externalId}`);
    const got = await call(emulator, 'GET', `/api/managed_users/${segment}`);
    expect(got.status).toBe(200);
    expect(got.json.result.external_id).toBe(externalId);
    const assigned = await call(
      emulator,
      'POST',
      `/api/managed_users/${segment}/custom_oauth_profiles/320/assign`,
    );
    expect(assigned.status).toBe(404); // profile 320 is not in this world: routed to the right handler
    expect(assigned.json).toEqual({ message: 'Custom OAuth profile not found' });
  });

  it('keeps an encoded slash inside one segment but does not route an unencoded one', async () => {
    const emulator = await start();
    const encoded = await call(
      emulator,
      'POST',
      '/api/managed_users/EA%2023%2F00/custom_oauth_profiles/320/assign',
    );
    expect(encoded.status).toBe(200);
    expect(emulator.world.heldProfiles({ id: 102 })).toEqual([320]);
    const raw = await call(
      emulator,
      'POST',
      '/api/managed_users/EA%2023/00/custom_oauth_profiles/320/assign',
    );
    expect(raw.status).toBe(404);
    expect(raw.json).toEqual({ message: 'Not found' });
  });

  it('answers 400 for broken percent-encoding in managed_user_id', async () => {
    const emulator = await start();
    const answer = await call(emulator, 'GET', '/api/managed_users/EA%ZZ');
    expect(answer.status).toBe(400);
  });
});
