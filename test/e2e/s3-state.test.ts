/**
 * The s3 backend through the CLI (issue 14): `state migrate` carries one state
 * local -> git -> s3 -> local unchanged, and plan and apply read and write it
 * there. Against s3rver behind the test proxy that enforces If-Match and
 * If-None-Match (test/state/s3-server.ts; s3rver ignores both).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { type Bench, startBench } from '../commands/harness.js';
import {
  type ConditionalProxy,
  type S3TestServer,
  startConditionalProxy,
  startS3rver,
} from '../state/s3-server.js';

const APPLY = ['apply', '--auto-approve', '--allow-delete', '--force', '--quiet'];
const CREDENTIALS = { accessKeyId: 'AKIDS3STATETEST', secretAccessKey: 's3-state-secret-key-never-printed' };
const AWS_ENV = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;

let server: S3TestServer;
let proxy: ConditionalProxy;
let saved: Record<string, string | undefined>;
let bench: Bench;

beforeAll(async () => {
  server = await startS3rver(CREDENTIALS);
  proxy = await startConditionalProxy(server.endpoint);
  // The SDK reads its credential chain from the process environment, also in-process.
  saved = Object.fromEntries(AWS_ENV.map((name) => [name, process.env[name]]));
  process.env['AWS_ENDPOINT_URL_S3'] = proxy.endpoint;
  process.env['AWS_ACCESS_KEY_ID'] = CREDENTIALS.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = CREDENTIALS.secretAccessKey;
  process.env['AWS_REGION'] = 'us-east-1';
});
afterAll(async () => {
  for (const name of AWS_ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await proxy?.stop();
  await server?.stop();
});
beforeEach(async () => {
  bench = await startBench();
});
afterEach(async () => {
  expect(bench.printed.join('')).not.toContain(CREDENTIALS.secretAccessKey);
  await bench.close();
});

it('state migrate local -> git -> s3 -> local round-trips to an identical state', async () => {
  expect((await bench.cli(APPLY)).code).toBe(0);
  const original = await readFile(bench.statePath, 'utf8');
  const remote = join(bench.dir, 'remote.git');
  execFileSync('git', ['init', '--bare', '--quiet', remote]);
  const git = `git::${remote}#refs/workato-oauth/state`;
  const s3 = `s3://${server.bucket}/migrate/workato-oauth.state.json`;
  const steps = [
    ['--to', git],
    ['--state', git, '--to', s3],
    ['--state', s3, '--to', 'copy.state.json'],
  ];
  for (const step of steps) {
    const run = await bench.cli(['state', 'migrate', ...step], {
      env: { XDG_CACHE_HOME: join(bench.dir, 'cache') },
    });
    expect(run.code, `${step.join(' ')}: ${run.stderr}`).toBe(0);
  }
  expect(await readFile(join(bench.dir, 'copy.state.json'), 'utf8')).toBe(original);
});

it('plan and apply keep the state in s3: the next plan read from there is empty', async () => {
  const s3 = `s3://${server.bucket}/apply/workato-oauth.state.json`;
  const applied = await bench.cli([...APPLY, '--state', s3]);
  expect(applied.code, applied.stderr).toBe(0);
  const plan = await bench.cli(['plan', '--detailed-exitcode', '--state', s3]);
  expect(plan.stdout, plan.stderr).toContain('No changes.');
  expect(plan.code).toBe(0);
  const list = await bench.cli(['state', 'list', '--state', s3]);
  expect(list.stdout).toContain('profile["Acme HubSpot OAuth app"]');
  await bench.expectNoLeaks();
});
