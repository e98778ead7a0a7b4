/**
 * The one error the client throws. Its message is a single readable line built
 * from plain fields (method, path, status, Workato's words); it never holds the
 * request, its headers or its body, so it can be printed, logged or serialised.
 */
import { STATUS_CODES } from 'node:http';
import { WorkatoOauthError } from '../errors.js';
import { describeErrors, type ErrorDetails, type RefusalReason } from './answers.js';

/** Why no HTTP answer came. */
export type NetworkFailureKind =
  | 'timeout'
  | 'reset'
  | 'connection-refused'
  | 'dns'
  | 'tls'
  /** The proxy did not open a tunnel to the API: the request never reached it. */
  | 'proxy'
  /** The client was closed while the request was pending. */
  | 'closed'
  /** The caller's stop signal fired before the request was sent (Ctrl-C): it never left. */
  | 'stopped'
  | 'network';

export interface ApiErrorInit {
  readonly method: string;
  /** Path only, no query. */
  readonly path: string;
  /** Human name of the call, e.g. `list customers`. */
  readonly endpoint: string;
  readonly status?: number | undefined;
  readonly details?: ErrorDetails | undefined;
  readonly network?: NetworkFailureKind | undefined;
  readonly reason?: RefusalReason | undefined;
  readonly attempts?: number | undefined;
  /** Pass it through sanitizeCause first. */
  readonly cause?: unknown;
}

export class ApiError extends WorkatoOauthError {
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  /** HTTP status; undefined when no answer came (see `network`). */
  readonly status: number | undefined;
  /** Workato's `message`, cleaned and redacted. */
  readonly workatoMessage: string | undefined;
  /** Workato's `errors` map, cleaned and redacted. */
  readonly errors: Readonly<Record<string, readonly string[]>> | undefined;
  readonly network: NetworkFailureKind | undefined;
  /** Set when the wording says why a mutation was refused (answers.ts). */
  readonly reason: RefusalReason | undefined;
  /** Unassign refused because connections use the profile: retry with force, or leave it. */
  readonly inUse: boolean;
  /** Requests sent for this call, retries included. */
  readonly attempts: number;

  constructor(message: string, init: ApiErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    this.path = init.path;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.workatoMessage = init.details?.message;
    this.errors = init.details?.errors;
    this.network = init.network;
    this.reason = init.reason;
    this.inUse = init.reason === 'in-use';
    this.attempts = init.attempts ?? 1;
  }
}

export function statusLine(status: number, statusText?: string): string {
  const text = statusText !== undefined && statusText !== '' ? statusText : STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}

/** `POST /api/x: 400 Bad Request: name can't be blank; provider is not included in the list`. */
export function describeHttpFailure(input: {
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly status: number;
  readonly statusText?: string;
  readonly details: ErrorDetails;
  /** The answer was a 2xx whose body said `success: false`. */
  readonly refusedIn2xx?: boolean;
}): string {
  const head = `${input.method} ${input.path}: ${statusLine(input.status, input.statusText)}`;
  const said = [input.details.message, ...(input.details.errors ? describeErrors(input.details.errors) : [])]
    .filter((s): s is string => s !== undefined && s !== '')
    .join('; ');
  if (input.refusedIn2xx) return `${head}, but the request was refused: ${said || 'no reason given'}`;
  const echo = said !== '' && said.toLowerCase() !== (STATUS_CODES[input.status] ?? '').toLowerCase();
  if (input.status === 401) {
    return `${head}: the API token (WORKATO_API_TOKEN) is wrong or revoked, or its API client lacks the scope for ${input.endpoint} (${input.method} ${input.path})${echo ? `; Workato said: ${said}` : ''}`;
  }
  if (input.status === 403) {
    return `${head}: the API client's role does not allow ${input.endpoint} (${input.method} ${input.path})${echo ? `; Workato said: ${said}` : ''}`;
  }
  return said === '' ? head : `${head}: ${said}`;
}

/** `GET /api/x: no answer within 40 s from https://www.workato.com`. */
export function describeNetworkFailure(input: {
  readonly method: string;
  readonly path: string;
  readonly kind: NetworkFailureKind;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
}): string {
  const code = input.code !== undefined ? ` (${input.code})` : '';
  const host = hostOf(input.baseUrl);
  const what = ((): string => {
    switch (input.kind) {
      case 'timeout':
        return `no answer within ${formatDuration(input.timeoutMs)} from ${input.baseUrl} (timed out)`;
      case 'reset':
        return `connection to ${input.baseUrl} reset before the answer was complete${code}`;
      case 'connection-refused':
        return `connection refused by ${input.baseUrl}${code}`;
      case 'dns':
        return `cannot resolve host ${host}${code}; check the data center or --api-url`;
      case 'tls':
        return `TLS failure talking to ${input.baseUrl}${code}`;
      case 'proxy':
        return input.detail ?? `the proxy did not open a tunnel to ${input.baseUrl}${code}`;
      case 'closed':
        return 'the client was closed before an answer came';
      case 'stopped':
        return 'not sent: stopped before its turn under the rate limit';
      case 'network':
        return `network failure talking to ${input.baseUrl}${input.detail ? `: ${input.detail}` : code}`;
    }
  })();
  return `${input.method} ${input.path}: ${what}`;
}

/** `250 ms`, `2.5 s`, `9 min 42 s`, `10 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const rest = whole % 60;
  return `${Math.floor(whole / 60)} min${rest === 0 ? '' : ` ${rest} s`}`;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname;
  } catch {
    return baseUrl;
  }
}
