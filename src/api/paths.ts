/**
 * API paths. Ids are checked before they go into a path, so a bad value can
 * never address a different resource than the one named.
 */
import type { CustomerRef } from '../config/types.js';
import { WorkatoOauthError } from '../errors.js';

export const PROFILES_PATH = '/api/custom_oauth_profiles';
export const CUSTOMERS_PATH = '/api/managed_users';

/**
 * The `:managed_user_id` path segment: the numeric id as is, or the external id
 * prefixed with `E` and URL-encoded (`A 23/00` → `EA%2023%2F00`).
 */
export function customerPathSegment(ref: CustomerRef): string {
  if ('id' in ref) return String(checkId(ref.id, 'customer id'));
  if (ref.externalId === '') throw new WorkatoOauthError('a customer external id must not be empty');
  try {
    return encodeURIComponent(`E${ref.externalId}`);
  } catch (error) {
    // A lone UTF-16 surrogate cannot be encoded; fetch would otherwise mangle it silently.
    throw new WorkatoOauthError(
      `customer external id ${JSON.stringify(ref.externalId)} is not valid Unicode`,
      {
        cause: error,
      },
    );
  }
}

export function profilePath(id: number): string {
  return `${PROFILES_PATH}/${checkId(id, 'profile id')}`;
}

export function customerPath(ref: CustomerRef): string {
  return `${CUSTOMERS_PATH}/${customerPathSegment(ref)}`;
}

export function assignmentPath(ref: CustomerRef, profileId: number, action: 'assign' | 'unassign'): string {
  return `${customerPath(ref)}/custom_oauth_profiles/${checkId(profileId, 'profile id')}/${action}`;
}

function checkId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id < 1) throw new WorkatoOauthError(`invalid ${what}: ${String(id)}`);
  return id;
}
