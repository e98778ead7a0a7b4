/**
 * The bounds on reading a config, and the bounded parse: a broken or hostile file
 * is refused with one positioned error instead of costing minutes of CPU or the stack.
 */
import { Buffer } from 'node:buffer';
import type { Alias, Document, LineCounter, Node } from 'yaml';
import { yamlLib } from './yaml-lib.js';

/**
 * Limits that keep a broken or hostile file from costing minutes of CPU or the
 * call stack (yaml's composer and the walk below recurse once per level). A real
 * config is a few levels deep and a few MB at most. Each is one error, positioned
 * where the file goes over it.
 */
export const MAX_CONFIG_BYTES = 50 * 1024 * 1024;
/** Maps and lists inside one another, aliases followed. */
export const MAX_DEPTH = 64;
/**
 * What aliases add to the document, as the JSON text of the copies they make,
 * each value counted as at least MIN_VALUE_BYTES. The cost of a copy (building it,
 * interpolating, validating) grows with its bytes and its values, so one 100 KB
 * string aliased 900k times is refused like 2^30 empty lists. 10,000 customers
 * sharing a list of four profiles add 1.6 MB. yaml's own `maxAliasCount` counts
 * nodes only, and guards only `toJS()`, which this walk does not use.
 */
export const MAX_ALIAS_EXPANSION_BYTES = 8 * 1024 * 1024;
/** Less than the walk allocates for one value (value, position, path): 256k of them take about half a second. */
export const MIN_VALUE_BYTES = 32;

/** A limit reached while converting, at `offset`; the walk stops there. */
export class LimitError extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

export function tooDeepMessage(throughAliases = false): string {
  return `maps and lists are nested more than ${MAX_DEPTH} deep${throughAliases ? ' once aliases are followed' : ''}; a config needs a few levels`;
}

export function tooLargeMessage(bytes: number): string {
  return `the file has more than ${formatMegabytes(MAX_CONFIG_BYTES)} (${bytes.toLocaleString('en-US')} bytes), the most a config may have`;
}

export function formatMegabytes(bytes: number): string {
  return `${bytes / (1024 * 1024)} MB`;
}

/** UTF-8 bytes of `text`, as the file had them; counted only when it may matter. */
export function utf8Length(text: string): number {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes (a surrogate pair, 2 units, is 4).
  return text.length * 3 <= MAX_CONFIG_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
}

/**
 * yaml's parseDocument, with the nesting counted while its parser reads the
 * tokens (the parser keeps an explicit stack; the composer after it recurses): a
 * file nested deeper than MAX_DEPTH is refused at the level that goes over,
 * having read only that far, and never reaches the composer.
 */
export function parseBounded(
  text: string,
  lines: LineCounter,
): { doc: Document.Parsed } | { tooDeepAt: number } {
  const { Composer, Lexer, Parser, YAMLParseError } = yamlLib();
  const parser = new Parser(lines.addNewLine);
  let tooDeepAt: number | undefined;
  function* tokens() {
    lines.addNewLine(0);
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      // Only collections count; the stack also holds the document and the scalar being read.
      if (parser.stack.length > MAX_DEPTH) {
        const open = parser.stack.filter((token) => COLLECTIONS.has(token.type));
        if (open.length > MAX_DEPTH) {
          tooDeepAt = open[MAX_DEPTH]?.offset ?? parser.offset;
          return;
        }
      }
    }
    yield* parser.end();
  }
  // uniqueKeys off: duplicates are found below, after interpolation, with the line of the first.
  // merge: YAML 1.1 merge keys (`<<: *defaults`), which people write to share fields.
  const composer = new Composer({ uniqueKeys: false, merge: true });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens(), true, text.length)) {
    if (doc === undefined) doc = next;
    else {
      const [start, end] = next.range;
      doc.errors.push(
        new YAMLParseError([start, end], 'MULTIPLE_DOCS', 'Source contains multiple documents'),
      );
      break;
    }
  }
  if (tooDeepAt !== undefined) return { tooDeepAt };
  // compose(…, forceDoc) always ends with a document, empty at the least.
  if (doc === undefined) throw new Error('yaml composed no document');
  return { doc };
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/**
 * Each alias's target as yaml's `Alias.resolve` finds it (the last node anchored
 * with its name before it), in one walk: `resolve` walks the whole document on
 * every call, which an alias-heavy file makes quadratic.
 */
export function resolveAliases(doc: Document.Parsed): Map<Alias, Node | undefined> {
  const { isAlias, visit } = yamlLib();
  const targets = new Map<Alias, Node | undefined>();
  const anchors = new Map<string, Node>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor !== undefined) anchors.set(node.anchor, node);
    },
  });
  return targets;
}
