import { describe, expect, it } from 'vitest';
import { EmulatorWorld } from '../../src/emulator/world.js';
import { call, PROFILE_INPUT, SEED, SEED_TIMESTAMP, shapeOf, start } from './helpers.js';

describe('profile endpoints answer with the shapes of the seeds', () => {
  it('list, get, create, update and delete match the seed samples key for key and type for type', async () => {
    const emulator = await start();
    const created = await call(emulator, 'POST', '/api/custom_oauth_profiles', { body: PROFILE_INPUT });
    expect(created.status).toBe(200);
    expect(shapeOf(created.json)).toEqual(shapeOf(SEED.create));
    const id = created.json.result.id as number;

    const list = await call(emulator, 'GET', '/api/custom_oauth_profiles');
    expect(shapeOf(list.json)).toEqual(shapeOf(SEED.list));
    const got = await call(emulator, 'GET', `/api/custom_oauth_profiles/${id}`);
    expect(shapeOf(got.json)).toEqual(shapeOf(SEED.get));
    const updated = await call(emulator, 'PUT', `/api/custom_oauth_profiles/${id}`, {
      body: { ...PROFILE_INPUT, name: 'My updated OAuth profile' },
    });
    expect(shapeOf(updated.json)).toEqual(shapeOf(SEED.update));
    const deleted = await call(emulator, 'DELETE', `/api/custom_oauth_profiles/${id}`);
    expect(deleted.json).toEqual(SEED.delete);
  });

  it('a created profile carries what was sent, zero counts and seed-style timestamps', async () => {
    const emulator = await start();
    const { json } = await call(emulator, 'POST', '/api/custom_oauth_profiles', { body: PROFILE_INPUT });
    expect(json.result).toMatchObject({
      name: 'My new OAuth profile',
      provider: 'hubspot',
      data: { client_id: 'new_client_id' },
      shared_accounts_count: 0,
      oem_customers_count: 0,
    });
    expect(json.result.id).toBe(1000);
    expect(json.result.created_at).toMatch(SEED_TIMESTAMP);
    expect(json.result.updated_at).toBe(json.result.created_at);
  });

  it('never returns client_secret or token, in any answer', async () => {
    const emulator = await start();
    const body = {
      name: 'Slack app',
      provider: 'slack',
      data: { client_id: 'slack-id', client_secret: 'TOPSECRET-1', token: 'TOPSECRET-2' },
    };
    const created = await call(emulator, 'POST', '/api/custom_oauth_profiles', { body });
    const id = created.json.result.id as number;
    const updated = await call(emulator, 'PUT', `/api/custom_oauth_profiles/${id}`, { body });
    const texts = [
      created.text,
      updated.text,
      (await call(emulator, 'GET', '/api/custom_oauth_profiles')).text,
      (await call(emulator, 'GET', `/api/custom_oauth_profiles/${id}`)).text,
    ];
    for (const text of texts) {
      expect(text).not.toContain('TOPSECRET');
      expect(text).not.toContain('old-secret-value');
      expect(text).not.toContain('client_secret');
      expect(text).not.toContain('"token"');
    }
    // Stored all the same: the emulator is the workspace's database.
    expect(emulator.world.storedSecrets(id)).toEqual({ client_secret: 'TOPSECRET-1', token: 'TOPSECRET-2' });
  });

  it('PUT replaces the whole profile: a body without data.token clears the token', async () => {
    const emulator = await start();
    const withToken = { ...PROFILE_INPUT, data: { ...PROFILE_INPUT.data, token: 't-1' } };
    const { json } = await call(emulator, 'POST', '/api/custom_oauth_profiles', { body: withToken });
    const id = json.result.id as number;
    const updated = await call(emulator, 'PUT', `/api/custom_oauth_profiles/${id}`, {
      body: { name: 'Renamed', provider: 'hubspot', data: { client_id: 'id-2', client_secret: 's-2' } },
    });
    expect(updated.json.result).toMatchObject({ id, name: 'Renamed', data: { client_id: 'id-2' } });
    expect(emulator.world.storedSecrets(id)).toEqual({ client_secret: 's-2' });
  });

  it('an update moves updated_at and keeps created_at', async () => {
    const emulator = await start();
    const before = (await call(emulator, 'GET', '/api/custom_oauth_profiles/320')).json.result;
    const after = (await call(emulator, 'PUT', '/api/custom_oauth_profiles/320', { body: PROFILE_INPUT }))
      .json.result;
    expect(after.created_at).toBe(before.created_at);
    expect(Date.parse(after.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    expect(after.updated_at).toMatch(SEED_TIMESTAMP);
  });

  it('two updates within one millisecond still get different updated_at', () => {
    const world = new EmulatorWorld(
      { profiles: [{ id: 1, name: 'a', provider: 'zoom', client_id: 'c', client_secret: 's' }] },
      { now: () => Date.parse('2025-06-01T00:00:00.000Z') },
    );
    const input = { name: 'a', provider: 'zoom', data: { client_id: 'c', client_secret: 's' } };
    const first = world.updateProfile(1, input);
    const second = world.updateProfile(1, input);
    if (!first.ok || !second.ok) throw new Error('update failed');
    expect(first.value.updated_at).toBe('2025-06-01T00:00:00.000+00:00');
    expect(second.value.updated_at).toBe('2025-06-01T00:00:00.001+00:00');
  });

  it('allows duplicate names: Workato does not promise uniqueness', async () => {
    const emulator = await start();
    const a = await call(emulator, 'POST', '/api/custom_oauth_profiles', { body: PROFILE_INPUT });
    const b = await call(emulator, 'POST', '/api/custom_oauth_profiles', { body: PROFILE_INPUT });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.json.result.id).toBe(a.json.result.id + 1);
  });

  it.each(['POST', 'PUT'])(
    '%s refuses a body without the required fields with 400 and Rails-style errors',
    async (m) => {
      const emulator = await start();
      const path = m === 'POST' ? '/api/custom_oauth_profiles' : '/api/custom_oauth_profiles/320';
      const empty = await call(emulator, m, path, { body: {} });
      expect(empty.status).toBe(400);
      expect(empty.json).toEqual({
        errors: {
          name: ["can't be blank"],
          provider: ["can't be blank"],
          'data.client_id': ["can't be blank"],
          'data.client_secret': ["can't be blank"],
        },
      });
      const blankName = await call(emulator, m, path, { body: { ...PROFILE_INPUT, name: '  ' } });
      expect(blankName.json).toEqual({ errors: { name: ["can't be blank"] } });
      const noSecret = await call(emulator, m, path, {
        body: { ...PROFILE_INPUT, data: { client_id: 'x' } },
      });
      expect(noSecret.json).toEqual({ errors: { 'data.client_secret': ["can't be blank"] } });
    },
  );

  it('refuses a body that is not JSON with 400 (the seeds’ own curl sample misses a comma)', async () => {
    const emulator = await start();
    const answer = await call(emulator, 'POST', '/api/custom_oauth_profiles', {
      body: '{ "name": "x", "provider": "hubspot" "data": {} }',
    });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toMatch(/^Request body is not valid JSON/);
  });

  it('answers 404 for an unknown profile on get, update and delete', async () => {
    const emulator = await start();
    for (const [method, path] of [
      ['GET', '/api/custom_oauth_profiles/999'],
      ['PUT', '/api/custom_oauth_profiles/999'],
      ['DELETE', '/api/custom_oauth_profiles/999'],
      ['GET', '/api/custom_oauth_profiles/abc'],
    ] as const) {
      const answer = await call(emulator, method, path, method === 'PUT' ? { body: PROFILE_INPUT } : {});
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.json).toEqual({ message: 'Custom OAuth profile not found' });
    }
  });
});

