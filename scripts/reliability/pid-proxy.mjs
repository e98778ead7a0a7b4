/**
 * Tells which process sent each request: a reverse proxy in front of the
 * emulator that maps each client connection's port to the pid owning the
 * socket (Linux /proc), so the lock rows can check that no two processes held
 * the state, i.e. wrote, at the same time. All processes see one API URL, so
 * the state file's workspace is the same for all of them.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { startReverseProxy } from './fault-proxy.mjs';

/** inode of the 127.0.0.1 TCP socket whose local port is `port`, from /proc/net/tcp. */
function inodeOfPort(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[1]?.endsWith(`:${hex}`)) return cols[9];
    }
  }
  return undefined;
}

function pidOwning(inode, pids) {
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {}
    }
  }
  return undefined;
}

/** `pids()` lists the processes that may be sending. Each log entry gets `pid` (or undefined). */
export async function startPidProxy(emulatorUrl, pids) {
  const log = [];
  const bySocket = new WeakMap();
  const proxy = await startReverseProxy(emulatorUrl, { log });
  proxy.server.on('request', (req) => {
    const socket = req.socket;
    let pid = bySocket.get(socket);
    if (pid === undefined) {
      const inode = inodeOfPort(socket.remotePort);
      pid = inode === undefined ? undefined : pidOwning(inode, pids());
      if (pid !== undefined) bySocket.set(socket, pid);
    }
    // The proxy's own handler logged this request just before: tag it.
    const entry = log.findLast((e) => e.req === req) ?? log[log.length - 1];
    if (entry) entry.pid = pid;
  });
  return proxy;
}

/**
 * Two holders at once: a write by one process between the first and the last
 * write of another. Returns a description, or undefined.
 */
export function overlappingWriters(log) {
  const spans = new Map();
  for (const e of log) {
    if (e.method === 'GET' || e.pid === undefined) continue;
    const span = spans.get(e.pid) ?? { first: e.time, last: e.time, pid: e.pid };
    span.first = Math.min(span.first, e.time);
    span.last = Math.max(span.last, e.time);
    spans.set(e.pid, span);
  }
  const list = [...spans.values()].sort((a, b) => a.first - b.first);
  for (let i = 1; i < list.length; i++) {
    if (list[i].first < list[i - 1].last) {
      return `pids ${list[i - 1].pid} and ${list[i].pid} wrote at the same time (${list.length} writers)`;
    }
  }
  return undefined;
}
