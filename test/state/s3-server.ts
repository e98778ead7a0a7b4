/**
 * A real S3-protocol server for the s3 backend's tests: s3rver (an npm package)
 * on 127.0.0.1 at a free port, its objects in a temp folder removed on stop.
 *
 * s3rver 3.7 ignores `If-None-Match` and `If-Match` on PUT and `If-Match` on
 * DELETE (s3-backend.test.ts shows it), so the conditional paths run through
 * `startConditionalProxy`: a test-only HTTP proxy in front of it that enforces
 * the two headers as the S3 documentation describes (412 PreconditionFailed when
 * the condition fails; 404 NoSuchKey for If-Match on a PUT to a missing key), with
 * the writes to one key serialized so the check and the write are one step.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

export interface S3TestServer {
  /** http://127.0.0.1:PORT of s3rver itself. */
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** Starts s3rver with one bucket; it accepts the given key pair (besides its own S3RVER one). */
export async function startS3rver(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
}): Promise<S3TestServer> {
  const S3rver = require('s3rver') as S3rverClass;
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  const bucket = 'state-bucket';
  const directory = await mkdtemp(join(tmpdir(), 'workato-oauth-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface ConditionalProxy {
  endpoint: string;
  /** Requests the proxy refused because their condition did not hold. */
  refused: number;
  /**
   * Answer the next conditional write with 409 ConditionalRequestConflict, as S3
   * does when another conditional write to the key is in flight.
   */
  conflictNext: boolean;
  stop(): Promise<void>;
}

/**
 * Enforces If-Match / If-None-Match on PUT and DELETE in front of `upstream`.
 * `clockShiftMs` moves the Date and Last-Modified headers of every answer, as a
 * store whose clock is off from this machine's would send them.
 */
export async function startConditionalProxy(
  upstream: string,
  options: { clockShiftMs?: number } = {},
): Promise<ConditionalProxy> {
  const target = new URL(upstream);
  const queues = new Map<string, Promise<void>>();
  const proxy: ConditionalProxy = { endpoint: '', refused: 0, conflictNext: false, stop: async () => {} };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) =>
    new Promise<void>((resolve) => {
      const upstreamRequest = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const headers = { ...answer.headers };
          if (options.clockShiftMs) {
            for (const name of ['date', 'last-modified']) {
              const value = headers[name];
              if (typeof value === 'string') {
                headers[name] = new Date(Date.parse(value) + options.clockShiftMs).toUTCString();
              }
            }
          }
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', resolve);
        },
      );
      upstreamRequest.on('error', () => {
        res.writeHead(502).end();
        resolve();
      });
      upstreamRequest.end(body);
    });

  const currentEtag = (path: string) =>
    new Promise<string | undefined>((resolve, reject) => {
      const head = request({ host: target.hostname, port: target.port, method: 'HEAD', path }, (answer) => {
        answer.resume();
        const etag = answer.headers.etag;
        resolve(answer.statusCode === 200 && typeof etag === 'string' ? etag : undefined);
      });
      head.on('error', reject);
      head.end();
    });

  const refuse = (res: ServerResponse, status: number, code: string, message: string) => {
    proxy.refused++;
    res.writeHead(status, { 'content-type': 'application/xml', date: new Date().toUTCString() });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>conditional-proxy</RequestId></Error>`,
    );
  };

  const preconditionFailed = (res: ServerResponse) =>
    refuse(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');

  const handleWrite = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifMatch !== undefined || ifNoneMatch !== undefined) {
      if (proxy.conflictNext) {
        proxy.conflictNext = false;
        refuse(res, 409, 'ConditionalRequestConflict', 'A conflicting conditional operation is in progress');
        return;
      }
      const etag = await currentEtag(path);
      if (ifNoneMatch === '*' && etag !== undefined) {
        return preconditionFailed(res);
      }
      if (ifMatch !== undefined && ifMatch !== '*' && etag === undefined && req.method === 'PUT') {
        refuse(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        return;
      }
      if (ifMatch !== undefined && (etag === undefined || (ifMatch !== '*' && ifMatch !== etag))) {
        return preconditionFailed(res);
      }
    }
    await forward(req, res, body);
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'PUT' && req.method !== 'DELETE') {
      void forward(req, res, Buffer.alloc(0));
      req.resume();
      return;
    }
    // One write to a key at a time: the check above and the write it guards are atomic.
    const previous = queues.get(path) ?? Promise.resolve();
    const done = previous
      .then(() => handleWrite(req, res, path))
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
      });
    queues.set(path, done);
    void done.then(() => {
      if (queues.get(path) === done) queues.delete(path);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
