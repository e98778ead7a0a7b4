/**
 * Everything `plan` and `apply` do before rendering: read the config and the
 * state, reach the workspace, read the live state, check secrets, compute the plan.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createClient } from '../api/client.js';
import { resolveConnection } from '../api/connection.js';
import { DEFAULT_RATE_PER_MINUTE } from '../api/pacing.js';
import type { WorkatoClient } from '../api/types.js';
import { parseConfig, throwIfInvalid } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import type { DesiredState } from '../config/types.js';
import { ConfigError } from '../errors.js';
import type { Io } from '../io.js';
import { checkStateWorkspace, emptyState, readState } from '../state/store.js';
import type { State } from '../state/types.js';
import { findDuplicateCustomers } from './customers.js';
import { computePlan, PlanError } from './diff.js';
import { fetchLiveState, type LiveState } from './live.js';
import { checkSecrets, type SecretChecks } from './secrets.js';
import type { Plan } from './types.js';

export interface ConnectionFlags {
  apiUrl?: string;
  dataCenter?: string;
  rateLimit?: number;
  /** Seconds. */
  timeout?: number;
}

export interface LoadedConfig {
  path: string;
  /** sha256 of the file's bytes: a plan file is stale once this moves. */
  digest: string;
  desired: DesiredState;
}

/** Reads and validates the config; warnings go to stderr, errors throw ConfigError. */
export async function readConfig(file: string, io: Io): Promise<LoadedConfig> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError([
      { severity: 'error', file, line: 0, col: 0, path: '', message: `cannot read: ${reason}` },
    ]);
  }
  const result = parseConfig(text, file, io.env);
  for (const problem of result.problems) {
    if (problem.severity === 'warning') io.err(`${formatProblem(problem)}\n`);
  }
  const desired = throwIfInvalid(result);
  return { path, digest: `sha256:${createHash('sha256').update(text).digest('hex')}`, desired };
}

export function defaultStatePath(configPath: string): string {
  return join(dirname(configPath), 'workato-oauth.state.json');
}

export interface LoadedState {
  path: string;
  state: State;
  /** False when no state file exists yet (the state is a fresh, empty one). */
  exists: boolean;
}

export async function loadState(path: string, baseUrl: string): Promise<LoadedState> {
  const found = await readState(path);
  if (!found) return { path, state: emptyState(baseUrl), exists: false };
  checkStateWorkspace(found, baseUrl, path);
  return { path, state: found, exists: true };
}

/** `stopSignal`: apply's Ctrl-C; calls not yet sent are dropped, calls in flight finish. */
export function connect(
  flags: ConnectionFlags,
  desired: DesiredState,
  io: Io,
  stopSignal?: AbortSignal,
): WorkatoClient {
  const { baseUrl, token } = resolveConnection({
    apiUrl: flags.apiUrl,
    dataCenter: flags.dataCenter,
    workspace: desired.workspace,
    env: io.env,
  });
  return createClient({
    baseUrl,
    token,
    ratePerMinute: flags.rateLimit ?? DEFAULT_RATE_PER_MINUTE,
    ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout * 1000 }),
    ...(io.debug ? { debugLog: (line: string) => io.err(`debug: ${line}\n`) } : {}),
    ...(stopSignal ? { stopSignal } : {}),
  });
}

export interface PreparedPlan {
  config: LoadedConfig;
  state: LoadedState;
  client: WorkatoClient;
  live: LiveState;
  secrets: SecretChecks;
  plan: Plan;
}

/** How the plan is made: whether new customers are checked, and the flags that shape changes. */
export interface PlanningOptions {
  verifyCustomers: boolean;
  /** --force-unassign: every unassign sends force=true, and the plan says so. */
  forceUnassign?: boolean;
  /** --reassert: every assignment the config wants is sent again. */
  reassert?: boolean;
}

export interface PrepareOptions extends ConnectionFlags, PlanningOptions {
  file: string;
  state?: string;
}

export function resolveStatePath(option: string | undefined, config: LoadedConfig, io: Io): string {
  return option ? resolve(io.cwd, option) : defaultStatePath(config.path);
}

/** Live state, secret checks and the plan, against a state already loaded (and, for apply, locked). */
export async function planAgainst(
  config: LoadedConfig,
  client: WorkatoClient,
  state: LoadedState,
  options: PlanningOptions,
): Promise<PreparedPlan> {
  // Refused before any call: two entries for one customer would undo each other.
  const duplicates = findDuplicateCustomers(config.desired, state.state);
  if (duplicates.length > 0) throw new PlanError(duplicates);
  const [live, secrets] = await Promise.all([
    fetchLiveState(client, config.desired, state.state, options),
    checkSecrets(config.desired, state.state),
  ]);
  const plan = computePlan({
    desired: config.desired,
    state: state.state,
    live: live.profiles,
    secrets,
    ratePerMinute: client.ratePerMinute,
    verified: live.customers,
    options: { forceUnassign: options.forceUnassign === true, reassert: options.reassert === true },
  });
  return { config, state, client, live, secrets, plan };
}

/** The caller owns the returned client and must close it. */
export async function preparePlan(options: PrepareOptions, io: Io): Promise<PreparedPlan> {
  const config = await readConfig(options.file, io);
  const client = connect(options, config.desired, io);
  try {
    const state = await loadState(resolveStatePath(options.state, config, io), client.baseUrl);
    return await planAgainst(config, client, state, options);
  } catch (error) {
    await client.close();
    throw error;
  }
}
