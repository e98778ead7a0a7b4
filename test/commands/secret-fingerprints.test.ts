/**
 * Secrets are hashed only where the result is used (scrypt costs about 40 ms of CPU
 * each): a plain plan of new profiles hashes nothing, apply fingerprints what it
 * creates so the next plan can compare, and a changed secret is still seen.
 */
import { afterEach, expect, it } from 'vitest';
import { SECRETS } from '../e2e/world.js';
import { type Bench, FAST, startBench } from './harness.js';

let bench: Bench;
afterEach(() => bench?.close());

it('apply records a fingerprint of every secret it sends, so the next plan is empty', async () => {
  bench = await startBench();
  expect((await bench.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
  const state = await bench.readState();
  for (const [name, record] of Object.entries(state.profiles)) {
    expect(record.client_secret_fingerprint, name).toMatch(/^scrypt\$/);
  }
  expect(state.profiles['Acme Slack app']?.token_fingerprint).toMatch(/^scrypt\$/);
  const again = await bench.cli(['plan', '--detailed-exitcode', ...FAST]);
  expect(again.stdout).toContain('No changes');
  expect(again.code).toBe(0);
  await bench.expectNoLeaks();
});

it('a secret changed after apply is planned as an update of that profile alone', async () => {
  bench = await startBench();
  expect((await bench.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
  const changed = await bench.cli(['plan', '--detailed-exitcode', ...FAST], {
    env: { ZOOM_CLIENT_SECRET: `${SECRETS.ZOOM_CLIENT_SECRET}-rotated` },
  });
  expect(changed.code).toBe(2);
  expect(changed.stdout).toMatch(/~ .*Acme Zoom app/);
  expect(changed.stdout).not.toMatch(/~ .*Acme HubSpot OAuth app/);
  await bench.expectNoLeaks();
});
