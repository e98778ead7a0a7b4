/**
 * How a customer (an Embedded "managed user") is named: by Workato's numeric id or
 * by the partner's external id. The config, the API client, the state and the
 * emulator all address customers through these.
 */
import { WorkatoOauthError } from './errors.js';

/** Numeric Workato customer id, or the partner's external id. */
export type CustomerRef = { readonly id: number } | { readonly externalId: string };

/** Stable string key for a customer: `E:<external id>` or the numeric id as a string. */
export function customerKey(ref: CustomerRef): string {
  return 'id' in ref ? String(ref.id) : `E:${ref.externalId}`;
}

/** Inverse of customerKey. */
export function parseCustomerKey(key: string): CustomerRef {
  return key.startsWith('E:') ? { externalId: key.slice(2) } : { id: Number(key) };
}

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

/** A positive safe integer, or an error naming `what`: a bad id never reaches a path. */
export function checkId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id < 1) throw new WorkatoOauthError(`invalid ${what}: ${String(id)}`);
  return id;
}
