/**
 * A reader for the plain YAML that configs are written in (and generated as, at
 * 100,000 customers): block maps and lists, one-line `[a, b]` lists, plain and
 * quoted one-line scalars, comments. It reads such a file about ten times faster
 * than the yaml package, which builds a concrete and an abstract syntax tree
 * first, and it does not load that package at all.
 *
 * It is only a shortcut: anything else (anchors, aliases, tags, block or
 * multi-line scalars, flow maps, escapes, tabs, directives, several documents,
 * numbers other than plain integers, duplicate keys, any doubt) returns
 * undefined, and the file is read by the yaml package as before. What it
 * accepts it reads as YAML 1.2's core schema does (test/config/plain-yaml.test.ts
 * compares the two on the examples and on generated files).
 */

export type PlainNode =
  | {
      readonly kind: 'scalar';
      readonly value: string | number | boolean | null;
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: 'seq'; readonly start: number; readonly items: PlainNode[] }
  | { readonly kind: 'map'; readonly start: number; readonly pairs: PlainPair[] };

export interface PlainPair {
  readonly key: string;
  readonly keyStart: number;
  readonly value: PlainNode;
}

/**
 * The file's lines that hold content, by number: where each one's content starts,
 * its indent, and where its content ends (before a comment and trailing spaces).
 * Typed arrays, not an object per line: at 200,000 lines those objects were
 * garbage the collector copied while the rest of the file was read.
 */
interface Lines {
  readonly count: number;
  readonly start: Int32Array;
  readonly indent: Int32Array;
  readonly end: Int32Array;
}

class NotPlain extends Error {}

function fail(): never {
  throw new NotPlain();
}

