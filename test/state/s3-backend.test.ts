/**
 * The s3 state backend against a real S3-protocol server: s3rver on a free local
 * port, and for the conditional paths (If-Match / If-None-Match) the test-only
 * proxy of ./s3-server.ts in front of it, since s3rver ignores those headers.
 * Every test works on its own key, so they share one server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedError, StateConflictError, StateError } from '../../src/errors.js';
import type { BackendLockOptions, StateBackend } from '../../src/state/backend.js';
import type { StateLock } from '../../src/state/lock.js';
import { createS3Backend, type S3LockTuning } from '../../src/state/s3-backend.js';
import { resolveS3Endpoint } from '../../src/state/s3-store.js';
import { emptyState } from '../../src/state/store.js';
import type { State } from '../../src/state/types.js';
import { type ConditionalProxy, type S3TestServer, startConditionalProxy, startS3rver } from './s3-server.js';

const ACCESS_KEY_ID = `AKIATEST${randomBytes(6).toString('hex').toUpperCase()}`;
const SECRET = `s3-test-secret-${randomBytes(16).toString('hex')}`;
const WRONG_SECRET = `s3-wrong-secret-${randomBytes(16).toString('hex')}`;
const STALE_MS = 500;
/** Long enough for a lock last written now to be judged stale (Last-Modified and Date have whole seconds). */
const UNTIL_STALE_MS = STALE_MS + 2_600;

let server: S3TestServer;
let proxy: ConditionalProxy;
let skewedProxy: ConditionalProxy;
const savedEnv: Record<string, string | undefined> = {};
/** Everything the code under test said: progress lines, errors, abort reasons, and stdout/stderr. */
const printed: string[] = [];
const restoreWrites: Array<() => void> = [];

function record(error: unknown): unknown {
  if (error instanceof Error) {
    printed.push(String(error), error.stack ?? '');
    if (error.cause instanceof Error) printed.push(String(error.cause), error.cause.stack ?? '');
  }
  return error;
}

beforeAll(async () => {
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_S3',
    'AWS_CONFIG_FILE',
    'AWS_SHARED_CREDENTIALS_FILE',
  ]) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
  process.env['AWS_ACCESS_KEY_ID'] = ACCESS_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] = SECRET;
  // Nothing from this machine's ~/.aws: the environment is the whole chain here.
  process.env['AWS_CONFIG_FILE'] = '/nonexistent/workato-oauth-test/config';
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/workato-oauth-test/credentials';
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restoreWrites.push(() => {
      stream.write = write as typeof stream.write;
    });
  }
  server = await startS3rver({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET });
  proxy = await startConditionalProxy(server.endpoint);
  skewedProxy = await startConditionalProxy(server.endpoint, { clockShiftMs: -3_600_000 });
});

