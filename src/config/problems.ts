import type { Problem } from '../errors.js';

/** `FILE:LINE:COL  path.to.field  message` (warnings say so). */
export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col}` : problem.file;
  const tag = problem.severity === 'warning' ? 'warning: ' : '';
  return `${where}  ${problem.path || '(file)'}  ${tag}${problem.message}`;
}
