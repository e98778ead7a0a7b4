/**
 * A call: one endpoint's request as the request loop sends it, and the one
 * place an ApiError is made, so every error names its call the same way.
 */
import { ApiError, type ApiErrorInit } from './errors.js';
import type { HttpAnswer, HttpMethod } from './http.js';
import type { Bucket } from './types.js';

/** What an error needs to say which call failed. */
export interface CallName {
  /** Human name for messages, e.g. `list customers`. */
  readonly endpoint: string;
  readonly method: HttpMethod;
  /** Path only; the query goes in `query` so errors can show the path alone. */
  readonly path: string;
}

export interface Call<T> extends CallName {
  readonly bucket: Bucket;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Values to keep out of everything stored or logged, besides the token. */
  readonly secrets?: readonly (string | undefined)[];
  /** Which "already done" answers and refusal wordings apply (answers.ts). */
  readonly answers?: { readonly kind: 'assign' | 'unassign' | 'delete'; readonly profileId: number };
  /**
   * After a failure the server may have acted on (5xx, timeout, reset): `retry`
   * sends it again as is, for calls that do no harm twice; `adopt` is for a
   * create, which looks for what it may have made before any retry. Failures
   * where the request surely never reached the server are retried either way.
   */
  readonly ambiguous: 'retry' | Adopt<T>;
}

export interface Adopt<T> {
  /** What the call makes, for messages, e.g. `profile`. */
  readonly noun: string;
  readonly name: string;
  /** What an earlier attempt may have made; undefined when there is none. */
  find(): Promise<(T & { readonly id: number }) | undefined>;
}

/** Reads a successful answer; throws unexpectedAnswer when it is not what the call expects. */
export type Read<T> = (call: CallName, answer: HttpAnswer) => T;

/** The request loop (request.ts): sends until success, a final failure, or the retry budget is spent. */
export type Send = <T>(call: Call<T>, read: Read<T>) => Promise<T>;

/** The call's names, then what else the error carries (status, details, attempts, cause...). */
export function callError(
  call: CallName,
  message: string,
  fields: Omit<ApiErrorInit, keyof CallName> = {},
): ApiError {
  return new ApiError(message, { method: call.method, path: call.path, endpoint: call.endpoint, ...fields });
}
