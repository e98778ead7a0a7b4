/**
 * A saved plan (`plan --out`), executed later by `apply PLANFILE`. It holds the plan
 * as `plan --format json` prints it, plus what staleness needs. Nothing in it is
 * sent: apply recomputes the plan from the config, the state and the live workspace,
 * and runs it only when the recomputed changes equal the saved ones, so an edited
 * file is refused rather than executed. It never holds a secret: secrets are named
 * by their variable and pinned by fingerprint.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { LiveProfile } from '../api/types.js';
import { UsageError } from '../errors.js';
import { isRecord } from '../json.js';
import type { SecretChecks } from '../plan/secrets.js';
import type { Plan } from '../plan/types.js';
import { type ChangeJson, type PlanJson, toPlanJson } from '../render/json.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { PreparedPlan } from './plan.js';
import { validate as validatePlan } from './plan-validator.generated.js';

export const PLAN_FILE_VERSION = 2;

export interface PinnedSecret {
  ref: string;
  fingerprint: string;
}

export interface PlanFile {
  plan_file_version: typeof PLAN_FILE_VERSION;
  workspace: string;
  /** The folder plan ran in, which the paths below are relative to; for messages only. */
  planned_in?: string;
  config: { path: string; digest: string };
  /**
   * Where the state is: `path` for a local file (relative to `planned_in`),
   * `location` for a remote one (`git::REMOTE#REF`, `s3://BUCKET/KEY`), and the
   * version it was at. lineage null: there was no state when the plan was made.
   * Apply refuses the plan when the state's lineage or serial moved since.
   */
  state: {
    path?: string;
    location?: string;
    version?: string | null;
    lineage: string | null;
    serial: number;
  };
  /** The plan's own flags: apply recomputes with them. */
  options: { force_unassign: boolean; reassert: boolean };
  /** Every live profile the plan was made against, by id. */
  live_profiles: { id: number; name: string; updated_at: string }[];
  /** Keyed by profile name; only secrets whose variable was set. */
  secrets: Record<string, { client_secret?: PinnedSecret; token?: PinnedSecret }>;
  /** The plan as `plan --format json` prints it (schemas/plan.schema.json). */
  plan: PlanJson;
}

/** By schemas/plan.schema.json, compiled ahead of time (scripts/compile-schemas.mjs). */
function validatePlanJson(data: unknown): string[] {
  if (validatePlan(data)) return [];
  return (validatePlan.errors ?? []).slice(0, 5).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
    return `plan${e.instancePath.replaceAll('/', '.')} ${e.message ?? 'is invalid'}${extra}`;
  });
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

/**
 * Paths are kept relative to the folder plan ran in: a pipeline plans in one job
 * and applies in another, where the checkout may live elsewhere.
 */
export function makePlanFile(prepared: PreparedPlan, cwd: string, options: PlanFile['options']): PlanFile {
  const portable = (path: string) => relative(cwd, path) || path;
  return {
    plan_file_version: PLAN_FILE_VERSION,
    workspace: prepared.client.baseUrl,
    planned_in: cwd,
    config: { path: portable(prepared.config.path), digest: prepared.config.digest },
    state: {
      ...(prepared.state.backend.kind === 'local'
        ? { path: portable(prepared.state.path) }
        : { location: prepared.state.backend.location }),
      version: prepared.state.version,
      lineage: prepared.state.exists ? prepared.state.state.lineage : null,
      serial: prepared.state.exists ? prepared.state.state.serial : 0,
    },
    options,
    live_profiles: liveSnapshot(prepared.live.profiles),
    secrets: pinSecrets(prepared, prepared.secrets),
    plan: toPlanJson(prepared.plan),
  };
}

