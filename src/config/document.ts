import type { Node } from 'yaml';
import type { Problem } from '../errors.js';
import {
  formatMegabytes,
  LimitError,
  MAX_ALIAS_EXPANSION_BYTES,
  MAX_CONFIG_BYTES,
  MAX_DEPTH,
  MIN_VALUE_BYTES,
  parseBounded,
  resolveAliases,
  tooDeepMessage,
  tooLargeMessage,
  utf8Length,
} from './limits.js';
import { readPlainDocument } from './plain-document.js';
import { describeYamlError, firstLine, flowHint, openingQuote } from './yaml-errors.js';
import { yamlLib } from './yaml-lib.js';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** Where one value of the document stands in the text (offsets, not lines: computed on demand). */
export interface SourceNode {
  /** Offset of the value; of its key when the value is empty (`key:` and nothing). */
  readonly start: number;
  readonly end: number;
  /** Offset of the key, for map entries. */
  readonly keyStart?: number;
  /** Map entries by (interpolated) key, in file order. */
  readonly entries?: ReadonlyMap<string, SourceNode>;
  readonly items?: readonly SourceNode[];
}

/**
 * Called for every string in the document that contains a `$`, keys included, with
 * its path; returns the string to use instead, or why there is none (interpolation
 * happens here, so that keys and the index agree on the interpolated text). A string
 * without `$` has nothing to interpolate and is kept as it is: at 100k customers,
 * building a path for each of half a million strings cost more than reading them.
 */
export type StringHook = (text: string, path: Path) => string | { readonly error: string };

export interface ReadResult {
  /** The document as plain data; undefined when the YAML is not readable. */
  readonly value: unknown;
  readonly source: SourceIndex;
  /** YAML syntax errors and duplicate keys. */
  readonly problems: Problem[];
  /** False when the YAML has syntax errors: the value is then partial, not worth validating. */
  readonly readable: boolean;
  /**
   * Formatted paths of values already reported as unreadable: strings the hook
   * refused (they keep their text as written) and broken aliases (null). Later
   * checks skip them rather than report the same cause again.
   */
  readonly refused: ReadonlySet<string>;
  /**
   * Read by the plain-YAML shortcut (plain-document.ts). Its positions are exact,
   * but a file with problems is read again the full way (load.ts), so that every
   * message and hint is the one the yaml package's reading gives.
   */
  readonly plain?: boolean;
}

/** 1-based line and column of an offset: yaml's LineCounter, or plain-yaml.ts's LineIndex. */
export interface Lines {
  linePos(offset: number): Position;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `profiles["Acme HubSpot OAuth app"].client_secret`, `customers[3].profiles[1]`. */
export function formatPath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Positions of paths in one file. */
export class SourceIndex {
  readonly file: string;
  readonly root: SourceNode | undefined;
  readonly #text: string;
  readonly #lines: Lines;

  constructor(file: string, text: string, lines: Lines, root: SourceNode | undefined) {
    this.file = file;
    this.root = root;
    this.#text = text;
    this.#lines = lines;
  }

