/** The emulator's answers as values, and the checks on a request body: the model's small vocabulary. */
import type { ProfileInput } from '../api/types.js';

/** Why a request was refused; the HTTP layer maps `kind` to a status (400, 404, 422). */
export type RuleError =
  | { kind: 'invalid'; errors: Record<string, string[]> }
  | { kind: 'not-found'; message: string }
  | { kind: 'refused'; message: string };

export type RuleResult<T> = { ok: true; value: T } | { ok: false; error: RuleError };

export function ok<T>(value: T): RuleResult<T> {
  return { ok: true, value };
}

export function fail<T>(error: RuleError): RuleResult<T> {
  return { ok: false, error };
}

/** ISO 8601 with milliseconds and an explicit offset, like the seeds (`...T11:50:32.986-07:00`). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '+00:00');
}

/** Page `page` (1-based) of `items`; a page shorter than `perPage` is the last. */
export function paginate<T>(items: readonly T[], page: number, perPage: number): T[] {
  return items.slice((page - 1) * perPage, page * perPage);
}

/**
 * Validates a create or update body. PUT takes the full body too, so both
 * require name, provider, data.client_id and data.client_secret.
 */
export function parseProfileInput(body: unknown): RuleResult<ProfileInput> {
  const errors: Record<string, string[]> = {};
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
  const fields = record as Record<string, unknown>;
  const rawData = fields['data'];
  const data = (typeof rawData === 'object' && rawData !== null ? rawData : {}) as Record<string, unknown>;
  const text = (key: string, value: unknown): string => {
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      errors[key] = ["can't be blank"];
    } else if (typeof value !== 'string') {
      errors[key] = ['must be a string'];
    }
    return typeof value === 'string' ? value : '';
  };
  const name = text('name', fields['name']);
  const provider = text('provider', fields['provider']);
  const clientId = text('data.client_id', data['client_id']);
  const clientSecret = text('data.client_secret', data['client_secret']);
  const token = data['token'];
  if (token !== undefined && token !== null && typeof token !== 'string')
    errors['data.token'] = ['must be a string'];
  if (Object.keys(errors).length > 0) return fail({ kind: 'invalid', errors });
  return ok({
    name,
    provider,
    data: {
      client_id: clientId,
      client_secret: clientSecret,
      ...(typeof token === 'string' && token !== '' ? { token } : {}),
    },
  });
}
