/**
 * The direction of the flow, enforced: config -> plan -> render | apply -> state,
 * with I/O at the edges. Each folder of src/ may import only the places listed
 * here; src/plan and src/render (the pure core) import nothing from node: or the
 * network. A new import that goes against the flow fails this test, naming it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SRC, sourceFiles } from './source-files.js';

/** Shared leaves every folder may use: small, pure, owned by one concept each. */
const LEAVES = ['errors', 'json', 'customer-ref', 'suggest', 'api-url', 'arrays'];

/**
 * Who may import what, by folder (or top-level file) of src/. A target is a folder
 * (`plan`) or one file in it (`state/types`).
 */
const ALLOWED: Record<string, string[]> = {
  // The pure core: values in, values out.
  plan: ['plan', 'api/types', 'config/types', 'state/types', 'state/customers'],
  render: ['render', 'plan', 'api/types'],
  // The edges.
  config: ['config'],
  api: ['api'],
  state: ['state', 'plan/types'],
  emulator: ['emulator', 'api/types', 'state/atomic-write'],
  // The sequences that join them.
  workflow: ['workflow', 'plan', 'state', 'api', 'config', 'render', 'io'],
  apply: ['apply', 'workflow', 'plan', 'state', 'api', 'config', 'render', 'io'],
  commands: ['commands', 'apply', 'workflow', 'plan', 'state', 'api', 'config', 'render', 'emulator', 'io'],
  program: ['commands', 'config/problems', 'api/version', 'io'],
  cli: ['program'],
  io: [],
  ...Object.fromEntries(LEAVES.map((leaf) => [leaf, []])),
};

/** Folders whose modules may not reach node: built-ins or the network. */
const PURE = ['plan', 'render'];

/** `plan` for src/plan/diff.ts, `cli` for src/cli.ts. */
function areaOf(file: string): string {
  const rel = relative(SRC, file).replace(/\.ts$/, '');
  return rel.split('/')[0]!;
}

interface Import {
  file: string;
  specifier: string;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
    found.push({ file, specifier: match[1]! });
  }
  for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push({ file, specifier: match[1]! });
  for (const match of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) found.push({ file, specifier: match[1]! });
  return found;
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);

describe('import direction', () => {
  it('reads every source file and finds its imports', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(imports.length).toBeGreaterThan(200);
  });

  it('every import between folders of src/ goes with the flow', () => {
    const against: string[] = [];
    for (const { file, specifier } of imports) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(SRC, join(dirname(file), specifier)).replace(/\.js$/, '');
      const from = areaOf(file);
      const to = target.split('/')[0]!;
      if (from === to || LEAVES.includes(to)) continue;
      const allowed = ALLOWED[from];
      if (allowed === undefined) {
        against.push(`${relative(SRC, file)}: folder "${from}" has no entry in the rules of this test`);
        continue;
      }
      if (!allowed.some((a) => a === to || a === target)) {
        against.push(
          `${relative(SRC, file)} imports ${target}: ${from} may import only ${allowed.join(', ')}`,
        );
      }
    }
    expect(against).toEqual([]);
  });

  it('the pure core imports nothing from node: or the network', () => {
    const impure = imports
      .filter(({ file }) => PURE.includes(areaOf(file)))
      .filter(({ specifier }) => specifier.startsWith('node:'))
      .map(({ file, specifier }) => `${relative(SRC, file)} imports ${specifier}`);
    expect(impure).toEqual([]);
  });

  it('a rule would catch a wrong import (the check itself can fail)', () => {
    const from = 'render';
    expect(ALLOWED[from]).not.toContain('apply');
    expect(ALLOWED['plan']).not.toContain('render');
  });
});
