/**
 * Which way requests travel: straight to the API, or through the proxy the
 * environment names. The rule is that only the API ever sees the token.
 *
 * - A loopback or plain-http API URL is reached directly, whatever HTTP_PROXY,
 *   HTTPS_PROXY or NO_PROXY say: a proxy in front of a plain-http URL reads the
 *   Authorization header (a CONNECT tunnel carries plain http as plain text too),
 *   and a proxy cannot reach the user's own 127.0.0.1 anyway. connection.ts
 *   allows http:// only for loopback, so the two cases are one today.
 * - An https API URL goes through the proxy, if one is set and NO_PROXY does not
 *   exempt the host, in a CONNECT tunnel: the proxy sees the host name, TLS
 *   inside the tunnel carries the token. An http:// proxy is fine for that.
 * - A proxy that does not open the tunnel fails the request at once with a
 *   ProxyTunnelError, so the request loop backs off and counts it like any other
 *   retryable failure. Left to undici, a proxy that drops the connection during
 *   CONNECT is dialled again in a tight loop inside one request (measured: 1,400
 *   CONNECTs in 2 s), and a refusal reads as an AbortError, i.e. "closed".
 */
import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { UsageError } from '../errors.js';
import { isLoopbackHost } from './connection.js';

/*
 * The direct Agent from its own file, not from 'undici': the index loads 112 files
 * (fetch, WebSocket, caches, mocks) for about 0.1 s of CPU on every run, a tenth
 * of a 10k plan; agent.js loads about 20. Requests go through the global fetch
 * (http.ts), which needs only a dispatcher's dispatch(). The proxy path loads the
 * whole index: its tunnels call Pool#connect, which the index adds to every
 * dispatcher. undici 7 has no "exports" map, so the path is public; the lockfile
 * pins the version, and every test that makes a request fails if it moves.
 */
const requireUndici = createRequire(import.meta.url);
const Agent: typeof Undici.Agent = requireUndici('undici/lib/dispatcher/agent.js');

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** The undici dispatcher for requests to `baseUrl` (already checked by checkApiUrl). */
export function createDispatcher(baseUrl: string, env: ProxyEnv = process.env): Dispatcher {
  const api = new URL(baseUrl);
  if (api.protocol !== 'https:' || isLoopbackHost(api.hostname)) return new Agent();
  const proxy = proxyFor(env);
  if (proxy === undefined) return new Agent();
  const name = proxyName(proxy);
  const undici = requireUndici('undici') as typeof Undici;
  TunnelPool ??= tunnelPool(undici.Pool);
  const Tunnel = TunnelPool;
  // Both values set, and NO_PROXY passed, so undici reads nothing from process.env itself.
  return new undici.EnvHttpProxyAgent({
    httpProxy: proxy.value,
    httpsProxy: proxy.value,
    noProxy: firstSet(env, ['no_proxy', 'NO_PROXY'])?.value ?? '',
    clientFactory: (origin, options) => new Tunnel(origin, options, name),
  });
}

/** Raised when the proxy does not open a tunnel to the API; the request never reached it. */
export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';
  /** Not UND_ERR_SOCKET, which undici takes as "connect again" instead of failing the request. */
  readonly code = 'ERR_PROXY_TUNNEL';
}

interface ProxySetting {
  /** The variable it came from, for messages. */
  readonly source: string;
  readonly value: string;
  readonly url: URL;
}

/**
 * For an https API: HTTPS_PROXY, else HTTP_PROXY, lower case first (undici's
 * and curl's order). An empty value counts as unset, as CI systems often export `VAR=`.
 */
function proxyFor(env: ProxyEnv): ProxySetting | undefined {
  const chosen = firstSet(env, ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']);
  if (chosen === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(chosen.value);
  } catch {
    throw new UsageError(
      `${chosen.source}: "${hideUserInfo(chosen.value)}" is not a proxy URL; expected e.g. http://proxy.example.com:3128`,
    );
  }
  // Only these open a CONNECT tunnel whose failures ProxyTunnelError bounds.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `${chosen.source}: unsupported proxy scheme ${url.protocol}; use http:// or https://, e.g. http://proxy.example.com:3128`,
    );
  }
  return { ...chosen, url };
}

function firstSet(env: ProxyEnv, names: readonly string[]): { source: string; value: string } | undefined {
  for (const source of names) {
    const value = env[source]?.trim();
    if (value !== undefined && value !== '') return { source, value };
  }
  return undefined;
}

/** Scheme, host and port: never the credentials a proxy URL may hold. */
function proxyName(proxy: ProxySetting): string {
  return `${proxy.url.protocol}//${proxy.url.host}`;
}

function hideUserInfo(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//***@');
}

type PoolConnectOptions = Parameters<Undici.Pool['connect']>[0];
type ConnectCallback = (err: Error | null, data: Dispatcher.ConnectData) => void;

let TunnelPool: ReturnType<typeof tunnelPool> | undefined;

/**
 * The connections to the proxy. ProxyAgent opens each tunnel with `connect`
 * (a CONNECT request); every way that can fail becomes a ProxyTunnelError.
 * Made from the Pool of the whole index, once, on the first proxied client.
 */
const tunnelPool = (Pool: typeof Undici.Pool) =>
  class TunnelPool extends Pool {
    constructor(
      origin: URL,
      options: object,
      private readonly proxy: string,
    ) {
      super(origin, options);
    }

    override connect(options: PoolConnectOptions): Promise<Dispatcher.ConnectData>;
    override connect(options: PoolConnectOptions, callback: ConnectCallback): void;
    override connect(
      options: PoolConnectOptions,
      callback?: ConnectCallback,
    ): Promise<Dispatcher.ConnectData> | undefined {
      const opened = this.openTunnel(options);
      if (callback === undefined) return opened;
      opened.then(
        (data) => callback(null, data),
        (error: Error) => callback(error, undefined as never),
      );
      return undefined;
    }

    private async openTunnel(options: PoolConnectOptions): Promise<Dispatcher.ConnectData> {
      const to = options.path ?? 'the API';
      let data: Dispatcher.ConnectData;
      try {
        data = await super.connect(options);
      } catch (error) {
        // A timeout or close() is the request's own end, reported as such.
        if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
          throw error;
        const code = (error as { code?: unknown }).code;
        throw new ProxyTunnelError(
          `could not open a tunnel to ${to} through the proxy ${this.proxy}${typeof code === 'string' ? ` (${code})` : ''}`,
          { cause: error },
        );
      }
      if (data.statusCode !== 200) {
        data.socket.on('error', () => {}).destroy();
        const status = STATUS_CODES[data.statusCode];
        throw new ProxyTunnelError(
          `the proxy ${this.proxy} refused to open a tunnel to ${to}: ${data.statusCode}${status ? ` ${status}` : ''}`,
        );
      }
      return data;
    }
  };
