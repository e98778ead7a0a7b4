/**
 * Config parsing is bounded: file size, nesting depth and what aliases expand to
 * each end in one positioned error, quickly, whatever the input. The time bounds
 * are generous (these took 20 s to minutes, or overflowed the stack, before the
 * limits); they catch a regression, not a slow machine.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, MAX_DEPTH } from '../../src/config/limits.js';
import { type ConfigResult, loadConfig } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problems.js';
import { BASE, check, problemLines, withCustomers } from './helpers.js';

const GENEROUS_MS = 5_000;

/** The result of `fn` and the wall milliseconds it took. */
function timed(fn: () => ConfigResult): { result: ConfigResult; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

const DEPTH_MESSAGE = `maps and lists are nested more than ${MAX_DEPTH} deep; a config needs a few levels`;

/** `x:` then `depth - 1` flow lists inside it: `depth` maps and lists in all. */
function flowLists(depth: number): string {
  return `x: ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}\n`;
}

describe('file size', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('a file over 50 MB is refused before it is parsed, in one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'workato-oauth-limits-'));
    dirs.push(dir);
    const file = join(dir, 'big.yaml');
    const text = `${BASE}# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    await writeFile(file, text);
    const start = performance.now();
    const result = await loadConfig(file, {});
    expect(performance.now() - start).toBeLessThan(GENEROUS_MS);
    expect(result.desired).toBeUndefined();
    expect(result.problems.map(formatProblem)).toEqual([
      `${file}  (file)  the file has more than 50 MB (${text.length.toLocaleString('en-US')} bytes), the most a config may have`,
    ]);
  });

  it('a file over the limit is refused by its size, without being read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'workato-oauth-limits-'));
    dirs.push(dir);
    const file = join(dir, 'huge.yaml');
    // 8 GiB, sparse: reading it would take minutes and fail past Node's largest string.
    const size = 8 * 1024 ** 3;
    await writeFile(file, '');
    await truncate(file, size);
    const start = performance.now();
    const result = await loadConfig(file, {});
    expect(performance.now() - start).toBeLessThan(GENEROUS_MS);
    expect(result.problems.map(formatProblem)).toEqual([
      `${file}  (file)  the file has more than 50 MB (8,589,934,592 bytes), the most a config may have`,
    ]);
  });

  it('a path that is not a regular file is refused without waiting on it', async () => {
    const result = await loadConfig('/dev/zero', {});
    expect(result.problems.map(formatProblem)).toEqual([
      '/dev/zero  (file)  cannot read: not a regular file',
    ]);
  });

  it('counts bytes, not characters: 18M three-byte characters are 54 MB', () => {
    const { result } = timed(() => check(`x: "${'€'.repeat(18_000_000)}"\n`));
    expect(problemLines(result)).toEqual([
      '0:0    the file has more than 50 MB (54,000,006 bytes), the most a config may have',
    ]);
  });

  it('a file of exactly 50 MB is read', () => {
    const text = `${BASE}#${'x'.repeat(MAX_CONFIG_BYTES - BASE.length - 2)}\n`;
    expect(text.length).toBe(MAX_CONFIG_BYTES);
    expect(check(text).problems).toEqual([]);
  });
});

