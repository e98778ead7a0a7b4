/**
 * A saved plan (`plan --out`), executed later by `apply PLANFILE`. It holds the
 * changes and what they were computed against, so apply can refuse a stale plan.
 * It never holds a secret: secrets are named by their variable and pinned by
 * fingerprint, and apply refuses when the environment no longer matches.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { LiveProfile } from '../api/types.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { LiveState } from './live.js';
import type { PreparedPlan } from './prepare.js';
import type { SecretChecks } from './secrets.js';
import type { Plan } from './types.js';

export const PLAN_FILE_VERSION = 1;

export interface PinnedSecret {
  ref: string;
  fingerprint: string;
}

export interface PlanFile {
  plan_file_version: typeof PLAN_FILE_VERSION;
  workspace: string;
  config: { path: string; digest: string };
  /** lineage null: there was no state file when the plan was made. */
  state: { path: string; lineage: string | null; serial: number };
  /** Every live profile the plan was made against, by id. */
  live_profiles: { id: number; name: string; updated_at: string }[];
  /** Keyed by profile name; only secrets whose variable was set. */
  secrets: Record<string, { client_secret?: PinnedSecret; token?: PinnedSecret }>;
  /** Customers verified to exist while planning, keyed like the plan's addresses. */
  customers: Record<string, { id: number; external_id: string | null }>;
  plan: Plan;
}

function pinSecrets(prepared: PreparedPlan, checks: SecretChecks): PlanFile['secrets'] {
  const out: PlanFile['secrets'] = {};
  for (const profile of prepared.config.desired.profiles) {
    const check = checks.get(profile.name);
    const entry: PlanFile['secrets'][string] = {};
    if (check?.client_secret.fingerprint) {
      entry.client_secret = { ref: profile.clientSecret.ref, fingerprint: check.client_secret.fingerprint };
    }
    if (profile.token && check?.token.fingerprint) {
      entry.token = { ref: profile.token.ref, fingerprint: check.token.fingerprint };
    }
    if (entry.client_secret || entry.token) out[profile.name] = entry;
  }
  return out;
}

function liveSnapshot(profiles: readonly LiveProfile[]): PlanFile['live_profiles'] {
  return profiles
    .map((p) => ({ id: p.id, name: p.name, updated_at: p.updated_at }))
    .sort((a, b) => a.id - b.id);
}

function verifiedCustomers(live: LiveState): PlanFile['customers'] {
  return Object.fromEntries([...live.customers.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Paths are kept relative to the folder plan ran in: a pipeline plans in one job
 * and applies in another, where the checkout may live elsewhere.
 */
export function makePlanFile(prepared: PreparedPlan, cwd: string): PlanFile {
  const portable = (path: string) => relative(cwd, path) || path;
  return {
    plan_file_version: PLAN_FILE_VERSION,
    workspace: prepared.client.baseUrl,
    config: { path: portable(prepared.config.path), digest: prepared.config.digest },
    state: {
      path: portable(prepared.state.path),
      lineage: prepared.state.exists ? prepared.state.state.lineage : null,
      serial: prepared.state.exists ? prepared.state.state.serial : 0,
    },
    live_profiles: liveSnapshot(prepared.live.profiles),
    secrets: pinSecrets(prepared, prepared.secrets),
    customers: verifiedCustomers(prepared.live),
    plan: prepared.plan,
  };
}

export async function writePlanFile(path: string, planFile: PlanFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(planFile, null, 2)}\n`);
}

export async function readPlanFile(path: string): Promise<PlanFile> {
  let data: Partial<PlanFile>;
  try {
    data = JSON.parse(await readFile(path, 'utf8')) as Partial<PlanFile>;
  } catch (error) {
    throw new UsageError(`cannot read plan file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (data.plan_file_version !== PLAN_FILE_VERSION || !data.plan || !data.config || !data.state) {
    throw new UsageError(`${path} is not a workato-oauth plan file (version ${PLAN_FILE_VERSION})`);
  }
  return data as PlanFile;
}

/** What moved since the plan was made; empty when the plan still holds. */
export function findStaleness(
  planFile: PlanFile,
  now: {
    configDigest: string;
    lineage: string | null;
    serial: number;
    workspace: string;
    live: readonly LiveProfile[];
  },
): string[] {
  const moved: string[] = [];
  if (now.workspace !== planFile.workspace) {
    moved.push(`the plan is for workspace ${planFile.workspace}, not ${now.workspace}`);
  }
  if (now.configDigest !== planFile.config.digest) moved.push(`the config ${planFile.config.path} changed`);
  if (now.lineage !== planFile.state.lineage) {
    moved.push(
      planFile.state.lineage === null
        ? 'a state file was created since the plan was made'
        : 'the state file was replaced by another one (lineage differs)',
    );
  } else if (now.serial !== planFile.state.serial) {
    moved.push(`the state was written since (serial ${planFile.state.serial} -> ${now.serial})`);
  }
  const before = new Map(planFile.live_profiles.map((p) => [p.id, p]));
  const after = new Map(now.live.map((p) => [p.id, p]));
  for (const [id, p] of before) {
    const current = after.get(id);
    if (!current) moved.push(`profile "${p.name}" (id ${id}) was deleted in Workato`);
    else if (current.updated_at !== p.updated_at)
      moved.push(`profile "${p.name}" (id ${id}) was changed in Workato`);
  }
  for (const [id, p] of after) {
    if (!before.has(id)) moved.push(`profile "${p.name}" (id ${id}) was created in Workato`);
  }
  return moved;
}
