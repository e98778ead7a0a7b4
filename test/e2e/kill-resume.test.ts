/**
 * kill -9 at random points of an apply, then apply again: the world and the state
 * converge, no profile is duplicated, and the next plan is empty. Twenty runs with
 * seeded kill points, half on a first onboarding and half on a change that
 * updates, swaps, unassigns and deletes.
 *
 * Only the apply that is killed is a process of its own (kill -9 needs one); the
 * emulator, the apply before it and the apply and plan after it run in this
 * process. The runs go a few at a time, each on its own emulator and folder.
 *
 * Two more runs keep the state on the git backend (docs/state.md), against a bare
 * repository: there a killed apply loses what it did since its last remote write
 * (all of it, killed within 30 s), and leaves its lock, which the next apply takes
 * over once stale. The next apply must converge all the same.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, type ExpectStatic, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { createS3Backend } from '../../src/state/s3-backend.js';
import { type Bench, startBench } from '../commands/harness.js';
import { startConditionalProxy, startS3rver } from '../state/s3-server.js';
import { API_TOKEN, leakedSecrets, spawnCli } from './world.js';

const RUNS = 20;
/** Runs on the git backend: a first onboarding and a change. */
const GIT_RUNS = 2;
/** And one on the s3 backend (s3rver behind the proxy that enforces If-Match / If-None-Match). */
const S3_RUNS = 1;
/** Runs at a time: each spawns one CLI and works in between; more only queue for the 2 cores. */
const AT_ONCE = 3;

const CONFIG_V2 = `version: 1
profiles:
  Acme HubSpot OAuth app:
    provider: hubspot
    client_id: acme-hubspot-client
    client_secret: \${HUBSPOT_CLIENT_SECRET}
  Acme HubSpot EU app:
    provider: hubspot
    client_id: acme-hubspot-eu-client
    client_secret: \${HUBSPOT_CLIENT_SECRET}
  Acme Salesforce app:
    provider: salesforce
    client_id: 3MVG9acme.salesforce
    client_secret: \${SALESFORCE_CLIENT_SECRET}
    prevent_destroy: true
  Acme Slack app:
    provider: slack
    client_id: "12345.67890-v2"
    client_secret: \${SLACK_CLIENT_SECRET}
    token: \${SLACK_APP_TOKEN}
customers:
  - external_id: A2300
    profiles: [Acme HubSpot EU app, Acme Slack app]
  - external_id: A2301
    profiles: [Acme HubSpot EU app, Acme Salesforce app]
  - external_id: B 17/02
    profiles: [Acme HubSpot OAuth app]
  - external_id: A2304
    profiles: [Acme HubSpot OAuth app]
  - external_id: A2305
    profiles: [Acme Slack app]
  - external_id: A2306
    profiles: [Acme Salesforce app, Acme Slack app]
  - external_id: A2307
    profiles: [Acme HubSpot OAuth app]
    force_unassign: true
  - external_id: A2308
    profiles: []
  - id: 4567
    profiles: [Acme HubSpot OAuth app]
  - id: 4568
    profiles: [Acme Salesforce app, Acme Slack app]
  - id: 4569
    profiles: []
    force_unassign: true
`;

const HUB = 'Acme HubSpot OAuth app';
const SF = 'Acme Salesforce app';
const SLACK = 'Acme Slack app';
const ZOOM = 'Acme Zoom app';
const EU = 'Acme HubSpot EU app';
/** Unmanaged: held before the tool ran, and left alone. */
const GLOBEX = { G4570: ['Legacy Zoom app'] };

const HOLDINGS_V1 = {
  A2300: [HUB, SLACK],
  A2301: [HUB, SF],
  A2302: [SF],
  'B 17/02': [HUB],
  A2304: [HUB, ZOOM],
  A2305: [SLACK],
  A2306: [SF, SLACK, ZOOM],
  A2307: [HUB],
  A2308: [ZOOM],
  C4567: [HUB],
  C4568: [SF, SLACK],
  C4569: [ZOOM],
  ...GLOBEX,
};

const HOLDINGS_V2 = {
  A2300: [EU, SLACK],
  A2301: [EU, SF],
  'B 17/02': [HUB],
  A2304: [HUB],
  A2305: [SLACK],
  A2306: [SF, SLACK],
  A2307: [HUB],
  C4567: [HUB],
  C4568: [SF, SLACK],
  ...GLOBEX,
};

const APPLY = ['apply', '--auto-approve', '--allow-delete', '--force', '--quiet'];

