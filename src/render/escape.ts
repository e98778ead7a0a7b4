/**
 * Making user values safe to show. Profile names, customer ids and client ids come
 * from a config file anyone can send a pull request for, and from the live workspace,
 * so a renderer must show them exactly (no hidden characters) and must not let them
 * act as terminal escapes, markdown or HTML.
 */
import { maxOf } from '../arrays.js';

/**
 * Code points a reviewer cannot see or that a terminal acts on: C0/C1 controls
 * (ANSI escapes start with one), soft hyphen, zero-width and bidi formatting
 * characters ("Trojan Source" reorders what is shown), line and paragraph separators.
 */
function isHidden(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0xad ||
    code === 0x61c ||
    code === 0x180e ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff
  );
}

/** Replaces hidden code points by a visible `\uXXXX`, so what is shown is what will be applied. */
export function revealHidden(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    out += isHidden(code) ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
}

/** A string value as the text renderer shows it: JSON-quoted, hidden characters revealed. */
export function quote(value: string): string {
  return revealHidden(JSON.stringify(value));
}

/** Cuts a long user value for display; the cut is marked so nobody mistakes it for the value. */
export function truncate(value: string, maxChars: number): string {
  const chars = [...value];
  return chars.length <= maxChars ? value : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/**
 * The characters that can start inline markdown or HTML: code, emphasis, links and
 * images, raw HTML and autolinks, entities, GFM strikethrough and table pipes, GitHub
 * math. Escaping only these keeps the raw comment readable; block syntax (`#`, `-`,
 * `1.`) matters only at the start of a line, where a value is never put.
 */
const MARKDOWN_INLINE = /[\\`*_[\]<>&~|$]/g;

/**
 * Plain markdown text for an inline position (also safe in a table cell): no
 * emphasis, links, HTML, table pipes or @mentions. The zero-width space after `@`
 * is how other pull-request bots keep a value like `@org/team` from notifying people.
 */
export function escapeMarkdownText(value: string): string {
  return revealHidden(value).replace(MARKDOWN_INLINE, '\\$&').replaceAll('@', '@&#8203;');
}

/**
 * A markdown code span showing `value` literally. Not for table cells: a backslash
 * before a pipe would end the cell there, and backslashes cannot be escaped in code.
 */
export function markdownCode(value: string): string {
  const text = revealHidden(value);
  if (text === '') return '*(empty)*';
  const longestRun = longestBacktickRun(text);
  const ticks = '`'.repeat(longestRun + 1);
  // A span strips one space at each end, and a backtick at an end would merge with the delimiter.
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** Text inside raw HTML (a `<summary>`): markdown is not parsed there, HTML is. */
export function escapeHtml(value: string): string {
  return revealHidden(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A fenced code block whose fence no line of `body` can close. */
export function fenceCode(body: string, info: string): string {
  const longestRun = longestBacktickRun(body);
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

function longestBacktickRun(text: string): number {
  return maxOf(
    (text.match(/`+/g) ?? []).map((run) => run.length),
    0,
  );
}