/** Characters a plain scalar may not start with (YAML's indicators), and quotes handled apart. */
const INDICATOR = /^[-?:,[\]{}#&*!|>%@`]/;
const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const BOOLEANS = new Map([
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);
const INTEGER = /^(0|[1-9][0-9]{0,14})$/;
/** What YAML 1.2's core schema reads as a number (int, octal, hex, float, inf, nan): all but INTEGER left to the yaml package. */
const NUMBER_LIKE =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** The file's value as PlainNodes, or undefined when the file is not plain YAML as above. */
export function readPlainYaml(text: string, maxDepth: number): PlainNode | undefined {
  try {
    const lines = splitLines(text);
    if (lines.count === 0) return undefined;
    const reader = new BlockReader(text, lines, maxDepth);
    const root = reader.block(lines.indent[0]!, lines.indent[0]!, 0);
    return reader.next === lines.count ? root : undefined;
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

function splitLines(text: string): Lines {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) fail();
  let most = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) most++;
  const lines = {
    count: 0,
    start: new Int32Array(most),
    indent: new Int32Array(most),
    end: new Int32Array(most),
  };
  let at = 0;
  while (at < text.length) {
    let eol = text.indexOf('\n', at);
    if (eol === -1) eol = text.length;
    let indent = at;
    while (indent < eol && text.charCodeAt(indent) === 32) indent++;
    const first = text[indent];
    if (indent < eol && first !== '#') {
      if (first === '%' || text.startsWith('---', indent) || text.startsWith('...', indent)) fail();
      const n = lines.count++;
      lines.start[n] = indent;
      lines.indent[n] = indent - at;
      lines.end[n] = contentEnd(text, indent, eol);
    }
    at = eol + 1;
  }
  return lines;
}

/** Where the line's content ends: before ` #` outside quotes, and before trailing spaces. */
function contentEnd(text: string, from: number, eol: number): number {
  let quote = '';
  let end = eol;
  for (let i = from; i < eol; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      // A quote opens a quoted scalar only where a scalar starts; elsewhere it is text.
      const before = i === from ? ' ' : text[i - 1]!;
      if (before === ' ' || before === '[' || before === ',') quote = c;
    } else if (c === '#' && text[i - 1] === ' ') {
      end = i;
      break;
    }
  }
  if (quote !== '') fail();
  while (end > from && text.charCodeAt(end - 1) === 32) end--;
  return end;
}

class BlockReader {
  next = 0;
  constructor(
    readonly text: string,
    readonly lines: Lines,
    readonly maxDepth: number,
  ) {}

  /**
   * The block starting at line `this.next` with indent `indent`: a list when it
   * starts with `- `, a map otherwise. `column` is where its first entry starts
   * on its line (after `- ` for a map inside a list item).
   */
  block(column: number, indent: number, depth: number): PlainNode {
    if (depth >= this.maxDepth) fail();
    const { start, indent: indents, end } = this.lines;
    const at = start[this.next]! + (column - indents[this.next]!);
    return this.isItem(at, end[this.next]!) ? this.seq(at, indent, depth) : this.map(at, indent, depth);
  }

  isItem(at: number, end: number): boolean {
    return this.text[at] === '-' && (at + 1 === end || this.text[at + 1] === ' ');
  }

  seq(start: number, indent: number, depth: number): PlainNode {
    const items: PlainNode[] = [];
    const lines = this.lines;
    let at = start;
    for (;;) {
      const lineEnd = lines.end[this.next]!;
      let value = at + 1;
      while (value < lineEnd && this.text.charCodeAt(value) === 32) value++;
      if (value === lineEnd) {
        // `-` alone: the item is the block below it, or empty.
        this.next++;
        if (this.next >= lines.count || lines.indent[this.next]! <= indent) fail();
        const below = lines.indent[this.next]!;
        items.push(this.block(below, below, depth + 1));
      } else {
        const column = lines.indent[this.next]! + (value - lines.start[this.next]!);
        if (this.isItem(value, lineEnd)) fail();
        if (this.findColon(value, lineEnd) !== -1) items.push(this.map(value, column, depth + 1, true));
        else {
          items.push(this.inline(value, lineEnd));
          this.next++;
        }
      }
      const following = this.next;
      if (following >= lines.count || lines.indent[following]! < indent) break;
      at = lines.start[following]!;
      if (lines.indent[following]! > indent || !this.isItem(at, lines.end[following]!)) fail();
    }
    return { kind: 'seq', start, items };
  }

  /** `column`: the map's indent; `inItem`: it starts after `- ` on the current line. */
  map(start: number, column: number, depth: number, inItem = false): PlainNode {
    if (depth >= this.maxDepth) fail();
    const pairs: PlainPair[] = [];
    // Made only for a map of many keys: most maps (a customer's) have two, and a
    // Set per map was a tenth of reading 100k customers, most of it garbage collection.
    let seen: Set<string> | undefined;
    const lines = this.lines;
    let keyStart = start;
    for (;;) {
      const lineEnd = lines.end[this.next]!;
      const lineIndent = lines.indent[this.next]!;
      const colon = this.findColon(keyStart, lineEnd);
      if (colon === -1) fail();
      const key = this.key(keyStart, colon);
      if (pairs.length < 8) {
        for (const pair of pairs) if (pair.key === key) fail();
      } else {
        seen ??= new Set(pairs.map((pair) => pair.key));
        if (seen.has(key)) fail();
        seen.add(key);
      }
      let value = colon + 1;
      while (value < lineEnd && this.text.charCodeAt(value) === 32) value++;
      this.next++;
      let node: PlainNode;
      if (value < lineEnd) {
        node = this.inline(value, lineEnd);
      } else {
        const below = this.next;
        const keyIndent = inItem && pairs.length === 0 ? column : lineIndent;
        const belowIndent = below < lines.count ? lines.indent[below]! : -1;
        if (belowIndent > keyIndent) node = this.block(belowIndent, belowIndent, depth + 1);
        else if (belowIndent === keyIndent && this.isItem(lines.start[below]!, lines.end[below]!)) {
          // A list may sit at its key's indent.
          node = this.seq(lines.start[below]!, belowIndent, depth + 1);
        } else node = { kind: 'scalar', value: null, start: lineEnd, end: lineEnd };
      }
      pairs.push({ key, keyStart, value: node });
      const following = this.next;
      if (following >= lines.count || lines.indent[following]! < column) break;
      if (lines.indent[following]! > column) fail();
      keyStart = lines.start[following]!;
      if (this.isItem(keyStart, lines.end[following]!)) break;
    }
    return { kind: 'map', start, pairs };
  }

  /** The `:` that ends a key on this line: followed by a space or the end, outside quotes. */
  findColon(from: number, end: number): number {
    const first = this.text[from];
    if (first === '"' || first === "'") {
      const close = this.text.indexOf(first, from + 1);
      if (close === -1 || close >= end) return -1;
      return this.text[close + 1] === ':' && (close + 2 === end || this.text[close + 2] === ' ')
        ? close + 1
        : -1;
    }
    if (first === '[' || first === '{') return -1;
    for (let i = from; i < end; i++) {
      if (this.text[i] === ':' && (i + 1 === end || this.text[i + 1] === ' ')) return i;
    }
    return -1;
  }

  key(start: number, colon: number): string {
    // `a  : 1` is the key "a" in YAML; left to the yaml package rather than trimmed here.
    if (this.text[colon - 1] === ' ') fail();
    const node = this.inline(start, colon);
    if (node.kind !== 'scalar' || node.end !== colon) fail();
    const value = (node as { value: unknown }).value;
    // Keys stay text: `123:` is the name "123", as the yaml reader's keyText makes it.
    return value === null ? fail() : String(value);
  }

  /** A one-line value from `start` to `end`: a scalar or a `[ ]` list of scalars. */
  inline(start: number, end: number): PlainNode {
    const first = this.text[start];
    if (first === '[') return this.flowSeq(start, end);
    if (first === '"' || first === "'") {
      const close = this.closingQuote(start, end);
      if (close !== end - 1) fail();
      return this.quoted(start, close);
    }
    return this.plain(start, end);
  }

  flowSeq(start: number, end: number): PlainNode {
    if (this.text[end - 1] !== ']') fail();
    const items: PlainNode[] = [];
    const last = end - 1;
    let at = this.skipSpaces(start + 1, last);
    if (at === last) return { kind: 'seq', start, items };
    for (;;) {
      at = this.skipSpaces(at, last);
      const c = this.text[at];
      let itemEnd: number;
      if (c === '"' || c === "'") {
        const close = this.closingQuote(at, end - 1);
        items.push(this.quoted(at, close));
        itemEnd = close + 1;
      } else {
        let stop = at;
        while (stop < end - 1 && !',[]{}'.includes(this.text[stop]!)) stop++;
        let trimmed = stop;
        while (trimmed > at && this.text.charCodeAt(trimmed - 1) === 32) trimmed--;
        const item = this.text.slice(at, trimmed);
        // `a: b` in a flow list is a one-pair map; `#` starts a comment only after a space.
        if (item === '' || item.includes(': ') || item.endsWith(':') || item.includes(' #')) fail();
        items.push(this.plain(at, trimmed, item));
        itemEnd = trimmed;
      }
      at = this.skipSpaces(itemEnd, last);
      if (at === last) return { kind: 'seq', start, items };
      if (this.text[at] !== ',') fail();
      at = this.skipSpaces(at + 1, last);
      if (at === last) fail(); // a trailing comma: left to the yaml package
    }
  }

  skipSpaces(at: number, end: number): number {
    while (at < end && this.text.charCodeAt(at) === 32) at++;
    return at;
  }

  closingQuote(start: number, end: number): number {
    const quote = this.text[start]!;
    let i = start + 1;
    for (;;) {
      const close = this.text.indexOf(quote, i);
      if (close === -1 || close >= end) fail();
      if (quote === "'" && this.text[close + 1] === "'" && close + 1 < end) {
        i = close + 2;
        continue;
      }
      return close;
    }
  }

  quoted(start: number, close: number): PlainNode {
    const raw = this.text.slice(start + 1, close);
    if (this.text[start] === '"') {
      if (raw.includes('\\')) fail();
      return { kind: 'scalar', value: raw, start, end: close + 1 };
    }
    return { kind: 'scalar', value: raw.replaceAll("''", "'"), start, end: close + 1 };
  }

  /** `raw`: the text from `start` to `end`, when the caller has already cut it. */
  plain(start: number, end: number, raw = this.text.slice(start, end)): PlainNode {
    if (raw === '' || INDICATOR.test(raw) || raw.includes(': ') || raw.endsWith(':')) fail();
    if (raw.includes('"') || raw.includes("'")) fail();
    let value: string | number | boolean | null = raw;
    if (NULLS.has(raw)) value = null;
    else if (BOOLEANS.has(raw)) value = BOOLEANS.get(raw)!;
    else if (INTEGER.test(raw)) value = Number(raw);
    else if (NUMBER_LIKE.test(raw)) fail();
    return { kind: 'scalar', value, start, end };
  }
}

/** 1-based line and column of offsets, from line starts found when first asked. */
export class LineIndex {
  #starts: number[] | undefined;
  constructor(readonly text: string) {}

  linePos(offset: number): { line: number; col: number } {
    if (this.#starts === undefined) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.#starts = starts;
    }
    const starts = this.#starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - starts[low]! + 1 };
  }
}