/** A small seeded PRNG (mulberry32): a failing run fails again with the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** What the emulator's world holds, by profile name: that is what a user would see in Workato. */
async function worldView(emulator: RunningEmulator) {
  const headers = { authorization: `Bearer ${API_TOKEN}` };
  const profiles = (await (await fetch(`${emulator.url}/api/custom_oauth_profiles`, { headers })).json()) as {
    result: { id: number; name: string; data: { client_id: string } }[];
  };
  const names = profiles.result.map((p) => p.name).sort();
  const nameOf = new Map(profiles.result.map((p) => [p.id, p.name]));
  const customers = (await (await fetch(`${emulator.url}/api/managed_users`, { headers })).json()) as {
    result: { id: number; external_id: string | null }[];
  };
  const holdings: Record<string, string[]> = {};
  for (const c of customers.result) {
    const held = emulator.world.heldProfiles({ id: c.id }) ?? [];
    const heldNames = held.map((id) => nameOf.get(id) ?? `#${id}`).sort();
    if (heldNames.length > 0) holdings[c.external_id ?? String(c.id)] = heldNames;
  }
  return {
    names,
    holdings,
    clientIds: Object.fromEntries(profiles.result.map((p) => [p.name, p.data.client_id])),
  };
}

/** Kills the apply (the built CLI) once the emulator has seen a random number of its `span` requests. */
async function killSomewhere(
  world: Bench,
  rand: () => number,
  args: string[],
  span: number,
): Promise<string> {
  const before = world.emulator.requestLog.length;
  // Anywhere in the span: before the first request, between calls, or with calls in flight.
  const killAfter = Math.floor(rand() * span);
  const { child, done } = spawnCli(args, { cwd: world.dir, env: world.env });
  const outcome = await Promise.race([
    waitFor(() => world.emulator.requestLog.length - before >= killAfter).then(() => 'reached' as const),
    done.then(() => 'exited' as const),
  ]);
  if (outcome === 'reached') child.kill('SIGKILL');
  const result = await done;
  return `${killAfter} requests, ${outcome === 'reached' ? `killed (${result.signal ?? result.code})` : `exited ${result.code}`}`;
}

async function applyUntilDone(world: Bench, expect: ExpectStatic, extra: string[] = []): Promise<string> {
  const result = await world.cli([...APPLY, ...extra]);
  expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return result.stdout + result.stderr;
}

