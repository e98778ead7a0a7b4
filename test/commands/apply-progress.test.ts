// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax.
/**
 * A long apply without a terminal (a CI log) prints a progress line at least
 * every 100 changes; --quiet prints none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WorldData } from '../../src/emulator/world-data.js';
import type { ConfigDoc } from '../e2e/apply-helpers.js';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  expect(world.printed.length).toBeGreaterThan(0);
  await world.expectNoLeaks(['p.json']);
  await world.close();
});

const CUSTOMERS = 250;
/** One profile created, then assigned to every customer. */
const CHANGES = CUSTOMERS + 1;
const PROFILE = 'Acme HubSpot OAuth app';

const DATA: WorldData = {
  customers: Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: 5001 + i,
    external_id: `P${5001 + i}`,
    name: `Partner ${i + 1}`,
  })),
};

const CONFIG: ConfigDoc = {
  version: 1,
  profiles: {
    [PROFILE]: {
      provider: 'hubspot',
      client_id: 'acme-hubspot-client',
      client_secret: '${HUBSPOT_CLIENT_SECRET}',
    },
  },
  customers: Array.from({ length: CUSTOMERS }, (_, i) => ({
    external_id: `P${5001 + i}`,
    profiles: [PROFILE],
  })),
};

const APPLY = ['apply', '--auto-approve', ...FAST];
const PROGRESS = /^Applying: (\d+)\/(\d+) changes, \d+\/min, about .+ left$/;

describe('apply progress without a terminal', () => {
  it(`logs a line at least every 100 of ${CHANGES} changes`, async () => {
    world = await startBench({ world: DATA, config: CONFIG });
    const applied = await world.cli(APPLY);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`Apply complete: ${CHANGES} done, 0 failed, 0 skipped.`);
    // Plain lines for a log: no carriage return or cursor control.
    expect(applied.stderr).not.toContain('\r');
    expect(applied.stderr).not.toContain('\u001b[');

    const lines = applied.stderr.split('\n').filter((line) => line.startsWith('Applying:'));
    for (const line of lines) expect(line).toMatch(PROGRESS);
    const counts = lines.map((line) => Number(PROGRESS.exec(line)?.[1]));
    expect(lines.every((line) => PROGRESS.exec(line)?.[2] === String(CHANGES))).toBe(true);
    expect(counts.length).toBeGreaterThanOrEqual(2);
    const marks = [0, ...counts, CHANGES];
    for (let i = 1; i < marks.length; i += 1) {
      expect(marks[i]! - marks[i - 1]!, `progress lines at ${counts.join(', ')}`).toBeLessThanOrEqual(100);
    }
  });

  it('--quiet prints no progress', async () => {
    world = await startBench({ world: DATA, config: CONFIG });
    const applied = await world.cli([...APPLY, '--quiet']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`Apply complete: ${CHANGES} done, 0 failed, 0 skipped.`);
    expect(applied.stderr).not.toContain('Applying:');
  });
});
