/**
 * readDocument's shortcut for plain YAML (plain-yaml.ts): the same value and
 * source index as the yaml package's reading, without its syntax trees. Line
 * numbers are found only when something asks for a position.
 */
import type { Problem } from '../errors.js';
import type { Path, ReadResult, SourceNode, StringHook } from './document.js';
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
  const mapString = (value: string, path: Path, offset: number): string => {
    const mapped = onString(value, path);
    if (typeof mapped === 'string') return mapped;
    const { line, col } = lines.linePos(offset);
    problems.push({ severity: 'error', file, line, col, path: formatPath(path), message: mapped.error });
    refused.add(formatPath(path));
    return value;
  };

  // Recursion is bounded by maxDepth, which readPlainYaml enforces.
  const convert = (node: PlainNode, path: Path, fallback: number): { value: unknown; source: SourceNode } => {
    if (node.kind === 'scalar') {
      const empty = node.value === null && node.start === node.end;
      return {
        value: typeof node.value === 'string' ? mapString(node.value, path, node.start) : node.value,
        source: { start: empty ? fallback : node.start, end: empty ? fallback : node.end },
      };
    }
    if (node.kind === 'seq') {
      const values: unknown[] = [];
      const items: SourceNode[] = [];
      for (let i = 0; i < node.items.length; i++) {
        const child = convert(node.items[i]!, [...path, i], node.start);
        values.push(child.value);
        items.push(child.source);
      }
      return { value: values, source: { start: node.start, end: node.start, items } };
    }
    const object: Record<string, unknown> = {};
    const entries = new Map<string, SourceNode>();
    for (const pair of node.pairs) {
      const key = mapString(pair.key, [...path, pair.key], pair.keyStart);
      // A key that interpolates to another's name: the yaml reading reports it, with both lines.
      if (entries.has(key)) return undefinedRead();
      const child = convert(pair.value, [...path, key], pair.keyStart);
      if (key === '__proto__') {
        Object.defineProperty(object, key, {
          value: child.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else object[key] = child.value;
      entries.set(key, { ...child.source, keyStart: pair.keyStart });
    }
    return { value: object, source: { start: node.start, end: node.start, entries } };
  };

  try {
    const { value, source } = convert(root, [], 0);
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

function undefinedRead(): never {
  throw new DuplicateKey();
}
