/**
 * The client and the proxy the environment names, over real sockets: a tiny
 * proxy on 127.0.0.1 records every byte it is sent. The token must never be
 * among them, a loopback API must not be reached through it, and a proxy that
 * will not open a tunnel is tried a bounded number of times, with backoff.
 *
 * The client reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY from process.env when
 * it is made; each test sets them and puts them back.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, exempted } from '../../src/api/agent.js';
import { type ClientOptions, createClient } from '../../src/api/client.js';
import type { WorkatoClient } from '../../src/api/types.js';
import { UsageError } from '../../src/errors.js';
import { profile } from './helpers.js';

const TOKEN = 'proxy-test-token-9d31';
const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
/** Resolves no further than the proxy: only the CONNECT names it. */
const REMOTE_API = 'https://api.workato.invalid';

const servers: Server[] = [];
const clients: WorkatoClient[] = [];
const savedEnv = Object.fromEntries(PROXY_VARS.map((name) => [name, process.env[name]]));

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function setProxyEnv(vars: Record<string, string>): void {
  for (const name of PROXY_VARS) delete process.env[name];
  Object.assign(process.env, vars);
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface RecordingProxy {
  url: string;
  /** Plain requests a forward proxy would pass on, as `METHOD url`. */
  requests: string[];
  /** CONNECT targets, `host:port`. */
  connects: string[];
  /** Every byte any client sent it. */
  received(): string;
}

/** How the proxy answers a CONNECT. */
type Tunnel = 'refuse' | 'drop';

async function startProxy(tunnel: Tunnel): Promise<RecordingProxy> {
  const chunks: Buffer[] = [];
  const proxy: Omit<RecordingProxy, 'url'> = {
    requests: [],
    connects: [],
    received: () => Buffer.concat(chunks).toString('latin1'),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    proxy.requests.push(`${req.method} ${req.url}`);
    res.statusCode = 502;
    res.end();
  });
  server.on('connection', (socket: Socket) => socket.on('data', (chunk: Buffer) => chunks.push(chunk)));
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    proxy.connects.push(req.url ?? '');
    socket.on('error', () => {});
    if (tunnel === 'refuse') socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return { ...proxy, url: await listen(server) };
}

function client(baseUrl: string, options: Partial<ClientOptions> = {}) {
  const sleeps: number[] = [];
  const c = createClient({
    baseUrl,
    token: TOKEN,
    timeoutMs: 5000,
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 1, maxAttempts: 4 },
    ...options,
  });
  clients.push(c);
  return { client: c, sleeps };
}

describe('a loopback API URL', () => {
  it.each([
    ['HTTP_PROXY and HTTPS_PROXY', (url: string) => ({ HTTP_PROXY: url, HTTPS_PROXY: url })],
    ['lower-case http_proxy, NO_PROXY empty', (url: string) => ({ http_proxy: url, NO_PROXY: '' })],
  ])('is reached directly with %s set: the proxy sees nothing', async (_name, vars) => {
    const proxy = await startProxy('refuse');
    const seen: (string | undefined)[] = [];
    const api = await listen(
      createServer((req, res) => {
        seen.push(req.headers.authorization);
        res.end(JSON.stringify({ result: profile(1) }));
      }),
    );
    setProxyEnv(vars(proxy.url));
    for (const baseUrl of [api, api.replace('127.0.0.1', 'localhost')]) {
      const { client: c } = client(baseUrl);
      expect((await c.getProfile(1)).id).toBe(1);
    }
    expect(seen).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(proxy.requests).toEqual([]);
    expect(proxy.connects).toEqual([]);
    expect(proxy.received()).toBe('');
  });
});

