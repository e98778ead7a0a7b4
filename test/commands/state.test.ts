import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStateList, runStateRm, runStateShow } from '../../src/commands/state.js';
import { StateError } from '../../src/errors.js';
import { fingerprintSecret } from '../../src/state/fingerprint.js';
import { acquireStateLock } from '../../src/state/lock.js';
import { emptyState, readState, writeState } from '../../src/state/store.js';
import type { State } from '../../src/state/types.js';
import { memoryIo } from '../memory-io.js';

const DEFAULTS = { file: 'workato-oauth.yaml' };
const RM = { ...DEFAULTS, lockTimeout: 0 };

let dir: string;
let statePath: string;
let written: State;
/** Every fingerprint in the state: none may ever be printed. */
let fingerprints: string[];
/** Everything every command printed in a test. */
let printed: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-state-cmd-'));
  statePath = join(dir, 'workato-oauth.state.json');
  const state = emptyState('https://www.workato.com');
  state.profiles['Acme HubSpot OAuth app'] = {
    id: 11,
    provider: 'hubspot',
    client_id: 'acme-client',
    updated_at: '2026-01-01T00:00:00.000+00:00',
    client_secret_fingerprint: await fingerprintSecret('acme-secret'),
    prevent_destroy: true,
  };
  state.profiles['Acme Slack app'] = {
    id: 12,
    provider: 'slack',
    client_id: 'slack-client',
    updated_at: '2026-01-02T00:00:00.000+00:00',
    client_secret_fingerprint: await fingerprintSecret('slack-secret'),
    token_fingerprint: await fingerprintSecret('slack-token'),
    prevent_destroy: false,
  };
  state.customers['4567'] = { id: 4567, profiles: ['Acme Slack app'] };
  state.customers['E:A2300'] = {
    id: 4568,
    external_id: 'A2300',
    profiles: ['Acme HubSpot OAuth app', 'Acme Slack app'],
  };
  written = await writeState(statePath, state, null);
  fingerprints = Object.values(written.profiles).flatMap((p) =>
    [p.client_secret_fingerprint, p.token_fingerprint].filter((f) => f !== undefined),
  );
  printed = [];
});

afterEach(async () => {
  for (const text of printed) {
    for (const fingerprint of fingerprints) {
      expect(text).not.toContain(fingerprint);
      expect(text).not.toContain(fingerprint.split('$')[5]);
    }
  }
  await rm(dir, { recursive: true, force: true });
});

/** An in-memory Io in the temp folder, whose output the leak check reads. */
function io() {
  const recorded = memoryIo({ cwd: dir });
  const out = recorded.out.bind(recorded);
  const err = recorded.err.bind(recorded);
  recorded.out = (text) => {
    printed.push(text);
    out(text);
  };
  recorded.err = (text) => {
    printed.push(text);
    err(text);
  };
  return recorded;
}

/** The error a command threw, recorded for the leak check. */
async function failure(promise: Promise<number>): Promise<StateError> {
  const error = await promise.then(
    () => expect.fail('expected the command to fail'),
    (e: unknown) => e,
  );
  printed.push((error as Error).message);
  return error as StateError;
}

describe('state list', () => {
  it('prints every address, profiles first, with no config file present', async () => {
    const out = io();
    expect(await runStateList(DEFAULTS, out)).toBe(0);
    expect(out.stdout).toBe(
      [
        'profile["Acme HubSpot OAuth app"]',
        'profile["Acme Slack app"]',
        'assignment["4567"]["Acme Slack app"]',
        'assignment["E:A2300"]["Acme HubSpot OAuth app"]',
        'assignment["E:A2300"]["Acme Slack app"]',
        '',
      ].join('\n'),
    );
    expect(out.stderr).toBe('');
  });

  it('finds the state beside -f, or at --state', async () => {
    await mkdir(join(dir, 'infra'));
    const beside = io();
    expect(await runStateList({ file: 'infra/oauth.yaml' }, beside)).toBe(0);
    expect(beside.stdout).toBe('');
    expect(beside.stderr).toBe(`no state file at ${join(dir, 'infra', 'oauth.state.json')}\n`);

    const explicit = io();
    expect(
      await runStateList({ file: 'infra/oauth.yaml', state: 'workato-oauth.state.json' }, explicit),
    ).toBe(0);
    expect(explicit.stdout.split('\n')).toHaveLength(6);
  });

  it('refuses a state file edited into something else, naming the field', async () => {
    const text = (await readFile(statePath, 'utf8')).replace('"id": 11', '"id": "abc"');
    await writeFile(statePath, text);
    const error = await failure(runStateList(DEFAULTS, io()));
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      `state file ${statePath}: profiles["Acme HubSpot OAuth app"].id must be integer`,
    );
  });
});

