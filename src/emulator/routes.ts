/**
 * The API surface: which paths exist, which rate-limit bucket each is in, and
 * how a request maps onto the model. Pure (no sockets): the server does auth,
 * rate limits, faults and persistence around it.
 */
import type { Bucket } from '../api/types.js';
import type { CustomerRef } from '../customer-ref.js';
import type { EmulatorWorld, RuleError, RuleResult } from './world.js';

export type RouteName =
  | 'list-profiles'
  | 'get-profile'
  | 'create-profile'
  | 'update-profile'
  | 'delete-profile'
  | 'assign'
  | 'unassign'
  | 'list-customers'
  | 'get-customer';

export interface RouteMatch {
  name: RouteName;
  bucket: Bucket;
  /** Raw (still percent-encoded) path segments. */
  profileSegment?: string;
  customerSegment?: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  /** The world changed: the server saves it before answering. */
  changed: boolean;
}

export const NOT_FOUND_BODY = { message: 'Not found' };
export const DEFAULT_PER_PAGE = 100;
export const MAX_PER_PAGE = 100;

const SUCCESS = { result: { success: true } };

/**
 * Matches a raw path (no query). Splitting the RAW path on `/` is what keeps an
 * external id with an encoded slash (`EA%2023%2F00`) in one segment; segments
 * are decoded only after the route is known.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch | undefined {
  const s = rawPath.split('/');
  if (s[0] !== '' || s[1] !== 'api') return undefined;
  const [, , resource, first, second, third, fourth, ...rest] = s;
  if (rest.length > 0) return undefined;
  if (resource === 'custom_oauth_profiles' && second === undefined) {
    if (first === undefined) {
      if (method === 'GET') return { name: 'list-profiles', bucket: 'profiles' };
      if (method === 'POST') return { name: 'create-profile', bucket: 'profiles' };
      return undefined;
    }
    const byMethod: Record<string, RouteName> = {
      GET: 'get-profile',
      PUT: 'update-profile',
      DELETE: 'delete-profile',
    };
    const name = byMethod[method];
    return name && first !== '' ? { name, bucket: 'profiles', profileSegment: first } : undefined;
  }
  if (resource === 'managed_users') {
    if (first === undefined)
      return method === 'GET' ? { name: 'list-customers', bucket: 'embedded' } : undefined;
    if (first === '') return undefined;
    if (second === undefined) {
      return method === 'GET'
        ? { name: 'get-customer', bucket: 'embedded', customerSegment: first }
        : undefined;
    }
    if (second !== 'custom_oauth_profiles' || third === undefined || third === '') return undefined;
    if (fourth === 'assign' && method === 'POST') {
      return { name: 'assign', bucket: 'embedded', customerSegment: first, profileSegment: third };
    }
    if (fourth === 'unassign' && method === 'DELETE') {
      return { name: 'unassign', bucket: 'embedded', customerSegment: first, profileSegment: third };
    }
  }
  return undefined;
}

/**
 * `managed_user_id`: the numeric customer id, or `E` + the external id, the
 * whole segment URL-encoded (`A 23/00` arrives as `EA%2023%2F00`).
 * Returns 'malformed' for broken percent-encoding, undefined when it names no customer.
 */
export function parseManagedUserId(segment: string): CustomerRef | 'malformed' | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return 'malformed';
  }
  if (/^\d+$/.test(decoded)) {
    const id = Number(decoded);
    return Number.isSafeInteger(id) ? { id } : undefined;
  }
  if (decoded.length > 1 && decoded.startsWith('E')) return { externalId: decoded.slice(1) };
  return undefined;
}

/**
 * A segment that is not an id maps to 0, which names no profile (ids are
 * positive), so the model answers "not found" in its usual order of checks.
 */
function parseProfileId(segment: string | undefined): number {
  if (segment === undefined || !/^\d+$/.test(segment)) return 0;
  const id = Number(segment);
  return Number.isSafeInteger(id) ? id : 0;
}

