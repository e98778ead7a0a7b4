/**
 * The AWS SDK loads only when a state is on S3: no static import chain from the
 * CLI's entry reaches `@aws-sdk` (src/state/s3-backend.ts is loaded with
 * `await import()`). Walks the source imports, as Node would follow them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SRC, sourceFiles } from '../source-files.js';

/** Specifiers of the static imports and re-exports that load code (not `import type`, not `import()`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
    found.push(match[2]!);
  }
  for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(match[1]!);
  return found;
}

/** Every module reached from `entry`: source files by path relative to src/, packages by name. */
function reachable(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    const rel = relative(SRC, file);
    if (files.has(rel)) continue;
    files.add(rel);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) queue.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:') && !packages.has(specifier)) packages.set(specifier, rel);
    }
  }
  return { files, packages };
}

const isS3Module = (rel: string) => rel.startsWith('state/s3-');

describe('the AWS SDK is loaded only for a state on S3', () => {
  it('no static import from src/cli.ts reaches @aws-sdk or the s3 backend', () => {
    const { files, packages } = reachable(join(SRC, 'cli.ts'));
    expect(files.has('program.ts')).toBe(true);
    expect(packages.has('commander')).toBe(true);
    expect([...packages.keys()].filter((name) => name.startsWith('@aws-sdk'))).toEqual([]);
    expect([...files].filter(isS3Module)).toEqual([]);
  });

  it('nor from any other module of src/ (the commands program.ts loads lazily, the state store...)', () => {
    const roots = sourceFiles(SRC).filter((file) => !isS3Module(relative(SRC, file)));
    expect(roots.length).toBeGreaterThan(40);
    const reached: string[] = [];
    for (const root of roots) {
      const { files, packages } = reachable(root);
      for (const [name, by] of packages) {
        if (name.startsWith('@aws-sdk')) reached.push(`${relative(SRC, root)} reaches ${name} (via ${by})`);
      }
      for (const file of files) if (isS3Module(file)) reached.push(`${relative(SRC, root)} imports ${file}`);
    }
    expect(reached).toEqual([]);
  });

  it('the walk does find the SDK from the s3 backend itself (the check can fail)', () => {
    const { packages } = reachable(join(SRC, 'state', 's3-backend.ts'));
    expect(packages.get('@aws-sdk/client-s3')).toBe('state/s3-store.ts');
  });
});
