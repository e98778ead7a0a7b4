import { describe, expect, it } from 'vitest';
import {
  findRefusalIn2xx,
  isAlreadyAssigned,
  isNotAssigned,
  readErrorDetails,
  recogniseRefusal,
} from '../../src/api/answers.js';

const said = (message: string) => ({ message });

describe('answers', () => {
  it('reads message and errors leniently', () => {
    expect(readErrorDetails({ message: 'x' })).toEqual({ message: 'x' });
    expect(readErrorDetails({ error: 'y' })).toEqual({ message: 'y' });
    expect(readErrorDetails({ errors: { name: ['a', 'b'], data: { client_id: 'c' } } })).toEqual({
      errors: { name: ['a', 'b'], 'data.client_id': ['c'] },
    });
    expect(readErrorDetails({ errors: ['whole thing wrong'] })).toEqual({
      errors: { base: ['whole thing wrong'] },
    });
    expect(readErrorDetails('<html>')).toEqual({});
  });

  it('finds refusals inside a 2xx', () => {
    expect(findRefusalIn2xx({ success: false, errors: { name: ['taken'] } })).toEqual({
      errors: { name: ['taken'] },
    });
    expect(findRefusalIn2xx({ result: { success: false } })).toEqual({});
    expect(findRefusalIn2xx({ result: { success: false, message: 'no' } })).toEqual({ message: 'no' });
    expect(findRefusalIn2xx({ result: { success: true } })).toBeUndefined();
    expect(findRefusalIn2xx({ result: [] })).toBeUndefined();
    expect(findRefusalIn2xx(undefined)).toBeUndefined();
  });

  it.each([
    [422, 'Custom OAuth profile 321 is already assigned to customer 123', true],
    [409, 'Already assigned', true],
    [200, 'already assigned', true],
    // The emulator's refusal: another profile of the same provider.
    [
      422,
      'Customer 123 already holds custom OAuth profile 320 ("Old HubSpot") for provider hubspot; unassign it first',
      false,
    ],
    [422, 'Another profile is already assigned for hubspot', false],
    [422, 'Custom OAuth profile 320 is already assigned', false],
    [401, 'already assigned', false],
    [429, 'already assigned', false],
    [500, 'already assigned', false],
  ] as const)('assign answered %i %j is done: %s', (status, message, done) => {
    expect(isAlreadyAssigned(status, said(message), 321)).toBe(done);
  });

  it.each([
    [422, 'Custom OAuth profile 321 is not assigned to customer 123', true],
    [404, 'Profile not assigned', true],
    [404, 'Customer not found', false],
    [404, 'Custom OAuth profile not found', false],
    [422, 'Custom OAuth profile 320 is not assigned to customer 123', false],
    [403, 'not assigned', false],
  ] as const)('unassign answered %i %j is done: %s', (status, message, done) => {
    expect(isNotAssigned(status, said(message), 321)).toBe(done);
  });

  it('names the reason of a refusal', () => {
    expect(
      recogniseRefusal(
        'unassign',
        422,
        said(
          'Custom OAuth profile 321 is in use by 2 connection(s) in customer 123; pass force=true to unassign anyway',
        ),
      ),
    ).toBe('in-use');
    expect(
      recogniseRefusal(
        'delete',
        422,
        said('Custom OAuth profile 321 is assigned to 3 customer(s); unassign it first'),
      ),
    ).toBe('still-assigned');
    expect(recogniseRefusal('assign', 422, said('Customer 1 already holds custom OAuth profile 2'))).toBe(
      'holds-other-profile',
    );
    expect(recogniseRefusal('unassign', 404, said('Customer not found'))).toBeUndefined();
    expect(recogniseRefusal('unassign', 401, said('in use'))).toBeUndefined();
  });
});
