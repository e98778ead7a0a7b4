/**
 * The Workato API client over HTTP: typed calls, pacing per rate-limit bucket,
 * retries, and error answers read as "already done" where that is safe.
 *
 * Every attempt, retries included, waits for the pacer; every failure ends as
 * an ApiError whose message is one line and holds no secret.
 */

import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { CustomerRef } from '../customer-ref.js';
import { UsageError } from '../errors.js';
import { isRecord } from '../json.js';
import {
  type ErrorDetails,
  findRefusalIn2xx,
  isAlreadyAssigned,
  isNotAssigned,
  readErrorDetails,
  recogniseRefusal,
} from './answers.js';
import { checkToken, isLoopbackHost } from './connection.js';
import { ApiError, describeHttpFailure, describeNetworkFailure, statusLine } from './errors.js';
import {
  createDispatcher,
  type Exchange,
  exchange,
  type HttpAnswer,
  type HttpMethod,
  type NetworkFailure,
  type Transport,
} from './http.js';
import { createPacer, type Permit } from './pacing.js';
import { assignmentPath, CUSTOMERS_PATH, customerPath, PROFILES_PATH, profilePath } from './paths.js';
import { cleanServerText, createRedactor, type Redact, sanitizeCause } from './redaction.js';
import {
  backoffDelayMs,
  classifyNetworkFailure,
  classifyStatus,
  parseRetryAfterMs,
  type RetryClass,
  type RetryOptions,
  resolveRetryPolicy,
} from './retry.js';
import type { Bucket, Customer, LiveProfile, ProfileInput, RequestCounts, WorkatoClient } from './types.js';
import { defaultUserAgent } from './version.js';

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
  readonly retry?: RetryOptions;
  /** One line per request: method, path, status, time, bucket, retry number. Never secrets. */
  readonly debugLog?: (line: string) => void;
  /** Default `workato-oauth/<version>`. */
  readonly userAgent?: string;
  /** Default an EnvHttpProxyAgent (honours HTTPS_PROXY/NO_PROXY). The client closes only one it made. */
  readonly dispatcher?: Dispatcher;
  /**
   * Stops sending (Ctrl-C): calls still waiting for a rate-limit slot or a retry
   * fail at once with network 'stopped'; requests already sent finish normally.
   */
  readonly stopSignal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 40_000;
/** Workato's maximum page size; a shorter page is the last. */
export const PER_PAGE = 100;

interface Call {
  /** Human name for messages, e.g. `list customers`. */
  readonly endpoint: string;
  readonly bucket: Bucket;
  readonly method: HttpMethod;
  /** Path only; the query goes in `query` so errors can show the path alone. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Values to keep out of everything stored or logged, besides the token. */
  readonly secrets?: readonly (string | undefined)[];
  /** Sending it twice does no harm: ambiguous failures may be retried as is. */
  readonly idempotent: boolean;
  /** Which "already done" answers and refusal wordings apply (answers.ts). */
  readonly answers?: { readonly kind: 'assign' | 'unassign' | 'delete'; readonly profileId: number };
}

type Attempt =
  | { readonly ok: true; readonly answer: HttpAnswer; readonly label: string; readonly note?: string }
  | {
      readonly ok: false;
      readonly retry: RetryClass;
      readonly label: string;
      /** The HTTP answer; undefined when none came. */
      readonly answer: HttpAnswer | undefined;
      readonly status: number | undefined;
      /** From Retry-After, or a backoff, when the answer was a 429. */
      readonly rateLimited: boolean;
      readonly retryAfterMs: number | undefined;
      readonly fail: (attempts: number, note?: string) => ApiError;
    };

type Failed = Extract<Attempt, { ok: false }>;