describe('state show', () => {
  it('a profile: its fields, which secrets are fingerprinted, and its customer count', async () => {
    const out = io();
    expect(await runStateShow('profile["Acme Slack app"]', DEFAULTS, out)).toBe(0);
    expect(out.stdout).toBe(
      [
        'profile["Acme Slack app"]',
        '  id:              12',
        '  provider:        slack',
        '  client_id:       slack-client',
        '  updated_at:      2026-01-02T00:00:00.000+00:00',
        '  prevent_destroy: false',
        '  client_secret:   (fingerprint stored)',
        '  token:           (fingerprint stored)',
        '  assigned to:     2 customers',
        '',
      ].join('\n'),
    );
  });

  it("an assignment: the customer's ids", async () => {
    const out = io();
    expect(await runStateShow('assignment["E:A2300"]["Acme HubSpot OAuth app"]', DEFAULTS, out)).toBe(0);
    expect(out.stdout).toContain('  customer id: 4568\n  external_id: A2300\n');
  });

  it('an unknown address: exit 1, naming it and the closest one', async () => {
    const error = await failure(runStateShow('profile["Acme Slak app"]', DEFAULTS, io()));
    expect(error).toBeInstanceOf(StateError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      `profile["Acme Slak app"] is not in the state file ${statePath} (did you mean profile["Acme Slack app"]?)`,
    );
  });

  it('no state file: exit 1', async () => {
    await rm(statePath);
    const error = await failure(runStateShow('profile["Acme Slack app"]', DEFAULTS, io()));
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(`no state file at ${statePath}`);
  });
});

describe('state rm', () => {
  it('forgets a profile and its assignments, drops emptied customers, bumps the serial', async () => {
    const out = io();
    expect(await runStateRm(['profile["Acme Slack app"]'], RM, out)).toBe(0);
    expect(out.stdout).toBe(
      [
        'Removed profile["Acme Slack app"]',
        'Removed assignment["4567"]["Acme Slack app"]',
        'Removed assignment["E:A2300"]["Acme Slack app"]',
        `Removed 3 entries from the state (serial ${written.serial + 1}); nothing was changed in Workato.`,
        '',
      ].join('\n'),
    );
    const after = (await readState(statePath))!;
    expect(after.serial).toBe(written.serial + 1);
    expect(after.lineage).toBe(written.lineage);
    expect(Object.keys(after.profiles)).toEqual(['Acme HubSpot OAuth app']);
    expect(after.customers).toEqual({
      'E:A2300': { id: 4568, external_id: 'A2300', profiles: ['Acme HubSpot OAuth app'] },
    });
    // The lock is released.
    const lock = await acquireStateLock(statePath, { timeoutSeconds: 0, onMessage: () => {} });
    await lock.release();
  });

  it('forgets one assignment and nothing else', async () => {
    const out = io();
    expect(await runStateRm(['assignment["4567"]["Acme Slack app"]'], RM, out)).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe('Removed assignment["4567"]["Acme Slack app"]');
    const after = (await readState(statePath))!;
    expect(after.customers['4567']).toBeUndefined();
    expect(after.profiles).toEqual(written.profiles);
    expect(after.customers['E:A2300']).toEqual(written.customers['E:A2300']);
  });

  it('writes nothing when any address is unknown, naming each', async () => {
    const before = await readFile(statePath, 'utf8');
    const error = await failure(
      runStateRm(['profile["Acme Slack app"]', 'profile["Acme Slak app"]', 'assignment["1"]["x"]'], RM, io()),
    );
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      [
        `nothing removed from the state file ${statePath}:`,
        '  profile["Acme Slak app"] is not in the state (did you mean profile["Acme Slack app"]?)',
        '  assignment["1"]["x"] is not in the state',
      ].join('\n'),
    );
    expect(await readFile(statePath, 'utf8')).toBe(before);
  });

  it('--dry-run shows what would go and writes nothing', async () => {
    const before = await readFile(statePath, 'utf8');
    const out = io();
    expect(await runStateRm(['profile["Acme HubSpot OAuth app"]'], { ...RM, dryRun: true }, out)).toBe(0);
    expect(out.stdout).toBe(
      [
        'Would remove profile["Acme HubSpot OAuth app"]',
        'Would remove assignment["E:A2300"]["Acme HubSpot OAuth app"]',
        'Would remove 2 entries; nothing written (--dry-run).',
        '',
      ].join('\n'),
    );
    expect(await readFile(statePath, 'utf8')).toBe(before);
  });

  it('refuses (exit 3) while another process holds the lock, and writes nothing', async () => {
    const before = await readFile(statePath, 'utf8');
    const lock = await acquireStateLock(statePath, { timeoutSeconds: 0, onMessage: () => {} });
    try {
      const error = await failure(runStateRm(['profile["Acme Slack app"]'], RM, io()));
      expect(error.exitCode).toBe(3);
      expect(error.message).toMatch(/is locked by pid \d+/);
    } finally {
      await lock.release();
    }
    expect(await readFile(statePath, 'utf8')).toBe(before);
  });

  it('no state file: exit 1, and no lock left behind', async () => {
    await rm(statePath);
    const error = await failure(runStateRm(['profile["Acme Slack app"]'], RM, io()));
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(`no state file at ${statePath}`);
    expect(await readdir(dir)).toEqual([]);
  });
});
