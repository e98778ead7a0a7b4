/**
 * A spread into a call (`push(...items)`, `Math.max(...values)`) puts every item
 * on the stack and throws "Maximum call stack size exceeded" past about 100,000
 * of them: a plan of 41,000 customers × 3 profiles crashed that way. Lists that
 * grow with the config go through src/arrays.ts's loops instead; this keeps new
 * call spreads out of src/, naming each one found.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { append, maxOf } from '../../src/arrays.js';
import { SRC, sourceFiles } from '../source-files.js';

/** Spreads of a fixed, small number of arguments, by file and the call's text. */
const ALLOWED = new Set([
  // commander's action arguments: one per declared argument.
  'program.ts: action(io, ...args)',
]);

function callSpreads(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isSpreadElement(node) && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent))) {
      found.push(`${relative(SRC, file)}: ${node.parent.getText(source).replace(/\s+/g, ' ')}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('no spread into a call in src/', () => {
  it('finds none beyond the fixed-size ones listed', () => {
    const found = sourceFiles(SRC).flatMap(callSpreads);
    expect(found.filter((call) => !ALLOWED.has(call))).toEqual([]);
  });
});

describe('append and maxOf', () => {
  it('take 300,000 items, where a spread throws', () => {
    const items = Array.from({ length: 300_000 }, (_, i) => i);
    expect(() => [].push(...(items as never[]))).toThrow(RangeError);
    expect(append([-1], items, [300_000]).length).toBe(300_002);
    expect(maxOf(items, 0)).toBe(299_999);
    expect(maxOf([], 3)).toBe(3);
  });
});
