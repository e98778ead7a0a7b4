/**
 * One HTTP exchange, no retries, no pacing: node:http or node:https with the
 * agent agent.ts made (direct, or a CONNECT tunnel through the environment's
 * proxy; a keep-alive pool either way). Network failures come back as values
 * (kind + code), never as the raw error, whose cause chain can reach the socket
 * and the request. nock intercepts node:http, so tests see these same requests.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ApiAgent } from './agent.js';
import type { NetworkFailureKind } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Transport {
  readonly baseUrl: string;
  /** Sent on every request; holds the Authorization header, so it is never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly agent: ApiAgent;
  /** Aborted by close(): pending requests end at once. */
  readonly closed: AbortSignal;
}

/** An answer's headers, by lower-case name (a `Headers` object is one too). */
export interface AnswerHeaders {
  get(name: string): string | null;
}

export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: AnswerHeaders;
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
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
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
    const answer = await send(transport, method, target, headers, payload, controller.signal);
    const parsed = parseJson(answer.text);
    return {
      ok: true,
      answer: {
        status: answer.status,
        statusText: answer.statusText,
        headers: readHeaders(answer.headers),
        body: parsed.ok ? parsed.value : undefined,
        text: parsed.ok ? undefined : answer.text,
      },
    };
  } catch (error) {
    return { ok: false, failure: classifyNetworkError(error, transport.closed) };
  } finally {
    clearTimeout(timer);
    transport.closed.removeEventListener('abort', onClose);
  }
}

interface RawAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * The request and its whole body, within the one signal: a body that stalls is
 * as bad as no answer. Rejects with the signal's reason when it aborts (a
 * TimeoutError, or close()'s), else with the socket's error. No redirect is
 * followed: it would re-send the request, body and all, somewhere the user did not name.
 */
function send(
  transport: Transport,
  method: HttpMethod,
  target: string,
  headers: Record<string, string>,
  payload: string | undefined,
  signal: AbortSignal,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const url = `${transport.baseUrl}${target}`;
    const request = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, {
      method,
      headers,
      agent: transport.agent,
    });
    const abort = () => {
      reject(signal.reason);
      request.destroy();
    };
    signal.addEventListener('abort', abort, { once: true });
    const settle = () => signal.removeEventListener('abort', abort);
    request.on('error', (error) => {
      settle();
      reject(error);
    });
    request.on('response', (response: IncomingMessage) => {
      const chunks: string[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => chunks.push(chunk));
      response.on('error', (error) => {
        settle();
        reject(error);
      });
      response.on('end', () => {
        settle();
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: response.headers,
          text: chunks.join(''),
        });
      });
    });
    request.end(payload);
  });
}

function readHeaders(headers: IncomingHttpHeaders): AnswerHeaders {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO)/;

/**
 * A socket error comes as itself (ECONNRESET...), a tunnel's as a
 * ProxyTunnelError whose cause is the proxy socket's; nock's replyWithError
 * rejects with the bare object it was given. All are read by walking the chain
 * for the first known code.
 */
export function classifyNetworkError(error: unknown, closed?: AbortSignal): NetworkFailure {
  const chain = causeChain(error);
  const name = (e: unknown) => (isObject(e) && typeof e['name'] === 'string' ? e['name'] : undefined);
  if (chain.some((e) => name(e) === 'TimeoutError'))
    return { kind: 'timeout', code: undefined, detail: undefined, error };
  if (closed?.aborted || chain.some((e) => name(e) === 'AbortError')) {
    return { kind: 'closed', code: undefined, detail: undefined, error };
  }
  // Its message is ours (agent.ts): proxy host and port, no credentials.
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
