/**
 * The emulator's world as plain JSON: the format of `--data FILE` and of the
 * `world` option. Parsing is pure (no I/O) and collects every problem before
 * failing once, so a hand-edited file is fixed in one go.
 *
 * Secrets are stored here by necessity: this is the emulator's own database.
 */

import { WorkatoOauthError } from '../errors.js';
import { isRecord } from '../json.js';

export interface WorldCustomer {
  id: number;
  /** The partner's id for the customer; null or absent when it has none. */
  external_id?: string | null;
  name: string;
  /** Ids of the profiles the customer holds (at most one per provider). */
  profiles?: number[];
  /** Connections in this customer's workspace per held profile id (JSON keys are strings). */
  connections?: Record<string, number>;
}

export interface WorldProfile {
  id: number;
  name: string;
  provider: string;
  client_id: string;
  client_secret: string;
  token?: string;
  /** ISO 8601; defaults to DEFAULT_TIMESTAMP so that an unchanged world answers the same every run. */
  created_at?: string;
  updated_at?: string;
}

export interface WorldData {
  /** Id of the next profile created; defaults to max(1000, highest id + 1). Ids are never reused. */
  next_profile_id?: number;
  customers?: WorldCustomer[];
  profiles?: WorldProfile[];
}

/** WorldData with every default filled in, as parseWorldData returns it and the data file stores it. */
export interface NormalizedWorldData {
  next_profile_id: number;
  customers: Array<Required<WorldCustomer> & { external_id: string | null }>;
  profiles: Array<WorldProfile & { created_at: string; updated_at: string }>;
}

export const DEFAULT_TIMESTAMP = '2024-01-01T00:00:00.000+00:00';
export const FIRST_PROFILE_ID = 1000;

/** The world (from a file or the `world` option) is unusable; `problems` says every reason. */
export class WorldDataError extends WorkatoOauthError {
  readonly problems: string[];
  constructor(source: string, problems: string[], options?: { cause?: unknown }) {
    super(`${source} is not a valid emulator world:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.problems = problems;
  }
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Unknown fields are errors: a typo (`externalId`) would otherwise be silently ignored. */
function checkFields(
  value: Record<string, unknown>,
  allowed: readonly string[],
  at: string,
  problems: string[],
) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${at}${at ? '.' : ''}${key}: unknown field`);
  }
}

/**
 * Validates a world and fills in its defaults. Throws WorldDataError listing
 * every problem; `source` names the file (or the option) in the message.
 */
export function parseWorldData(value: unknown, source = 'the `world` option'): NormalizedWorldData {
  const problems: string[] = [];
  if (!isRecord(value)) throw new WorldDataError(source, ['expected a JSON object at the top level']);
  checkFields(value, ['next_profile_id', 'customers', 'profiles'], '', problems);

  const profiles = parseProfiles(value['profiles'], problems);
  const providerOf = new Map(profiles.map((p) => [p.id, p.provider]));
  const customers = parseCustomers(value['customers'], providerOf, problems);

  const highest = profiles.reduce((max, p) => Math.max(max, p.id), 0);
  let nextProfileId = Math.max(FIRST_PROFILE_ID, highest + 1);
  const given = value['next_profile_id'];
  if (given !== undefined) {
    if (!isId(given)) problems.push('next_profile_id: must be a positive integer');
    else if (given <= highest)
      problems.push(`next_profile_id: must be greater than every profile id (${highest})`);
    else nextProfileId = given;
  }

  if (problems.length > 0) throw new WorldDataError(source, problems);
  return { next_profile_id: nextProfileId, customers, profiles };
}

