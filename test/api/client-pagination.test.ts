import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import { api, failure, makeClient, profile, useNock } from './helpers.js';

useNock();

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const customer = (id: number) => ({ id, external_id: `X${id}`, name: `Customer ${id}` });

describe('listProfiles', () => {
  it('reads every page until one is shorter than per_page: exactly 3 requests for 207 profiles', async () => {
    const scope = api()
      .get('/api/custom_oauth_profiles')
      .query({ page: '1', per_page: '100' })
      .reply(200, { result: range(1, 100).map((id) => profile(id)) })
      .get('/api/custom_oauth_profiles')
      .query({ page: '2', per_page: '100' })
      .reply(200, { result: range(101, 100).map((id) => profile(id)) })
      .get('/api/custom_oauth_profiles')
      .query({ page: '3', per_page: '100' })
      .reply(200, { result: range(201, 7).map((id) => profile(id)) });
    const { client } = makeClient();
    const profiles = await client.listProfiles();
    expect(profiles.map((p) => p.id)).toEqual(range(1, 207));
    scope.done();
    expect(client.counts()).toEqual({
      requests: { profiles: 3, embedded: 0 },
      retries: { profiles: 0, embedded: 0 },
    });
  });

  it('asks for one more page after a full last page, and stops at the empty one', async () => {
    const scope = api()
      .get('/api/custom_oauth_profiles')
      .query({ page: '1', per_page: '100' })
      .reply(200, { result: range(1, 100).map((id) => profile(id)) })
      .get('/api/custom_oauth_profiles')
      .query({ page: '2', per_page: '100' })
      .reply(200, { result: [] });
    const { client } = makeClient();
    expect(await client.listProfiles()).toHaveLength(100);
    scope.done();
  });

  it('fails rather than loop when the server ignores page', async () => {
    const page = { result: range(1, 100).map((id) => profile(id)) };
    api().get('/api/custom_oauth_profiles').query(true).times(2).reply(200, page);
    const { client } = makeClient();
    const error = await failure(client.listProfiles());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toMatch(/page 2 repeats page 1/);
  });

  it('refuses an answer without a result list', async () => {
    api().get('/api/custom_oauth_profiles').query(true).reply(200, { profiles: [] });
    const { client } = makeClient();
    const error = await failure(client.listProfiles());
    expect(error.message).toBe(
      'GET /api/custom_oauth_profiles: 200 OK, but the answer is unexpected: "result" is not a list of custom OAuth profiles',
    );
  });
});

describe('listCustomers', () => {
  it('reads all pages in the embedded bucket', async () => {
    const scope = api()
      .get('/api/managed_users')
      .query({ page: '1', per_page: '100' })
      .reply(200, { result: range(1, 100).map(customer) })
      .get('/api/managed_users')
      .query({ page: '2', per_page: '100' })
      .reply(200, { result: range(101, 3).map(customer) });
    const { client } = makeClient();
    const seen: number[] = [];
    const customers = await client.listCustomers((page) => {
      seen.push(page.length);
      return undefined;
    });
    expect(customers).toHaveLength(103);
    expect(seen).toEqual([100, 3]);
    scope.done();
    expect(client.counts().requests).toEqual({ profiles: 0, embedded: 2 });
  });

  it('stops early when onPage returns false, returning the pages read', async () => {
    const scope = api()
      .get('/api/managed_users')
      .query({ page: '1', per_page: '100' })
      .reply(200, { result: range(1, 100).map(customer) });
    const { client } = makeClient();
    const customers = await client.listCustomers(() => false);
    expect(customers).toHaveLength(100);
    scope.done();
    expect(client.counts().requests.embedded).toBe(1);
  });
});
