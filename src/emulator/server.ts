/**
 * The emulator's HTTP server: a local stand-in for the Workato API that the
 * demo and the end-to-end tests run against. This file is the I/O shell:
 * auth, rate limits, fault injection, the request log and persistence; the
 * API itself is routes.ts over the pure model in world.ts.
 *
 * Order of checks for /api requests, and why:
 *   1. fault injection (with `when: 'before'`): it stands for the network and
 *      load balancer in front of the API, so it strikes before anything else;
 *   2. auth (401): an unauthenticated request reaches no workspace, so it is
 *      neither routed nor counted against a workspace's rate limit;
 *   3. routing (404 for an unknown route);
 *   4. rate limit per bucket (429 with Retry-After);
 *   5. the model; a change is saved to the data file before the answer is sent,
 *      so a client that got an answer can rely on the file;
 *   6. fault injection with `when: 'after'`: the change stands, the answer is
 *      replaced or lost.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bucket } from '../api/types.js';
import { WorkatoOauthError } from '../errors.js';
import { handleControl } from './control.js';
import { type FaultAction, FaultInjector, type FaultOptions } from './faults.js';
import { RollingWindowLimiter } from './rate-limiter.js';
import { type ApiResponse, handleRoute, matchRoute, NOT_FOUND_BODY, type RouteMatch } from './routes.js';
import { EmulatorWorld } from './world.js';
import type { WorldData } from './world-data.js';
import { loadWorldFile, saveWorldFile } from './world-file.js';

export const DEFAULT_EMULATOR_TOKEN = 'emulator-token';

export interface EmulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Expected bearer token; default DEFAULT_EMULATOR_TOKEN. */
  token?: string;
  /** Requests admitted per bucket per window; default 60. */
  ratePerMinute?: number;
  /** Length of the rolling window; default 60000 (shorter in tests). */
  rateWindowMs?: number;
  /** The initial world, when there is no data file or it does not exist yet. */
  world?: WorldData;
  /**
   * Load the world from this file when it exists (it then wins over `world`),
   * otherwise start from `world` (or empty) and create the file at once, so a
   * bad path fails at start rather than on the first change. Every change is
   * written back atomically.
   */
  dataFile?: string;
  faults?: FaultOptions;
  /** The customer listing's order: ascending id (default), or a fixed shuffle (world.customerOrder). */
  customerOrder?: 'id' | 'unordered';
  /** Serve the test-only /__emulator/* endpoints; default false. */
  control?: boolean;
  /** Called once per /api request when it is answered (or its connection reset). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface RequestLogEntry {
  method: string;
  /** As received: still percent-encoded, query included. */
  path: string;
  /** 0 while in flight, and when the connection was reset without an answer. */
  status: number;
  /** null for a path that is no API route. */
  bucket: Bucket | null;
  /** Arrival, ms since the epoch. */
  time: number;
  /** The answer (or its absence) came from fault injection. */
  injected: boolean;
}

export interface RunningEmulator {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  port: number;
  /** Every /api request in arrival order (control requests are not logged). */
  requestLog: RequestLogEntry[];
  /** The live model, for assertions. */
  world: EmulatorWorld;
  /** Replaces the fault options (and restarts the script and the PRNG). */
  setFaults(faults: FaultOptions): void;
  /**
   * Answers one /api request in this process, without a socket: the same auth,
   * routing, rate limit, faults, model and request log as over HTTP. For runs of
   * hundreds of thousands of calls (test/scale), where loopback HTTP would take
   * minutes. `target` is the raw path with its query; undefined is a reset.
   */
  answer(
    method: string,
    target: string,
    body: unknown,
    headers: Readonly<Record<string, string>>,
  ): Promise<{ status: number; headers: Record<string, string>; body: unknown } | undefined>;
  /** Stops listening, drops open connections and waits for the last save. */
  close(): Promise<void>;
}