function parseProfiles(value: unknown, problems: string[]): NormalizedWorldData['profiles'] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push('profiles: must be an array');
    return [];
  }
  const result: NormalizedWorldData['profiles'] = [];
  const seen = new Set<number>();
  value.forEach((raw: unknown, index) => {
    const at = `profiles[${index}]`;
    if (!isRecord(raw)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    checkFields(
      raw,
      ['id', 'name', 'provider', 'client_id', 'client_secret', 'token', 'created_at', 'updated_at'],
      at,
      problems,
    );
    const { id, name, provider, client_id, client_secret, token, created_at, updated_at } = raw;
    if (!isId(id)) problems.push(`${at}.id: must be a positive integer`);
    else if (seen.has(id)) problems.push(`${at}.id: duplicate profile id ${id}`);
    for (const [field, text] of [
      ['name', name],
      ['provider', provider],
      ['client_id', client_id],
      ['client_secret', client_secret],
    ] as const) {
      if (!isText(text)) problems.push(`${at}.${field}: must be a non-empty string`);
    }
    if (token !== undefined && typeof token !== 'string') problems.push(`${at}.token: must be a string`);
    for (const [field, stamp] of [
      ['created_at', created_at],
      ['updated_at', updated_at],
    ] as const) {
      if (stamp === undefined) continue;
      if (typeof stamp !== 'string' || !TIMESTAMP.test(stamp) || !Number.isFinite(Date.parse(stamp))) {
        problems.push(`${at}.${field}: must be an ISO 8601 timestamp like ${DEFAULT_TIMESTAMP}`);
      }
    }
    // Kept even with problems (the result is then discarded), so that customers
    // referring to it are not also told it does not exist.
    if (!isId(id) || seen.has(id)) return;
    seen.add(id);
    result.push({
      id,
      name: name as string,
      provider: provider as string,
      client_id: client_id as string,
      client_secret: client_secret as string,
      ...(typeof token === 'string' ? { token } : {}),
      created_at: (created_at as string | undefined) ?? DEFAULT_TIMESTAMP,
      updated_at:
        (updated_at as string | undefined) ?? (created_at as string | undefined) ?? DEFAULT_TIMESTAMP,
    });
  });
  return result;
}

function parseCustomers(
  value: unknown,
  providerOf: ReadonlyMap<number, string>,
  problems: string[],
): NormalizedWorldData['customers'] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push('customers: must be an array');
    return [];
  }
  const result: NormalizedWorldData['customers'] = [];
  const seenIds = new Set<number>();
  const seenExternal = new Set<string>();
  value.forEach((raw: unknown, index) => {
    const at = `customers[${index}]`;
    if (!isRecord(raw)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    checkFields(raw, ['id', 'external_id', 'name', 'profiles', 'connections'], at, problems);
    const { id, external_id, name } = raw;
    if (!isId(id)) problems.push(`${at}.id: must be a positive integer`);
    else if (seenIds.has(id)) problems.push(`${at}.id: duplicate customer id ${id}`);
    if (external_id !== undefined && external_id !== null) {
      if (!isText(external_id)) problems.push(`${at}.external_id: must be a non-empty string or null`);
      else if (seenExternal.has(external_id)) {
        problems.push(`${at}.external_id: duplicate external id ${JSON.stringify(external_id)}`);
      }
    }
    if (!isText(name)) problems.push(`${at}.name: must be a non-empty string`);
    const profiles = parseHeldProfiles(raw['profiles'], providerOf, `${at}.profiles`, problems);
    const connections = parseConnections(raw['connections'], profiles, `${at}.connections`, problems);
    if (typeof external_id === 'string') seenExternal.add(external_id);
    if (!isId(id) || seenIds.has(id)) return;
    seenIds.add(id);
    result.push({
      id,
      external_id: typeof external_id === 'string' ? external_id : null,
      name: name as string,
      profiles,
      connections,
    });
  });
  return result;
}

function parseHeldProfiles(
  value: unknown,
  providerOf: ReadonlyMap<number, string>,
  at: string,
  problems: string[],
): number[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${at}: must be an array of profile ids`);
    return [];
  }
  const held: number[] = [];
  const byProvider = new Map<string, number>();
  for (const id of value as unknown[]) {
    if (!isId(id)) {
      problems.push(`${at}: ${JSON.stringify(id)} is not a profile id`);
      continue;
    }
    const provider = providerOf.get(id);
    if (provider === undefined) {
      problems.push(`${at}: profile ${id} does not exist`);
      continue;
    }
    if (held.includes(id)) {
      problems.push(`${at}: profile ${id} is listed twice`);
      continue;
    }
    // A profile with a bad provider is reported on its own; no second message here.
    const other = isText(provider) ? byProvider.get(provider) : undefined;
    if (other !== undefined) {
      problems.push(
        `${at}: profiles ${other} and ${id} are both for provider ${provider} (at most one per provider)`,
      );
      continue;
    }
    byProvider.set(provider, id);
    held.push(id);
  }
  return held.sort((a, b) => a - b);
}

function parseConnections(
  value: unknown,
  held: readonly number[],
  at: string,
  problems: string[],
): Record<string, number> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.push(`${at}: must be an object mapping profile ids to connection counts`);
    return {};
  }
  const result: Record<string, number> = {};
  for (const [key, count] of Object.entries(value)) {
    const id = Number(key);
    if (!/^\d+$/.test(key) || !held.includes(id)) {
      problems.push(`${at}["${key}"]: the customer does not hold profile ${key}`);
    } else if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      problems.push(`${at}["${key}"]: must be a non-negative integer`);
    } else if (count > 0) {
      result[String(id)] = count;
    }
  }
  return result;
}
