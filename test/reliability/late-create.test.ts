/**
 * The fast, real-time part of the campaign's late-create row (issue 10): a
 * create that reaches the server after the client gave up on it must not be
 * posted again. Client-level tests (client-retry.test.ts) script the look-ups
 * with nock; here the whole CLI runs against the emulator over real sockets,
 * once with `--timeout` shorter than the server takes, once with a middlebox
 * that drops the connection before the server acts. The full campaign
 * (`npm run reliability`) runs these at 4-15 s.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, FAST, startBench } from '../commands/harness.js';

const PROFILES = '/api/custom_oauth_profiles';
const HUBSPOT = 'Acme HubSpot OAuth app';

let world: Bench;
let middlebox: Server | undefined;
afterEach(async () => {
  await world.expectNoLeaks();
  if (middlebox) {
    middlebox.closeAllConnections();
    await new Promise((resolve) => middlebox?.close(resolve));
    middlebox = undefined;
  }
  await world.close();
});

/** Forwards to `target`; the client's connection of the first POST to PROFILES is dropped after `dropMs`. */
async function startMiddlebox(target: string, dropMs: number): Promise<string> {
  const upstream = new URL(target);
  let dropped = false;
  middlebox = createServer((req, res) => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (res.destroyed) return answer.resume();
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
    if (!dropped && req.method === 'POST' && req.url?.startsWith(PROFILES)) {
      dropped = true;
      setTimeout(() => req.socket.destroy(), dropMs);
    }
  });
  await new Promise<void>((resolve) => middlebox?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(middlebox.address() as AddressInfo).port}`;
}

/** Each profile of the config exists once, HubSpot's create was posted once, and the next plan is empty. */
async function expectCreatedOnce(env: Record<string, string> = {}): Promise<void> {
  const names = world.emulator.world.toData().profiles.map((p) => p.name);
  expect(names.filter((name) => name === HUBSPOT)).toHaveLength(1);
  expect(new Set(names).size).toBe(names.length);
  const posts = world.emulator.requestLog.filter((e) => e.method === 'POST' && e.path.startsWith(PROFILES));
  expect(posts).toHaveLength(4);
  const plan = await world.cli(['plan', '--detailed-exitcode', ...FAST], { env });
  expect(plan.code, plan.stdout).toBe(0);
}

describe('a create that lands after the client gave up', () => {
  it('with --timeout shorter than the server takes: found, not posted again', async () => {
    world = await startBench({
      emulator: { faults: { script: [{ method: 'POST', path: PROFILES, delayMs: 1600 }] } },
    });
    const run = await world.cli(['apply', '--auto-approve', '--concurrency', '1', '--timeout', '1', ...FAST]);
    expect(run.code, run.stderr).toBe(0);
    await expectCreatedOnce();
  });

  it('behind a middlebox that drops the connection before the server acts: found, not posted again', async () => {
    world = await startBench({
      emulator: { faults: { script: [{ method: 'POST', path: PROFILES, delayMs: 800 }] } },
    });
    const url = await startMiddlebox(world.emulator.url, 300);
    const run = await world.cli(['apply', '--auto-approve', '--concurrency', '1', ...FAST], {
      env: { WORKATO_API_URL: url },
    });
    expect(run.code, run.stderr).toBe(0);
    await expectCreatedOnce({ WORKATO_API_URL: url });
  });
});
