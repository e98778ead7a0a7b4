/**
 * The Workato API client over HTTP: one short method per endpoint. Pacing,
 * retries and errors are the request loop's (request.ts), reading answers is
 * readers.ts's, and which error answers mean "already done" is answers.ts's.
 */

import { setMaxListeners } from 'node:events';
import { type ApiAgent, createAgent } from './agent.js';
import type { Call } from './call.js';
import { checkApiUrl, checkToken } from './connection.js';
import { type Exchange, exchange, type HttpMethod, type Transport } from './http.js';
import { assignmentPath, CUSTOMERS_PATH, customerPath, PROFILES_PATH, profilePath } from './paths.js';
import {
  ignoreAnswer,
  listPages,
  readCustomer,
  readCustomers,
  readProfile,
  readProfiles,
} from './readers.js';
import { createRequester, type RequestRetryOptions } from './request.js';
import type { LiveProfile, ProfileInput, WorkatoClient } from './types.js';
import { defaultUserAgent } from './version.js';

// Where other modules have always found it.
export { PER_PAGE } from './readers.js';

export interface ClientOptions {
  /** E.g. https://www.workato.com; see resolveConnection. */
  readonly baseUrl: string;
  /** The API client token. Sent in the Authorization header only; never logged. */
  readonly token: string;
  /** Requests per window per rate-limit bucket. Default 60. */
  readonly ratePerMinute?: number;
  /** Length of the pacing window. Default 60 s; tests shorten it. */
  readonly windowMs?: number;
  /** Per request, body included. Default 40 s (Workato's own limit). */
  readonly timeoutMs?: number;
  /** Retries; `createSettleMs` (default 45 s) is how long an ambiguous create is looked for before it is posted again. */
  readonly retry?: RequestRetryOptions;
  /** One line per request: method, path, status, time, bucket, retry number. Never secrets. */
  readonly debugLog?: (line: string) => void;
  /** Default `workato-oauth/<version>`. */
  readonly userAgent?: string;
  /**
   * Default: direct for a loopback or http:// API URL, else through HTTPS_PROXY
   * or HTTP_PROXY unless NO_PROXY exempts the host (agent.ts). The client
   * closes only one it made.
   */
  readonly agent?: ApiAgent;
  /**
   * Stops sending (Ctrl-C): calls still waiting for a rate-limit slot or a retry
   * fail at once with network 'stopped'; requests already sent finish normally.
   */
  readonly stopSignal?: AbortSignal;
  /** See RequesterOptions.beforeSend: awaited right before each request is sent. */
  readonly beforeSend?: () => Promise<void>;
  /**
   * Answers each request some other way than HTTP: the emulator in this process
   * (RunningEmulator.answer), for runs too large for loopback HTTP. Pacing,
   * retries and reading answers stay the same. No agent is made then.
   */
  readonly exchange?: (
    method: HttpMethod,
    target: string,
    body: unknown,
    headers: Readonly<Record<string, string>>,
  ) => Promise<Exchange>;
}

export const DEFAULT_TIMEOUT_MS = 40_000;

