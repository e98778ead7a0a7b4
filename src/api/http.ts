/**
 * One HTTP exchange, no retries, no pacing: Node's global fetch with an undici
 * dispatcher. Network failures come back as values (kind + code), never as the
 * raw error, whose cause chain can reach the socket and the request.
 *
 * Why global fetch and not undici.fetch/undici.request: nock 14 intercepts the
 * global fetch only. Why the dispatcher is still passed on every request: it
 * decides the route (dispatcher.ts: direct, or a CONNECT tunnel through the
 * environment's proxy) and keeps a keep-alive pool; Node 20's built-in fetch
 * (undici 6) accepts an undici 7 dispatcher, and nock intercepts before
 * dispatch, so passing it always keeps both (checked on Node 20.20: nock
 * replies with the option set, and a CONNECT proxy is used without nock).
 */
import type { Dispatcher } from 'undici';
import type { NetworkFailureKind } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Transport {
  readonly baseUrl: string;
  /** Sent on every request; holds the Authorization header, so it is never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly dispatcher: Dispatcher;
  /** Aborted by close(): pending requests end at once. */
  readonly closed: AbortSignal;
}

export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** Parsed JSON; undefined when the body was empty or not JSON. */
  readonly body: unknown;
  /** The raw body when it was not JSON (a proxy's error page...). */
  readonly text: string | undefined;
}

export interface NetworkFailure {
  readonly kind: NetworkFailureKind;
  /** The most specific error code found in the cause chain, e.g. ECONNRESET. */
  readonly code: string | undefined;
  /** Only for kind `network`: the innermost message, for want of a better description. */
  readonly detail: string | undefined;
  /** The raw error: pass it through sanitizeCause before keeping it. */
  readonly error: unknown;
}

export type Exchange =
  | { readonly ok: true; readonly answer: HttpAnswer }
  | { readonly ok: false; readonly failure: NetworkFailure };

/** `target` is the path with its query, starting with `/`. */
export async function exchange(
  transport: Transport,
  method: HttpMethod,
  target: string,
  body?: unknown,
): Promise<Exchange> {
  const headers: Record<string, string> = { ...transport.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  // One controller per request, for the timeout and for close(). Not
  // AbortSignal.any([timeout, closed]): combining with a long-lived signal
  // leaks in some Node versions (nodejs/node#55351), and a run sends thousands.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${transport.timeoutMs} ms`, 'TimeoutError')),
    transport.timeoutMs,
  );
  const onClose = () => controller.abort(transport.closed.reason);
  if (transport.closed.aborted) onClose();
  else transport.closed.addEventListener('abort', onClose, { once: true });
  try {
    const response = await fetch(`${transport.baseUrl}${target}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: controller.signal,
      // A redirect would re-send the request, body and all, somewhere the user did not name.
      redirect: 'manual',
      // The global fetch is typed with @types/node's copy of undici's types, which
      // differ from undici 7's; the object is accepted at run time (see above).
      dispatcher: transport.dispatcher as unknown as NonNullable<RequestInit['dispatcher']>,
    });
    // Read within the same timeout: a body that stalls is as bad as no answer.
    const text = await response.text();
    const parsed = parseJson(text);
    return {
      ok: true,
      answer: {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        body: parsed.ok ? parsed.value : undefined,
        text: parsed.ok ? undefined : text,
      },
    };
  } catch (error) {
    return { ok: false, failure: classifyFetchError(error, transport.closed) };
  } finally {
    clearTimeout(timer);
    transport.closed.removeEventListener('abort', onClose);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO)/;

/**
 * Undici wraps the cause (`TypeError: fetch failed` → SocketError
 * UND_ERR_SOCKET → ...); nock's replyWithError rejects with the bare object it
 * was given. Both are read by walking the chain for the first known code.
 */
export function classifyFetchError(error: unknown, closed?: AbortSignal): NetworkFailure {
  const chain = causeChain(error);
  const name = (e: unknown) => (isObject(e) && typeof e['name'] === 'string' ? e['name'] : undefined);
  if (chain.some((e) => name(e) === 'TimeoutError'))
    return { kind: 'timeout', code: undefined, detail: undefined, error };
  if (closed?.aborted || chain.some((e) => name(e) === 'AbortError')) {
    return { kind: 'closed', code: undefined, detail: undefined, error };
  }
  // Its message is ours (dispatcher.ts): proxy host and port, no credentials.
  const tunnel = chain.find((e) => name(e) === 'ProxyTunnelError');
  if (isObject(tunnel) && typeof tunnel['message'] === 'string') {
    const cause = tunnel['cause'];
    const code = isObject(cause) && typeof cause['code'] === 'string' ? cause['code'] : undefined;
    return { kind: 'proxy', code, detail: tunnel['message'], error };
  }
  const codes = chain.flatMap((e) => (isObject(e) && typeof e['code'] === 'string' ? [e['code']] : []));
  for (const code of codes) {
    if (RESET_CODES.has(code)) return { kind: 'reset', code, detail: undefined, error };
    if (TIMEOUT_CODES.has(code)) return { kind: 'timeout', code, detail: undefined, error };
    if (code === 'ECONNREFUSED') return { kind: 'connection-refused', code, detail: undefined, error };
    if (DNS_CODES.has(code)) return { kind: 'dns', code, detail: undefined, error };
    if (TLS_CODE.test(code)) return { kind: 'tls', code, detail: undefined, error };
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return { kind: 'network', code, detail: 'could not connect in time (UND_ERR_CONNECT_TIMEOUT)', error };
    }
  }
  const innermost = chain.at(-1);
  const message =
    isObject(innermost) && typeof innermost['message'] === 'string' ? innermost['message'] : undefined;
  return { kind: 'network', code: codes[0], detail: message, error };
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let e = error;
    e !== undefined && e !== null && chain.length < 8;
    e = isObject(e) ? e['cause'] : undefined
  ) {
    chain.push(e);
  }
  return chain;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