export function createClient(options: ClientOptions): WorkatoClient {
  const baseUrl = checkBaseUrl(options.baseUrl);
  const token = options.token.trim();
  checkToken(token);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('timeoutMs must be > 0');
  const policy = resolveRetryPolicy(options.retry);
  const controller = new AbortController();
  const closed = controller.signal;
  // Every request in flight and every paced wait listens on this one signal; with
  // --concurrency above 10 Node would warn of a leak that is not one.
  setMaxListeners(0, closed);
  const stop = options.stopSignal;
  /** Ends every wait that comes before sending: closing the client, or the caller's stop. */
  const waits = stop ? AbortSignal.any([closed, stop]) : closed;
  setMaxListeners(0, waits);
  const pacer = createPacer({
    ...(options.ratePerMinute !== undefined ? { ratePerMinute: options.ratePerMinute } : {}),
    ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
    signal: waits,
    sleep: policy.sleep,
  });
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? createDispatcher();
  const transport: Transport = {
    baseUrl,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'user-agent': options.userAgent ?? defaultUserAgent(),
    },
    timeoutMs,
    dispatcher,
    closed,
  };
  const requests: Record<Bucket, number> = { profiles: 0, embedded: 0 };
  const retries: Record<Bucket, number> = { profiles: 0, embedded: 0 };
  const tokenRedactor = createRedactor([token]);

  /** Lines are built from our own values; the only server-supplied parts are cleaned where they are read. */
  const debug = (line: string): void => {
    if (options.debugLog === undefined) return;
    try {
      options.debugLog(line);
    } catch {
      // A failing logger must not fail the request it reports on.
    }
  };

  const redactorFor = (call: Call): Redact =>
    call.secrets === undefined ? tokenRedactor : createRedactor([token, ...call.secrets]);

  const targetOf = (call: Call): string =>
    call.query === undefined ? call.path : `${call.path}?${new URLSearchParams(call.query).toString()}`;

  const closedError = (call: Call, attempts: number): ApiError => {
    const kind = !closed.aborted && stop?.aborted ? 'stopped' : 'closed';
    return new ApiError(
      describeNetworkFailure({ method: call.method, path: call.path, kind, baseUrl, timeoutMs }),
      {
        method: call.method,
        path: call.path,
        endpoint: call.endpoint,
        network: kind,
        attempts,
      },
    );
  };

  /** Pacing, then one exchange, read into success or a classified failure. */
  async function attemptOnce(call: Call, attempt: number, redact: Redact): Promise<Attempt> {
    let permit: Permit;
    try {
      permit = await pacer.acquire(call.bucket);
    } catch (error) {
      if (waits.aborted) throw closedError(call, attempt - 1);
      throw error;
    }
    if (stop?.aborted) {
      permit.release();
      throw closedError(call, attempt - 1);
    }
    requests[call.bucket] += 1;
    if (attempt > 1) retries[call.bucket] += 1;
    let result: Exchange;
    try {
      result = await exchange(transport, call.method, targetOf(call), call.body);
    } finally {
      // After the answer is in: the slot's window starts when the server has surely seen the request.
      permit.release();
    }
    if (!result.ok) return networkFailure(call, result.failure, redact);
    const { answer } = result;
    const { status } = answer;
    const success = status >= 200 && status < 300;
    if (status >= 300 && status < 400) return redirectFailure(call, answer, redact);
    const refusal = success ? findRefusalIn2xx(answer.body) : readErrorDetails(answer.body);
    if (refusal === undefined) return { ok: true, answer, label: String(status) };
    const details = cleanDetails(refusal, redact, success ? undefined : answer.text);
    const done = alreadyDone(call, status, details);
    if (done !== undefined) return { ok: true, answer, label: String(status), note: done };
    return httpFailure(call, answer, details, success ? 'never' : classifyStatus(status), redact, {
      refusedIn2xx: success,
    });
  }

  /** An error answer that means the goal holds already (answers.ts), as a note for the debug line. */
  function alreadyDone(call: Call, status: number, details: ErrorDetails): string | undefined {
    if (call.answers === undefined) return undefined;
    const { kind, profileId } = call.answers;
    if (kind === 'assign' && isAlreadyAssigned(status, details, profileId)) return 'already assigned: done';
    if (kind === 'unassign' && isNotAssigned(status, details, profileId)) return 'not assigned: done';
    return undefined;
  }

  function httpFailure(
    call: Call,
    answer: HttpAnswer,
    details: ErrorDetails,
    retry: RetryClass,
    redact: Redact,
    extra: { refusedIn2xx?: boolean } = {},
  ): Failed {
    const reason = call.answers ? recogniseRefusal(call.answers.kind, answer.status, details) : undefined;
    const message = describeHttpFailure({
      method: call.method,
      path: call.path,
      endpoint: call.endpoint,
      status: answer.status,
      statusText: cleanServerText(answer.statusText, redact, 100),
      details,
      ...extra,
    });
    return {
      ok: false,
      retry,
      label: String(answer.status),
      answer,
      status: answer.status,
      rateLimited: answer.status === 429,
      retryAfterMs: answer.status === 429 ? parseRetryAfterMs(answer.headers.get('retry-after')) : undefined,
      fail: (attempts, note) =>
        new ApiError(withAttempts(message, attempts, note), {
          method: call.method,
          path: call.path,
          endpoint: call.endpoint,
          status: answer.status,
          details,
          reason,
          attempts,
        }),
    };
  }

  function redirectFailure(call: Call, answer: HttpAnswer, redact: Redact): Failed {
    const location = answer.headers.get('location');
    let where = '';
    if (location !== null) {
      try {
        const url = new URL(location, baseUrl);
        where = `: redirected to ${cleanServerText(`${url.origin}${url.pathname}`, redact, 200)}; if the API lives there, set --api-url or the data center accordingly`;
      } catch {
        // An unreadable Location adds nothing worth showing.
      }
    }
    const message = `${call.method} ${call.path}: ${statusLine(answer.status, cleanServerText(answer.statusText, redact, 100))}${where}`;
    return {
      ok: false,
      retry: 'never',
      label: String(answer.status),
      answer,
      status: answer.status,
      rateLimited: false,
      retryAfterMs: undefined,
      fail: (attempts, note) =>
        new ApiError(withAttempts(message, attempts, note), {
          method: call.method,
          path: call.path,
          endpoint: call.endpoint,
          status: answer.status,
          attempts,
        }),
    };
  }

  function networkFailure(call: Call, failure: NetworkFailure, redact: Redact): Failed {
    const detail = failure.detail === undefined ? undefined : cleanServerText(failure.detail, redact, 200);
    const code = failure.code === undefined ? undefined : cleanServerText(failure.code, redact, 50);
    const message = describeNetworkFailure({
      method: call.method,
      path: call.path,
      kind: failure.kind,
      baseUrl,
      timeoutMs,
      code,
      detail,
    });
    return {
      ok: false,
      retry: classifyNetworkFailure(failure.kind, failure.code),
      label: code ?? failure.kind,
      answer: undefined,
      status: undefined,
      rateLimited: false,
      retryAfterMs: undefined,
      fail: (attempts, note) =>
        new ApiError(withAttempts(message, attempts, note), {
          method: call.method,
          path: call.path,
          endpoint: call.endpoint,
          network: failure.kind,
          attempts,
          cause: sanitizeCause(failure.error, redact),
        }),
    };
  }

  function logAttempt(
    call: Call,
    attempt: number,
    result: Attempt,
    ms: number,
    next: string | undefined,
  ): void {
    const note = result.ok ? result.note : next;
    debug(
      `${call.method} ${targetOf(call)} ${result.label} ${Math.round(ms)}ms bucket=${call.bucket} retry=${attempt - 1}${note ? ` (${note})` : ''}`,
    );
  }

  /** Waits before the next attempt; a 429 holds the whole bucket, not just this call. */
  async function waitBeforeRetry(call: Call, failure: Failed, attempt: number): Promise<void> {
    const ms = delayBeforeRetry(failure, attempt);
    try {
      if (failure.rateLimited) pacer.pause(call.bucket, ms);
      else await policy.sleep(ms, waits);
    } catch (error) {
      if (waits.aborted) throw closedError(call, attempt);
      throw error;
    }
  }

  function delayBeforeRetry(failure: Failed, attempt: number): number {
    if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, policy.maxRetryAfterMs);
    return backoffDelayMs(policy, attempt);
  }

  /** Sends a call until it succeeds, fails for good, or runs out of attempts. */
  async function perform(call: Call): Promise<HttpAnswer> {
    const redact = redactorFor(call);
    let mayHaveActed = false;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const result = await attemptOnce(call, attempt, redact);
      const ms = performance.now() - started;
      if (result.ok) {
        logAttempt(call, attempt, result, ms, undefined);
        return result.answer;
      }
      // A delete retried after an ambiguous failure finds the profile gone: the earlier attempt did it.
      if (mayHaveActed && call.answers?.kind === 'delete' && result.answer?.status === 404) {
        logAttempt(call, attempt, result, ms, 'gone after an earlier attempt: done');
        return result.answer;
      }
      mayHaveActed ||= result.retry === 'ambiguous';
      const retryable = result.retry === 'safe' || (result.retry === 'ambiguous' && call.idempotent);
      if (!retryable || attempt >= policy.maxAttempts) {
        logAttempt(call, attempt, result, ms, retryable ? 'giving up' : undefined);
        throw result.fail(attempt);
      }
      logAttempt(call, attempt, result, ms, `retrying${retryNote(result, attempt)}`);
      await waitBeforeRetry(call, result, attempt);
    }
  }

  function retryNote(failure: Failed, attempt: number): string {
    return failure.retryAfterMs !== undefined
      ? ` after Retry-After ${Math.min(failure.retryAfterMs, policy.maxRetryAfterMs)} ms`
      : ` after backoff (attempt ${attempt + 1} of ${policy.maxAttempts})`;
  }

  async function listPages<T extends { id: number }>(
    endpoint: string,
    bucket: Bucket,
    path: string,
    read: (call: Call, answer: HttpAnswer) => T[],
    onPage?: (page: T[]) => boolean | undefined,
  ): Promise<T[]> {
    const all: T[] = [];
    let previous: T[] | undefined;
    for (let page = 1; ; page++) {
      const call: Call = {
        endpoint,
        bucket,
        method: 'GET',
        path,
        query: { page: String(page), per_page: String(PER_PAGE) },
        idempotent: true,
      };
      const answer = await perform(call);
      const items = read(call, answer);
      // A server that ignores `page` would return page 1 for ever.
      if (previous !== undefined && items.length > 0 && sameIds(items, previous)) {
        throw unexpectedAnswer(
          call,
          answer.status,
          `page ${page} repeats page ${page - 1}; the server seems to ignore "page"`,
        );
      }
      all.push(...items);
      const wantsMore = onPage?.(items) !== false;
      if (items.length < PER_PAGE || !wantsMore) return all;
      previous = items;
    }
  }

  async function listProfiles(): Promise<LiveProfile[]> {
    return listPages('list profiles', 'profiles', PROFILES_PATH, readProfiles);
  }

  /** After an ambiguous create: the profile we may have created, if it exists. */
  async function findCreated(input: ProfileInput): Promise<LiveProfile | undefined> {
    const candidates = (await listProfiles()).filter(
      (p) => p.name === input.name && p.provider === input.provider,
    );
    // Of several, prefer ours by client id, then the newest.
    candidates.sort(
      (a, b) =>
        Number(b.data?.client_id === input.data.client_id) -
          Number(a.data?.client_id === input.data.client_id) || b.id - a.id,
    );
    return candidates[0];
  }

  async function createProfile(input: ProfileInput): Promise<LiveProfile> {
    const call: Call = {
      endpoint: 'create profile',
      bucket: 'profiles',
      method: 'POST',
      path: PROFILES_PATH,
      body: profileBody(input),
      secrets: [input.data.client_secret, input.data.token],
      idempotent: false,
    };
    const redact = redactorFor(call);
    let mayExist = false;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const result = await attemptOnce(call, attempt, redact);
      const ms = performance.now() - started;
      if (result.ok) {
        logAttempt(call, attempt, result, ms, undefined);
        return readProfile(call, result.answer);
      }
      if (result.retry === 'never') {
        logAttempt(call, attempt, result, ms, undefined);
        // A retry refused with a 4xx ("name taken"?) may be refused because an earlier attempt landed.
        const client4xx = result.status !== undefined && result.status >= 400 && result.status < 500;
        if (mayExist && client4xx && result.status !== 401 && result.status !== 403) {
          const adopted = await adoptAfter(call, input, result, attempt);
          if (adopted !== undefined) return adopted;
        }
        throw result.fail(attempt);
      }
      if (result.retry === 'safe') {
        if (attempt >= policy.maxAttempts) {
          logAttempt(call, attempt, result, ms, 'giving up');
          throw result.fail(attempt);
        }
        logAttempt(call, attempt, result, ms, `retrying${retryNote(result, attempt)}`);
        await waitBeforeRetry(call, result, attempt);
        continue;
      }
      // Ambiguous: the server may have created it. Wait first, so a create still
      // in progress on the server has landed before the list looks for it.
      mayExist = true;
      logAttempt(call, attempt, result, ms, 'ambiguous: will look for the profile before any retry');
      await waitBeforeRetry(call, result, attempt);
      const adopted = await adoptAfter(call, input, result, attempt);
      if (adopted !== undefined) return adopted;
      if (attempt >= policy.maxAttempts) {
        throw result.fail(attempt, `; no profile named "${input.name}" was created`);
      }
    }
  }

  async function adoptAfter(
    call: Call,
    input: ProfileInput,
    failure: Failed,
    attempt: number,
  ): Promise<LiveProfile | undefined> {
    let found: LiveProfile | undefined;
    try {
      found = await findCreated(input);
    } catch (error) {
      const first = failure.fail(attempt);
      const listMessage =
        error instanceof ApiError
          ? error.message
          : cleanServerText(error instanceof Error ? error.message : String(error), redactorFor(call));
      throw new ApiError(
        `${first.message}; could not check whether profile "${input.name}" was created anyway (${listMessage}); run plan before retrying, the profile may exist`,
        {
          method: call.method,
          path: call.path,
          endpoint: call.endpoint,
          status: first.status,
          details: {
            ...(first.workatoMessage ? { message: first.workatoMessage } : {}),
            ...(first.errors ? { errors: first.errors } : {}),
          },
          network: first.network,
          attempts: attempt,
          cause: error instanceof ApiError ? error : sanitizeCause(error, redactorFor(call)),
        },
      );
    }
    if (found !== undefined) {
      debug(`POST ${call.path}: adopted existing profile ${found.id} instead of creating a duplicate`);
    }
    return found;
  }

  async function mutate(call: Call): Promise<void> {
    await perform(call);
  }

  return {
    baseUrl,
    ratePerMinute: pacer.ratePerMinute,
    listProfiles,
    async getProfile(id) {
      const call: Call = {
        endpoint: 'get profile',
        bucket: 'profiles',
        method: 'GET',
        path: profilePath(id),
        idempotent: true,
      };
      return readProfile(call, await perform(call));
    },
    createProfile,
    async updateProfile(id, input) {
      const call: Call = {
        endpoint: 'update profile',
        bucket: 'profiles',
        method: 'PUT',
        path: profilePath(id),
        body: profileBody(input),
        secrets: [input.data.client_secret, input.data.token],
        idempotent: true,
      };
      return readProfile(call, await perform(call));
    },
    async deleteProfile(id) {
      await mutate({
        endpoint: 'delete profile',
        bucket: 'profiles',
        method: 'DELETE',
        path: profilePath(id),
        idempotent: true,
        answers: { kind: 'delete', profileId: id },
      });
    },
    async assignProfile(customer, profileId) {
      await mutate({
        endpoint: 'assign profile',
        bucket: 'embedded',
        method: 'POST',
        path: assignmentPath(customer, profileId, 'assign'),
        // Assigning twice is harmless (a repeat is answered as done), so it is retried like a PUT.
        idempotent: true,
        answers: { kind: 'assign', profileId },
      });
    },
    async unassignProfile(customer, profileId, { force }) {
      await mutate({
        endpoint: 'unassign profile',
        bucket: 'embedded',
        method: 'DELETE',
        path: assignmentPath(customer, profileId, 'unassign'),
        query: { force: String(force) },
        idempotent: true,
        answers: { kind: 'unassign', profileId },
      });
    },
    async getCustomer(customer: CustomerRef) {
      const call: Call = {
        endpoint: 'get customer',
        bucket: 'embedded',
        method: 'GET',
        path: customerPath(customer),
        idempotent: true,
      };
      return readCustomer(call, await perform(call));
    },
    async listCustomers(onPage) {
      return listPages('list customers', 'embedded', CUSTOMERS_PATH, readCustomers, onPage);
    },
    counts(): RequestCounts {
      return { requests: { ...requests }, retries: { ...retries } };
    },
    async close() {
      if (closed.aborted) return;
      controller.abort();
      if (ownsDispatcher) await dispatcher.close();
    },
  };
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

