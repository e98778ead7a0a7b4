/**
 * readDocument's shortcut for plain YAML (plain-yaml.ts): the same value and
 * source index as the yaml package's reading, without its syntax trees. Line
 * numbers are found only when something asks for a position.
 */
import type { Problem } from '../errors.js';
import type { Path, PathSegment, ReadResult, SourceNode, StringHook } from './document.js';
import { formatPath, SourceIndex } from './document.js';
import { LineIndex, type PlainNode, readPlainYaml } from './plain-yaml.js';

/** The document read by the shortcut, or undefined when it is not plain YAML. */
export function readPlainDocument(
  text: string,
  file: string,
  onString: StringHook,
  maxDepth: number,
): ReadResult | undefined {
  const root = readPlainYaml(text, maxDepth);
  if (root === undefined) return undefined;
  const lines = new LineIndex(text);
  const problems: Problem[] = [];
  const refused = new Set<string>();
  const mapString = (value: string, at: Trail, offset: number): string => {
    // See StringHook: only a string with a `$` can change, so only it needs its path.
    if (!value.includes('$')) return value;
    const path = pathOf(at);
    const mapped = onString(value, path);
    if (typeof mapped === 'string') return mapped;
    const { line, col } = lines.linePos(offset);
    problems.push({ severity: 'error', file, line, col, path: formatPath(path), message: mapped.error });
    refused.add(formatPath(path));
    return value;
  };

  // Recursion is bounded by maxDepth, which readPlainYaml enforces.
  const convert = (node: PlainNode, at: Trail, fallback: number): { value: unknown; source: SourceNode } => {
    if (node.kind === 'scalar') {
      const empty = node.value === null && node.start === node.end;
      return {
        value: typeof node.value === 'string' ? mapString(node.value, at, node.start) : node.value,
        source: { start: empty ? fallback : node.start, end: empty ? fallback : node.end },
      };
    }
    if (node.kind === 'seq') {
      const values: unknown[] = [];
      const items: SourceNode[] = [];
      for (let i = 0; i < node.items.length; i++) {
        const child = convert(node.items[i]!, { up: at, key: i }, node.start);
        values.push(child.value);
        items.push(child.source);
      }
      return { value: values, source: { start: node.start, end: node.start, items } };
    }
    const object: Record<string, unknown> = {};
    const entries = new Map<string, SourceNode>();
    for (const pair of node.pairs) {
      const key = mapString(pair.key, { up: at, key: pair.key }, pair.keyStart);
      // A key that interpolates to another's name: the yaml reading reports it, with both lines.
      if (entries.has(key)) return undefinedRead();
      const child = convert(pair.value, { up: at, key }, pair.keyStart);
      if (key === '__proto__') {
        Object.defineProperty(object, key, {
          value: child.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else object[key] = child.value;
      // Made just above and shared with nothing: marked in place rather than copied.
      (child.source as { keyStart?: number }).keyStart = pair.keyStart;
      entries.set(key, child.source);
    }
    return { value: object, source: { start: node.start, end: node.start, entries } };
  };

  try {
    const { value, source } = convert(root, undefined, 0);
    return {
      value,
      source: new SourceIndex(file, text, lines, source),
      problems,
      readable: true,
      refused,
      plain: true,
    };
  } catch (error) {
    if (error instanceof DuplicateKey) return undefined;
    throw error;
  }
}

class DuplicateKey extends Error {}

/** A path kept as links to its parent, made into a Path only when a string needs it. */
type Trail = { readonly up: Trail; readonly key: string | number } | undefined;

function pathOf(at: Trail): Path {
  const path: PathSegment[] = [];
  for (let link = at; link !== undefined; link = link.up) path.push(link.key);
  return path.reverse();
}

function undefinedRead(): never {
  throw new DuplicateKey();
}