/** Requests are small JSON bodies; anything bigger is a client bug. */
const MAX_BODY_BYTES = 1024 * 1024;

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? DEFAULT_EMULATOR_TOKEN;
  const dataFile = options.dataFile;
  const control = options.control === true;
  const limiter = new RollingWindowLimiter(options.ratePerMinute ?? 60, options.rateWindowMs ?? 60_000);
  let faults = new FaultInjector(options.faults);
  const requestLog: RequestLogEntry[] = [];

  const loaded = dataFile === undefined ? undefined : await loadWorldFile(dataFile);
  const world = new EmulatorWorld(loaded ?? options.world ?? {});
  if (options.customerOrder !== undefined) world.customerOrder = options.customerOrder;

  // Saves run one after another, each writing the world as it is when the save
  // starts, so the last rename on disk always carries the newest world.
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    if (dataFile === undefined) return Promise.resolve();
    const next = saving.then(() => saveWorldFile(dataFile, world.toData()));
    saving = next.catch(() => {});
    return next;
  };
  if (dataFile !== undefined && loaded === undefined) await save();

  const applyChange = async (response: ApiResponse): Promise<Reply> => {
    if (!response.changed) return response;
    try {
      await save();
      return response;
    } catch (error) {
      // The change stands in memory; say so rather than pretend it was kept.
      return {
        status: 500,
        body: { message: `Emulator could not save its data file: ${(error as Error).message}` },
      };
    }
  };

  const answerApi = async (
    route: RouteMatch | undefined,
    query: URLSearchParams,
    bodyText: string,
    authorization: string | undefined,
  ): Promise<Reply> => {
    if (!isAuthorized(authorization, token)) return { status: 401, body: { message: 'Unauthorized' } };
    if (!route) return { status: 404, body: NOT_FOUND_BODY };
    const admission = limiter.admit(route.bucket, Date.now());
    if (!admission.admitted) {
      return {
        status: 429,
        body: { message: 'Too many requests' },
        headers: { 'retry-after': String(admission.retryAfterSeconds) },
      };
    }
    return applyChange(handleRoute(world, route, query, bodyText));
  };

  /**
   * One /api request from its method, raw URL (query included), body and
   * Authorization header to its reply: the whole pipeline but the socket.
   * `undefined` is a connection reset by fault injection.
   */
  const answerRequest = async (
    method: string,
    rawUrl: string,
    readBodyText: () => Promise<string | undefined>,
    authorization: string | undefined,
  ): Promise<{ reply: Reply | undefined; injected: boolean; entry: RequestLogEntry }> => {
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
    const route = matchRoute(method, rawPath);
    const entry: RequestLogEntry = {
      method,
      path: rawUrl,
      status: 0,
      bucket: route?.bucket ?? null,
      time: Date.now(),
      injected: false,
    };
    requestLog.push(entry);
    const done = (reply: Reply | undefined, injected: boolean) => {
      entry.injected = injected;
      if (reply !== undefined) entry.status = reply.status;
      return { reply, injected, entry };
    };
    const body = await readBodyText();
    if (body === undefined) return done({ status: 413, body: { message: 'Request body too large' } }, false);
    const decision = faults.decide(method, rawUrl);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    const fault = decision.action;
    if (fault?.when === 'before') return done(replyFor(fault), true);
    const reply = await answerApi(route, query, body, authorization);
    if (fault) return done(replyFor(fault), true);
    return done(reply, false);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse) => {
    const { reply, entry } = await answerRequest(
      req.method ?? 'GET',
      req.url ?? '/',
      () => readBody(req),
      req.headers.authorization,
    );
    if (reply === undefined) req.socket.destroy();
    else send(res, reply);
    options.onRequest?.(entry);
  };

  const answerControl = async (req: IncomingMessage, res: ServerResponse, rawPath: string) => {
    const body = (await readBody(req)) ?? '';
    const context = {
      world,
      requestLog,
      setFaults: (next: FaultOptions) => {
        faults = new FaultInjector(next);
      },
    };
    send(res, await applyChange(handleControl(context, req.method ?? 'GET', rawPath, body)));
  };

  const server = createServer((req, res) => {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const handled =
      control && rawPath.startsWith('/__emulator/') ? answerControl(req, res, rawPath) : handleApi(req, res);
    handled.catch((error: unknown) => {
      // A bug in the emulator must not take the server down mid-test.
      if (!res.headersSent && !res.destroyed) {
        send(res, { status: 500, body: { message: `Emulator error: ${(error as Error).message}` } });
      }
    });
  });

  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    requestLog,
    world,
    setFaults(next: FaultOptions) {
      faults = new FaultInjector(next);
    },
    async answer(method, target, body, headers) {
      const text = body === undefined ? '' : JSON.stringify(body);
      const { reply, entry } = await answerRequest(
        method,
        target,
        async () => text,
        headers['authorization'],
      );
      options.onRequest?.(entry);
      if (reply === undefined) return undefined;
      // Through JSON, as over the wire: the caller gets no object the world still holds.
      return {
        status: reply.status,
        headers: reply.headers ?? {},
        body: JSON.parse(JSON.stringify(reply.body)),
      };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of clients would otherwise hold close() open.
        server.closeAllConnections();
      }).then(() => saving);
      return closing;
    },
  };
}

/** Accepts `Bearer <token>`, the scheme case-insensitive as HTTP says. Not a security boundary. */
function isAuthorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1] === token;
}

function replyFor(fault: FaultAction): Reply | undefined {
  if (fault.kind === 'reset') return undefined;
  return {
    status: fault.status,
    body: fault.body,
    ...(fault.retryAfter === undefined ? {} : { headers: { 'retry-after': String(fault.retryAfter) } }),
  };
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

/** The request body as text; undefined when it exceeds MAX_BODY_BYTES (the rest is drained). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new WorkatoOauthError(`emulator cannot listen on ${host}:${port}: ${describeListenError(error)}`, {
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function describeListenError(error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE')
    return 'the port is in use (choose another with --port, or --port 0 for a free one)';
  if (error.code === 'EACCES') return 'permission denied (ports below 1024 need privileges)';
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') return 'no such address on this machine';
  return error.message;
}

/** A wildcard address is reachable on loopback; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