function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('the API base URL is not a URL');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(`plain http:// is refused for ${url.host}: the API token would travel unencrypted`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`unsupported scheme ${url.protocol}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** `note` is appended as is, e.g. `; no profile named "x" was created`. */
function withAttempts(message: string, attempts: number, note = ''): string {
  return `${message}${attempts > 1 ? ` (gave up after ${attempts} attempts)` : ''}${note}`;
}

function cleanDetails(details: ErrorDetails, redact: Redact, text?: string): ErrorDetails {
  const message =
    details.message !== undefined
      ? cleanServerText(details.message, redact)
      : // A plain-text body (not an HTML error page) is the best description there is.
        text !== undefined && !/^\s*</.test(text) && text.trim() !== ''
        ? cleanServerText(text, redact, 200)
        : undefined;
  const errors =
    details.errors === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(details.errors).map(([field, messages]) => [
            cleanServerText(field, redact, 100),
            messages.map((m) => cleanServerText(m, redact)),
          ]),
        );
  return { ...(message !== undefined ? { message } : {}), ...(errors !== undefined ? { errors } : {}) };
}

function unexpectedAnswer(call: Call, status: number, what: string): ApiError {
  return new ApiError(
    `${call.method} ${call.path}: ${statusLine(status)}, but the answer is unexpected: ${what}`,
    {
      method: call.method,
      path: call.path,
      endpoint: call.endpoint,
      status,
    },
  );
}

function resultOf(answer: HttpAnswer): unknown {
  return isRecord(answer.body) ? answer.body['result'] : undefined;
}

/** The answer's `result`, checked to be what the call expects; anything else is an unexpected answer. */
function readResult<T>(call: Call, answer: HttpAnswer, is: (value: unknown) => value is T, what: string): T {
  const result = resultOf(answer);
  if (!is(result)) throw unexpectedAnswer(call, answer.status, `"result" is not ${what}`);
  return result;
}

function listOf<T>(is: (value: unknown) => value is T): (value: unknown) => value is T[] {
  return (value): value is T[] => Array.isArray(value) && value.every(is);
}

const isProfileList = listOf(isProfile);
const isCustomerList = listOf(isCustomer);

const readProfile = (call: Call, answer: HttpAnswer) =>
  readResult(call, answer, isProfile, 'a custom OAuth profile');
const readProfiles = (call: Call, answer: HttpAnswer) =>
  readResult(call, answer, isProfileList, 'a list of custom OAuth profiles');
const readCustomer = (call: Call, answer: HttpAnswer) => readResult(call, answer, isCustomer, 'a customer');
const readCustomers = (call: Call, answer: HttpAnswer) =>
  readResult(call, answer, isCustomerList, 'a list of customers');

function isProfile(value: unknown): value is LiveProfile {
  return (
    isRecord(value) &&
    typeof value['id'] === 'number' &&
    typeof value['name'] === 'string' &&
    typeof value['provider'] === 'string'
  );
}

function isCustomer(value: unknown): value is Customer {
  return isRecord(value) && typeof value['id'] === 'number';
}

function sameIds(a: readonly { id: number }[], b: readonly { id: number }[]): boolean {
  return a.length === b.length && a.every((item, i) => item.id === b[i]?.id);
}
