/**
 * Two small middleboxes for faults that must sit between the client and the
 * server:
 * - a reverse proxy in front of the emulator that records who sent what (one
 *   per CLI process, so requests can be told apart) and can drop a client's
 *   connection after N ms while the request goes on to the server;
 * - a forward (HTTP_PROXY) proxy that records everything it receives,
 *   Authorization headers and CONNECTs included, and misbehaves on request.
 */
import { createServer, request } from 'node:http';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/**
 * Forwards every request to `target` (http://host:port). `drop(method, path)`
 * returning a number of ms destroys the client's connection that long after the
 * request arrived; the upstream request is not cancelled.
 */
export async function startReverseProxy(target, { tag = '', drop, log = [], answer } = {}) {
  const upstream = new URL(target);
  const server = createServer(async (req, res) => {
    const entry = { tag, method: req.method, path: req.url, time: Date.now(), status: 0, req };
    log.push(entry);
    if (answer) {
      // `answer(req, body)` may reply itself (an echoing server); the body is then not forwarded.
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = answer(req, body);
      if (reply) {
        entry.status = reply.status;
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
        return;
      }
      forward(req, res, entry, body);
      return;
    }
    forward(req, res, entry);
  });
  /** Sends the request on; `body` when it was read already. */
  function forward(req, res, entry, body) {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        entry.status = answer.statusCode;
        if (res.destroyed) {
          answer.resume();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    if (body === undefined) req.pipe(out);
    else out.end(body);
    const ms = drop?.(req.method, req.url);
    if (typeof ms === 'number') {
      setTimeout(() => {
        entry.dropped = true;
        req.socket.destroy();
      }, ms);
    }
  }
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, log, server, close: () => closeServer(server) };
}

/**
 * An HTTP proxy that records what it receives. `connect`: 'refuse' answers a
 * CONNECT 403, 'close' accepts it and closes at once, 'hang' never answers.
 * Plain requests (absolute URLs) are forwarded.
 */
export async function startRecordingProxy({ connect = 'refuse' } = {}) {
  const seen = { requests: [], connects: [], bytes: [] };
  const server = createServer((req, res) => {
    seen.requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    seen.bytes.push(JSON.stringify(req.headers));
    let target;
    try {
      target = new URL(req.url);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.on('data', (chunk) => seen.bytes.push(String(chunk)));
    req.pipe(out);
  });
  const tunnels = new Set();
  server.on('connect', (req, socket) => {
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    seen.connects.push({ target: req.url, authorization: req.headers.authorization, time: Date.now() });
    seen.bytes.push(JSON.stringify(req.headers));
    socket.on('data', (chunk) => seen.bytes.push(chunk.toString('latin1')));
    socket.on('error', () => {});
    if (connect === 'refuse') socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    else if (connect === 'close') socket.end('HTTP/1.1 200 Connection Established\r\n\r\n');
    // 'hang': say nothing; the client's timeout ends it.
  });
  const port = await listen(server);
  const close = () => {
    // Sockets taken over by CONNECT are no longer the server's: end them, or close() waits for ever.
    for (const socket of tunnels) socket.destroy();
    return closeServer(server);
  };
  return { url: `http://127.0.0.1:${port}`, seen, close };
}
