/**
 * API paths. Ids are checked before they go into a path, so a bad value can
 * never address a different resource than the one named.
 */
import { type CustomerRef, checkId, customerPathSegment } from '../customer-ref.js';

export const PROFILES_PATH = '/api/custom_oauth_profiles';
export const CUSTOMERS_PATH = '/api/managed_users';

export function profilePath(id: number): string {
  return `${PROFILES_PATH}/${checkId(id, 'profile id')}`;
}

export function customerPath(ref: CustomerRef): string {
  return `${CUSTOMERS_PATH}/${customerPathSegment(ref)}`;
}

export function assignmentPath(ref: CustomerRef, profileId: number, action: 'assign' | 'unassign'): string {
  return `${customerPath(ref)}/custom_oauth_profiles/${checkId(profileId, 'profile id')}/${action}`;
}
