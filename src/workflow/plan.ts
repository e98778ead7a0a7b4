/**
 * The sequence `plan` and `apply` share before anything is shown: read the config
 * and the state, reach the workspace, read what is live, check the secrets, compute
 * the plan. Each step is one module's job; this only puts them in order.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createClient } from '../api/client.js';
import { resolveConnection } from '../api/connection.js';
import { DEFAULT_RATE_PER_MINUTE } from '../api/pacing.js';
import type { WorkatoClient } from '../api/types.js';
import { type LoadedConfig, readConfigFile } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import type { DesiredState, WorkspaceSettings } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { findDuplicateCustomers } from '../plan/customers.js';
import { computePlan, PlanError } from '../plan/diff.js';
import type { SecretChecks } from '../plan/secrets.js';
import type { Plan } from '../plan/types.js';
import { defaultStatePath, type LoadedState, loadStateFile } from '../state/store.js';
import { fetchLiveState, type LiveState } from './live.js';
import { resolveDesired } from './rule-resolution.js';
import { checkSecrets } from './secret-checks.js';
import { rememberVerifiedCustomers } from './verified-customers.js';

/** What every config's default state file was called before it was named after the config. */
const LEGACY_STATE_NAME = 'workato-oauth.state.json';

export interface ConnectionFlags {
  apiUrl?: string;
  dataCenter?: string;
  rateLimit?: number;
  /** Seconds. */
  timeout?: number;
  /** Seconds of continuous 429s a call waits out before failing; else WORKATO_RATE_LIMIT_WAIT, else 10 min. */
  rateLimitWait?: number;
}

export const RATE_LIMIT_WAIT_ENV = 'WORKATO_RATE_LIMIT_WAIT';

/** The 429 patience in ms from the flag or the environment; undefined keeps the client's default. */
function rateLimitPatienceMs(flags: ConnectionFlags, env: Io['env']): number | undefined {
  if (flags.rateLimitWait !== undefined) return flags.rateLimitWait * 1000;
  const raw = env[RATE_LIMIT_WAIT_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`${RATE_LIMIT_WAIT_ENV} must be a number of seconds >= 0, not "${raw}"`);
  }
  return seconds * 1000;
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

export interface PreparedPlan {
  config: LoadedConfig;
  state: LoadedState;
  client: WorkatoClient;
  live: LiveState;
  secrets: SecretChecks;
  plan: Plan;
}

/** The config, with its warnings shown on standard error. */
export async function readConfig(file: string, io: Io): Promise<LoadedConfig> {
  const config = await readConfigFile(file, io.env, io.cwd);
  for (const warning of config.warnings) io.err(`${formatProblem(warning)}\n`);
  return config;
}

/** `stopSignal`: apply's Ctrl-C; calls not yet sent are dropped, calls in flight finish. */
export function connect(
  flags: ConnectionFlags,
  /** The workspace as a config (or, for drift, the state) names it; flags and env win. */
  workspace: WorkspaceSettings,
  io: Io,
  stopSignal?: AbortSignal,
  beforeSend?: () => Promise<void>,
): WorkatoClient {
  const { baseUrl, token } = resolveConnection({
    apiUrl: flags.apiUrl,
    dataCenter: flags.dataCenter,
    workspace,
    env: io.env,
  });
  const patience = rateLimitPatienceMs(flags, io.env);
  return createClient({
    baseUrl,
    token,
    ...(patience === undefined ? {} : { retry: { rateLimitPatienceMs: patience } }),
    ratePerMinute: flags.rateLimit ?? DEFAULT_RATE_PER_MINUTE,
    ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout * 1000 }),
    ...(io.debug ? { debugLog: (line: string) => io.err(`debug: ${line}\n`) } : {}),
    ...(stopSignal ? { stopSignal } : {}),
    ...(beforeSend ? { beforeSend } : {}),
  });
}

/**
 * `--state`, else the state named after the config. Before 0.2 every config's default
 * was `workato-oauth.state.json`: a config that finds only that file beside it would
 * start from an empty state and adopt everything anew, so it is refused, with the fix.
 */
export function resolveStatePath(option: string | undefined, config: LoadedConfig, io: Io): string {
  if (option) return resolve(io.cwd, option);
  const path = defaultStatePath(config.path);
  const legacy = join(dirname(config.path), LEGACY_STATE_NAME);
  if (path !== legacy && !existsSync(path) && existsSync(legacy)) {
    throw new UsageError(
      `no state file at ${path}, but there is ${legacy}: the default state file is now named after the config; rename it (mv ${legacy} ${path}) or pass --state ${legacy}`,
    );
  }
  return path;
}

/**
 * Live state, secret checks and the plan, against a state already loaded (and, for
 * apply, locked). The customers checked to exist are added to `state` in memory.
 */
export async function planAgainst(
  config: LoadedConfig,
  client: WorkatoClient,
  state: LoadedState,
  options: PlanningOptions,
): Promise<PreparedPlan> {
  // Refused before any call: two entries for one customer would undo each other.
  const duplicates = findDuplicateCustomers(config.desired, state.state);
  if (duplicates.length > 0) throw new PlanError(duplicates);
  // Rules: the customer list is read and the rules resolved first; the listing checks every customer.
  const rules = await resolveDesired(client, config.desired, state.state);
  const desired = rules?.desired ?? config.desired;
  const [live, secrets] = await Promise.all([
    fetchLiveState(client, desired, state.state, rules ? { verifyCustomers: false } : options),
    checkSecrets(desired, state.state),
  ]);
  if (rules) live.customers = rules.verified;
  const plan = computePlan({
    desired,
    state: state.state,
    live: live.profiles,
    secrets,
    ratePerMinute: client.ratePerMinute,
    verified: live.customers,
    options: { forceUnassign: options.forceUnassign === true, reassert: options.reassert === true },
  });
  if (rules) plan.customerListing = rules.listing;
  // Known from now on: apply's first write records them, plan records them itself.
  rememberVerifiedCustomers(state.state, live.customers);
  live.listing = rules?.record;
  return { config: { ...config, desired }, state, client, live, secrets, plan };
}

/** The caller owns the returned client and must close it. */
export async function preparePlan(options: PrepareOptions, io: Io): Promise<PreparedPlan> {
  const config = await readConfig(options.file, io);
  const client = connect(options, config.desired.workspace, io);
  try {
    const state = await loadStateFile(resolveStatePath(options.state, config, io), client.baseUrl);
    return await planAgainst(config, client, state, options);
  } catch (error) {
    await client.close();
    throw error;
  }
}
