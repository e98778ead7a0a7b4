/**
 * The files a `customers_from` pattern names. Node 20 has no fs.glob (22 does), and
 * the patterns a customer list needs are few, so this is ours rather than a
 * dependency (tinyglobby and its two dependencies would load on every run for
 * three wildcards): `*` (any characters but `/`), `?` (one character but `/`) and
 * `**` (a whole segment: any number of folders, this one included). Nothing else
 * is special: no braces, classes or negation; a name that contains `[` is that name.
 * As in shells and most globbers, wildcards do not match names starting with a dot
 * unless the pattern's segment starts with one, and `**` does not follow symbolic
 * links to folders (a link loop would never end).
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, parse, sep } from 'node:path';

/** Whether `pattern` has a wildcard at all (else it names one file, which must exist). */
export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** `*.yaml` -> /^[^/]*\.yaml$/: one path segment. */
export function segmentMatcher(segment: string): (name: string) => boolean {
  let source = '';
  for (const char of segment) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 'u');
  const dotted = segment.startsWith('.');
  return (name) => (dotted || !name.startsWith('.')) && regex.test(name);
}

/**
 * The regular files matching `pattern`, resolved against `base` unless absolute,
 * as absolute paths in code-point order, each once.
 */
export async function expandGlob(pattern: string, base: string): Promise<string[]> {
  const normalized = pattern.replaceAll('\\', '/');
  const start = isAbsolute(normalized) ? parse(normalized).root || sep : base;
  const segments = normalized.split('/').filter((segment, i) => segment !== '' || i === 0);
  if (isAbsolute(normalized) && segments[0] === '') segments.shift();
  const found = new Set<string>();
  await walk(start, segments, found);
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function walk(dir: string, segments: readonly string[], found: Set<string>): Promise<void> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  if (segment === '**') {
    // Zero folders, then each folder below (not hidden, not through links).
    await walk(dir, rest, found);
    for (const entry of await list(dir)) {
      if (entry.isDirectory() && !entry.name.startsWith('.'))
        await walk(join(dir, entry.name), segments, found);
    }
    return;
  }
  const last = rest.length === 0;
  if (!hasWildcard(segment)) {
    const path = join(dir, segment);
    if (last) {
      if (await isFile(path)) found.add(path);
    } else {
      await walk(path, rest, found);
    }
    return;
  }
  const matches = segmentMatcher(segment);
  for (const entry of await list(dir)) {
    if (!matches(entry.name)) continue;
    const path = join(dir, entry.name);
    if (last) {
      if (await isFile(path)) found.add(path);
    } else if (entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(path)))) {
      await walk(path, rest, found);
    }
  }
}

/** A folder's entries; none when it does not exist or cannot be read (the pattern then matches nothing there). */
async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
