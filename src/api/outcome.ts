/**
 * One exchange read into an outcome: a success (an error answer that means
 * "already done" included), or a failure classified for retrying, holding the
 * message and fields its ApiError will carry. Server text is cleaned and
 * redacted here, where it is read, so nothing later can show it raw.
 */
import {
  type ErrorDetails,
  findRefusalIn2xx,
  isAlreadyAssigned,
  isNotAssigned,
  readErrorDetails,
  recogniseRefusal,
} from './answers.js';
import { type Call, callError } from './call.js';
import {
  type ApiError,
  type ApiErrorInit,
  describeHttpFailure,
  describeNetworkFailure,
  statusLine,
} from './errors.js';
import type { Exchange, HttpAnswer, NetworkFailure } from './http.js';
import { cleanServerText, type Redact, sanitizeCause } from './redaction.js';
import { classifyNetworkFailure, classifyStatus, parseRetryAfterMs, type RetryClass } from './retry.js';

export type Outcome =
  | { readonly ok: true; readonly answer: HttpAnswer; readonly label: string; readonly note?: string }
  | Failure;

export interface Failure {
  readonly ok: false;
  readonly retry: RetryClass;
  /** The status or network failure, for the debug line. */
  readonly label: string;
  /** The HTTP answer; undefined when none came. */
  readonly answer: HttpAnswer | undefined;
  /** From Retry-After, when the answer was a 429 that had one. */
  readonly retryAfterMs: number | undefined;
  /** One line, before the attempt count is added. */
  readonly message: string;
  readonly fields: Omit<ApiErrorInit, 'method' | 'path' | 'endpoint' | 'attempts'>;
}

/** What messages need besides the call: where requests go, and how long they may take. */
export interface OutcomeContext {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly redact: Redact;
}

export function readOutcome(call: Call<unknown>, result: Exchange, context: OutcomeContext): Outcome {
  if (!result.ok) return networkFailure(call, result.failure, context);
  const { answer } = result;
  const { status } = answer;
  const success = status >= 200 && status < 300;
  if (status >= 300 && status < 400) return redirectFailure(call, answer, context);
  const refusal = success ? findRefusalIn2xx(answer.body) : readErrorDetails(answer.body);
  if (refusal === undefined) return { ok: true, answer, label: String(status) };
  const details = cleanDetails(refusal, context.redact, success ? undefined : answer.text);
  const done = alreadyDone(call, status, details);
  if (done !== undefined) return { ok: true, answer, label: String(status), note: done };
  return httpFailure(call, answer, details, success, context.redact);
}

/** `note` is appended as is, e.g. `; no profile named "x" was created`. */
export function failureError(call: Call<unknown>, failure: Failure, attempts: number, note = ''): ApiError {
  return callError(call, failureMessage(failure, attempts, note), { ...failure.fields, attempts });
}

export function failureMessage(failure: Failure, attempts: number, note = ''): string {
  return `${failure.message}${attempts > 1 ? ` (gave up after ${attempts} attempts)` : ''}${note}`;
}

/** An error answer that means the goal holds already (answers.ts), as a note for the debug line. */
function alreadyDone(call: Call<unknown>, status: number, details: ErrorDetails): string | undefined {
  if (call.answers === undefined) return undefined;
  const { kind, profileId } = call.answers;
  if (kind === 'assign' && isAlreadyAssigned(status, details, profileId)) return 'already assigned: done';
  if (kind === 'unassign' && isNotAssigned(status, details, profileId)) return 'not assigned: done';
  return undefined;
}

function httpFailure(
  call: Call<unknown>,
  answer: HttpAnswer,
  details: ErrorDetails,
  refusedIn2xx: boolean,
  redact: Redact,
): Failure {
  const { status } = answer;
  const message = describeHttpFailure({
    method: call.method,
    path: call.path,
    endpoint: call.endpoint,
    status,
    statusText: cleanServerText(answer.statusText, redact, 100),
    details,
    refusedIn2xx,
  });
  const reason = call.answers ? recogniseRefusal(call.answers.kind, status, details) : undefined;
  return {
    ok: false,
    // A 2xx refusal is the server's final word.
    retry: refusedIn2xx ? 'never' : classifyStatus(status),
    label: String(status),
    answer,
    retryAfterMs: status === 429 ? parseRetryAfterMs(answer.headers.get('retry-after')) : undefined,
    message,
    fields: { status, details, reason },
  };
}

function redirectFailure(call: Call<unknown>, answer: HttpAnswer, context: OutcomeContext): Failure {
  const { redact } = context;
  const location = answer.headers.get('location');
  let where = '';
  if (location !== null) {
    try {
      const url = new URL(location, context.baseUrl);
      where = `: redirected to ${cleanServerText(`${url.origin}${url.pathname}`, redact, 200)}; if the API lives there, set --api-url or the data center accordingly`;
    } catch {
      // An unreadable Location adds nothing worth showing.
    }
  }
  const line = statusLine(answer.status, cleanServerText(answer.statusText, redact, 100));
  return {
    ok: false,
    retry: 'never',
    label: String(answer.status),
    answer,
    retryAfterMs: undefined,
    message: `${call.method} ${call.path}: ${line}${where}`,
    fields: { status: answer.status },
  };
}

function networkFailure(call: Call<unknown>, failure: NetworkFailure, context: OutcomeContext): Failure {
  const { redact, baseUrl, timeoutMs } = context;
  const detail = failure.detail === undefined ? undefined : cleanServerText(failure.detail, redact, 200);
  const code = failure.code === undefined ? undefined : cleanServerText(failure.code, redact, 50);
  return {
    ok: false,
    retry: classifyNetworkFailure(failure.kind, failure.code),
    label: code ?? failure.kind,
    answer: undefined,
    retryAfterMs: undefined,
    message: describeNetworkFailure({
      method: call.method,
      path: call.path,
      kind: failure.kind,
      baseUrl,
      timeoutMs,
      code,
      detail,
    }),
    fields: { network: failure.kind, cause: sanitizeCause(failure.error, redact) },
  };
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
