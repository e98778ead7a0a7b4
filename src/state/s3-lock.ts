/**
 * The lock of a state on S3: an object beside the state, `<key>.lock`, holding
 * `{id, host, pid, since, operation, refreshed}`.
 *
 * - Taking it is `PutObject` with `If-None-Match: *`: of any number of takers the
 *   store lets exactly one create it; the others see it held and wait or refuse.
 * - The holder rewrites it every `refreshMs` with `If-Match` on its own last
 *   ETag, so a refresh can never overwrite someone else's lock.
 * - A lock whose Last-Modified is older than `staleMs` on the store's clock (its
 *   holder died or was cut off) is taken over with `If-Match` on the ETag that was
 *   judged stale: one taker wins, the others find a fresh lock.
 * - A holder whose refresh is refused has lost the lock: its `signal` aborts with
 *   a sentence, and the apply stops sending. The state write is a compare-and-swap
 *   of its own, so even a holder that has not noticed yet cannot overwrite a newer state.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RefusedError, StateError } from '../errors.js';
import type { BackendLockOptions } from './backend.js';
import { keepLock } from './held-lock.js';
import type { StateLock } from './lock.js';
import {
  deleteObject,
  describeS3Error,
  getObject,
  putObject,
  type S3Object,
  type S3Store,
} from './s3-store.js';

export interface S3LockTuning {
  /** How often the holder refreshes its lock; at most a quarter of the stale period. Default 60 s. */
  refreshMs?: number;
  /** How often a waiting taker looks at a held lock. Default 1 s. */
  pollMs?: number;
}

interface LockBody {
  id: string;
  host: string;
  pid: number;
  since: string;
  operation: string;
  refreshed: string;
}

const REFRESH_MS = 60_000;
const POLL_MS = 1_000;
/** Last-Modified has whole seconds: a lock may be up to this much younger than it looks. */
const CLOCK_GRAIN_MS = 1_000;

export async function acquireS3Lock(
  store: S3Store,
  lockKey: string,
  options: BackendLockOptions & { staleMs: number },
  tuning: S3LockTuning,
): Promise<StateLock> {
  const lockLocation = `s3://${store.bucket}/${lockKey}`;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const mine: LockBody = {
    id: randomBytes(12).toString('hex'),
    host: hostname(),
    pid: process.pid,
    since: '',
    operation: options.operation,
    refreshed: '',
  };
  const step = <T>(run: () => Promise<T>) => guard(store, lockLocation, run);
  let waiting = false;
  const announced = new Set<string>();
  for (;;) {
    // "since" is when the lock was taken, not when this run started waiting for it.
    mine.since = mine.refreshed = new Date().toISOString();
    const created = await step(() => putObject(store, lockKey, serialize(mine), { ifNoneMatch: '*' }));
    if (created.ok) return holdLock(store, lockKey, mine, created.etag, options.staleMs, tuning);
    const found = await step(() => getObject(store, lockKey));
    if (found === undefined) continue; // released meanwhile: try again
    const holder = parseBody(found.body);
    // A create whose answer was lost and retried by the SDK: the lock is already ours.
    if (holder?.id === mine.id) return holdLock(store, lockKey, mine, found.etag, options.staleMs, tuning);
    if (isStale(store, found, options.staleMs)) {
      if (!announced.has(found.etag)) {
        announced.add(found.etag);
        options.onMessage(
          `Taking over the state lock of ${store.location}, not refreshed for ${formatMs(options.staleMs)}: it was held by ${describeHolder(holder)}.`,
        );
      }
      const taken = await step(() => putObject(store, lockKey, serialize(mine), { ifMatch: found.etag }));
      if (taken.ok) return holdLock(store, lockKey, mine, taken.etag, options.staleMs, tuning);
      continue; // another taker won, or the holder came back: look again
    }
    if (Date.now() >= deadline) {
      throw new RefusedError(
        `state ${store.location} is locked by ${describeHolder(holder)}; another apply is running (wait, or raise --lock-timeout; a lock not refreshed for ${formatMs(options.staleMs)} is taken over)`,
      );
    }
    if (!waiting) {
      options.onMessage(
        `Waiting for the state lock of ${store.location}, held by ${describeHolder(holder)}...`,
      );
      waiting = true;
    }
    await new Promise((resolve) => setTimeout(resolve, tuning.pollMs ?? POLL_MS));
  }
}

