import { describe, expect, it } from 'vitest';
import { formatAnnotation, formatProblem, sortProblems } from '../../src/config/problems.js';
import type { Problem } from '../../src/errors.js';

const problem = (overrides: Partial<Problem> = {}): Problem => ({
  severity: 'error',
  file: 'workato-oauth.yaml',
  line: 12,
  col: 5,
  path: 'customers[3].profiles[1]',
  message: "unknown profile 'X'",
  ...overrides,
});

describe('formatProblem', () => {
  it('is FILE:LINE:COL  path  message, warnings tagged, no position when unknown', () => {
    expect(formatProblem(problem())).toBe(
      "workato-oauth.yaml:12:5  customers[3].profiles[1]  unknown profile 'X'",
    );
    expect(formatProblem(problem({ severity: 'warning', message: 'careful' }))).toBe(
      'workato-oauth.yaml:12:5  customers[3].profiles[1]  warning: careful',
    );
    expect(formatProblem(problem({ line: 0, col: 0, path: '', message: 'cannot read: no such file' }))).toBe(
      'workato-oauth.yaml  (file)  cannot read: no such file',
    );
  });
});

describe('formatAnnotation', () => {
  it('is a GitHub workflow command with the position and the path as title', () => {
    expect(formatAnnotation(problem())).toBe(
      "::error file=workato-oauth.yaml,line=12,col=5,title=customers[3].profiles[1]::unknown profile 'X'",
    );
    expect(formatAnnotation(problem({ severity: 'warning' }))).toMatch(/^::warning file=/);
  });

  it('escapes % CR LF in the message, and also : and , in properties', () => {
    const line = formatAnnotation(
      problem({ file: 'a,b:c%.yaml', path: 'profiles["a:b, c"]', message: '50% off: a,b\r\nnext' }),
    );
    expect(line).toBe(
      '::error file=a%2Cb%3Ac%25.yaml,line=12,col=5,title=profiles["a%3Ab%2C c"]::50%25 off: a,b%0D%0Anext',
    );
  });

  it('leaves out line, col and title when there are none', () => {
    expect(formatAnnotation(problem({ line: 0, col: 0, path: '' }))).toBe(
      "::error file=workato-oauth.yaml::unknown profile 'X'",
    );
  });
});

describe('sortProblems', () => {
  it('orders by line then column and drops exact repeats', () => {
    const sorted = sortProblems([
      problem({ line: 9 }),
      problem({ line: 2, col: 7 }),
      problem({ line: 2, col: 3 }),
      problem({ line: 9 }),
    ]);
    expect(sorted.map((p) => `${p.line}:${p.col}`)).toEqual(['2:3', '2:7', '9:5']);
  });
});
