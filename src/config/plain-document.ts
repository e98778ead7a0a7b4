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

  // The source node of the value convert() last returned: an out-parameter rather
  // than a { value, source } pair per node (millions at 100k customers). A scalar
  // with a position is its own source node (PlainNode has start and end).
  let source: SourceNode = { start: 0, end: 0 };
  let sourceIsNode = false;

  // Recursion is bounded by maxDepth, which readPlainYaml enforces.
  const convert = (node: PlainNode, at: Trail, fallback: number): unknown => {
    if (node.kind === 'scalar') {
      if (node.value === null && node.start === node.end) {
        source = { start: fallback, end: fallback };
        sourceIsNode = false;
      } else {
        source = node;
        sourceIsNode = true;
      }
      return typeof node.value === 'string' ? mapString(node.value, at, node.start) : node.value;
    }
    if (node.kind === 'seq') {
      const values: unknown[] = [];
      const items: SourceNode[] = [];
      for (let i = 0; i < node.items.length; i++) {
        values.push(convert(node.items[i]!, { up: at, key: i }, node.start));
        items.push(source);
      }
      source = { start: node.start, end: node.start, items };
      sourceIsNode = false;
      return values;
    }
    const object: Record<string, unknown> = {};
    const entries = new Map<string, SourceNode>();
    for (const pair of node.pairs) {
      const key = mapString(pair.key, { up: at, key: pair.key }, pair.keyStart);
      // A key that interpolates to another's name: the yaml reading reports it, with both lines.
      if (entries.has(key)) return undefinedRead();
      const value = convert(pair.value, { up: at, key }, pair.keyStart);
      if (key === '__proto__') {
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      } else object[key] = value;
      // A node made for this entry is marked in place; a scalar's own node gets a copy.
      if (sourceIsNode) entries.set(key, { start: source.start, end: source.end, keyStart: pair.keyStart });
      else {
        (source as { keyStart?: number }).keyStart = pair.keyStart;
        entries.set(key, source);
      }
    }
    source = { start: node.start, end: node.start, entries };
    sourceIsNode = false;
    return object;
  };

  try {
    const value = convert(root, undefined, 0);
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
