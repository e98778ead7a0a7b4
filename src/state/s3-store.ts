/**
 * The S3 side of the s3 state backend: one client, and the three object calls the
 * state and its lock need (get, conditional put, conditional delete), each failure
 * turned into one line that names the object and holds no credential or signature.
 *
 * Loaded only through src/state/s3-backend.ts, which the CLI imports with
 * `await import()` when a state is on S3: other commands never pay for the SDK.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { StateError } from '../errors.js';

export interface S3Settings {
  bucket: string;
  key: string;
  region?: string;
  endpoint?: string;
  lockStaleMs?: number;
}

export interface S3Store {
  client: S3Client;
  bucket: string;
  /** `s3://BUCKET/KEY` of the state object. */
  location: string;
  /** The store's clock, as last seen in a response's Date header; this machine's until then. */
  serverNow(): number;
}

export interface S3Object {
  body: string;
  etag: string;
  /** The store's clock at the object's last write (whole seconds). */
  lastModifiedMs: number | undefined;
}

/**
 * The outcome of a conditional put or delete. `precondition`: the condition did
 * not hold (412, or 404 for `If-Match` on a missing object). `conflict`: 409
 * ConditionalRequestConflict, another conditional write to the key was in flight.
 */
export type ConditionalResult =
  | { ok: true; etag: string }
  | { ok: false; reason: 'precondition' | 'conflict' };

export type Condition = { ifMatch: string } | { ifNoneMatch: '*' };

/**
 * The endpoint of a non-AWS store: the state settings' `endpoint`, else the
 * SDK's own environment variables. The SDK reads those too, but only an endpoint
 * known here also turns on path-style addressing, which MinIO, Ceph and s3rver need.
 */
export function resolveS3Endpoint(
  settings: Pick<S3Settings, 'endpoint'>,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return settings.endpoint || env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined;
}

export async function connectS3(settings: S3Settings): Promise<S3Store> {
  const location = `s3://${settings.bucket}/${settings.key}`;
  // The SDK warns on every run under Node 20 about its releases after January 2027;
  // this tool supports Node 20 with the SDK its lock file names, so the warning
  // would only tell users to do something they need not do.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const endpoint = resolveS3Endpoint(settings);
  const config: S3ClientConfig = {
    ...(settings.region ? { region: settings.region } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
  let client = new S3Client(config);
  if (!settings.region && !(await hasRegion(client))) {
    client.destroy();
    // MinIO, Ceph and s3rver accept any region; R2 wants `auto` but takes us-east-1 too.
    if (!endpoint) {
      throw new StateError(
        `state ${location}: no AWS region is set; set region in the state settings, or AWS_REGION`,
      );
    }
    client = new S3Client({ ...config, region: 'us-east-1' });
  }
  let offsetMs = 0;
  // Staleness of a lock is judged on the store's clock (Last-Modified against the
  // Date of a response), so a runner whose clock is off never takes over early.
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const date = (result.response as { headers?: Record<string, string> }).headers?.['date'];
      const serverMs = date === undefined ? Number.NaN : Date.parse(date);
      // A Date header has whole seconds: its server time is up to 1 s later than it says.
      if (!Number.isNaN(serverMs)) offsetMs = serverMs - Date.now();
      return result;
    },
    { step: 'build', name: 'workatoOauthServerClock' },
  );
  return { client, bucket: settings.bucket, location, serverNow: () => Date.now() + offsetMs };
}

async function hasRegion(client: S3Client): Promise<boolean> {
  try {
    return Boolean(await client.config.region());
  } catch {
    return false;
  }
}

export async function getObject(store: S3Store, key: string): Promise<S3Object | undefined> {
  try {
    const output = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    const body = output.Body ? await output.Body.transformToString('utf-8') : '';
    return { body, etag: output.ETag ?? '', lastModifiedMs: output.LastModified?.getTime() };
  } catch (error) {
    if (errorName(error) === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function putObject(
  store: S3Store,
  key: string,
  body: string,
  condition: Condition,
): Promise<ConditionalResult> {
  try {
    const output = await store.client.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ...('ifMatch' in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: condition.ifNoneMatch }),
      }),
    );
    return { ok: true, etag: output.ETag ?? '' };
  } catch (error) {
    return failedCondition(error);
  }
}

/** Deletes `key` only while its ETag is `etag`, where the store honours If-Match on DELETE (AWS S3 does). */
export async function deleteObject(store: S3Store, key: string, etag: string): Promise<ConditionalResult> {
  try {
    await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: key, IfMatch: etag }));
    return { ok: true, etag: '' };
  } catch (error) {
    return failedCondition(error);
  }
}

function failedCondition(error: unknown): ConditionalResult {
  const name = errorName(error);
  const status = statusOf(error);
  if (name === 'PreconditionFailed' || status === 412 || name === 'NoSuchKey') {
    return { ok: false, reason: 'precondition' };
  }
  if (name === 'ConditionalRequestConflict' || status === 409) return { ok: false, reason: 'conflict' };
  throw error;
}

function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/**
 * What went wrong, in words a user can act on, on one line. Built from the error's
 * name, status and first line only: never the request, its headers or signature;
 * and any credential from the environment is blanked out should a message echo it.
 */
export function describeS3Error(error: unknown, store: Pick<S3Store, 'bucket'>): string {
  const name = errorName(error) ?? 'Error';
  const status = statusOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  const firstLine = String((error as Error | null)?.message ?? error).split('\n')[0] ?? '';
  let reason: string;
  if (name === 'NoSuchBucket') {
    reason = `bucket ${store.bucket} does not exist (check the bucket name, region and endpoint)`;
  } else if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'ExpiredToken') {
    reason = `the store refused the AWS credentials (${name}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the profile in use`;
  } else if (name === 'AccessDenied' || status === 403) {
    reason = `access denied (${name}, HTTP 403): the credentials in use may not read, write or delete this object; see docs/state-s3.md for the policy`;
  } else if (name === 'CredentialsProviderError') {
    reason =
      'no AWS credentials found (environment, shared config, web identity); set them, or configure the OIDC role in the pipeline';
  } else if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    reason = `cannot reach the store (${code}): ${firstLine}`;
  } else {
    reason = `${name}${status ? ` (HTTP ${status})` : ''}: ${firstLine}`;
  }
  return redactCredentials(reason);
}

function redactCredentials(text: string): string {
  let out = text;
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const value = process.env[name];
    if (value && value.length >= 8) out = out.split(value).join('[redacted]');
  }
  // A SigV4 signature or a signing key: 64 hex digits.
  return out.replace(/\b[0-9a-f]{64}\b/g, '[redacted]');
}