describe('nesting depth', () => {
  it(`${MAX_DEPTH} maps and lists inside one another are read`, () => {
    const result = check(flowLists(MAX_DEPTH));
    expect(result.problems.map((p) => p.message)).not.toContain(DEPTH_MESSAGE);
    expect(result.problems.some((p) => p.path === 'x')).toBe(true); // reached the schema
  });

  it('one more is refused where it opens', () => {
    // `x:` is the first level; the 64th `[` (column 4 + 63) the 65th.
    expect(problemLines(check(flowLists(MAX_DEPTH + 1)))).toEqual([`1:67    ${DEPTH_MESSAGE}`]);
  });

  it.each([
    ['flow lists, 2k deep (was: Maximum call stack size exceeded)', flowLists(2_000), '1:67'],
    ['flow lists, 100k deep (was: 55 s)', flowLists(100_000), '1:67'],
    ['flow maps, 100k deep', `x: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n`, '1:256'],
    ['block lists, 100k deep on one line', `x:\n  ${'- '.repeat(100_000)}1\n`, '2:129'],
    [
      'block maps, 2k deep',
      Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}a:\n`).join(''),
      '65:65',
    ],
  ])('%s: refused at once with the depth message', (_name, text, at) => {
    const { result, ms } = timed(() => check(text));
    expect(problemLines(result)).toEqual([`${at}    ${DEPTH_MESSAGE}`]);
    expect(ms).toBeLessThan(GENEROUS_MS);
  });

  it('aliases that nest a list in itself, level after level, count as nesting', () => {
    const lines = ['a0: &a0 []'];
    for (let i = 1; i <= 1_000; i++) lines.push(`a${i}: &a${i} [*a${i - 1}]`);
    const { result, ms } = timed(() => check(`${lines.join('\n')}\n`));
    // a63 is the first whose value is 65 levels deep: the root map, a63's list, a62's... a0's.
    expect(problemLines(result)).toEqual([
      `64:12    maps and lists are nested more than ${MAX_DEPTH} deep once aliases are followed; a config needs a few levels`,
    ]);
    expect(ms).toBeLessThan(GENEROUS_MS);
  });
});

describe('alias expansion', () => {
  it('billion laughs (2^30 values) is refused by what it expands to (was: 20 s)', () => {
    const lines = ['a0: &a0 lol'];
    for (let i = 1; i <= 30; i++) lines.push(`a${i}: &a${i} [*a${i - 1}, *a${i - 1}]`);
    const { result, ms } = timed(() => check(`${lines.join('\n')}\n`));
    expect(result.problems).toHaveLength(1);
    expect(problemLines(result)[0]).toMatch(
      /^\d+:\d+ {4}aliases expand the document by more than 8 MB, reached at \*a\d+; anchor short lists, not large or nested ones$/,
    );
    expect(ms).toBeLessThan(GENEROUS_MS);
  });

  it('a 100 KB string aliased 900k times in a 108 KB file is refused by its bytes (was: 83 s)', () => {
    const text = [
      `s: &s "${'x'.repeat(100 * 1024)}"`,
      `l1: &l1 [${Array(30).fill('*s').join(', ')}]`,
      `l2: &l2 [${Array(30).fill('*l1').join(', ')}]`,
      `l3: [${Array(1_000).fill('*l2').join(', ')}]`,
      '',
    ].join('\n');
    expect(text.length).toBeLessThan(110 * 1024);
    const { result, ms } = timed(() => check(text));
    // l1's 30 copies of the string are 3 MB, each *l1 3 MB more: the second *l1 passes 8 MB.
    expect(problemLines(result)).toEqual([
      '3:15    aliases expand the document by more than 8 MB, reached at *l1; anchor short lists, not large or nested ones',
    ]);
    expect(ms).toBeLessThan(GENEROUS_MS);
  });

  it('10,000 customers sharing one anchored list of profiles are read', () => {
    const customers = [
      '  - external_id: C0',
      '    profiles: &standard [Acme HubSpot OAuth app, Acme Slack app]',
    ];
    for (let i = 1; i < 10_000; i++) customers.push(`  - external_id: C${i}`, '    profiles: *standard');
    const { result, ms } = timed(() => check(withCustomers(`${customers.join('\n')}\n`)));
    expect(result.problems).toEqual([]);
    expect(result.desired?.customers).toHaveLength(10_000);
    expect(result.desired?.customers[9_999]?.profiles).toEqual(['Acme HubSpot OAuth app', 'Acme Slack app']);
    expect(ms).toBeLessThan(GENEROUS_MS);
  });
});
