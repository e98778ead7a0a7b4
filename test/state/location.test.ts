import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { describeLocation, LocationError, parseStateOption, redactUrl } from '../../src/state/location.js';
import { resolveStateLocation } from '../../src/workflow/state-backend.js';
import { parseStateSettings } from '../../src/workflow/state-settings.js';

describe('--state locations', () => {
  it('reads a path, s3://BUCKET/KEY and git::REMOTE#REF', () => {
    expect(parseStateOption('prod.state.json')).toEqual({ kind: 'local', path: 'prod.state.json' });
    expect(parseStateOption('s3://bucket/dir/key.json')).toEqual({
      kind: 's3',
      bucket: 'bucket',
      key: 'dir/key.json',
    });
    expect(parseStateOption('git::origin')).toEqual({
      kind: 'git',
      remote: 'origin',
      ref: 'refs/workato-oauth/state',
    });
    expect(parseStateOption('git::')).toEqual({
      kind: 'git',
      remote: 'origin',
      ref: 'refs/workato-oauth/state',
    });
    expect(parseStateOption('git::https://example.com/a/b.git#refs/oauth/prod')).toEqual({
      kind: 'git',
      remote: 'https://example.com/a/b.git',
      ref: 'refs/oauth/prod',
    });
  });

  it('refuses a branch, a tag, a short ref and an s3 location without a key', () => {
    expect(() => parseStateOption('git::origin#refs/heads/main')).toThrow(/must not be a branch or a tag/);
    expect(() => parseStateOption('git::origin#refs/tags/v1')).toThrow(/must not be a branch or a tag/);
    expect(() => parseStateOption('git::origin#main')).toThrow(LocationError);
    expect(() => parseStateOption('s3://bucket')).toThrow(/s3:\/\/BUCKET\/KEY/);
  });

  it('never shows the credentials of a URL', () => {
    const location = parseStateOption('git::https://x-access-token:ghs_secret123@github.com/o/r.git');
    expect(describeLocation(location)).toBe('git::https://github.com/o/r.git#refs/workato-oauth/state');
    expect(redactUrl('fatal: unable to access https://user:pw@host/r.git/')).toBe(
      'fatal: unable to access https://host/r.git/',
    );
    expect(() => parseStateOption('git::https://u:ghs_secret123@h/r#main')).toThrow(/^(?!.*ghs_secret123)/);
  });
});

describe("the config's state block", () => {
  const env = { BUCKET: 'from-env' };
  it('reads each backend, with lock_stale as a duration', () => {
    expect(
      parseStateSettings('version: 1\nstate:\n  backend: git\n  lock_stale: 90s\n', '/c/x.yaml', env),
    ).toEqual({
      location: { kind: 'git', remote: 'origin', ref: 'refs/workato-oauth/state' },
      lockStaleMs: 90_000,
    });
    expect(parseStateSettings('state:\n  path: s/prod.json\n', '/c/x.yaml', env)).toEqual({
      location: { kind: 'local', path: '/c/s/prod.json' },
    });
    expect(
      parseStateSettings(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${VAR}, not a template
        'state:\n  backend: s3\n  bucket: ${BUCKET}\n  key: k.json\n  region: eu-west-1\n',
        '/c/x.yaml',
        env,
      ),
    ).toEqual({ location: { kind: 's3', bucket: 'from-env', key: 'k.json', region: 'eu-west-1' } });
    expect(parseStateSettings('version: 1\n', '/c/x.yaml', env)).toEqual({});
  });

  it('reports every problem with its line and column', () => {
    const text = 'version: 1\nstate:\n  backend: git\n  bucket: b\n  lock_stale: soon\n  colour: red\n';
    let error: unknown;
    try {
      parseStateSettings(text, '/c/x.yaml', env, 'x.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`)).toEqual(
      [
        "x.yaml:4:11 bucket is a setting of backend s3, and this state's backend is git",
        'x.yaml:5:15 lock_stale must be a duration such as 30s, 10m or 1h',
        'x.yaml:6:3 unknown field "colour"; state takes backend, lock_stale, path, remote, ref, bucket, key, region, endpoint',
      ].sort(),
    );
  });
});

describe('which location a command uses', () => {
  it('--state wins over the block, keeping its lock_stale, and an s3 --state keeps the region and endpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wo-loc-'));
    try {
      const config = join(dir, 'x.yaml');
      const io = { cwd: dir, env: {} };
      await writeFile(
        config,
        'version: 1\nstate:\n  backend: s3\n  bucket: b\n  key: k\n  region: eu-west-1\n  endpoint: http://127.0.0.1:9000\n  lock_stale: 2m\n',
      );
      expect(await resolveStateLocation('s3://b/k', config, io)).toEqual({
        location: {
          kind: 's3',
          bucket: 'b',
          key: 'k',
          region: 'eu-west-1',
          endpoint: 'http://127.0.0.1:9000',
        },
        lockStaleMs: 120_000,
      });
      expect(await resolveStateLocation('other.json', config, io)).toEqual({
        location: { kind: 'local', path: join(dir, 'other.json') },
        lockStaleMs: 120_000,
      });
      expect(await resolveStateLocation(undefined, join(dir, 'none.yaml'), io)).toEqual({
        location: { kind: 'local', path: join(dir, 'none.state.json') },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
