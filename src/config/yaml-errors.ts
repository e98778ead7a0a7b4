/** The yaml package's errors, said for people: one line, never the token it tripped over. */
import type { LineCounter } from 'yaml';

export function describeYamlError(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'one YAML document expected: remove the second "---" and what follows';
  // yaml quotes the token it tripped over, which may be a literal secret: the position says enough.
  if (code === 'UNEXPECTED_TOKEN') return firstLine(message).replace(/ in YAML stream: ".*"$/, '');
  return firstLine(message);
}

/**
 * yaml reports an unclosed quote where the file ends; the quote that opened it is
 * the last one of its kind before that (any later one would have closed it).
 */
export function openingQuote(text: string, message: string, offset: number): number {
  const quote = /closing (["'])/.exec(message)?.[1];
  if (quote === undefined) return offset;
  const opening = text.lastIndexOf(quote, offset - 1);
  return opening < 0 ? offset : opening;
}

/** `key: { a: ${X} }` is a YAML error ({ and } are flow syntax): say how to write it. */
export function flowHint(text: string, lines: LineCounter, line: number): string {
  const start = lines.lineStarts[line - 1] ?? 0;
  const end = lines.lineStarts[line] ?? text.length;
  const source = text.slice(start, end);
  // Not a regex: /[[{][^\n]*\$\{/ backtracks from every bracket, quadratic on a long line of them.
  const open = source.search(/[[{]/);
  return open >= 0 && source.includes('${', open)
    ? ` (inside [ ] or { }, quote \${VAR} references: "\${VAR}")`
    : '';
}

export function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message;
  return line.trim();
}
