import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import { UsageError, WorkatoOauthError } from '../../src/errors.js';
import { api, failure, makeClient, profile, socketError, useNock } from './helpers.js';

useNock();

const INPUT = { name: 'P', provider: 'hubspot', data: { client_id: 'c', client_secret: 's' } };

describe('error mapping', () => {
  it('401 says the token is wrong or lacks the scope, naming the endpoint', async () => {
    api().get('/api/managed_users').query(true).reply(401, { message: 'Unauthorized' });
    const { client } = makeClient();
    const error = await failure(client.listCustomers());
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(WorkatoOauthError);
    expect(error.message).toBe(
      'GET /api/managed_users: 401 Unauthorized: the API token (WORKATO_API_TOKEN) is wrong or revoked, or its API client lacks the scope for list customers (GET /api/managed_users)',
    );
    expect(error).toMatchObject({
      status: 401,
      method: 'GET',
      path: '/api/managed_users',
      endpoint: 'list customers',
    });
    expect(error.exitCode).toBe(1);
  });

  it('403 names the endpoint and keeps what Workato said', async () => {
    api()
      .post('/api/managed_users/5/custom_oauth_profiles/7/assign')
      .reply(403, { message: 'Not allowed for this role' });
    const { client } = makeClient();
    const error = await failure(client.assignProfile({ id: 5 }, 7));
    expect(error.message).toBe(
      "POST /api/managed_users/5/custom_oauth_profiles/7/assign: 403 Forbidden: the API client's role does not allow assign profile (POST /api/managed_users/5/custom_oauth_profiles/7/assign); Workato said: Not allowed for this role",
    );
  });

  it('404 carries Workato’s message', async () => {
    api().get('/api/custom_oauth_profiles/999').reply(404, { message: 'Custom OAuth profile not found' });
    const { client } = makeClient();
    const error = await failure(client.getProfile(999));
    expect(error.message).toBe(
      'GET /api/custom_oauth_profiles/999: 404 Not Found: Custom OAuth profile not found',
    );
    expect(error).toMatchObject({
      status: 404,
      workatoMessage: 'Custom OAuth profile not found',
      inUse: false,
    });
  });

  it('400 renders the errors map on one line', async () => {
    api()
      .post('/api/custom_oauth_profiles')
      .reply(400, { errors: { name: ["can't be blank"], provider: ['is not included in the list'] } });
    const { client } = makeClient();
    const error = await failure(client.createProfile(INPUT));
    expect(error.message).toBe(
      "POST /api/custom_oauth_profiles: 400 Bad Request: name can't be blank; provider is not included in the list",
    );
    expect(error['errors']).toEqual({ name: ["can't be blank"], provider: ['is not included in the list'] });
  });

  it('a 2xx with success: false is an error', async () => {
    api()
      .put('/api/custom_oauth_profiles/7')
      .reply(200, { success: false, errors: { 'data.client_id': ['is invalid'] } });
    const { client } = makeClient();
    const error = await failure(client.updateProfile(7, INPUT));
    expect(error.message).toBe(
      'PUT /api/custom_oauth_profiles/7: 200 OK, but the request was refused: data.client_id is invalid',
    );
    expect(error).toMatchObject({ status: 200 });
    // Not retried: the answer is final.
    expect(client.counts().requests.profiles).toBe(1);
  });

  it('a 2xx with result.success: false is an error', async () => {
    api()
      .delete('/api/custom_oauth_profiles/7')
      .reply(200, { result: { success: false } });
    const { client } = makeClient();
    const error = await failure(client.deleteProfile(7));
    expect(error.message).toBe(
      'DELETE /api/custom_oauth_profiles/7: 200 OK, but the request was refused: no reason given',
    );
  });

  it('keeps a plain-text body, drops an HTML page, and strips control characters', async () => {
    api()
      .get('/api/custom_oauth_profiles/1')
      .reply(400, 'bad \u001b[31mthing\u001b[0m\nhere', { 'content-type': 'text/plain' })
      .get('/api/custom_oauth_profiles/2')
      .reply(418, '<html><body>teapot</body></html>', { 'content-type': 'text/html' });
    const { client } = makeClient();
    expect((await failure(client.getProfile(1))).message).toBe(
      'GET /api/custom_oauth_profiles/1: 400 Bad Request: bad [31mthing [0m here',
    );
    expect((await failure(client.getProfile(2))).message).toBe(
      "GET /api/custom_oauth_profiles/2: 418 I'm a Teapot",
    );
  });

  it('does not follow redirects, and says where they point', async () => {
    api()
      .get('/api/custom_oauth_profiles/1')
      .reply(301, '', { location: 'https://app.eu.workato.com/api/custom_oauth_profiles/1?x=1' });
    const { client } = makeClient();
    const error = await failure(client.getProfile(1));
    expect(error.message).toBe(
      'GET /api/custom_oauth_profiles/1: 301 Moved Permanently: redirected to https://app.eu.workato.com/api/custom_oauth_profiles/1; if the API lives there, set --api-url or the data center accordingly',
    );
  });

  it('names a host that cannot be resolved, without retrying', async () => {
    api()
      .get('/api/custom_oauth_profiles/1')
      .replyWithError(socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND www.workato.com'));
    const { client } = makeClient();
    const error = await failure(client.getProfile(1));
    expect(error.message).toBe(
      'GET /api/custom_oauth_profiles/1: cannot resolve host www.workato.com (ENOTFOUND); check the data center or --api-url',
    );
    expect(error).toMatchObject({ network: 'dns', attempts: 1 });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('says a reset is a reset, with the base URL', async () => {
    api().get('/api/custom_oauth_profiles/1').times(2).replyWithError(socketError('ECONNRESET'));
    const { client } = makeClient({ retry: { maxAttempts: 2 } });
    const error = await failure(client.getProfile(1));
    expect(error.message).toBe(
      'GET /api/custom_oauth_profiles/1: connection to https://www.workato.com reset before the answer was complete (ECONNRESET) (gave up after 2 attempts)',
    );
  });

  it('refuses an answer that is not a profile', async () => {
    api()
      .get('/api/custom_oauth_profiles/1')
      .reply(200, { result: { id: 'x' } });
    const { client } = makeClient();
    expect((await failure(client.getProfile(1))).message).toMatch(/answer is unexpected/);
  });

  it('after close, calls fail at once', async () => {
    const { client } = makeClient();
    await client.close();
    const error = await failure(client.getProfile(1));
    expect(error).toMatchObject({ network: 'closed' });
  });
});

describe('answers read as done', () => {
  it('a repeated assign answered 200 success is done', async () => {
    api()
      .post('/api/managed_users/123/custom_oauth_profiles/321/assign')
      .times(2)
      .reply(200, { result: { success: true } });
    const { client } = makeClient();
    await client.assignProfile({ id: 123 }, 321);
    await client.assignProfile({ id: 123 }, 321);
  });

  it('an assign answered "already assigned" is done', async () => {
    api()
      .post('/api/managed_users/123/custom_oauth_profiles/321/assign')
      .reply(422, { message: 'Custom OAuth profile 321 is already assigned to customer 123' });
    const { client, log } = makeClient();
    await client.assignProfile({ id: 123 }, 321);
    expect(log[0]).toMatch(/\(already assigned: done\)$/);
  });

  it('"already holds" another profile of the provider is a refusal, not done', async () => {
    api().post('/api/managed_users/123/custom_oauth_profiles/321/assign').reply(422, {
      message:
        'Customer 123 already holds custom OAuth profile 320 ("Old HubSpot") for provider hubspot; unassign it first',
    });
    const { client } = makeClient();
    const error = await failure(client.assignProfile({ id: 123 }, 321));
    expect(error).toMatchObject({ status: 422, reason: 'holds-other-profile', inUse: false });
    expect(error.message).toBe(
      'POST /api/managed_users/123/custom_oauth_profiles/321/assign: 422 Unprocessable Entity: Customer 123 already holds custom OAuth profile 320 ("Old HubSpot") for provider hubspot; unassign it first',
    );
  });

  it('"already assigned" naming another profile is not done', async () => {
    api()
      .post('/api/managed_users/123/custom_oauth_profiles/321/assign')
      .reply(422, { message: 'Custom OAuth profile 320 is already assigned for hubspot' });
    const { client } = makeClient();
    await expect(client.assignProfile({ id: 123 }, 321)).rejects.toBeInstanceOf(ApiError);
  });

  it('an unassign answered "not assigned" is done', async () => {
    api()
      .delete('/api/managed_users/123/custom_oauth_profiles/321/unassign')
      .query({ force: 'false' })
      .reply(422, { message: 'Custom OAuth profile 321 is not assigned to customer 123' });
    const { client } = makeClient();
    await client.unassignProfile({ id: 123 }, 321, { force: false });
  });

  it.each(['Customer not found', 'Custom OAuth profile not found'])(
    'an unassign answered 404 %j is an error',
    async (message) => {
      api()
        .delete('/api/managed_users/123/custom_oauth_profiles/321/unassign')
        .query(true)
        .reply(404, { message });
      const { client } = makeClient();
      const error = await failure(client.unassignProfile({ id: 123 }, 321, { force: true }));
      expect(error).toMatchObject({ status: 404, inUse: false });
    },
  );

  it('an unassign refused because the profile is in use has inUse', async () => {
    api()
      .delete('/api/managed_users/123/custom_oauth_profiles/321/unassign')
      .query({ force: 'false' })
      .reply(422, {
        message:
          'Custom OAuth profile 321 is in use by 2 connection(s) in customer 123; pass force=true to unassign anyway',
      });
    const { client } = makeClient();
    const error = await failure(client.unassignProfile({ id: 123 }, 321, { force: false }));
    expect(error).toMatchObject({ status: 422, inUse: true, reason: 'in-use' });
  });

  it('a delete refused because the profile is assigned says so', async () => {
    api()
      .delete('/api/custom_oauth_profiles/321')
      .reply(422, { message: 'Custom OAuth profile 321 is assigned to 3 customer(s); unassign it first' });
    const { client } = makeClient();
    const error = await failure(client.deleteProfile(321));
    expect(error).toMatchObject({ status: 422, reason: 'still-assigned', inUse: false });
  });

  it('a 2xx refusal saying "already assigned" is done too', async () => {
    api()
      .post('/api/managed_users/123/custom_oauth_profiles/321/assign')
      .reply(200, { success: false, errors: { base: ['Profile is already assigned to this customer'] } });
    const { client } = makeClient();
    await client.assignProfile({ id: 123 }, 321);
  });

  it('a delete retried after an ambiguous failure and answered 404 is done', async () => {
    const scope = api()
      .delete('/api/custom_oauth_profiles/321')
      .reply(504, {})
      .delete('/api/custom_oauth_profiles/321')
      .reply(404, { message: 'Custom OAuth profile not found' });
    const { client, log } = makeClient();
    await client.deleteProfile(321);
    scope.done();
    expect(log[1]).toMatch(/\(gone after an earlier attempt: done\)$/);
  });

  it('a delete answered 404 at once is an error', async () => {
    api().delete('/api/custom_oauth_profiles/321').reply(404, { message: 'Custom OAuth profile not found' });
    const { client } = makeClient();
    await expect(client.deleteProfile(321)).rejects.toMatchObject({ status: 404 });
  });

  it('sends documented fields only, with the bearer token and user agent', async () => {
    const scope = api()
      .matchHeader('authorization', 'Bearer wkt-API-TOKEN-do-not-leak-5e1f')
      .matchHeader('user-agent', /^workato-oauth\/\d+\.\d+\.\d+/)
      .matchHeader('content-type', 'application/json')
      .post('/api/custom_oauth_profiles', {
        name: 'P',
        provider: 'slack',
        data: { client_id: 'c', client_secret: 's', token: 't' },
      })
      .reply(200, { result: profile(1) });
    const { client } = makeClient();
    const input = {
      name: 'P',
      provider: 'slack',
      data: { client_id: 'c', client_secret: 's', token: 't', extra: 1 },
    };
    await client.createProfile(input);
    scope.done();
  });
});

describe('createClient', () => {
  it('checks the base URL as --api-url is checked: https, or plain http to loopback only', () => {
    expect(() => makeClient({ baseUrl: 'http://example.com' })).toThrow(UsageError);
    expect(() => makeClient({ baseUrl: 'http://example.com' })).toThrow(
      /^the API base URL: plain http:\/\/ is refused for example\.com/,
    );
    expect(() => makeClient({ baseUrl: 'https://user:pw@example.com' })).toThrow(/must not hold credentials/);
    expect(() => makeClient({ baseUrl: 'ftp://example.com' })).toThrow(/unsupported scheme ftp:/);
    expect(makeClient({ baseUrl: 'http://127.0.0.1:9/api//' }).client.baseUrl).toBe('http://127.0.0.1:9/api');
  });
});
