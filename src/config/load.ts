/**
 * The config loader: YAML -> interpolation -> schema -> rules -> DesiredState,
 * collecting every problem on the way and failing once, at the end.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import { addCustomersFrom, configDigest } from './customers-from.js';
import { type Path, type ReadResult, readDocument } from './document.js';
import { type Env, interpolate } from './interpolate.js';
import { MAX_CONFIG_BYTES, tooLargeMessage } from './limits.js';
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
  /** From parseConfig, when the YAML is readable: customers_from reads its patterns and profiles there. */
  readonly document?: ReadResult;
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
  const document = read.readable ? { document: read } : {};
  return valid
    ? { desired: normalizeConfig(read.value, read.source, env), problems: sorted, ...document }
    : { problems: sorted, ...document };
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
  const read = await readConfigText(options.cwd === undefined ? path : resolve(options.cwd, path));
  if ('refused' in read) {
    return {
      problems: [{ severity: 'error', file: path, line: 0, col: 0, path: '', message: read.refused }],
    };
  }
  const location = { path: resolve(options.cwd ?? '', path), label: path, env };
  return (await addCustomersFrom(parseConfig(read.text, path, env), location)).result;
}

/** A valid config as plan and apply use it. */
export interface LoadedConfig {
  /** Absolute path. */
  path: string;
  /** sha256 of the file's bytes and its customers_from files': a saved plan is stale once this moves. */
  digest: string;
  desired: DesiredState;
  /** Warnings to show; errors throw a ConfigError instead. */
  warnings: Problem[];
}

/** Reads, validates and fingerprints the config file; any error throws a ConfigError with every problem. */
export async function readConfigFile(file: string, env: Env, cwd: string): Promise<LoadedConfig> {
  const path = resolve(cwd, file);
  const read = await readConfigText(path);
  if ('refused' in read) {
    throw new ConfigError([{ severity: 'error', file, line: 0, col: 0, path: '', message: read.refused }]);
  }
  const { text } = read;
  const { result, files } = await addCustomersFrom(parseConfig(text, file, env), { path, label: file, env });
  const desired = throwIfInvalid(result);
  return {
    path,
    digest: configDigest(text, files),
    desired,
    warnings: result.problems.filter((p) => p.severity === 'warning'),
  };
}

/** The desired state, or a ConfigError carrying every problem (warnings included). */
export function throwIfInvalid(result: ConfigResult): DesiredState {
  if (result.desired === undefined) throw new ConfigError(result.problems);
  return result.desired;
}

/**
 * The file's text, or why it is not read. Its size is checked on the open handle
 * first, so a file over MAX_CONFIG_BYTES (or a device that never ends) is refused
 * without reading a byte of it.
 */
async function readConfigText(path: string): Promise<{ text: string } | { refused: string }> {
  try {
    // Non-blocking, so a named pipe is refused below instead of waiting for a writer.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) return { refused: 'cannot read: is a directory' };
      if (!stats.isFile()) return { refused: 'cannot read: not a regular file' };
      if (stats.size > MAX_CONFIG_BYTES) return { refused: tooLargeMessage(stats.size) };
      return { text: await handle.readFile('utf8') };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { refused: `cannot read: ${describeReadError(error)}` };
  }
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}
