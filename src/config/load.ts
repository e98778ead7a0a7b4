/**
 * The config loader: YAML -> interpolation -> schema -> rules -> DesiredState,
 * collecting every problem on the way and failing once, at the end.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import { type Path, readDocument } from './document.js';
import { type Env, interpolate } from './interpolate.js';
import { normalizeConfig } from './normalize.js';
import { sortProblems } from './problems.js';
import { checkRules } from './rules.js';
import { checkSchema } from './schema.js';
import { isSecretPath } from './secrets.js';
import type { DesiredState } from './types.js';

export interface ConfigResult {
  /** Present exactly when no problem is an error. */
  readonly desired?: DesiredState;
  /** Errors and warnings, in file order. */
  readonly problems: Problem[];
}

/**
 * Parses and validates a config text. Pure: no file system, no network; `file`
 * only labels the problems.
 */
export function parseConfig(text: string, file: string, env: Env): ConfigResult {
  const result = checkConfig(text, file, env, true);
  // The shortcut's reading is for valid files; problems are told as the full reading tells them.
  return result.plain && result.problems.length > 0 ? checkConfig(text, file, env, false) : result;
}

function checkConfig(
  text: string,
  file: string,
  env: Env,
  plain: boolean,
): ConfigResult & { plain?: boolean } {
  const interpolateString = (value: string, path: Path) => {
    if (isSecretPath(path)) return value; // never interpolated, resolved as a whole: see secrets.ts
    const result = interpolate(value, env);
    return result.ok ? result.value : { error: result.message };
  };
  const read = readDocument(text, file, interpolateString, { plain });
  const problems = [...read.problems];

  if (read.readable) {
    if (read.value === null || read.value === undefined) {
      problems.push({
        severity: 'error',
        file,
        line: 1,
        col: 1,
        path: '',
        message: 'the file is empty: expected version: 1, profiles and customers',
      });
    } else {
      // A value already reported as unreadable would only repeat the cause here
      // (an unset ${DC} is not also "an unknown data center").
      const checked = [...checkSchema(read.value, read.source), ...checkRules(read.value, read.source)];
      for (const p of checked) if (!read.refused.has(p.path)) problems.push(p);
    }
  }

  const sorted = sortProblems(problems);
  const valid = read.readable && !sorted.some((p) => p.severity === 'error');
  if (read.plain && sorted.length > 0) return { problems: sorted, plain: true };
  return valid
    ? { desired: normalizeConfig(read.value, read.source, env), problems: sorted }
    : { problems: sorted };
}

/**
 * Reads `path` (relative to `options.cwd` when given) and parses it. Problems are
 * labelled with `path` as given, so messages show what the user typed. An
 * unreadable file is one problem, not an exception.
 */
export async function loadConfig(
  path: string,
  env: Env,
  options: { cwd?: string } = {},
): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(options.cwd === undefined ? path : resolve(options.cwd, path), 'utf8');
  } catch (error) {
    return {
      problems: [
        {
          severity: 'error',
          file: path,
          line: 0,
          col: 0,
          path: '',
          message: `cannot read: ${describeReadError(error)}`,
        },
      ],
    };
  }
  return parseConfig(text, path, env);
}

/** A valid config as plan and apply use it. */
export interface LoadedConfig {
  /** Absolute path. */
  path: string;
  /** sha256 of the file's bytes: a saved plan is stale once this moves. */
  digest: string;
  desired: DesiredState;
  /** Warnings to show; errors throw a ConfigError instead. */
  warnings: Problem[];
}

/** Reads, validates and fingerprints the config file; any error throws a ConfigError with every problem. */
export async function readConfigFile(file: string, env: Env, cwd: string): Promise<LoadedConfig> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      {
        severity: 'error',
        file,
        line: 0,
        col: 0,
        path: '',
        message: `cannot read: ${describeReadError(error)}`,
      },
    ]);
  }
  const result = parseConfig(text, file, env);
  const desired = throwIfInvalid(result);
  return {
    path,
    digest: `sha256:${createHash('sha256').update(text).digest('hex')}`,
    desired,
    warnings: result.problems.filter((p) => p.severity === 'warning'),
  };
}

/** The desired state, or a ConfigError carrying every problem (warnings included). */
export function throwIfInvalid(result: ConfigResult): DesiredState {
  if (result.desired === undefined) throw new ConfigError(result.problems);
  return result.desired;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}
