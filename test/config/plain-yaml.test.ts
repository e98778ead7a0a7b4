/**
 * The plain-YAML shortcut (src/config/plain-yaml.ts) must read exactly what the
 * yaml package reads, or decline. Compared on the examples, the fixtures and
 * generated documents full of YAML's traps: the same value, and the same
 * positions for every key and value.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReadResult, readDocument, type SourceNode } from '../../src/config/document.js';
import { root } from '../e2e/world.js';

const keep = (text: string) => text;

function read(text: string, plain: boolean): ReadResult {
  return readDocument(text, 'f.yaml', keep, { plain });
}

/** Positions as comparable values: starts of everything, ends of scalars (collections' ends are not used). */
function positions(node: SourceNode | undefined): unknown {
  if (node === undefined) return undefined;
  if (node.entries)
    return { start: node.start, entries: [...node.entries].map(([k, v]) => [k, v.keyStart, positions(v)]) };
  if (node.items) return { start: node.start, items: node.items.map(positions) };
  return [node.start, node.end];
}

function expectSameReading(text: string): boolean {
  const plain = read(text, true);
  if (!plain.plain) return false;
  const full = read(text, false);
  expect(full.problems).toEqual([]);
  expect(plain.value).toEqual(full.value);
  expect(positions(plain.source.root)).toEqual(positions(full.source.root));
  return true;
}

describe('the plain-YAML shortcut', () => {
  it('reads the example config as the yaml package does', () => {
    expect(expectSameReading(readFileSync(join(root, 'examples/workato-oauth.yaml'), 'utf8'))).toBe(true);
  });

  it('reads what it accepts among the fixtures as the yaml package does', () => {
    const dir = join(root, 'test/config/fixtures');
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
      expectSameReading(readFileSync(join(dir, name), 'utf8'));
    }
  });

  it('reads a generated config of 1,000 customers as the yaml package does', () => {
    const lines = ['version: 1', 'profiles:', '  "P 1":', '    provider: hubspot', '    client_id: "123"'];
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference in YAML text
    lines.push('    client_secret: ${S}', 'customers:');
    for (let i = 0; i < 1000; i++) lines.push(`- external_id: C${i} # note`, '  profiles: [P 1]');
    expect(expectSameReading(`${lines.join('\n')}\n`)).toBe(true);
  });

  // Scalars it reads, and traps: what it must decline or read exactly as YAML does.
  const SAFE = [
    'a',
    'Acme app',
    'x:y',
    'a#b',
    'a #c',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference in YAML text
    '${VAR}',
    '"q"',
    "'s'",
    "'it''s'",
    '"a: b"',
    '1',
    'true',
    'False',
    'null',
    '~',
    'yes',
    '[a, "b c", 1]',
    '[]',
    '.x',
    '3MVG9a.b',
    '1.2.3',
    '',
  ];
  const TRAPS = [
    "it's",
    '"a\\"b"',
    '007',
    '-1',
    '+1',
    '1.5',
    '1e3',
    '0x1F',
    '0o17',
    '.inf',
    '.NaN',
    '.5',
    '-',
    '- a',
    '?',
    '[a, b]',
    '[a,]',
    '{a: 1}',
    '&x a',
    '*x',
    '!tag a',
    '|',
    '>',
    '%x',
    '@a',
    '`a',
    'a: b',
    'a:',
    '[a: b]',
    '"unclosed',
    '[a',
    'a ]',
  ];
  const scalar = fc.oneof(
    { arbitrary: fc.constantFrom(...SAFE), weight: 8 },
    { arbitrary: fc.constantFrom(...TRAPS), weight: 1 },
  );
  const key = fc.constantFrom(
    'a',
    'b',
    'Acme app',
    '"q k"',
    "'s k'",
    '1',
    'true',
    'x#y',
    'a',
    'null',
    '-k',
    'k k',
    'sp ',
    '"q" ',
  );
  type Tree = string | { map: [string, Tree][] } | { seq: Tree[] };
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((t) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.record({ map: fc.array(fc.tuple(key, t('node')), { minLength: 1, maxLength: 3 }) }),
      fc.record({ seq: fc.array(t('node'), { minLength: 1, maxLength: 3 }) }),
    ),
  })).node;

  /** Block YAML for a tree; `style` picks where lists go (indented or at the key's indent) and comments. */
  function render(node: Tree, indent: number, style: number, out: string[], prefix: string): void {
    const pad = ' '.repeat(indent);
    if (typeof node === 'string') {
      out.push(`${prefix}${node}${style % 3 === 0 ? '  # c' : ''}`);
    } else if ('map' in node) {
      node.map.forEach(([k, v], i) => {
        const head = i === 0 ? prefix : pad;
        if (typeof v === 'string') out.push(`${head}${k}: ${v}`);
        else {
          out.push(`${head}${k}:`);
          render(
            v,
            'seq' in v && style % 2 === 0 ? indent : indent + 2,
            style,
            out,
            ' '.repeat('seq' in v && style % 2 === 0 ? indent : indent + 2),
          );
        }
      });
    } else {
      node.seq.forEach((v, i) => {
        const head = i === 0 ? prefix : pad;
        if (typeof v === 'string') out.push(`${head}- ${v}`);
        else render(v, indent + 2, style, out, `${head}- `);
      });
    }
  }

  it('reads generated documents as the yaml package does, or declines them', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.record({ map: fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 4 }) }),
        fc.nat(5),
        (doc, style) => {
          const out: string[] = [];
          if (style === 5) out.push('# leading comment', '');
          render(doc, 0, style, out, '');
          const text = `${out.join('\n')}\n`;
          const full = read(text, false);
          if (full.problems.length > 0 || !full.readable) {
            // Whatever the shortcut makes of a broken file, it must not be taken for a good one.
            expect(read(text, true).plain === true && full.problems.length > 0).toBe(false);
            return;
          }
          if (expectSameReading(text)) accepted++;
        },
      ),
      { numRuns: 500, seed: 11 },
    );
    expect(accepted).toBeGreaterThan(60);
  });
});
