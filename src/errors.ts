/**
 * Error classes carry the exit code the CLI should end with. Library code throws
 * these; only src/cli.ts turns them into `process.exitCode`.
 *
 * Exit codes (the whole tool keeps them):
 *   0 success / no changes
 *   1 error
 *   2 changes present (only where a flag or command asks for it)
 *   3 refused by a safety rule
 */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CHANGES = 2;
export const EXIT_REFUSED = 3;
export const EXIT_INTERRUPTED = 130;

export interface ErrorOptions {
  cause?: unknown;
  exitCode?: number;
  /**
   * With `--format json`: the document the command would have printed (a refused
   * plan, say). The CLI prints it once, with the error added, so stdout stays one
   * JSON document.
   */
  document?: Record<string, unknown>;
}

export class WorkatoOauthError extends Error {
  readonly exitCode: number;
  readonly document: Record<string, unknown> | undefined;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options?.exitCode ?? EXIT_ERROR;
    this.document = options?.document;
  }
}

/** One problem in a config file, already positioned. */
export interface Problem {
  severity: 'error' | 'warning';
  file: string;
  /** 1-based; 0 when no position is known. */
  line: number;
  /** 1-based; 0 when no position is known. */
  col: number;
  /** Dotted path of the field, e.g. `customers[3].profiles[1]`; '' for the whole file. */
  path: string;
  message: string;
}

/** The config is invalid: carries every problem found, errors and warnings. */
export class ConfigError extends WorkatoOauthError {
  readonly problems: Problem[];
  constructor(problems: Problem[], options?: { cause?: unknown }) {
    const errors = problems.filter((p) => p.severity === 'error').length;
    super(`${errors} problem${errors === 1 ? '' : 's'} in the configuration`, options);
    this.problems = problems;
  }
}

/** Bad command-line usage or environment (missing token, bad URL...). */
export class UsageError extends WorkatoOauthError {}

/** A safety rule refused the operation (exit 3). */
export class RefusedError extends WorkatoOauthError {
  constructor(message: string, options?: Omit<ErrorOptions, 'exitCode'>) {
    super(message, { ...options, exitCode: EXIT_REFUSED });
  }
}

/** The state file is unreadable, from another workspace, or otherwise unusable. */
export class StateError extends WorkatoOauthError {}

/**
 * A state write refused because the state changed since this process read it
 * (another process wrote): nothing was overwritten. Exit 1, with the recovery.
 */
export class StateConflictError extends StateError {}
