/**
 * How Workato's answers are read: the shape of error bodies, refusals hidden in
 * a 2xx, and which error answers mean "already done". The real API's wording is
 * undocumented (workato-api-facts.md), so every such guess lives here, in one
 * place, matched against the local emulator's exact messages in the tests.
 */
import { isRecord } from '../json.js';

/** What an error body says: `{"message": "..."}` and/or `{"errors": {"field": ["msg"]}}`. */
export interface ErrorDetails {
  readonly message?: string;
  readonly errors?: Readonly<Record<string, readonly string[]>>;
}

export type RefusalReason =
  /** Unassign without force refused: connections in the customer use the profile. */
  | 'in-use'
  /** Assign refused: the customer holds another profile for the same provider. */
  | 'holds-other-profile'
  /** Delete refused: the profile is still assigned to customers. */
  | 'still-assigned';

/** Reads an error body leniently; anything unrecognised yields no details. */
export function readErrorDetails(body: unknown): ErrorDetails {
  if (!isRecord(body)) return {};
  const message =
    typeof body['message'] === 'string'
      ? body['message']
      : typeof body['error'] === 'string'
        ? body['error']
        : undefined;
  const errors = readErrorsMap(body['errors']);
  return {
    ...(message !== undefined && message.trim() !== '' ? { message } : {}),
    ...(errors !== undefined ? { errors } : {}),
  };
}

/**
 * A refusal inside a 2xx: `{"success": false, "errors": {...}}` (seen from
 * Workato) or `{"result": {"success": false}}`. Undefined when the body is not one.
 */
export function findRefusalIn2xx(body: unknown): ErrorDetails | undefined {
  if (!isRecord(body)) return undefined;
  if (body['success'] === false) return readErrorDetails(body);
  const result = body['result'];
  if (isRecord(result) && result['success'] === false) {
    const inner = readErrorDetails(result);
    return inner.message !== undefined || inner.errors !== undefined ? inner : readErrorDetails(body);
  }
  return undefined;
}

/**
 * The statuses where a refusal's wording may be trusted: a 2xx refusal
 * (`success: false`), or a 4xx that is not about access or pacing.
 */
function isRefusalStatus(status: number): boolean {
  if (status >= 200 && status < 300) return true;
  return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429;
}

/**
 * A repeated assign answered as an error saying it is already assigned. Not the
 * refusal "already holds ... another profile of the same provider", and not a
 * message that names a different profile.
 */
export function isAlreadyAssigned(status: number, details: ErrorDetails, profileId: number): boolean {
  const text = allText(details);
  return (
    isRefusalStatus(status) &&
    /already assigned/i.test(text) &&
    !/already holds/i.test(text) &&
    !/\b(another|different|other)\b/i.test(text) &&
    namesOnlyProfile(text, profileId)
  );
}

/** An unassign answered as "not assigned": the goal (not assigned) holds already. */
export function isNotAssigned(status: number, details: ErrorDetails, profileId: number): boolean {
  const text = allText(details);
  return isRefusalStatus(status) && /not assigned/i.test(text) && namesOnlyProfile(text, profileId);
}

/** Why a mutation was refused, when the wording says so. */
export function recogniseRefusal(
  call: 'assign' | 'unassign' | 'delete',
  status: number,
  details: ErrorDetails,
): RefusalReason | undefined {
  if (!isRefusalStatus(status)) return undefined;
  const text = allText(details);
  if (call === 'unassign' && /\bin use\b/i.test(text)) return 'in-use';
  if (call === 'assign' && /already holds/i.test(text)) return 'holds-other-profile';
  if (call === 'delete' && /\b(is|are|still) assigned\b|unassign it first/i.test(text))
    return 'still-assigned';
  return undefined;
}

/** `field msg` for every entry of the errors map, `base` errors without the field name. */
export function describeErrors(errors: Readonly<Record<string, readonly string[]>>): string[] {
  const lines: string[] = [];
  for (const [field, messages] of Object.entries(errors)) {
    for (const message of messages) lines.push(field === 'base' ? message : `${field} ${message}`);
  }
  return lines;
}

function allText(details: ErrorDetails): string {
  return [details.message ?? '', ...(details.errors ? describeErrors(details.errors) : [])].join(' ');
}

/** False when the text names a profile id other than ours ("profile 320"). */
function namesOnlyProfile(text: string, profileId: number): boolean {
  for (const match of text.matchAll(/profile\s+#?(\d+)/gi)) {
    if (Number(match[1]) !== profileId) return false;
  }
  return true;
}

function readErrorsMap(
  value: unknown,
  prefix = '',
  out: Record<string, string[]> = {},
): Record<string, string[]> | undefined {
  const add = (message: string): void => {
    const key = prefix || 'base';
    out[key] = [...(out[key] ?? []), message];
  };
  if (typeof value === 'string') add(value);
  else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'string') add(item);
  } else if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value))
      readErrorsMap(inner, prefix ? `${prefix}.${key}` : key, out);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