afterAll(async () => {
  for (const restore of restoreWrites) restore();
  await skewedProxy?.stop();
  await proxy?.stop();
  await server?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** A backend on a fresh key; `via` picks the proxy (enforces conditions) or s3rver alone. */
async function backend(
  options: { via?: 'proxy' | 's3rver' | 'skewed'; key?: string; tuning?: S3LockTuning } = {},
): Promise<StateBackend> {
  const endpoint =
    options.via === 's3rver'
      ? server.endpoint
      : options.via === 'skewed'
        ? skewedProxy.endpoint
        : proxy.endpoint;
  return createS3Backend(
    {
      bucket: server.bucket,
      key: options.key ?? `envs/${randomUUID()}/state.json`,
      region: 'eu-west-1',
      endpoint,
    },
    { pollMs: 100, refreshMs: 60_000, ...options.tuning },
  );
}

function lockOptions(operation: string, overrides: Partial<BackendLockOptions> = {}): BackendLockOptions {
  return {
    timeoutSeconds: 0,
    staleMs: STALE_MS,
    operation,
    onMessage: (line) => printed.push(line),
    ...overrides,
  };
}

const LINEAGE = randomUUID();

function sampleState(serial: number, profile = 'github'): State {
  const state = { ...emptyState('https://www.workato.com'), lineage: LINEAGE };
  state.serial = serial;
  state.profiles[profile] = {
    id: 100 + serial,
    provider: 'github',
    client_id: `client-${serial}`,
    updated_at: '2026-12-02T10:00:00Z',
    prevent_destroy: false,
  };
  return state;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return record(error) as Error;
  }
  throw new Error('expected a rejection');
}

/** The operation named in the lock object of `key`, read from s3rver directly; undefined when there is none. */
async function lockOperation(key: string): Promise<string | undefined> {
  const client = new S3Client({ region: 'eu-west-1', endpoint: server.endpoint, forcePathStyle: true });
  try {
    const output = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: `${key}.lock` }));
    return (JSON.parse(await output.Body!.transformToString()) as { operation: string }).operation;
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  } finally {
    client.destroy();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('s3 state: read and compare-and-swap write', () => {
  it('reads a state that was never written as undefined', async () => {
    const store = await backend({ via: 's3rver' });
    expect(store.kind).toBe('s3');
    expect(store.location).toMatch(/^s3:\/\/state-bucket\/envs\/.+\/state\.json$/);
    expect(await store.read()).toBeUndefined();
  });

  it('s3rver alone ignores If-None-Match on PUT, which is why the conditional paths go through the proxy', async () => {
    const store = await backend({ via: 's3rver' });
    await store.write(sampleState(1), null, 'first');
    await expect(store.write(sampleState(2), null, 'second')).resolves.toBeTypeOf('string');
    expect((await store.read())?.state.serial).toBe(2);
  });

  it('creates with null, then refuses a second create and keeps the first state', async () => {
    const store = await backend();
    const version = await store.write(sampleState(1), null, 'first apply');
    const read = await store.read();
    expect(read).toEqual({ state: sampleState(1), version, replayed: 0 });

    const error = await rejection(store.write(sampleState(7, 'other'), null, 'a second first apply'));
    expect(error).toBeInstanceOf(StateConflictError);
    expect((error as StateConflictError).exitCode).toBe(1);
    expect(error.message).toBe(
      `state ${store.location} was not created: a state already exists there (another process wrote it first) and nothing was overwritten; run plan again to work from it`,
    );
    expect(await store.read()).toEqual(read);
  });

  it('refuses a write naming a version that is no longer current, and leaves the newer state as it was', async () => {
    const store = await backend();
    const first = await store.write(sampleState(1), null, 'one');
    const second = await store.write(sampleState(2), first, 'two');
    expect(second).not.toBe(first);
    const current = await store.read();
    expect(current?.state.serial).toBe(2);

    const error = await rejection(store.write(sampleState(3, 'stale'), first, 'from an old read'));
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toContain(
      `state ${store.location} was not written: it changed since this process read it`,
    );
    expect(error.message).toContain('run plan again');
    expect(await store.read()).toEqual(current);
    // The current version still writes.
    await store.write(sampleState(3), second, 'three');
    expect((await store.read())?.state.serial).toBe(3);
  });

  it('treats 409 ConditionalRequestConflict (another conditional write in flight) as a lost race', async () => {
    const store = await backend();
    const version = await store.write(sampleState(1), null, 'one');
    proxy.conflictNext = true;
    const error = await rejection(store.write(sampleState(2), version, 'two'));
    expect(error).toBeInstanceOf(StateConflictError);
    expect((await store.read())?.state).toEqual(sampleState(1));
  });

  it('takes its endpoint from AWS_ENDPOINT_URL_S3 with path-style requests, and a default region for it', async () => {
    expect(resolveS3Endpoint({}, { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://b' })).toBe(
      'http://b',
    );
    expect(resolveS3Endpoint({ endpoint: 'http://c' }, { AWS_ENDPOINT_URL_S3: 'http://b' })).toBe('http://c');
    process.env['AWS_ENDPOINT_URL_S3'] = proxy.endpoint;
    try {
      const key = `envs/${randomUUID()}/state.json`;
      const store = await createS3Backend({ bucket: server.bucket, key });
      const version = await store.write(sampleState(1), null, 'one');
      expect(await store.read()).toEqual({ state: sampleState(1), version, replayed: 0 });
    } finally {
      delete process.env['AWS_ENDPOINT_URL_S3'];
    }
  });

  it('says in one line what is wrong with a missing bucket or refused credentials, never the secret', async () => {
    const missing = await createS3Backend({
      bucket: 'no-such-bucket',
      key: 'state.json',
      region: 'eu-west-1',
      endpoint: server.endpoint,
    });
    const noBucket = await rejection(missing.read());
    expect(noBucket).toBeInstanceOf(StateError);
    expect(noBucket.message).toBe(
      'cannot read state s3://no-such-bucket/state.json: bucket no-such-bucket does not exist (check the bucket name, region and endpoint)',
    );

    // s3rver checks the key id but not SigV4 signatures: an unknown key pair is what it refuses.
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAUNKNOWNTOS3RVER';
    process.env['AWS_SECRET_ACCESS_KEY'] = WRONG_SECRET;
    try {
      const store = await backend({ via: 's3rver' });
      const refused = await rejection(store.write(sampleState(1), null, 'one'));
      expect(refused).toBeInstanceOf(StateError);
      expect(refused.message).toMatch(
        /^state s3:\/\/state-bucket\/\S+ was not written: the store refused the AWS credentials \(InvalidAccessKeyId\); check AWS_ACCESS_KEY_ID/,
      );
      expect(refused.message).not.toContain('\n');
    } finally {
      process.env['AWS_ACCESS_KEY_ID'] = ACCESS_KEY_ID;
      process.env['AWS_SECRET_ACCESS_KEY'] = SECRET;
    }
  });
  it('refuses, in one line, a store it cannot reach and an AWS bucket with no region', async () => {
    const closed = await createS3Backend({
      bucket: 'b',
      key: 'state.json',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
    });
    const unreachable = await rejection(closed.read());
    expect(unreachable).toBeInstanceOf(StateError);
    expect(unreachable.message).toMatch(
      /^cannot read state s3:\/\/b\/state\.json: cannot reach the store \(ECONNREFUSED\)/,
    );
    expect(unreachable.message).not.toContain('\n');

    const noRegion = await rejection(createS3Backend({ bucket: 'b', key: 'state.json' }));
    expect(noRegion).toBeInstanceOf(StateError);
    expect(noRegion.message).toBe(
      'state s3://b/state.json: no AWS region is set; set region in the state settings, or AWS_REGION',
    );
  });
});

describe.concurrent('s3 state: the lock', () => {
  it('lets one of two concurrent lockers in and refuses the other (exit 3), naming the holder', async () => {
    const key = `envs/${randomUUID()}/state.json`;
    const [a, b] = await Promise.all([backend({ key }), backend({ key })]);
    const outcomes = await Promise.allSettled([
      a!.lock(lockOptions('apply A')),
      b!.lock(lockOptions('apply B')),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = outcomes[0]!.status === 'fulfilled' ? 'apply A' : 'apply B';
    const error = record(lost[0]!.reason) as RefusedError;
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(
      new RegExp(
        `^state s3://state-bucket/${key} is locked by ${hostname()} pid ${process.pid} \\(${winner}\\) since \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    const lock = (won[0] as PromiseFulfilledResult<StateLock>).value;
    await lock.release();
    // Released: the next one gets it at once.
    const next = await b!.lock(lockOptions('apply C'));
    await next.release();
  });

  it('waits for a held lock up to the timeout, telling the user whom it waits for', async () => {
    const key = `envs/${randomUUID()}/state.json`;
    const [a, b] = await Promise.all([backend({ key }), backend({ key })]);
    const held = await a!.lock(lockOptions('apply A', { staleMs: 60_000 }));
    const lines: string[] = [];
    setTimeout(() => void held.release(), 600);
    const started = Date.now();
    const lock = await b!.lock(
      lockOptions('apply B', { timeoutSeconds: 10, staleMs: 60_000, onMessage: (l) => lines.push(l) }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^Waiting for the state lock of s3://state-bucket/${key}, held by .+ \\(apply A\\)`),
      ),
    ]);
    printed.push(...lines);
    await lock.release();
  });

  it('lets exactly one of several takers take over a stale lock', async () => {
    const key = `envs/${randomUUID()}/state.json`;
    const holder = await backend({ key });
    await holder.lock(lockOptions('apply that died'));
    await sleep(UNTIL_STALE_MS);
    const takers = await Promise.all([1, 2, 3, 4].map(() => backend({ key })));
    const outcomes = await Promise.allSettled(takers.map((t, i) => t.lock(lockOptions(`taker ${i}`))));
    const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(record(outcome.reason)).toBeInstanceOf(RefusedError);
        expect((outcome.reason as Error).message).toContain(`(taker ${won[0]})`);
      }
    }
  });

  it("aborts the old holder's signal at its next refresh once its lock was taken over", async () => {
    const key = `envs/${randomUUID()}/state.json`;
    const old = await backend({ key, tuning: { refreshMs: 4_000 } });
    const lock = await old.lock(lockOptions('apply A'));
    const aborted = new Promise<string>((resolve) =>
      lock.signal.addEventListener('abort', () => resolve((lock.signal.reason as Error).message)),
    );
    const lines: string[] = [];
    const taker = await backend({ key });
    const taken = await taker.lock(
      lockOptions('apply B', { timeoutSeconds: 10, onMessage: (l) => lines.push(l) }),
    );
    expect(lines.at(-1)).toMatch(
      /^Taking over the state lock of s3:\/\/.+, not refreshed for 0.5 s: it was held by .+ \(apply A\)/,
    );
    expect(lock.signal.aborted).toBe(false);
    const reason = await Promise.race([aborted, sleep(10_000).then(() => 'not aborted within 10 s')]);
    printed.push(...lines, reason);
    expect(reason).toMatch(
      /^the state lock of s3:\/\/.+ was taken over by .+ \(apply B\) since \S+ while this process held it/,
    );
    // The new holder keeps it: its own check passes.
    await taken.verify();
    expect(taken.signal.aborted).toBe(false);
    await taken.release();
  });

  it('a holder whose lock was taken over cannot overwrite the state the new holder wrote', async () => {
    const key = `envs/${randomUUID()}/state.json`;
    const [old, next] = await Promise.all([backend({ key }), backend({ key })]);
    await old.write(sampleState(1), null, 'one');
    const lock = await old.lock(lockOptions('apply A'));
    const read = await old.read();
    await sleep(UNTIL_STALE_MS);
    const taken = await next.lock(lockOptions('apply B'));
    const current = await next.read();
    await next.write(sampleState(2), current!.version, 'two');
    // The old holder has not refreshed, so it does not know yet; its write is refused all the same.
    expect(lock.signal.aborted).toBe(false);
    const error = await rejection(old.write(sampleState(2, 'stale'), read!.version, 'from the old holder'));
    expect(error).toBeInstanceOf(StateConflictError);
    expect((await next.read())?.state).toEqual(sampleState(2));
    await lock.release();
    await taken.release();
  });

  it('a holder that checks with verify() finds at once that its lock was taken over', async () => {
    const key = `envs/${randomUUID()}/state.json`;
    const old = await backend({ key });
    const lock = await old.lock(lockOptions('apply A'));
    await lock.verify();
    expect(lock.signal.aborted).toBe(false);
    await sleep(UNTIL_STALE_MS);
    const taken = await (await backend({ key })).lock(lockOptions('apply B'));
    await lock.verify();
    expect(lock.signal.aborted).toBe(true);
    await taken.release();
  });

  for (const via of ['proxy', 's3rver'] as const) {
    it(`release leaves alone a lock that is no longer its own (${via === 'proxy' ? 'store enforces If-Match on DELETE' : 's3rver, which ignores it'})`, async () => {
      const key = `envs/${randomUUID()}/state.json`;
      const old = await backend({ key, via });
      const lock = await old.lock(lockOptions('apply A'));
      await sleep(UNTIL_STALE_MS);
      const taken = await (await backend({ key, via })).lock(lockOptions('apply B'));
      // The old holder has not refreshed since: it does not know, and releases.
      expect(lock.signal.aborted).toBe(false);
      await lock.release();
      expect(await lockOperation(key)).toBe('apply B');
      await taken.verify();
      expect(taken.signal.aborted).toBe(false);
      await taken.release();
      // Its own release does remove it.
      expect(await lockOperation(key)).toBeUndefined();
    });
  }

  it("judges staleness on the store's clock: a store an hour behind this machine does not make a live lock stale", async () => {
    const key = `envs/${randomUUID()}/state.json`;
    const holder = await backend({ key, via: 'skewed' });
    const lock = await holder.lock(lockOptions('apply A', { staleMs: 60_000 }));
    const error = await rejection(
      (await backend({ key, via: 'skewed' })).lock(lockOptions('apply B', { staleMs: 60_000 })),
    );
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toContain('(apply A)');
    await lock.release();
  });
});

describe('s3 state: credentials', () => {
  it('prints no AWS secret (nor the SDK Node 20 warning) anywhere: messages, errors, abort reasons, stdout and stderr', () => {
    const all = printed.join('\n');
    expect(all).toContain('is locked by');
    expect(all).toContain('InvalidAccessKeyId');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(WRONG_SECRET);
    expect(all).not.toMatch(/\b[0-9a-f]{64}\b/);
    // Nor the SDK's seven-line warning about Node 20, which this tool supports.
    expect(all).not.toContain('NodeVersionSupportWarning');
  });
});
