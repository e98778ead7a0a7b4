// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
/**
 * `customers_from`: customer entries in files of their own, checked with the same
 * schema and rules as the config's, each problem at its own file:line:col, and
 * the files' customers added after the config's. The glob matcher is tested below.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configDigest } from '../../src/config/customers-from.js';
import { expandGlob, segmentMatcher } from '../../src/config/glob.js';
import { loadConfig, readConfigFile } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problems.js';
import { ConfigError } from '../../src/errors.js';
import { yaml } from './helpers.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Writes `files` (relative path -> text) into a fresh folder; returns it. */
async function folder(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'wo-custfrom-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

const ENV = { ZOOM_SECRET: 'zoom-secret-value', SLACK_SECRET: 'slack-secret-value', REGION: 'eu' };

/** Lines 1-11, then `inline` from line 12. */
const CONFIG = (from: string, inline = '') =>
  [
    'version: 1',
    'profiles:',
    '  Zoom:',
    '    provider: zoom',
    '    client_id: z',
    '    client_secret: ${ZOOM_SECRET}',
    '  Slack:',
    '    provider: hubspot',
    '    client_id: s',
    '    client_secret: ${SLACK_SECRET}',
    `customers_from: ${from}`,
    inline,
  ].join('\n');

/** Each problem as the CLI prints it. */
const printed = (problems: { severity: 'error' | 'warning' }[]) =>
  problems.map((p) => formatProblem(p as Parameters<typeof formatProblem>[0]));

describe('customers_from', () => {
  it('adds every file’s customers after the config’s own, each positioned in its own file', async () => {
    const cwd = await folder({
      'conf/prod.yaml': CONFIG('[customers/*.yaml]', 'customers:\n  - id: 1\n    profiles: [Zoom]\n'),
      'conf/customers/b.yaml': '- external_id: B-${REGION}\n  profiles: [Slack]\n',
      'conf/customers/a.yaml': '# generated\n- id: 2\n  profiles: [Zoom, Slack]\n  force_unassign: true\n',
      'conf/customers/notes.txt': 'not a customer file',
    });
    const result = await loadConfig('conf/prod.yaml', ENV, { cwd });
    expect(result.problems).toEqual([]);
    expect(result.desired?.customers).toEqual([
      {
        source: { file: 'conf/prod.yaml', line: 13, col: 5 },
        ref: { id: 1 },
        profiles: ['Zoom'],
        forceUnassign: false,
      },
      {
        source: { file: 'conf/customers/a.yaml', line: 2, col: 3 },
        ref: { id: 2 },
        profiles: ['Zoom', 'Slack'],
        forceUnassign: true,
      },
      {
        source: { file: 'conf/customers/b.yaml', line: 1, col: 3 },
        ref: { externalId: 'B-eu' },
        profiles: ['Slack'],
        forceUnassign: false,
      },
    ]);
    // The config needs no customers of its own then.
    const only = await folder({ 'c.yaml': CONFIG('[list.yaml]'), 'list.yaml': '[]\n' });
    expect((await loadConfig('c.yaml', ENV, { cwd: only })).desired?.customers).toEqual([]);
  });

  it('every problem in every file at once, each at its file:line:col, the config’s first', async () => {
    const cwd = await folder({
      'c.yaml': CONFIG('[customers/*.yaml, missing/*.yaml]'),
      'customers/a.yaml': yaml`
        - external_id: A1
          profiles: [Zoom]
        - id: 5
          profiles: [Zom]
      `,
      'customers/b.yaml': yaml`
        # b
        - external_id: A1
          profiles: [Slack]
        - id: 6
          profiles: [Zoom]
          colour: blue
        - id: 7
          profiles: [Slack, Slack]
        - id: 6
          profiles: []
      `,
      'customers/c.yaml': 'customers:\n  - id: 9\n',
      'customers/d.yaml': '- id: [1\n',
    });
    const result = await loadConfig('c.yaml', ENV, { cwd });
    expect(result.desired).toBeUndefined();
    expect(printed(result.problems)).toEqual([
      "c.yaml:11:36  customers_from[1]  'missing/*.yaml' matches no file (relative to c.yaml's folder); a customer list that went missing would unassign all its customers, so name files that exist",
      "customers/a.yaml:4:14  [1].profiles[0]  unknown profile 'Zom' (did you mean 'Zoom'?)",
      "customers/b.yaml:2:16  [0].external_id  customer external_id 'A1' is listed twice (first at customers/a.yaml:1): merge the two entries",
      "customers/b.yaml:6:3  [1].colour  unknown field 'colour' (allowed: id, external_id, profiles, exclude_rules, force_unassign)",
      "customers/b.yaml:8:21  [2].profiles[1]  profile 'Slack' is listed twice for this customer (first at line 8, profiles[0])",
      'customers/b.yaml:9:7  [3].id  customer id 6 is listed twice (first at line 4, [1]): merge the two entries',
      'customers/c.yaml:1:1  (file)  expected a list of customer entries (- external_id: ... / profiles: [...]) at the top of the file, found a map; write the entries without the customers: key',
      expect.stringMatching(/^customers\/d\.yaml:\d+:\d+ {2}\(file\) {2}/),
    ]);
  });

  it('a customer both in the config and in a file is named at the file’s entry, with where it was first', async () => {
    const cwd = await folder({
      'c.yaml': CONFIG('[more.yaml]', 'customers:\n  - id: 1\n    profiles: [Zoom]\n'),
      'more.yaml': '- id: 2\n  profiles: [Zoom]\n- id: 1\n  profiles: [Slack]\n',
    });
    const result = await loadConfig('c.yaml', ENV, { cwd });
    expect(printed(result.problems)).toEqual([
      'more.yaml:3:7  [1].id  customer id 1 is listed twice (first at c.yaml:13): merge the two entries',
    ]);
  });

  it('neither customers nor customers_from: customers is missing, as before', async () => {
    const cwd = await folder({ 'c.yaml': 'version: 1\nprofiles: {}\n' });
    expect(printed((await loadConfig('c.yaml', ENV, { cwd })).problems)).toEqual([
      "c.yaml:1:1  customers  missing required field 'customers'",
    ]);
  });

  it('customers_from must be a list of paths', async () => {
    const cwd = await folder({ 'c.yaml': CONFIG('customers/*.yaml') });
    const result = await loadConfig('c.yaml', ENV, { cwd });
    expect(result.desired).toBeUndefined();
    expect(printed(result.problems)).toEqual([expect.stringMatching(/^c\.yaml:11:17 {2}customers_from {2}/)]);
  });

  it('the digest covers every file read: editing a customer file changes it, and so plan files go stale', async () => {
    const cwd = await folder({
      'c.yaml': CONFIG('[customers/*.yaml]'),
      'customers/a.yaml': '- id: 2\n  profiles: [Zoom]\n',
    });
    const before = await readConfigFile('c.yaml', ENV, cwd);
    await writeFile(join(cwd, 'customers/a.yaml'), '- id: 2\n  profiles: [Slack]\n');
    const after = await readConfigFile('c.yaml', ENV, cwd);
    expect(after.digest).not.toBe(before.digest);
    await writeFile(join(cwd, 'customers/b.yaml'), '[]\n');
    expect((await readConfigFile('c.yaml', ENV, cwd)).digest).not.toBe(after.digest);
    // Without customers_from, the digest is the file's own sha256, as plan files saved before have it.
    const text = CONFIG('[x]');
    expect(configDigest(text, [])).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
  });

  it('plan and apply get every problem as a ConfigError, each at its file', async () => {
    const cwd = await folder({ 'c.yaml': CONFIG('[a.yaml]'), 'a.yaml': '- id: 0\n  profiles: [Zoom]\n' });
    const error = await readConfigFile('c.yaml', ENV, cwd).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(printed((error as ConfigError).problems)).toEqual([
      expect.stringMatching(/^a\.yaml:1:7 {2}\[0\]\.id {2}/),
    ]);
  });
});

describe('the customers_from glob', () => {
  it('* and ? stay within a name; ** is any folders; names starting with a dot only when asked', async () => {
    const cwd = await folder({
      'c/a.yaml': '',
      'c/b.yaml': '',
      'c/ab.yml': '',
      'c/.hidden.yaml': '',
      'c/x/deep.yaml': '',
      'c/x/y/deeper.yaml': '',
      'c/.git/inside.yaml': '',
      'c/[1].yaml': '',
    });
    const names = async (pattern: string) =>
      (await expandGlob(pattern, cwd)).map((path) => path.slice(cwd.length + 1));
    expect(await names('c/*.yaml')).toEqual(['c/[1].yaml', 'c/a.yaml', 'c/b.yaml']);
    expect(await names('c/?.yaml')).toEqual(['c/a.yaml', 'c/b.yaml']);
    expect(await names('c/??.y*')).toEqual(['c/ab.yml']);
    expect(await names('c/**/*.yaml')).toEqual([
      'c/[1].yaml',
      'c/a.yaml',
      'c/b.yaml',
      'c/x/deep.yaml',
      'c/x/y/deeper.yaml',
    ]);
    expect(await names('c/.*.yaml')).toEqual(['c/.hidden.yaml']);
    expect(await names('c/[1].yaml')).toEqual(['c/[1].yaml']);
    expect(await names('./c/x/../a.yaml')).toEqual(['c/a.yaml']);
    expect(await names('c/*')).toHaveLength(4);
    expect(await names('nowhere/*.yaml')).toEqual([]);
    expect(await expandGlob(join(cwd, 'c', 'a.*'), '/elsewhere')).toEqual([join(cwd, 'c/a.yaml')]);
  });

  it('** does not follow a link back up (no endless walk)', async () => {
    const cwd = await folder({ 'c/a.yaml': '' });
    await symlink(cwd, join(cwd, 'c', 'loop'));
    expect((await expandGlob('**/*.yaml', cwd)).map((p) => p.slice(cwd.length + 1))).toEqual(['c/a.yaml']);
  });

  it('a segment matcher escapes what is not a wildcard', () => {
    expect(segmentMatcher('a.b')('axb')).toBe(false);
    expect(segmentMatcher('a+(b)')('a+(b)')).toBe(true);
    expect(segmentMatcher('*')('.x')).toBe(false);
  });
});
