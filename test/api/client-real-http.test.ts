/**
 * The client over real sockets (no nock): what node:http actually throws on a
 * reset, a timeout or a refused connection. Proxies: client-proxy.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientOptions, createClient } from '../../src/api/client.js';
import type { WorkatoClient } from '../../src/api/types.js';

const TOKEN = 'real-http-token-1234';
const servers: Server[] = [];
const clients: WorkatoClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(baseUrl: string, options: Partial<ClientOptions> = {}): WorkatoClient {
  const c = createClient({
    baseUrl,
    token: TOKEN,
    retry: { sleep: async () => {}, maxAttempts: 3 },
    ...options,
  });
  clients.push(c);
  return c;
}

const PROFILE = {
  id: 1,
  name: 'P',
  provider: 'hubspot',
  data: { client_id: 'c' },
  shared_accounts_count: 0,
  oem_customers_count: 0,
  created_at: '',
  updated_at: '',
};

describe('over real sockets', () => {
  it('sends the token and user agent, and reads the answer', async () => {
    const seen: IncomingMessage['headers'][] = [];
    const server = await serve((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ result: PROFILE }));
    });
    const c = client(`${urlOf(server)}/`);
    expect(c.baseUrl).toBe(urlOf(server));
    expect((await c.getProfile(1)).name).toBe('P');
    expect(seen[0]).toMatchObject({ authorization: `Bearer ${TOKEN}`, accept: 'application/json' });
    expect(seen[0]?.['user-agent']).toMatch(/^workato-oauth\/\d/);
  });

  it('retries a GET after the server resets the connection', async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      calls += 1;
      if (calls === 1) {
        req.socket.destroy();
        return;
      }
      res.end(JSON.stringify({ result: PROFILE }));
    });
    const log: string[] = [];
    const c = client(urlOf(server), { debugLog: (line) => log.push(line) });
    await c.getProfile(1);
    expect(calls).toBe(2);
    expect(log[0]).toMatch(/^GET \/api\/custom_oauth_profiles\/1 ECONNRESET \d+ms/);
  });

  it('keeps a connection for the next request, and closes it when idle as the server asks', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    const server = await serve((_req, res) => {
      // Asks the client to keep the connection 2 s at most.
      res.setHeader('keep-alive', 'timeout=2');
      res.end(JSON.stringify({ result: PROFILE }));
    });
    // The server itself would keep it 10 s: a close within 3 s is the client's.
    server.keepAliveTimeout = 10_000;
    server.on('connection', (socket) => {
      const name = `${socket.remotePort}`;
      opened.push(name);
      socket.on('close', () => closed.push(name));
    });
    const c = client(urlOf(server));
    await c.getProfile(1);
    await c.getProfile(1);
    expect(opened).toHaveLength(1);
    // The client closes it a second before the 2 s asked, so no request meets a dropped one.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(closed).toEqual(opened);
    await c.getProfile(1);
    expect(opened).toHaveLength(2);
  });

  it('times out a request that gets no answer', async () => {
    const server = await serve(() => {});
    const c = client(urlOf(server), { timeoutMs: 100, retry: { sleep: async () => {}, maxAttempts: 1 } });
    await expect(c.getProfile(1)).rejects.toMatchObject({
      network: 'timeout',
      message: `GET /api/custom_oauth_profiles/1: no answer within 100 ms from ${urlOf(server)} (timed out)`,
    });
  });

  it('close() ends a pending request at once', async () => {
    const server = await serve(() => {});
    const c = client(urlOf(server));
    const pending = c.getProfile(1).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await c.close();
    expect(await pending).toMatchObject({
      network: 'closed',
      message: 'GET /api/custom_oauth_profiles/1: the client was closed before an answer came',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports a refused connection after one quick retry, not the whole budget', async () => {
    const server = await serve(() => {});
    const url = urlOf(server);
    servers.splice(0);
    await new Promise((resolve) => server.close(resolve));
    // The real policy (6 attempts, real sleeps): a refused port must not use it.
    const c = client(url, { retry: {} });
    const started = Date.now();
    const error = await c.getProfile(1).catch((e: unknown) => e);
    expect(error).toMatchObject({ network: 'connection-refused', attempts: 2 });
    expect(String(error)).toContain(`connection refused by ${url} (ECONNREFUSED)`);
    expect(c.counts().requests.profiles).toBe(2);
    // One 0.5 s pause, not five backoffs (about 20 s before); generous for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