  /**
   * The same file with its whole document as the value of `key` in a map around
   * it, so that paths start with `key` (a customers_from file read as `customers`).
   */
  nestedUnder(key: string): SourceIndex {
    const root = this.root && {
      start: this.root.start,
      end: this.root.end,
      entries: new Map([[key, this.root]]),
    };
    return new SourceIndex(this.file, this.#text, this.#lines, root);
  }

  /** The node at `path`, or the deepest one on the way when the path goes further than the file. */
  find(path: Path): { node: SourceNode; exact: boolean } | undefined {
    if (this.root === undefined) return undefined;
    let node: SourceNode = this.root;
    for (const segment of path) {
      const next: SourceNode | undefined =
        typeof segment === 'number' ? node.items?.[segment] : node.entries?.get(segment);
      if (next === undefined) return { node, exact: false };
      node = next;
    }
    return { node, exact: true };
  }

  /**
   * 1-based line and column of the value at `path`, or of its key with `at: 'key'`.
   * A path that does not exist (a missing field) gets the position of its parent.
   */
  position(path: Path, at: 'key' | 'value' = 'value'): Position {
    const found = this.find(path);
    if (found === undefined) return { line: 1, col: 1 };
    const { node, exact } = found;
    return this.positionAt(exact && at === 'key' ? (node.keyStart ?? node.start) : node.start);
  }

  positionAt(offset: number): Position {
    return this.#lines.linePos(offset);
  }

  /** The source text of the value at `path` (for "quote it" hints), if it exists. */
  raw(path: Path): string | undefined {
    const found = this.find(path);
    return found?.exact ? this.#text.slice(found.node.start, found.node.end) : undefined;
  }

  problem(
    severity: Problem['severity'],
    path: Path,
    message: string,
    at: 'key' | 'value' = 'value',
  ): Problem {
    const { line, col } = this.position(path, at);
    return { severity, file: this.file, line, col, path: formatPath(path), message };
  }
}

/** Parses `text` (YAML 1.2) and converts it to plain data, calling `onString` for every string. */
export function readDocument(
  text: string,
  file: string,
  onString: StringHook,
  options: { plain?: boolean } = {},
): ReadResult {
  if (options.plain !== false && utf8Length(text) <= MAX_CONFIG_BYTES) {
    const plain = readPlainDocument(text, file, onString, MAX_DEPTH);
    if (plain !== undefined) return plain;
  }
  const { isAlias, isMap, isPair, isScalar, isSeq, LineCounter } = yamlLib();
  const lines = new LineCounter();
  const problems: Problem[] = [];
  const refused = new Set<string>();
  const unreadable = (): ReadResult => ({
    value: undefined,
    source: new SourceIndex(file, text, lines, undefined),
    problems,
    readable: false,
    refused,
  });
  const bytes = utf8Length(text);
  if (bytes > MAX_CONFIG_BYTES) {
    problems.push({
      severity: 'error',
      file,
      line: 0,
      col: 0,
      path: '',
      message: tooLargeMessage(bytes),
    });
    return unreadable();
  }
  const parsed = parseBounded(text, lines);
  if (!('doc' in parsed)) {
    const { line, col } = lines.linePos(parsed.tooDeepAt);
    problems.push({ severity: 'error', file, line, col, path: '', message: tooDeepMessage() });
    return unreadable();
  }
  const doc = parsed.doc;
  const report = (offset: number, path: Path, message: string, severity: Problem['severity'] = 'error') => {
    const { line, col } = lines.linePos(offset);
    problems.push({ severity, file, line, col, path: formatPath(path), message });
  };
  // The first error, then only those that are not the parser tripping over the
  // tokens after it ("Unexpected scalar", "Unexpected ','"...), one per line.
  const errorLines = new Set<number>();
  for (const error of doc.errors) {
    const offset =
      error.code === 'MISSING_CHAR' ? openingQuote(text, error.message, error.pos[0]) : error.pos[0];
    const { line } = lines.linePos(offset);
    if (errorLines.has(line) || (errorLines.size > 0 && error.code === 'UNEXPECTED_TOKEN')) continue;
    errorLines.add(line);
    report(offset, [], describeYamlError(error.code, error.message) + flowHint(text, lines, line));
  }
  for (const warning of doc.warnings) report(warning.pos[0], [], firstLine(warning.message), 'warning');
  const mapString = (value: string, path: Path, offset: number): string => {
    if (!value.includes('$')) return value;
    const mapped = onString(value, path);
    if (typeof mapped === 'string') return mapped;
    report(offset, path, mapped.error);
    refused.add(formatPath(path));
    return value;
  };
  if (doc.errors.length > 0) return unreadable();

  const targets = resolveAliases(doc);
  let expanded = 0;
  let aliasDepth = 0;
  /** The alias, outside any other, whose expansion is being walked: where a limit reached inside is reported. */
  let outerAlias = { start: 0, name: '' };
  const converting = new Set<unknown>();
  const expand = (jsonBytes: number): void => {
    if (aliasDepth === 0) return;
    expanded += Math.max(jsonBytes, MIN_VALUE_BYTES);
    if (expanded > MAX_ALIAS_EXPANSION_BYTES) {
      throw new LimitError(
        outerAlias.start,
        `aliases expand the document by more than ${formatMegabytes(MAX_ALIAS_EXPANSION_BYTES)}, reached at *${outerAlias.name}; anchor short lists, not large or nested ones`,
      );
    }
  };
  const enterCollection = (path: Path, start: number): void => {
    if (path.length < MAX_DEPTH) return;
    throw new LimitError(aliasDepth > 0 ? outerAlias.start : start, tooDeepMessage(aliasDepth > 0));
  };

  const convert = (node: unknown, path: Path, fallback: number): { value: unknown; source: SourceNode } => {
    if (isAlias(node)) {
      const target = targets.get(node);
      const start = node.range?.[0] ?? fallback;
      if (target === undefined) {
        report(start, path, `unknown alias *${node.source}`);
        refused.add(formatPath(path));
        return { value: null, source: { start, end: node.range?.[1] ?? start } };
      }
      if (converting.has(target)) {
        report(start, path, `alias *${node.source} refers to a map or list that contains it`);
        refused.add(formatPath(path));
        return { value: null, source: { start, end: node.range?.[1] ?? start } };
      }
      // Problems inside point at the anchored text; the alias itself at its use.
      if (aliasDepth === 0) outerAlias = { start, name: node.source };
      aliasDepth++;
      const resolved = convert(target, path, start);
      aliasDepth--;
      return { value: resolved.value, source: { ...resolved.source, start, end: node.range?.[1] ?? start } };
    }
    const range = (node as { range?: [number, number, number] } | null)?.range;
    const start = range?.[0] ?? fallback;
    const end = range?.[1] ?? start;
    if (isScalar(node)) {
      const value = node.value;
      // Counted as JSON text: a string with its quotes, anything else as written.
      expand(typeof value === 'string' ? value.length + 2 : String(value).length);
      // `key:` with nothing after it: point at the key, not at the empty spot after it.
      const empty = value === null && start === end;
      return {
        value: typeof value === 'string' ? mapString(value, path, start) : value,
        source: { start: empty ? fallback : start, end: empty ? fallback : end },
      };
    }
    if (isSeq(node)) {
      enterCollection(path, start);
      expand(2 + node.items.length);
      converting.add(node);
      const values: unknown[] = [];
      const items: SourceNode[] = [];
      node.items.forEach((item, i) => {
        const child = convert(item, [...path, i], start);
        values.push(child.value);
        items.push(child.source);
      });
      converting.delete(node);
      return { value: values, source: { start, end, items } };
    }
    if (isMap(node) || isPair(node)) {
      const pairs = isMap(node) ? node.items : [node];
      enterCollection(path, start);
      expand(2 + pairs.length);
      converting.add(node);
      const object: Record<string, unknown> = {};
      const entries = new Map<string, SourceNode>();
      const merges: { value: unknown; keyStart: number }[] = [];
      for (const pair of pairs) {
        const keyNode = pair.key as Node | null;
        const keyStart = keyNode?.range?.[0] ?? start;
        if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
          merges.push({ value: pair.value, keyStart });
          continue;
        }
        const rawKey = keyText(keyNode, isScalar);
        // Top-level `x-` keys are the user's own (anchors to merge from, as in Compose files).
        if (path.length === 0 && rawKey?.startsWith('x-')) continue;
        if (rawKey === undefined) {
          report(keyStart, path, 'a map or list cannot be a key here');
          continue;
        }
        expand(rawKey.length + 3);
        const key = mapString(rawKey, [...path, rawKey], keyStart);
        const first = entries.get(key);
        if (first !== undefined) {
          const firstLine = lines.linePos(first.keyStart ?? first.start).line;
          report(keyStart, [...path, key], `duplicate key '${key}' (first at line ${firstLine})`);
          continue;
        }
        const child = convert(pair.value, [...path, key], keyStart);
        setOwn(object, key, child.value);
        // Fresh object from convert (aliases copy theirs): safe to complete in place.
        (child.source as { keyStart?: number }).keyStart = keyStart;
        entries.set(key, child.source);
      }
      // Fields written in the map win over merged ones; an earlier merged map over a later one.
      for (const merge of merges) {
        const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
        for (const item of sources) {
          const merged = convert(item, path, merge.keyStart);
          if (!merged.source.entries || typeof merged.value !== 'object' || merged.value === null) {
            report(merge.keyStart, path, 'a merge key (<<) takes a map, an alias of one, or a list of them');
            continue;
          }
          for (const [key, child] of merged.source.entries) {
            if (entries.has(key)) continue;
            setOwn(object, key, (merged.value as Record<string, unknown>)[key]);
            entries.set(key, child);
          }
        }
      }
      converting.delete(node);
      return { value: object, source: { start, end, entries } };
    }
    // Empty document or a value yaml could not type: nothing to validate there.
    return { value: null, source: { start, end } };
  };

  try {
    const { value, source } = convert(doc.contents, [], 0);
    return { value, source: new SourceIndex(file, text, lines, source), problems, readable: true, refused };
  } catch (error) {
    if (!(error instanceof LimitError)) throw error;
    // The limit is the one thing to say: what was found inside the expansion is beside the point.
    problems.length = 0;
    refused.clear();
    report(error.offset, [], error.message);
    return unreadable();
  }
}

/** Scalar keys as text (`123:` is the name "123"); undefined for map or list keys. */
function keyText(key: Node | null, isScalar: ReturnType<typeof yamlLib>['isScalar']): string | undefined {
  if (key === null) return '';
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return undefined;
}

/** `__proto__` is a legal YAML key: define it, do not let it set the prototype. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else object[key] = value;
}