/** Runs `task`s at most `limit` at a time, in the order they ask. */
function pool(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

const inTurn = pool(AT_ONCE);

describe('kill -9 during apply, then apply again', () => {
  it.concurrent.for(Array.from({ length: RUNS }, (_, i) => i))(
    'run %i converges with no duplicate',
    { timeout: 120_000 },
    (run, { expect }) => inTurn(() => killAndResume(run, expect)),
  );
  it.concurrent.for(Array.from({ length: GIT_RUNS }, (_, i) => i))(
    'git backend: run %i converges with no duplicate',
    { timeout: 180_000 },
    (run, { expect }) => inTurn(() => killAndResume(run, expect, { git: true })),
  );
  it.concurrent.for(Array.from({ length: S3_RUNS }, (_, i) => i))(
    's3 backend: run %i converges with no duplicate',
    { timeout: 180_000 },
    (run, { expect }) => inTurn(() => killAndResume(run, expect, { s3: true })),
  );
});

/** The state block that puts the state in s3rver behind the conditional proxy, and how to read it and stop. */
async function useS3State(world: Bench): Promise<{ read: () => Promise<string>; stop: () => Promise<void> }> {
  const credentials = { accessKeyId: 'AKIDKILLRESUME', secretAccessKey: 'kill-resume-s3-secret' };
  const server = await startS3rver(credentials);
  const proxy = await startConditionalProxy(server.endpoint);
  world.env['AWS_ACCESS_KEY_ID'] = credentials.accessKeyId;
  world.env['AWS_SECRET_ACCESS_KEY'] = credentials.secretAccessKey;
  world.env['AWS_REGION'] = 'us-east-1';
  // Runs made in this process (the SDK reads its chain from the process environment) too.
  process.env['AWS_ACCESS_KEY_ID'] = credentials.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = credentials.secretAccessKey;
  const key = 'workato-oauth.state.json';
  const block = `\nstate:\n  backend: s3\n  bucket: ${server.bucket}\n  key: ${key}\n  endpoint: ${proxy.endpoint}\n  region: us-east-1\n  lock_stale: 8s\n`;
  await appendFile(world.configPath, block);
  return {
    async read() {
      // This process's SDK takes the same key pair from its environment.
      process.env['AWS_ACCESS_KEY_ID'] = credentials.accessKeyId;
      process.env['AWS_SECRET_ACCESS_KEY'] = credentials.secretAccessKey;
      const backend = await createS3Backend({
        bucket: server.bucket,
        key,
        endpoint: proxy.endpoint,
        region: 'us-east-1',
      });
      const found = await backend.read();
      await backend.close?.();
      return JSON.stringify(found?.state ?? null);
    },
    async stop() {
      await proxy.stop();
      await server.stop();
    },
  };
}

/** The state block that puts the state on a bare repository in the bench's folder. */
async function useGitState(world: Bench): Promise<() => Promise<string>> {
  const remote = join(world.dir, 'remote.git');
  execFileSync('git', ['init', '--bare', '--quiet', remote]);
  world.env['XDG_CACHE_HOME'] = join(world.dir, 'cache');
  // Short, so that the lock a killed apply leaves is taken over within the test.
  const block = `\nstate:\n  backend: git\n  remote: ${remote}\n  lock_stale: 8s\n`;
  await appendFile(world.configPath, block);
  return async () =>
    execFileSync('git', ['--git-dir', remote, 'cat-file', 'blob', 'refs/workato-oauth/state:state.json'], {
      encoding: 'utf8',
    });
}

async function killAndResume(
  run: number,
  expect: ExpectStatic,
  options: { git?: boolean; s3?: boolean } = {},
): Promise<void> {
  const rand = random(options.git ? 6000 + run : options.s3 ? 6000 + run : 1000 + run); // git: kills after 16 and 7 requests
  const changeRun = run % 2 === 1;
  const world = await startBench({ emulator: { faults: { latencyMs: [1, 12], seed: run + 1 } } });
  let stopS3: (() => Promise<void>) | undefined;
  try {
    const config = world.configPath;
    const s3 = options.s3 ? await useS3State(world) : undefined;
    stopS3 = s3?.stop;
    const readGitState = options.git ? await useGitState(world) : s3?.read;
    const stateText = readGitState ?? (() => readFile(world.statePath, 'utf8'));
    // On a remote backend, the apply after the kill waits for the killed one's lock to go stale.
    const resume = options.git || options.s3 ? ['--lock-timeout', '60'] : [];
    if (changeRun) {
      await applyUntilDone(world, expect);
      await writeFile(config, readGitState ? `${CONFIG_V2}${await gitBlockOf(config)}` : CONFIG_V2);
    }
    // The first apply makes 24 requests (2 reads, 4 creates, 18 assigns); the change 14.
    const where = await killSomewhere(world, rand, APPLY, changeRun ? 14 : 24);
    if (process.env['SHOW_KILLS']) console.log(`run ${run}: ${where}`);
    await applyUntilDone(world, expect, resume);

    const view = await worldView(world.emulator);
    const expectedNames = changeRun
      ? [
          'Acme HubSpot EU app',
          'Acme HubSpot OAuth app',
          'Acme Salesforce app',
          'Acme Slack app',
          'Legacy Zoom app',
        ]
      : [
          'Acme HubSpot OAuth app',
          'Acme Salesforce app',
          'Acme Slack app',
          'Acme Zoom app',
          'Legacy Zoom app',
        ];
    expect(view.names, where).toEqual(expectedNames);
    if (changeRun) expect(view.clientIds['Acme Slack app'], where).toBe('12345.67890-v2');
    expect(view.holdings, where).toEqual(changeRun ? HOLDINGS_V2 : HOLDINGS_V1);

    const text = await stateText();
    const state = JSON.parse(text) as { customers: Record<string, { profiles: string[] }> };
    const recorded = Object.values(state.customers).reduce((n, c) => n + c.profiles.length, 0);
    expect(recorded, where).toBe(changeRun ? 13 : 18);
    expect(leakedSecrets(text)).toEqual([]);

    const plan = await world.cli(['plan', '--detailed-exitcode']);
    expect(plan.stdout, where).toContain('No changes.');
    expect(plan.code, where).toBe(0);
  } finally {
    await world.close();
    await stopS3?.();
  }
}

/** The config's state block, kept when the test replaces the rest of the config. */
async function gitBlockOf(config: string): Promise<string> {
  const text = await readFile(config, 'utf8');
  return text.slice(text.indexOf('\nstate:\n'));
}
