/**
 * `workato-oauth validate`: the config file against the schema and the rules,
 * offline (no API call), every problem at once.
 */
import { loadConfig } from '../config/load.js';
import { countProblems, formatProblem } from '../config/problems.js';
import type { DesiredState } from '../config/types.js';
import { EXIT_ERROR, EXIT_OK } from '../errors.js';
import type { Io } from '../io.js';
import { writeAnnotations } from './github.js';

export interface ValidateOptions {
  file: string;
  format: 'text' | 'json';
}

export async function runValidate(options: ValidateOptions, io: Io): Promise<number> {
  const result = await loadConfig(options.file, io.env, { cwd: io.cwd });
  const { errors, warnings } = countProblems(result.problems);
  const valid = result.desired !== undefined;

  if (options.format === 'json') {
    const report = {
      format_version: '1',
      valid,
      file: options.file,
      errors,
      warnings,
      problems: result.problems.map(({ severity, file, line, col, path, message }) => ({
        severity,
        file,
        line,
        col,
        path,
        message,
      })),
      // Like every command's JSON on an error (docs/plan-json.md, "Errors"): `error` is there exactly when the exit is not 0.
      ...(valid
        ? {}
        : {
            error: {
              exit_code: EXIT_ERROR,
              kind: 'config',
              messages: [
                ...result.problems.filter((p) => p.severity === 'error').map(formatProblem),
                `${options.file}: ${summarize(result.desired, errors, warnings)}`,
              ],
            },
          }),
    };
    io.out(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const problem of result.problems) io.out(`${formatProblem(problem)}\n`);
    io.out(`${options.file}: ${summarize(result.desired, errors, warnings)}\n`);
  }

  // Workflow commands are read from both streams; in json mode stdout must stay pure JSON.
  writeAnnotations(io, result.problems, (text) => (options.format === 'json' ? io.err(text) : io.out(text)));
  return valid ? EXIT_OK : EXIT_ERROR;
}

/** "valid (3 profiles, 12 customers, 1 warning)" or "5 errors, 1 warning". */
function summarize(desired: DesiredState | undefined, errors: number, warnings: number): string {
  const warned = warnings > 0 ? [plural(warnings, 'warning')] : [];
  if (desired === undefined) return [plural(errors, 'error'), ...warned].join(', ');
  const counts = [plural(desired.profiles.length, 'profile'), plural(desired.customers.length, 'customer')];
  if (desired.rules !== undefined) counts.push(plural(desired.rules.length, 'rule'));
  return `valid (${[...counts, ...warned].join(', ')})`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
