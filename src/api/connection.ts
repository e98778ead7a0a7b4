/**
 * Where to send requests and with which token, from flags, environment and the
 * config file. Everything is checked here, before any request is made, so a
 * mistake ends with a clear line instead of a failed request.
 */
import { isLoopbackHost, judgeApiUrl } from '../api-url.js';
import { UsageError } from '../errors.js';
import { DATA_CENTERS, DEFAULT_DATA_CENTER, isDataCenter } from './data-centers.js';

export interface ConnectionInput {
  /** The `--api-url` flag. */
  readonly apiUrl?: string | undefined;
  /** The `--data-center` flag. */
  readonly dataCenter?: string | undefined;
  /** The config's `workspace:` block. */
  readonly workspace?: { readonly dataCenter?: string; readonly apiUrl?: string } | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Connection {
  /** No trailing slash. */
  readonly baseUrl: string;
  readonly token: string;
}

export const TOKEN_ENV = 'WORKATO_API_TOKEN';
export const API_URL_ENV = 'WORKATO_API_URL';
export const DATA_CENTER_ENV = 'WORKATO_DATA_CENTER';

interface Candidate {
  readonly source: string;
  readonly kind: 'url' | 'data-center';
  readonly value: string | undefined;
}

/**
 * The API base URL. Precedence: `--api-url`, WORKATO_API_URL, `--data-center`,
 * WORKATO_DATA_CENTER, the config's `workspace.api_url`, then its
 * `workspace.data_center`, then `us`: flags and environment override the file,
 * and within each level an explicit URL beats a data center.
 */
export function resolveBaseUrl(input: ConnectionInput): string {
  const env = input.env;
  const candidates: Candidate[] = [
    { source: '--api-url', kind: 'url', value: input.apiUrl },
    { source: API_URL_ENV, kind: 'url', value: env[API_URL_ENV] },
    { source: '--data-center', kind: 'data-center', value: input.dataCenter },
    { source: DATA_CENTER_ENV, kind: 'data-center', value: env[DATA_CENTER_ENV] },
    { source: 'workspace.api_url in the config', kind: 'url', value: input.workspace?.apiUrl },
    {
      source: 'workspace.data_center in the config',
      kind: 'data-center',
      value: input.workspace?.dataCenter,
    },
  ];
  // An empty value counts as unset: CI systems often export `VAR=` for optional settings.
  const chosen = candidates.find((c) => c.value !== undefined && c.value.trim() !== '');
  if (chosen === undefined) return DATA_CENTERS[DEFAULT_DATA_CENTER];
  const value = (chosen.value ?? '').trim();
  return chosen.kind === 'url' ? checkApiUrl(value, chosen.source) : dataCenterUrl(value, chosen.source);
}

/** Base URL and token; throws UsageError before any request when either is unusable. */
export function resolveConnection(input: ConnectionInput): Connection {
  const token = readToken(input.env);
  return { baseUrl: resolveBaseUrl(input), token };
}

function readToken(env: Readonly<Record<string, string | undefined>>): string {
  const token = env[TOKEN_ENV]?.trim() ?? '';
  if (token === '') {
    throw new UsageError(
      `${TOKEN_ENV} is not set: export the token of a Workato API client (the token is read from the environment only, never from flags or the config file)`,
    );
  }
  checkToken(token);
  return token;
}

/**
 * A token that cannot be an HTTP header value would make fetch throw an error
 * that quotes the header, token included; refuse it here without echoing it.
 */
export function checkToken(token: string): void {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(
      `${TOKEN_ENV} holds characters that cannot be sent in an HTTP header (a space, line break or non-ASCII character); check how it was set`,
    );
  }
}

function dataCenterUrl(value: string, source: string): string {
  const key = value.toLowerCase();
  if (!isDataCenter(key)) {
    throw new UsageError(
      `${source}: unknown data center "${value}"; valid ones: ${Object.keys(DATA_CENTERS).join(', ')}`,
    );
  }
  return DATA_CENTERS[key];
}

/**
 * An API URL fit to receive the token (src/api-url.ts says which), returned
 * without trailing slashes. `source` names where it came from, for the message.
 */
export function checkApiUrl(raw: string, source: string): string {
  const judged = judgeApiUrl(raw);
  if (!judged.ok) throw new UsageError(`${source}: ${judged.problem}`);
  return judged.url;
}

export { isLoopbackHost };
