import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { fingerprintSecret, matchesFingerprint } from '../../src/state/fingerprint.js';
import {
  checkStateWorkspace,
  defaultStatePath,
  emptyState,
  loadStateFile,
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
    const first = await writeState(path, state, null);
    const second = await writeState(path, first, first);
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

describe('a read-only state file', () => {
  const URL = 'https://www.workato.com';

  async function readOnlyState(): Promise<{ path: string; text: string }> {
    const path = join(dir, 'staging.state.json');
    await writeState(path, emptyState(URL), null);
    await chmod(path, 0o444);
    return { path, text: await readFile(path, 'utf8') };
  }

  it('is refused when loaded for apply, with one line, and left as it was', async () => {
    const { path, text } = await readOnlyState();
    await expect(loadStateFile(path, URL, { forWriting: true })).rejects.toThrow(
      new StateError(
        `state file ${path} is read-only; make it writable (chmod u+w ${path}) to apply, or pass --state with another file`,
      ),
    );
    expect(await readFile(path, 'utf8')).toBe(text);
    expect((await stat(path)).mode & 0o777).toBe(0o444);
    expect(await readdir(dir)).toEqual(['staging.state.json']);
  });

  it('is never replaced by a write either (a rename would do it, whatever the mode)', async () => {
    const { path, text } = await readOnlyState();
    const state = (await readState(path))!;
    await expect(writeState(path, state, state)).rejects.toThrow(/is read-only/);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect((await stat(path)).mode & 0o777).toBe(0o444);
  });

  it('is still read for plan', async () => {
    const { path } = await readOnlyState();
    expect((await loadStateFile(path, URL)).exists).toBe(true);
  });

  it('a state in a folder that does not exist is refused before apply starts', async () => {
    const path = join(dir, 'gone', 'staging.state.json');
    await expect(loadStateFile(path, URL, { forWriting: true })).rejects.toThrow(
      `cannot write state file ${path}: its folder ${join(dir, 'gone')} is missing; fix that or pass --state with another file`,
    );
  });

  it('a new state in a writable folder is fine', async () => {
    const loaded = await loadStateFile(join(dir, 'new.state.json'), URL, { forWriting: true });
    expect(loaded.exists).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)(
    'a folder this user may not write is refused (not as root)',
    async () => {
      const folder = join(dir, 'locked');
      await mkdir(folder, { mode: 0o555 });
      const path = join(folder, 'staging.state.json');
      await expect(loadStateFile(path, URL, { forWriting: true })).rejects.toThrow(
        `cannot write state file ${path}: its folder ${folder} is not writable by this user; fix that or pass --state with another file`,
      );
      await chmod(folder, 0o755);
    },
  );
});

describe('defaultStatePath', () => {
  it.each([
    ['workato-oauth.yaml', 'workato-oauth.state.json'],
    ['staging.yaml', 'staging.state.json'],
    ['x.yml', 'x.state.json'],
    ['Prod.YAML', 'Prod.state.json'],
    ['conf', 'conf.state.json'],
    ['my.team.yaml', 'my.team.state.json'],
    ['prod.v2', 'prod.v2.state.json'],
    ['.yaml', '.yaml.state.json'],
  ])('%s -> %s, beside it', (config, state) => {
    expect(defaultStatePath(join('/repo', 'infra', config))).toBe(join('/repo', 'infra', state));
    expect(defaultStatePath(config)).toBe(state);
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
    await writeState(path, state, null);
    expect(await readFile(path, 'utf8')).not.toContain('top-secret-value');
  });
});