export function createClient(options: ClientOptions): WorkatoClient {
  const baseUrl = checkApiUrl(options.baseUrl, 'the API base URL');
  const token = options.token.trim();
  checkToken(token);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('timeoutMs must be > 0');
  const controller = new AbortController();
  const closed = controller.signal;
  // Every request in flight listens on this one signal; with --concurrency above
  // 10 Node would warn of a leak that is not one.
  setMaxListeners(0, closed);
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    'user-agent': options.userAgent ?? defaultUserAgent(),
  };
  const answerElsewhere = options.exchange;
  const { send, ratePerMinute, counts } = createRequester({
    ...options,
    baseUrl,
    token,
    timeoutMs,
    closed,
    exchange: (method, target, body) =>
      answerElsewhere
        ? answerElsewhere(method, target, body, headers)
        : exchange(transport as Transport, method, target, body),
  });
  // Made after the requester, which may refuse its options, so a refusal leaves nothing open.
  const ownsAgent = options.agent === undefined && answerElsewhere === undefined;
  const agent = options.agent ?? (ownsAgent ? createAgent(baseUrl) : undefined);
  const transport: Transport | undefined = agent && { baseUrl, headers, timeoutMs, agent, closed };

  const listProfiles = () =>
    listPages(send, {
      endpoint: 'list profiles',
      bucket: 'profiles',
      path: PROFILES_PATH,
      read: readProfiles,
    });

  return {
    baseUrl,
    ratePerMinute,
    listProfiles,
    getProfile: (id) => send(profileCall('get profile', 'GET', id), readProfile),
    createProfile: (input) =>
      send(
        {
          ...writeCall('create profile', 'POST', PROFILES_PATH, input),
          ambiguous: {
            noun: 'profile',
            name: input.name,
            find: async () => pickCreated(await listProfiles(), input),
          },
        },
        readProfile,
      ),
    updateProfile: (id, input) =>
      send(
        { ...writeCall('update profile', 'PUT', profilePath(id), input), ambiguous: 'retry' },
        readProfile,
      ),
    deleteProfile: (id) =>
      send(
        { ...profileCall('delete profile', 'DELETE', id), answers: { kind: 'delete', profileId: id } },
        ignoreAnswer,
      ),
    assignProfile: (customer, profileId) =>
      send(
        {
          endpoint: 'assign profile',
          bucket: 'embedded',
          method: 'POST',
          path: assignmentPath(customer, profileId, 'assign'),
          // Assigning twice is harmless (a repeat is answered as done), so it is retried like a PUT.
          ambiguous: 'retry',
          answers: { kind: 'assign', profileId },
        },
        ignoreAnswer,
      ),
    unassignProfile: (customer, profileId, { force }) =>
      send(
        {
          endpoint: 'unassign profile',
          bucket: 'embedded',
          method: 'DELETE',
          path: assignmentPath(customer, profileId, 'unassign'),
          query: { force: String(force) },
          ambiguous: 'retry',
          answers: { kind: 'unassign', profileId },
        },
        ignoreAnswer,
      ),
    getCustomer: (customer) =>
      send(
        {
          endpoint: 'get customer',
          bucket: 'embedded',
          method: 'GET',
          path: customerPath(customer),
          ambiguous: 'retry',
        },
        readCustomer,
      ),
    listCustomers: (onPage, options) =>
      listPages(send, {
        endpoint: 'list customers',
        bucket: 'embedded',
        path: CUSTOMERS_PATH,
        read: readCustomers,
        onPage,
        fromPage: options?.fromPage,
      }),
    counts,
    async close() {
      if (closed.aborted) return;
      controller.abort();
      // Every request has ended by now (finished, or aborted just above); destroy also ends
      // the idle keep-alive sockets and a CONNECT a proxy never answered, either of which
      // would keep the process alive.
      if (ownsAgent) agent?.destroy();
    },
  };
}

/** A call on one profile that is harmless to send twice. */
function profileCall(endpoint: string, method: 'GET' | 'DELETE', id: number): Call<never> {
  return { endpoint, bucket: 'profiles', method, path: profilePath(id), ambiguous: 'retry' };
}

/** Create and update send the full body, whose secrets must stay out of errors and logs. */
function writeCall(endpoint: string, method: 'POST' | 'PUT', path: string, input: ProfileInput) {
  return {
    endpoint,
    bucket: 'profiles',
    method,
    path,
    body: profileBody(input),
    secrets: [input.data.client_secret, input.data.token],
  } as const;
}

/** Only the documented fields: nothing the caller added travels to the API. */
function profileBody(input: ProfileInput): ProfileInput {
  return {
    name: input.name,
    provider: input.provider,
    data: {
      client_id: input.data.client_id,
      client_secret: input.data.client_secret,
      ...(input.data.token !== undefined ? { token: input.data.token } : {}),
    },
  };
}

/** Of the listed profiles, the one an earlier create attempt may have made: ours by client id, else the newest. */
function pickCreated(profiles: readonly LiveProfile[], input: ProfileInput): LiveProfile | undefined {
  const ours = (p: LiveProfile) => Number(p.data?.client_id === input.data.client_id);
  return profiles
    .filter((p) => p.name === input.name && p.provider === input.provider)
    .sort((a, b) => ours(b) - ours(a) || b.id - a.id)[0];
}