function message(status: number, text: string): ApiResponse {
  return { status, body: { message: text }, changed: false };
}

/** The HTTP answer to a rule's refusal: 400, 404 or 422. */
export function answerRuleError(error: RuleError): ApiResponse {
  switch (error.kind) {
    case 'invalid':
      return { status: 400, body: { errors: error.errors }, changed: false };
    case 'not-found':
      return message(404, error.message);
    case 'refused':
      return message(422, error.message);
  }
}

function answer<T>(result: RuleResult<T>, body: (value: T) => unknown, changed: boolean): ApiResponse {
  return result.ok ? { status: 200, body: body(result.value), changed } : answerRuleError(result.error);
}

/**
 * `page` (default 1) and `per_page` (default 100, capped at 100, as Workato
 * documents). STRICT: anything but a positive integer is a 400, not a silent default.
 */
function parsePaging(query: URLSearchParams): { page: number; perPage: number } | ApiResponse {
  const read = (name: string, fallback: number): number | ApiResponse => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    return /^\d+$/.test(raw) && Number.isSafeInteger(n) && n >= 1
      ? n
      : message(400, `${name} must be a positive integer`);
  };
  const page = read('page', 1);
  if (typeof page !== 'number') return page;
  const perPage = read('per_page', DEFAULT_PER_PAGE);
  if (typeof perPage !== 'number') return perPage;
  return { page, perPage: Math.min(perPage, MAX_PER_PAGE) };
}

/** STRICT: `force` is `true` or `false` (default false); anything else is a 400. */
function parseForce(query: URLSearchParams): boolean | ApiResponse {
  const raw = query.get('force');
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  return message(400, 'force must be true or false');
}

export function parseJsonBody(text: string): { value: unknown } | ApiResponse {
  if (text.trim() === '') return { value: {} };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return message(400, `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function isApiResponse(value: unknown): value is ApiResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'changed' in value;
}

/** Runs one matched request against the world. */
export function handleRoute(
  world: EmulatorWorld,
  route: RouteMatch,
  query: URLSearchParams,
  bodyText: string,
): ApiResponse {
  const profileId = parseProfileId(route.profileSegment);
  let customer: CustomerRef | undefined;
  if (route.customerSegment !== undefined) {
    const parsed = parseManagedUserId(route.customerSegment);
    if (parsed === 'malformed') return message(400, 'Malformed percent-encoding in managed_user_id');
    if (parsed === undefined) return message(404, 'Customer not found');
    customer = parsed;
  }
  switch (route.name) {
    case 'list-profiles': {
      const paging = parsePaging(query);
      if (isApiResponse(paging)) return paging;
      return {
        status: 200,
        body: { result: world.listProfiles(paging.page, paging.perPage) },
        changed: false,
      };
    }
    case 'list-customers': {
      const paging = parsePaging(query);
      if (isApiResponse(paging)) return paging;
      return {
        status: 200,
        body: { result: world.listCustomers(paging.page, paging.perPage) },
        changed: false,
      };
    }
    case 'get-profile':
      return answer(world.getProfile(profileId), (p) => ({ result: p }), false);
    case 'create-profile': {
      const body = parseJsonBody(bodyText);
      if (isApiResponse(body)) return body;
      return answer(world.createProfile(body.value), (p) => ({ result: p }), true);
    }
    case 'update-profile': {
      const body = parseJsonBody(bodyText);
      if (isApiResponse(body)) return body;
      return answer(world.updateProfile(profileId, body.value), (p) => ({ result: p }), true);
    }
    case 'delete-profile':
      return answer(world.deleteProfile(profileId), () => SUCCESS, true);
    case 'get-customer':
      return answer(world.getCustomer(customer!), (c) => ({ result: c }), false);
    case 'assign':
      return answer(world.assignProfile(customer!, profileId), () => SUCCESS, true);
    case 'unassign': {
      const force = parseForce(query);
      if (isApiResponse(force)) return force;
      return answer(world.unassignProfile(customer!, profileId, { force }), () => SUCCESS, true);
    }
  }
}