describe('an https API URL behind a proxy', () => {
  it('asks the proxy only for a tunnel, whose CONNECT carries no token', async () => {
    const proxy = await startProxy('refuse');
    setProxyEnv({ HTTPS_PROXY: proxy.url });
    const { client: c } = client(REMOTE_API, { retry: { sleep: async () => {}, maxAttempts: 1 } });
    await expect(c.getProfile(1)).rejects.toThrow();
    expect(proxy.connects).toEqual(['api.workato.invalid:443']);
    expect(proxy.requests).toEqual([]);
    expect(proxy.received()).toMatch(/^CONNECT api\.workato\.invalid:443 HTTP\/1\.1\r\n/);
    expect(proxy.received()).not.toContain(TOKEN);
    expect(proxy.received().toLowerCase()).not.toContain('authorization');
  });

  it('honours NO_PROXY for the API host', async () => {
    const proxy = await startProxy('refuse');
    setProxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: '.workato.invalid' });
    const { client: c } = client(REMOTE_API, { retry: { sleep: async () => {}, maxAttempts: 1 } });
    // Direct, so the host does not resolve.
    await expect(c.getProfile(1)).rejects.toMatchObject({ network: 'dns' });
    expect(proxy.connects).toEqual([]);
  });

  it('closes at once after a CONNECT the proxy never answers, instead of keeping the process alive', async () => {
    const held: Socket[] = [];
    const server = createServer();
    server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      held.push(socket.on('error', () => {}));
    });
    setProxyEnv({ HTTPS_PROXY: await listen(server) });
    const c = createClient({
      baseUrl: REMOTE_API,
      token: TOKEN,
      timeoutMs: 300,
      retry: { maxAttempts: 1, sleep: async () => {} },
    });
    await expect(c.getProfile(1)).rejects.toMatchObject({ network: 'timeout' });
    const started = Date.now();
    const closed = await Promise.race([
      c.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(resolve, 5000, 'still open')),
    ]);
    expect(closed).toBe('closed');
    expect(Date.now() - started).toBeLessThan(5000);
    for (const socket of held) socket.destroy();
  });

  it('tries a proxy that refuses CONNECT maxAttempts times, backing off, and says the proxy refused', async () => {
    const proxy = await startProxy('refuse');
    setProxyEnv({ HTTP_PROXY: proxy.url });
    const { client: c, sleeps } = client(REMOTE_API);
    const error = await c.getProfile(1).catch((e: unknown) => e);
    expect(error).toMatchObject({ network: 'proxy', attempts: 4 });
    expect((error as Error).message).toBe(
      `GET /api/custom_oauth_profiles/1: the proxy ${proxy.url} refused to open a tunnel to api.workato.invalid:443: 403 Forbidden (gave up after 4 attempts)`,
    );
    expect(proxy.connects).toHaveLength(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
    expect(proxy.received()).not.toContain(TOKEN);
  });

  it('tries a proxy that drops the connection on CONNECT a bounded number of times, not in a loop', async () => {
    const proxy = await startProxy('drop');
    setProxyEnv({ HTTPS_PROXY: proxy.url });
    const { client: c, sleeps } = client(REMOTE_API);
    const error = await c.getProfile(1).catch((e: unknown) => e);
    expect(error).toMatchObject({ network: 'proxy', attempts: 4 });
    expect((error as Error).message).toMatch(
      /^GET \/api\/custom_oauth_profiles\/1: could not open a tunnel to api\.workato\.invalid:443 through the proxy http:\/\/127\.0\.0\.1:\d+ \(ECONNRESET\) \(gave up after 4 attempts\)$/,
    );
    expect(proxy.connects).toHaveLength(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });

  it('retries a create the proxy never let through without looking for what it made', async () => {
    const proxy = await startProxy('refuse');
    setProxyEnv({ HTTPS_PROXY: proxy.url });
    const { client: c } = client(REMOTE_API, { retry: { sleep: async () => {}, maxAttempts: 3 } });
    const input = { name: 'P', provider: 'hubspot', data: { client_id: 'c', client_secret: 'proxy-secret' } };
    await expect(c.createProfile(input)).rejects.toMatchObject({ network: 'proxy', attempts: 3 });
    // Three POSTs and no listing: a look would have been a CONNECT too.
    expect(proxy.connects).toHaveLength(3);
    expect(c.counts().requests.profiles).toBe(3);
    expect(proxy.received()).not.toContain('proxy-secret');
  });

  it('never shows the credentials of a proxy URL in a message', async () => {
    const proxy = await startProxy('refuse');
    setProxyEnv({ HTTPS_PROXY: proxy.url.replace('//', '//user:hunter2@') });
    const { client: c } = client(REMOTE_API, { retry: { sleep: async () => {}, maxAttempts: 1 } });
    const error = await c.getProfile(1).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`the proxy ${proxy.url} refused`);
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('a tunnel the proxy opens', () => {
  // A self-signed certificate for api.workato.invalid (test only, expires in 2126).
  const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
  const cert = readFileSync(join(fixtures, 'tunnel-test.crt'), 'utf8');
  const key = readFileSync(join(fixtures, 'tunnel-test.key'), 'utf8');

  it('carries TLS to the API inside one CONNECT, reused, with the proxy credentials only on the CONNECT', async () => {
    const seen: (string | undefined)[] = [];
    const api = createHttpsServer({ key, cert }, (req, res) => {
      seen.push(req.headers.authorization);
      res.end(JSON.stringify({ result: profile(1) }));
    });
    const apiPort = Number(new URL(await listen(api)).port);
    const chunks: Buffer[] = [];
    const connects: IncomingMessage['headers'][] = [];
    const proxy = createServer();
    proxy.on('connection', (socket: Socket) => socket.on('data', (chunk: Buffer) => chunks.push(chunk)));
    proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      connects.push({ ...req.headers, target: req.url });
      const upstream = netConnect(apiPort, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    const proxyUrl = await listen(proxy);
    const agent = createAgent(
      REMOTE_API,
      // Percent-escapes in the proxy's user and password are sent decoded, as curl does.
      { HTTPS_PROXY: proxyUrl.replace('//', '//us%40er:hunter%3A2@') },
      { ca: cert },
    );
    try {
      const { client: c } = client(REMOTE_API, { agent });
      expect((await c.getProfile(1)).id).toBe(1);
      expect((await c.getProfile(1)).id).toBe(1);
    } finally {
      agent.destroy();
    }
    expect(seen).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    // One tunnel for both requests: the keep-alive pool holds the TLS connection inside it.
    expect(connects).toHaveLength(1);
    expect(connects[0]).toMatchObject({
      target: 'api.workato.invalid:443',
      host: 'api.workato.invalid:443',
      'proxy-authorization': `Basic ${Buffer.from('us@er:hunter:2').toString('base64')}`,
    });
    expect(connects[0]!['authorization']).toBeUndefined();
    // What the proxy relayed after the CONNECT is TLS: the token never passes in clear.
    expect(Buffer.concat(chunks).toString('latin1')).not.toContain(TOKEN);
  });

  it('refuses an API certificate the machine does not trust', async () => {
    const api = createHttpsServer({ key, cert }, (_req, res) => res.end('{}'));
    const apiPort = Number(new URL(await listen(api)).port);
    const proxy = createServer();
    proxy.on('connect', (_req: IncomingMessage, socket: Socket) => {
      const upstream = netConnect(apiPort, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    setProxyEnv({ HTTPS_PROXY: await listen(proxy) });
    const { client: c } = client(REMOTE_API, { retry: { sleep: async () => {}, maxAttempts: 3 } });
    await expect(c.getProfile(1)).rejects.toMatchObject({ network: 'tls', attempts: 1 });
  });
});

describe('proxy settings that cannot work', () => {
  it.each([
    [{ HTTPS_PROXY: 'socks5://127.0.0.1:1080' }, 'HTTPS_PROXY: unsupported proxy scheme socks5:'],
    [{ http_proxy: 'http://user:pw@[bad' }, 'http_proxy: "http://***@[bad" is not a proxy URL'],
  ])('%j is refused before any request', (env, message) => {
    const error = (() => {
      try {
        createAgent(REMOTE_API, env);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });

  it('does not matter for a loopback API URL', async () => {
    createAgent('http://127.0.0.1:9', { HTTPS_PROXY: 'socks5://127.0.0.1:1080' }).destroy();
  });
});

describe('NO_PROXY, as curl and undici read it', () => {
  const api = new URL('https://app.eu.workato.com');
  it.each([
    ['*', true],
    ['app.eu.workato.com', true],
    ['workato.com', true],
    ['.workato.com', true],
    ['*.workato.com', true],
    ['other.example, WORKATO.COM', true],
    ['example.com workato.com:443', true],
    ['workato.com:8443', false],
    ['eu.workato.co', false],
    ['kato.com', false],
    ['', false],
  ])('%j exempts app.eu.workato.com: %s', (noProxy, expected) => {
    expect(exempted(api, noProxy)).toBe(expected);
  });
});
