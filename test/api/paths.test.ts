import { describe, expect, it } from 'vitest';
import { customerPathSegment } from '../../src/customer-ref.js';
import { WorkatoOauthError } from '../../src/errors.js';
import { api, makeClient, useNock } from './helpers.js';

useNock();

describe('customerPathSegment', () => {
  it('keeps a numeric id as is', () => {
    expect(customerPathSegment({ id: 123 })).toBe('123');
  });

  it('prefixes an external id with E and URL-encodes it', () => {
    expect(customerPathSegment({ externalId: 'A2300' })).toBe('EA2300');
    expect(customerPathSegment({ externalId: 'A 23/00' })).toBe('EA%2023%2F00');
    expect(customerPathSegment({ externalId: '50%#x?y' })).toBe('E50%25%23x%3Fy');
    expect(customerPathSegment({ externalId: 'Zürich-東京' })).toBe('EZ%C3%BCrich-%E6%9D%B1%E4%BA%AC');
    expect(customerPathSegment({ externalId: '..' })).toBe('E..');
  });

  it('refuses ids that cannot name one customer', () => {
    expect(() => customerPathSegment({ externalId: 'bad\uD800' })).toThrow(WorkatoOauthError);
    expect(() => customerPathSegment({ externalId: '' })).toThrow(WorkatoOauthError);
    expect(() => customerPathSegment({ id: 0 })).toThrow(WorkatoOauthError);
    expect(() => customerPathSegment({ id: 1.5 })).toThrow(WorkatoOauthError);
  });
});

describe('paths on the wire', () => {
  it.each([
    ['A 23/00', 'EA%2023%2F00'],
    ['50%#', 'E50%25%23'],
    ['ünï/código', 'E%C3%BCn%C3%AF%2Fc%C3%B3digo'],
  ])('assigns to external id %j at segment %s', async (externalId, segment) => {
    const scope = api()
      .post(`/api/managed_users/${segment}/custom_oauth_profiles/5/assign`)
      .reply(200, { result: { success: true } })
      .delete(`/api/managed_users/${segment}/custom_oauth_profiles/5/unassign`)
      .query({ force: 'true' })
      .reply(200, { result: { success: true } })
      .get(`/api/managed_users/${segment}`)
      .reply(200, { result: { id: 9, external_id: externalId, name: 'Customer' } });
    const { client } = makeClient();
    await client.assignProfile({ externalId }, 5);
    await client.unassignProfile({ externalId }, 5, { force: true });
    expect(await client.getCustomer({ externalId })).toMatchObject({ id: 9, external_id: externalId });
    scope.done();
  });
});
