/**
 * No secret value and no API token is ever printed or written: not in the plan,
 * the progress, the outcome table, debug request logs, an error answer that
 * echoes what it was sent, the state file or a plan file. (Every other apply
 * test checks its own output and files the same way, in its afterEach.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SECRETS } from '../e2e/world.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  expect(world.printed.length).toBeGreaterThan(0);
  await world.expectNoLeaks(['p.json']);
  await world.close();
});

describe('apply keeps secrets out of its output and files', () => {
  it('with --debug, and an error answer that echoes the secret it was sent', async () => {
    world = await startBench();
    world.emulator.setFaults({
      script: [
        {
          method: 'POST',
          path: '/api/custom_oauth_profiles',
          status: 422,
          body: { errors: { 'data.client_secret': [`${SECRETS.HUBSPOT_CLIENT_SECRET} is not accepted`] } },
        },
      ],
    });
    const planned = await world.cli(['plan', '--out', 'p.json', '--debug', ...FAST]);
    expect(planned.code, planned.stderr).toBe(0);
    const failed = await world.cli([
      'apply',
      'p.json',
      '--auto-approve',
      '--debug',
      '--concurrency',
      '1',
      ...FAST,
    ]);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    // The reason is shown, the value is not.
    expect(failed.stdout).toMatch(
      /failed {3}profile\["Acme HubSpot OAuth app"\] +create: .*data\.client_secret \[redacted\] is not accepted$/m,
    );
    expect(failed.stderr).toMatch(/^debug: /m);

    const rerun = await world.cli(['apply', '--auto-approve', '--debug', ...FAST]);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
  });
});
