/**
 * GitHub Actions, where this tool's users run it: the markdown report appended to
 * the job's step summary (GITHUB_STEP_SUMMARY, a file path) and validate's problems
 * as workflow-command annotations (GITHUB_ACTIONS=true). Both read the Io's
 * environment, never `process.env`, and neither changes what stdout shows.
 */
import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatAnnotation } from '../config/problems.js';
import type { Problem } from '../errors.js';
import type { Io } from '../io.js';

/**
 * Appends `markdown` to the step summary when GITHUB_STEP_SUMMARY names a file. A
 * summary that cannot be written is a warning on stderr, not a failed command: the
 * report is also in the log, and the command's exit code must say what it did.
 */
export async function appendStepSummary(io: Io, markdown: () => string): Promise<void> {
  const path = io.env['GITHUB_STEP_SUMMARY'];
  if (path === undefined || path === '') return;
  try {
    await appendFile(resolve(io.cwd, path), `${markdown()}\n`, 'utf8');
  } catch (error) {
    io.err(`warning: could not append to GITHUB_STEP_SUMMARY (${(error as Error).message})\n`);
  }
}

/** Under GitHub Actions, each problem as an `::error`/`::warning` annotation on its line. */
export function writeAnnotations(io: Io, problems: readonly Problem[], write: (text: string) => void): void {
  if (io.env['GITHUB_ACTIONS'] !== 'true') return;
  for (const problem of problems) write(`${formatAnnotation(problem)}\n`);
}