function holdLock(
  store: S3Store,
  lockKey: string,
  mine: LockBody,
  firstEtag: string,
  staleMs: number,
  tuning: S3LockTuning,
): StateLock {
  const refreshMs = tuning.refreshMs ?? Math.min(REFRESH_MS, Math.floor(staleMs / 4));
  let etag = firstEtag;
  let lastRefreshMs = Date.now();
  return keepLock(
    {
      async refresh(lose) {
        try {
          const body = serialize({ ...mine, refreshed: new Date().toISOString() });
          const result = await putObject(store, lockKey, body, { ifMatch: etag });
          if (result.ok) {
            etag = result.etag;
            lastRefreshMs = Date.now();
            return;
          }
          if (result.reason === 'conflict') return; // a taker's write in flight: the next refresh tells
          const taker = parseBody((await getObject(store, lockKey).catch(() => undefined))?.body ?? '');
          lose(
            `the state lock of ${store.location} was taken over${taker ? ` by ${describeHolder(taker)}` : ' or removed'} while this process held it (not refreshed for ${formatMs(staleMs)}: paused or cut off); stop and run plan to see where things stand`,
          );
        } catch (error) {
          // A store out of reach for a moment: try again at the next refresh, but stop
          // once the lock may be judged stale, since someone may then have taken it.
          if (Date.now() - lastRefreshMs >= staleMs) {
            lose(
              `the state lock of ${store.location} could not be refreshed for ${formatMs(staleMs)} (${describeS3Error(error, store)}); another process may have taken it over, so this one stops`,
            );
          }
        }
      },
      async remove(lost) {
        if (lost) return; // taken over: not ours to delete
        try {
          // The delete carries If-Match on our last ETag, which AWS S3 enforces. Some
          // stores ignore If-Match on DELETE (s3rver does), so first check that the
          // lock is still ours: there, a taker slipping in between the check and the
          // delete (a stale period after our last refresh) is the one window left.
          const found = await getObject(store, lockKey);
          if (found === undefined || parseBody(found.body)?.id !== mine.id) return;
          await deleteObject(store, lockKey, etag);
        } catch {
          // Never throws (see StateLock): a lock left behind goes stale and is taken over.
        }
      },
    },
    refreshMs,
  );
}

function isStale(store: S3Store, found: S3Object, staleMs: number): boolean {
  if (found.lastModifiedMs === undefined) return false;
  return store.serverNow() - found.lastModifiedMs > staleMs + CLOCK_GRAIN_MS;
}

function serialize(body: LockBody): string {
  return `${JSON.stringify(body)}\n`;
}

function parseBody(text: string): LockBody | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockBody>;
    if (typeof value.id !== 'string' || typeof value.pid !== 'number') return undefined;
    return {
      id: value.id,
      host: String(value.host),
      pid: value.pid,
      since: String(value.since),
      operation: String(value.operation),
      refreshed: String(value.refreshed),
    };
  } catch {
    return undefined;
  }
}

function describeHolder(holder: LockBody | undefined): string {
  if (holder === undefined) return 'an unknown holder (the lock object is not one this tool wrote)';
  return `${holder.host} pid ${holder.pid} (${holder.operation}) since ${holder.since}`;
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** Runs a step of taking the lock; a store failure becomes one line naming the lock object. */
async function guard<T>(store: S3Store, lockLocation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StateError(
      `cannot lock state ${store.location} (at ${lockLocation}): ${describeS3Error(error, store)}`,
      {
        cause: error,
      },
    );
  }
}
