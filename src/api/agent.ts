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
 *   retryable failure, instead of dialling the proxy again inside one request.
 *
 * Node's own http and https agents, with keep-alive: no HTTP client library. The
 * one we used (undici, behind the global fetch) compiled its WebAssembly HTTP
 * parser and loaded Node's second copy of it on every run, 0.25 s of CPU and
 * 40 MB, half of a small plan (README, Performance). node:http parses in C.
 */
import { type ClientRequest, Agent as HttpAgent, request as httpRequest, STATUS_CODES } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { UsageError } from '../errors.js';
import { isLoopbackHost } from './connection.js';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** What sends requests: a keep-alive pool per API, direct or through a proxy tunnel. */
export type ApiAgent = HttpAgent;

/**
 * A connection idle this long is closed (undici's default, which we used before).
 * Without it Node keeps an idle connection until the server drops it, and a
 * request sent just as the server drops it fails with a reset (a create then
 * has to be looked for before it is sent again). Node also closes one earlier
 * when the server's `Keep-Alive: timeout=N` asks for less, but only when this
 * is set.
 */
const IDLE_MS = 4000;
const POOL = { keepAlive: true, timeout: IDLE_MS };

/**
 * The agent for requests to `baseUrl` (already checked by checkApiUrl). `tls`:
 * certificates to trust besides the system's, for tests (users set
 * NODE_EXTRA_CA_CERTS, which Node reads itself).
 */
export function createAgent(
  baseUrl: string,
  env: ProxyEnv = process.env,
  tls: { ca?: string } = {},
): ApiAgent {
  const api = new URL(baseUrl);
  if (api.protocol !== 'https:') return new HttpAgent(POOL);
  if (isLoopbackHost(api.hostname)) return new HttpsAgent({ ...POOL, ...tls });
  const proxy = proxyFor(env);
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY'])?.value ?? '';
  if (proxy === undefined || exempted(api, noProxy)) return new HttpsAgent({ ...POOL, ...tls });
  return new TunnelAgent(proxy.url, tls);
}

/** Raised when the proxy does not open a tunnel to the API; the request never reached it. */
export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';
  readonly code = 'ERR_PROXY_TUNNEL';
}

interface ProxySetting {
  /** The variable it came from, for messages. */
  readonly source: string;
  readonly value: string;
  readonly url: URL;
}

/**
 * For an https API: HTTPS_PROXY, else HTTP_PROXY, lower case first (curl's
 * order). An empty value counts as unset, as CI systems often export `VAR=`.
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

/**
 * NO_PROXY as curl and undici read it: entries split on commas or spaces, `*`
 * alone exempts every host, `host` exempts it and its subdomains (a leading `.`
 * or `*.` changes nothing), `host:port` only on that port.
 */
export function exempted(api: URL, noProxy: string): boolean {
  if (noProxy.trim() === '*') return true;
  const host = api.hostname.toLowerCase();
  const port = Number(api.port) || 443;
  for (const entry of noProxy.split(/[,\s]/)) {
    if (entry === '') continue;
    const withPort = /^(.+):(\d+)$/.exec(entry);
    if (withPort && Number(withPort[2]) !== port) continue;
    const name = (withPort ? withPort[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** Scheme, host and port: never the credentials a proxy URL may hold. */
function proxyName(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

function hideUserInfo(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//***@');
}

type CreateCallback = (error: Error | null, socket?: Duplex) => void;

/** A URL's user or password as typed: `%40` is `@`; a `%` that starts no escape stays as it is. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * An https agent whose connections are TLS inside a CONNECT tunnel through the
 * proxy. The CONNECT carries the API's host and port, and the proxy's own
 * credentials if its URL has them; the token travels only inside TLS. Every way
 * the tunnel can fail becomes a ProxyTunnelError that names the proxy without
 * its credentials. destroy() also ends a CONNECT still waiting for the proxy,
 * which would otherwise keep the process alive.
 */
class TunnelAgent extends HttpsAgent {
  readonly #proxy: URL;
  readonly #name: string;
  readonly #pending = new Set<ClientRequest>();

  constructor(proxy: URL, tls: { ca?: string }) {
    // Node merges these into the options createConnection gets: the TLS below sees `ca`.
    super({ ...POOL, ...tls });
    this.#proxy = proxy;
    this.#name = proxyName(proxy);
  }

  // Node's agents accept a connection made later: return nothing, call back once.
  override createConnection(
    options: { host?: string; port?: number; servername?: string },
    done: CreateCallback,
  ) {
    const to = `${options.host}:${options.port ?? 443}`;
    const proxy = this.#proxy;
    const auth =
      proxy.username === ''
        ? {}
        : {
            'proxy-authorization': `Basic ${Buffer.from(
              `${decoded(proxy.username)}:${decoded(proxy.password)}`,
            ).toString('base64')}`,
          };
    const tunnel = (proxy.protocol === 'https:' ? httpsRequest : httpRequest)({
      // An IPv6 proxy is [::1] in a URL, ::1 to connect to.
      host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: to,
      headers: { host: to, ...auth },
      agent: false,
    });
    this.#pending.add(tunnel);
    let answered = false;
    const finish = (error: Error | null, socket?: Duplex) => {
      this.#pending.delete(tunnel);
      if (answered) return;
      answered = true;
      done(error, socket);
    };
    tunnel.once('connect', (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.on('error', () => {}).destroy();
        const status = STATUS_CODES[response.statusCode ?? 0];
        return finish(
          new ProxyTunnelError(
            `the proxy ${this.#name} refused to open a tunnel to ${to}: ${response.statusCode}${status ? ` ${status}` : ''}`,
          ),
        );
      }
      // Bytes the proxy sent after its answer belong to the tunnel (there are none before TLS starts).
      if (head.length > 0) socket.unshift(head);
      finish(null, tlsConnect({ ...options, socket, servername: options.servername || options.host }));
    });
    // `on`, not `once`: a second error after the first must not go unheard and end the process.
    tunnel.on('error', (error: NodeJS.ErrnoException) => {
      finish(
        new ProxyTunnelError(
          `could not open a tunnel to ${to} through the proxy ${this.#name}${error.code ? ` (${error.code})` : ''}`,
          { cause: error },
        ),
      );
    });
    tunnel.end();
    return undefined;
  }

  override destroy(): void {
    for (const tunnel of this.#pending) tunnel.destroy();
    this.#pending.clear();
    super.destroy();
  }
}
