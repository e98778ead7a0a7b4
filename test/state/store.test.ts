import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { fingerprintSecret, matchesFingerprint } from '../../src/state/fingerprint.js';
import {
  checkStateWorkspace,
  emptyState,
  readState,
  serializeState,
  writeState,
} from '../../src/state/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state file', () => {
  it('round-trips, bumping the serial on every write, and leaves no temp file behind', async () => {
    const path = join(dir, 'state.json');
    const state = emptyState('https://www.workato.com');
    const first = await writeState(path, state);
    const second = await writeState(path, first);
    expect(second.serial).toBe(2);
    expect(await readState(path)).toEqual(second);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('is pretty JSON with a stable key order, whatever order it was built in', () => {
    const a = emptyState('https://www.workato.com');
    a.customers = { 'E:B': { profiles: ['z', 'a'] }, '7': { id: 7, profiles: ['a'] } };
    const b = { ...a, customers: { '7': { id: 7, profiles: ['a'] }, 'E:B': { profiles: ['a', 'z'] } } };
    expect(serializeState(a)).toBe(serializeState(b));
    expect(serializeState(a)).toContain('\n  "customers": {\n    "7"');
  });

  it('is undefined when missing, and a clear error when not a state', async () => {
    expect(await readState(join(dir, 'none.json'))).toBeUndefined();
    await writeFile(join(dir, 'bad.json'), '{"version": 9}');
    await expect(readState(join(dir, 'bad.json'))).rejects.toThrow(
      /version 9; this workato-oauth reads version 1/,
    );
    await writeFile(join(dir, 'torn.json'), '{"vers');
    await expect(readState(join(dir, 'torn.json'))).rejects.toThrow(StateError);
  });

  it('is refused against another workspace', () => {
    const state = emptyState('https://www.workato.com');
    expect(() => checkStateWorkspace(state, 'https://app.eu.workato.com', 's.json')).toThrow(
      /belongs to workspace https:\/\/www.workato.com, not https:\/\/app.eu.workato.com/,
    );
  });
});

describe('secret fingerprints', () => {
  it('match their secret only, are salted, and do not contain it', async () => {
    const a = await fingerprintSecret('hunter2-secret');
    const b = await fingerprintSecret('hunter2-secret');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(await matchesFingerprint('hunter2-secret', a)).toBe(true);
    expect(await matchesFingerprint('hunter2-secret', b)).toBe(true);
    expect(await matchesFingerprint('hunter3-secret', a)).toBe(false);
    expect(await matchesFingerprint('hunter2-secret', 'sha256$abc')).toBe(false);
  });
});

describe('state written by writeState', () => {
  it('never holds a secret passed through fingerprints', async () => {
    const path = join(dir, 'state.json');
    const state = emptyState('https://www.workato.com');
    state.profiles['P'] = {
      id: 1,
      provider: 'hubspot',
      client_id: 'cid',
      updated_at: 'now',
      client_secret_fingerprint: await fingerprintSecret('top-secret-value'),
      prevent_destroy: false,
    };
    await writeState(path, state);
    expect(await readFile(path, 'utf8')).not.toContain('top-secret-value');
  });
});
