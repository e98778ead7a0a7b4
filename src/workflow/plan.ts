/**
 * The sequence `plan` and `apply` share before anything is shown: read the config
 * and the state, reach the workspace, read what is live, check the secrets, compute
 * the plan. Each step is one module's job; this only puts them in order.
 */
import { createClient } from '../api/client.js';
import { resolveConnection } from '../api/connection.js';
import { DEFAULT_RATE_PER_MINUTE } from '../api/pacing.js';
import type { WorkatoClient } from '../api/types.js';
import { type LoadedConfig, readConfigFile } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import type { WorkspaceSettings } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { findDuplicateCustomers } from '../plan/customers.js';
import { computePlan, PlanError } from '../plan/diff.js';
import type { SecretChecks } from '../plan/secrets.js';
import type { Plan } from '../plan/types.js';
import { fetchLiveState, type LiveState } from './live.js';
import { resolveDesired } from './rule-resolution.js';
import { checkSecrets } from './secret-checks.js';
import { type BackendState, loadState, openStateBackend } from './state-backend.js';
import { rememberVerifiedCustomers } from './verified-customers.js';

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
  /** Fingerprint changed secrets too (apply records them, a plan file pins them); see checkSecrets. */
  fingerprintChanged?: boolean;
  /**
   * --refresh-customers: with rules, read every page of the customer listing, not
   * only the pages after the last listing, so a customer renamed (or given another
   * external id) on an earlier page is seen. Costs one call per 100 customers.
   */
  refreshCustomers?: boolean;
}

export interface PrepareOptions extends ConnectionFlags, PlanningOptions {
  file: string;
  state?: string;
}

export interface PreparedPlan {
  config: LoadedConfig;
  state: BackendState;
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
 * Live state, secret checks and the plan, against a state already loaded (and, for
 * apply, locked). The customers checked to exist are added to `state` in memory.
 */
export async function planAgainst(
  config: LoadedConfig,
  client: WorkatoClient,
  state: BackendState,
  options: PlanningOptions,
): Promise<PreparedPlan> {
  // Refused before any call: two entries for one customer would undo each other.
  const duplicates = findDuplicateCustomers(config.desired, state.state);
  if (duplicates.length > 0) throw new PlanError(duplicates);
  // Rules: the customer list is read and the rules resolved first; the listing checks every customer.
  const rules = await resolveDesired(client, config.desired, state.state, {
    fullListing: options.refreshCustomers === true,
  });
  const desired = rules?.desired ?? config.desired;
  const [live, secrets] = await Promise.all([
    fetchLiveState(client, desired, state.state, rules ? { verifyCustomers: false } : options),
    checkSecrets(desired, state.state, { fingerprintChanged: options.fingerprintChanged === true }),
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
    const backend = await openStateBackend(options.state, config.path, io, options.file);
    const state = await loadState(backend, client.baseUrl);
    return await planAgainst(config, client, state, options);
  } catch (error) {
    await client.close();
    throw error;
  }
}
