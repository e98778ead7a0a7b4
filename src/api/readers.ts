/**
 * Successful answers read into typed values: `result` is checked to be what
 * the call expects, and lists are read page by page. Anything else is an
 * unexpected answer, reported rather than guessed at.
 */
import { isRecord } from '../json.js';
import { type Call, type CallName, callError, type Read, type Send } from './call.js';
import { type ApiError, statusLine } from './errors.js';
import type { HttpAnswer } from './http.js';
import type { Bucket, Customer, LiveProfile } from './types.js';

/** Workato's maximum page size; a shorter page is the last. */
export const PER_PAGE = 100;

export const readProfile: Read<LiveProfile> = (call, answer) =>
  readResult(call, answer, isProfile, 'a custom OAuth profile');
export const readProfiles: Read<LiveProfile[]> = (call, answer) =>
  readResult(call, answer, listOf(isProfile), 'a list of custom OAuth profiles');
export const readCustomer: Read<Customer> = (call, answer) =>
  readResult(call, answer, isCustomer, 'a customer');
export const readCustomers: Read<Customer[]> = (call, answer) =>
  readResult(call, answer, listOf(isCustomer), 'a list of customers');
/** For writes whose answer holds nothing the caller uses. */
export const ignoreAnswer: Read<void> = () => undefined;

export interface Listing<T> {
  readonly endpoint: string;
  readonly bucket: Bucket;
  readonly path: string;
  readonly read: Read<T[]>;
  /** Called with each page; returning false stops after it. */
  readonly onPage?: ((page: T[]) => boolean | undefined) | undefined;
  /** The page to start from (1-based), 1 when absent. */
  readonly fromPage?: number | undefined;
}

/** Every page, until one is shorter than PER_PAGE or `onPage` says stop. */
export async function listPages<T extends { id: number }>(send: Send, listing: Listing<T>): Promise<T[]> {
  const all: T[] = [];
  let previous: T[] | undefined;
  for (let page = listing.fromPage ?? 1; ; page++) {
    const call: Call<T[]> = {
      endpoint: listing.endpoint,
      bucket: listing.bucket,
      method: 'GET',
      path: listing.path,
      query: { page: String(page), per_page: String(PER_PAGE) },
      ambiguous: 'retry',
    };
    const items = await send(call, (named, answer) => {
      const items = listing.read(named, answer);
      // A server that ignores `page` would return page 1 for ever.
      if (previous !== undefined && items.length > 0 && sameIds(items, previous)) {
        const repeat = `page ${page} repeats page ${page - 1}; the server seems to ignore "page"`;
        throw unexpectedAnswer(named, answer.status, repeat);
      }
      return items;
    });
    for (const item of items) all.push(item);
    const wantsMore = listing.onPage?.(items) !== false;
    if (items.length < PER_PAGE || !wantsMore) return all;
    previous = items;
  }
}

function unexpectedAnswer(call: CallName, status: number, what: string): ApiError {
  const message = `${call.method} ${call.path}: ${statusLine(status)}, but the answer is unexpected: ${what}`;
  return callError(call, message, { status });
}

/** The answer's `result`, checked to be what the call expects. */
function readResult<T>(
  call: CallName,
  answer: HttpAnswer,
  is: (value: unknown) => value is T,
  what: string,
): T {
  const result = isRecord(answer.body) ? answer.body['result'] : undefined;
  if (!is(result)) throw unexpectedAnswer(call, answer.status, `"result" is not ${what}`);
  return result;
}

function listOf<T>(is: (value: unknown) => value is T): (value: unknown) => value is T[] {
  return (value): value is T[] => Array.isArray(value) && value.every(is);
}

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
