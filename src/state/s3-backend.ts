/**
 * The s3 state backend (issue 14): the state is one object in any S3-compatible
 * store (AWS S3, R2, MinIO, Ceph), its version the object's ETag.
 *
 * - `write` is a compare-and-swap done by the store: `PutObject` with
 *   `If-Match: <ETag read>`, or `If-None-Match: *` to create. The store refuses
 *   (412) when anyone wrote in between, and nothing is overwritten.
 * - The lock is a second object, `<key>.lock` (src/state/s3-lock.ts).
 *
 * Nothing in src/ imports this module statically: the CLI loads it with
 * `await import()` when a state is on S3, so the AWS SDK costs other runs nothing
 * (test/state/s3-lazy-load.test.ts holds that). Credentials come from the SDK's
 * default chain: environment, shared config and SSO, web identity (GitHub OIDC).
 */
import { StateConflictError, StateError } from '../errors.js';
import type { StateBackend, VersionedState } from './backend.js';
import { acquireS3Lock, type S3LockTuning } from './s3-lock.js';
import {
  connectS3,
  describeS3Error,
  getObject,
  putObject,
  type S3Settings,
  type S3Store,
} from './s3-store.js';
import { parseState, serializeState } from './store.js';
import type { State } from './types.js';

export type { S3LockTuning } from './s3-lock.js';
export type { S3Settings } from './s3-store.js';

/** A lock not refreshed for this long may be taken over (settings.lockStaleMs changes it). */
export const S3_LOCK_STALE_MS = 10 * 60_000;

export async function createS3Backend(
  settings: S3Settings,
  tuning: S3LockTuning = {},
): Promise<StateBackend> {
  const store = await connectS3(settings);
  const lockKey = `${settings.key}.lock`;
  return {
    kind: 's3',
    location: store.location,
    read: () => readS3State(store, settings.key),
    write: (state, expect) => writeS3State(store, settings.key, state, expect),
    lock: (options) =>
      acquireS3Lock(
        store,
        lockKey,
        { ...options, staleMs: options.staleMs ?? settings.lockStaleMs ?? S3_LOCK_STALE_MS },
        tuning,
      ),
  };
}

async function readS3State(store: S3Store, key: string): Promise<VersionedState | undefined> {
  let object: Awaited<ReturnType<typeof getObject>>;
  try {
    object = await getObject(store, key);
  } catch (error) {
    throw new StateError(`cannot read state ${store.location}: ${describeS3Error(error, store)}`, {
      cause: error,
    });
  }
  if (object === undefined) return undefined;
  return { state: parseState(object.body, store.location), version: object.etag, replayed: 0 };
}

/**
 * Writes the state as given (the caller sets its serial), only over `expect`.
 * A lost race is a StateConflictError; so is a create over an existing state.
 */
async function writeS3State(
  store: S3Store,
  key: string,
  state: State,
  expect: string | null,
): Promise<string> {
  const body = serializeState(state);
  let result: Awaited<ReturnType<typeof putObject>>;
  try {
    result = await putObject(store, key, body, expect === null ? { ifNoneMatch: '*' } : { ifMatch: expect });
  } catch (error) {
    throw new StateError(`state ${store.location} was not written: ${describeS3Error(error, store)}`, {
      cause: error,
    });
  }
  if (result.ok) return result.etag;
  // The SDK retries a put whose answer was lost; the retry then finds its own
  // write in place and is refused. That write did land: say so, not "conflict".
  const found = await getObject(store, key).catch(() => undefined);
  if (found !== undefined && found.body === body) return found.etag;
  throw new StateConflictError(
    expect === null
      ? `state ${store.location} was not created: a state already exists there (another process wrote it first) and nothing was overwritten; run plan again to work from it`
      : `state ${store.location} was not written: it changed since this process read it (another process wrote it) and nothing was overwritten; run plan again to see where things stand`,
  );
}
