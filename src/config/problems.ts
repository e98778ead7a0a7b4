import type { Problem } from '../errors.js';

/** `FILE:LINE:COL  path.to.field  message` (warnings say so). */
export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col}` : problem.file;
  const tag = problem.severity === 'warning' ? 'warning: ' : '';
  return `${where}  ${problem.path || '(file)'}  ${tag}${problem.message}`;
}

/**
 * A GitHub Actions workflow command, so the problem shows on the line in a pull
 * request's diff: `::error file=F,line=L,col=C,title=PATH::MESSAGE`.
 */
export function formatAnnotation(problem: Problem): string {
  const properties = [`file=${escapeProperty(problem.file)}`];
  if (problem.line > 0) properties.push(`line=${problem.line}`, `col=${problem.col}`);
  if (problem.path !== '') properties.push(`title=${escapeProperty(problem.path)}`);
  return `::${problem.severity} ${properties.join(',')}::${escapeData(problem.message)}`;
}

/** Escapes as @actions/core does: the message part... */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** ...and a property, where `:` and `,` are separators. */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** In file order (unpositioned first), identical problems once. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.severity}\0${p.line}\0${p.col}\0${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.line - b.line || a.col - b.col);
}

export function countProblems(problems: readonly Problem[]): { errors: number; warnings: number } {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { errors, warnings: problems.length - errors };
}
