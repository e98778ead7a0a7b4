/**
 * The patterns of assignment rules' selectors (`external_id_matches`,
 * `name_matches`), as validate checks them; src/plan/selectors.ts matches them.
 *
 * Patterns are JavaScript regular expressions with the `u` flag, anchored as
 * `^(?:PATTERN)$`: `A\d+` picks `A12`, not `XA12` nor `A12-old`. A pattern is at
 * most MAX_PATTERN_CHARS long and may not repeat a group that itself holds an
 * unbounded repeat (`(a+)+`, `(\w*x)*`): those are the shapes that make a
 * backtracking engine take exponential time, and refusing them is cheap.
 */
export const MAX_PATTERN_CHARS = 200;

/** The pattern compiled, or why it is refused. */
export function compilePattern(source: string): { ok: true; regex: RegExp } | { ok: false; message: string } {
  if (source.length > MAX_PATTERN_CHARS) {
    return {
      ok: false,
      message: `pattern is ${source.length} characters long, more than ${MAX_PATTERN_CHARS}: list the customers with ids or external_ids instead`,
    };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${source})$`, 'u');
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/u?: /, '');
    return { ok: false, message: `not a valid regular expression (JavaScript, u flag): ${reason}` };
  }
  const nested = findNestedRepeat(source);
  if (nested !== undefined) {
    return {
      ok: false,
      message: `the group ${nested} repeats a pattern that repeats itself, which can take exponential time to match: write it without the nesting, e.g. (ab)+ instead of (a+b)+`,
    };
  }
  return { ok: true, regex };
}

/**
 * The first group repeated without bound (`*`, `+`, `{n,}`) whose content also
 * repeats without bound, as written; undefined when there is none. A scan over the
 * source, escapes and character classes skipped: cheap and conservative.
 */
function findNestedRepeat(source: string): string | undefined {
  const open: { start: number; repeats: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') open.push({ start: i, repeats: false });
    else if (c === ')') {
      const group = open.pop();
      if (group === undefined) continue;
      const after = unboundedRepeatAt(source, i + 1);
      if (after && group.repeats) return source.slice(group.start, i + 1 + after);
      // A group that repeats, or holds a repeat, makes its enclosing group one that repeats.
      if ((after || group.repeats) && open.length > 0) open[open.length - 1]!.repeats = true;
    } else if (open.length > 0 && unboundedRepeatAt(source, i) > 0) {
      open[open.length - 1]!.repeats = true;
    }
  }
  return undefined;
}

/** The length of an unbounded quantifier starting at `i` (`*`, `+`, `{n,}`), else 0. */
function unboundedRepeatAt(source: string, i: number): number {
  const c = source[i];
  if (c === '*' || c === '+') return 1;
  const braces = /^\{\d+,\}/.exec(source.slice(i, i + 12));
  return braces ? braces[0].length : 0;
}