describe('paging', () => {
  async function startWithProfiles(count: number) {
    const profiles = Array.from({ length: count }, (_, i) => ({
      // Out of order on purpose: the list is ordered by id all the same.
      id: count - i,
      name: `P${count - i}`,
      provider: 'zoom',
      client_id: 'c',
      client_secret: 's',
    }));
    return start({ world: { profiles } });
  }

  it('defaults to page 1 of 100, ordered by id; a short page is the last', async () => {
    const emulator = await startWithProfiles(250);
    const ids = async (query: string) =>
      (
        (await call(emulator, 'GET', `/api/custom_oauth_profiles${query}`)).json.result as { id: number }[]
      ).map((p) => p.id);
    const first = await ids('');
    expect(first).toHaveLength(100);
    expect(first[0]).toBe(1);
    expect(first).toEqual([...first].sort((a, b) => a - b));
    expect(await ids('?page=2&per_page=100')).toEqual(Array.from({ length: 100 }, (_, i) => 101 + i));
    expect(await ids('?page=3')).toHaveLength(50);
    expect(await ids('?page=4')).toEqual([]);
    expect(await ids('?page=2&per_page=7')).toEqual([8, 9, 10, 11, 12, 13, 14]);
  });

  it('caps per_page at 100', async () => {
    const emulator = await startWithProfiles(150);
    const answer = await call(emulator, 'GET', '/api/custom_oauth_profiles?per_page=500');
    expect(answer.json.result).toHaveLength(100);
  });

  it('refuses a page or per_page that is not a positive integer', async () => {
    const emulator = await startWithProfiles(1);
    for (const query of ['page=0', 'page=-1', 'per_page=abc', 'page=1.5']) {
      const answer = await call(emulator, 'GET', `/api/custom_oauth_profiles?${query}`);
      expect(answer.status, query).toBe(400);
    }
  });

  it('pages customers the same way', async () => {
    const customers = Array.from({ length: 120 }, (_, i) => ({
      id: 1000 + i,
      external_id: `X${i}`,
      name: `C${i}`,
    }));
    const emulator = await start({ world: { customers } });
    const page2 = await call(emulator, 'GET', '/api/managed_users?page=2&per_page=50');
    expect(page2.json.result.map((c: { id: number }) => c.id)).toEqual(
      Array.from({ length: 50 }, (_, i) => 1050 + i),
    );
    const last = await call(emulator, 'GET', '/api/managed_users?page=2');
    expect(last.json.result).toHaveLength(20);
  });
});