export async function writePlanFile(path: string, planFile: PlanFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(planFile, null, 2)}\n`);
}

/** What the wrapper around the plan must hold; every field is checked before use. */
function checkWrapper(data: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const str = (v: unknown) => typeof v === 'string';
  if (!str(data['workspace'])) problems.push('workspace must be a string');
  if (data['planned_in'] !== undefined && !str(data['planned_in']))
    problems.push('planned_in must be a string');
  const config = data['config'];
  if (!isRecord(config) || !str(config['path']) || !str(config['digest']))
    problems.push('config must be {path, digest}');
  const state = data['state'];
  if (
    !isRecord(state) ||
    str(state['path']) === str(state['location']) ||
    !(state['version'] === undefined || state['version'] === null || str(state['version'])) ||
    !(state['lineage'] === null || str(state['lineage'])) ||
    !Number.isSafeInteger(state['serial'])
  )
    problems.push('state must be {path or location, version, lineage, serial}');
  const options = data['options'];
  if (!isRecord(options) || !['force_unassign', 'reassert'].every((k) => typeof options[k] === 'boolean'))
    problems.push('options must be {force_unassign, reassert}');
  const live = data['live_profiles'];
  if (
    !Array.isArray(live) ||
    !live.every((p) => isRecord(p) && Number.isSafeInteger(p['id']) && str(p['name']) && str(p['updated_at']))
  )
    problems.push('live_profiles must be a list of {id, name, updated_at}');
  const secrets = data['secrets'];
  if (
    !isRecord(secrets) ||
    !Object.values(secrets).every(
      (entry) =>
        isRecord(entry) &&
        Object.values(entry).every((pin) => isRecord(pin) && str(pin['ref']) && str(pin['fingerprint'])),
    )
  )
    problems.push('secrets must map profile names to {ref, fingerprint} pins');
  return problems;
}

/** A config given where a plan file goes: YAML keys of a config at the start of a line. */
const CONFIG_KEYS = /^(version|workspace|profiles|customers)\s*:/m;

/** Why the bytes are not JSON, in words that never quote the file (it may hold anything, secrets too). */
function describeNotJson(path: string, bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = '\0';
  }
  // Control characters JSON and YAML text never hold: tab, line feed and carriage return excepted.
  const binary = [...text.slice(0, 4096)].some((c) => c < ' ' && c !== '\t' && c !== '\n' && c !== '\r');
  if (binary) return `${path} is not a workato-oauth plan file: it holds binary data`;
  if (/\.ya?ml$/i.test(path) || CONFIG_KEYS.test(text)) {
    return `${path} is a config file, not a plan file: to apply a config, use -f (workato-oauth apply -f ${path})`;
  }
  return `${path} is not a workato-oauth plan file: it is not JSON`;
}

function describeReadError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `plan file ${path} does not exist`;
  if (code === 'EISDIR') return `${path} is a folder, not a plan file`;
  if (code === 'EACCES' || code === 'EPERM') return `cannot read plan file ${path}: permission denied`;
  return `cannot read plan file ${path}${code ? ` (${code})` : ''}`;
}

export async function readPlanFile(path: string): Promise<PlanFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UsageError(describeReadError(path, error), { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UsageError(describeNotJson(path, bytes), { cause: error });
  }
  if (!isRecord(data) || data['plan_file_version'] !== PLAN_FILE_VERSION) {
    const version = isRecord(data) ? data['plan_file_version'] : undefined;
    throw new UsageError(
      version === undefined
        ? `${path} is not a workato-oauth plan file (it has no plan_file_version)`
        : `${path} is a plan file of version ${describeVersion(version)}; this workato-oauth reads version ${PLAN_FILE_VERSION}: plan again`,
    );
  }
  const problems = [...checkWrapper(data), ...validatePlanJson(data['plan'])];
  if (problems.length > 0) {
    throw new UsageError(`plan file ${path} is damaged:\n  ${problems.join('\n  ')}`);
  }
  return data as unknown as PlanFile;
}

/** A scalar as written; anything else by its kind: a damaged file may nest a value thousands deep. */
function describeVersion(version: unknown): string {
  if (version === null || typeof version !== 'object') return JSON.stringify(version) ?? String(version);
  return Array.isArray(version) ? '(a list)' : '(a map)';
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
        ? 'a state was created since the plan was made'
        : 'the state was replaced by another one (lineage differs)',
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

/** A change as compared: everything the plan shows but the safety check's verdict. */
function comparable(change: ChangeJson): Record<string, unknown> {
  const { refused: _verdict, ...rest } = change as ChangeJson & { refused?: unknown };
  return rest;
}

function describeValue(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** The parts of a plan document the safety check sets: never compared. */
function withoutVerdicts(plan: PlanJson): Record<string, unknown> {
  // How plan read the customer list is not what apply sends: a re-plan reads only its tail.
  const {
    refusals: _refusals,
    changes: _changes,
    customer_listing: _listing,
    summary,
    ...rest
  } = plan as PlanJson & {
    refusals?: unknown;
    customer_listing?: unknown;
  };
  const { refused: _refused, ...counts } = summary as typeof summary & { refused?: unknown };
  return { ...rest, summary: counts };
}

/** The first key path where two JSON values differ, with both values. */
function firstDifference(path: string, a: unknown, b: unknown): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null;
  if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])]) {
      const found = firstDifference(`${path}.${key}`, left[key], right[key]);
      if (found !== undefined) return found;
    }
  }
  return `${path} is ${describeValue(a)} in the plan file but ${describeValue(b)} now`;
}

/**
 * The first way the recomputed plan differs from the saved one, or undefined when
 * they are the same. Both sides go through the same JSON, key by key; only the
 * safety check's verdicts are left out, since apply's flags decide those anew.
 */
export function findPlanDifference(saved: PlanJson, now: PlanJson): string | undefined {
  // plan --out writes no file for a refused plan, so a saved verdict was put there by hand.
  const verdicts = saved as PlanJson & { refusals?: unknown[] };
  if (
    (verdicts.refusals?.length ?? 0) > 0 ||
    saved.summary.refused !== 0 ||
    saved.changes.some((c) => (c as { refused?: unknown }).refused != null)
  ) {
    return 'the plan file records refusals, which a saved plan never has';
  }
  const count = Math.max(saved.changes.length, now.changes.length);
  for (let i = 0; i < count; i++) {
    const a = saved.changes[i];
    const b = now.changes[i];
    if (!a || !b) {
      const extra = (a ?? b)!;
      return a
        ? `the plan file has ${extra.address} (${extra.action}), which the plan no longer makes`
        : `the plan now also makes ${extra.address} (${extra.action}), which the plan file does not have`;
    }
    const left = comparable(a);
    const right = comparable(b);
    for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])]) {
      const found = firstDifference(key, left[key], right[key]);
      if (found !== undefined) return `changes[${i}] ${b.address}: ${found}`;
    }
  }
  return firstDifference('plan', withoutVerdicts(saved), withoutVerdicts(now));
}

/** How the plan made now differs from the one in the file, or undefined. */
export function findSavedPlanDifference(planFile: PlanFile, now: Plan): string | undefined {
  return findPlanDifference(planFile.plan, toPlanJson(now));
}
