import { resolve } from 'node:path';
import type { ProfileInput } from '../api/types.js';
import { reconcileBookkeeping } from '../apply/bookkeeping.js';
import { executePlan, type Outcome } from '../apply/execute.js';
import { createProgress } from '../apply/progress.js';
import { StateRecorder } from '../apply/recorder.js';
import { type DesiredProfile, SECRET_FIELDS, type SecretField, secretOf } from '../config/types.js';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, RefusedError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { callsFor, countApiCalls } from '../plan/diff.js';
import { findPlanDifference, findStaleness, type PlanFile, readPlanFile } from '../plan/plan-file.js';
import {
  type ConnectionFlags,
  connect,
  type LoadedConfig,
  loadState,
  type PreparedPlan,
  planAgainst,
  readConfig,
  resolveStatePath,
} from '../plan/prepare.js';
import { findRefusals, type SafetyPolicy, withRefusals } from '../plan/safety.js';
import type { Change, Plan } from '../plan/types.js';
import { renderApplyJson, renderApplyText } from '../render/apply-report.js';
import { renderJson, toPlanJson } from '../render/json.js';
import { renderText } from '../render/text.js';
import { matchesFingerprint } from '../state/fingerprint.js';
import { acquireStateLock } from '../state/lock.js';

export interface ApplyOptions extends ConnectionFlags {
  planfile?: string;
  file: string;
  state?: string;
  autoApprove?: boolean;
  allowDelete?: boolean;
  forceUnassign?: boolean;
  concurrency: number;
  maxChangePercent: number;
  force?: boolean;
  lockTimeout: number;
  verifyCustomers?: boolean;
  /** Send the assign again for every assignment the config wants, to rebuild what the state knows. */
  reassert?: boolean;
  /** text: the plan, progress and a report for people; json: one report object at the end. */
  format?: 'text' | 'json';
}

const NEEDS_SECRETS = new Set<Change['action']>(['create', 'adopt', 'update', 'replace']);

function secretValue(profile: DesiredProfile, field: SecretField): string | undefined {
  const secret = secretOf(profile, field);
  return secret?.known ? secret.value : undefined;
}

/** Secrets the plan will put whose variable is unset now (a plan made in a fork's pull request may lack them). */
function findMissingSecrets(plan: Plan, config: LoadedConfig): NonNullable<SafetyPolicy['missingSecrets']> {
  const missing: NonNullable<SafetyPolicy['missingSecrets']>[number][] = [];
  for (const change of plan.changes) {
    if (change.kind !== 'profile' || !NEEDS_SECRETS.has(change.action)) continue;
    const profile = config.desired.profiles.find((p) => p.name === change.profile);
    for (const field of SECRET_FIELDS) {
      const secret = profile && secretOf(profile, field);
      if (secret && !secret.known) missing.push({ address: change.address, variable: secret.ref, field });
    }
  }
  return missing;
}

/** A saved plan is executed only with the very secrets it was reviewed with. */
async function findMovedSecrets(planFile: PlanFile, plan: Plan, config: LoadedConfig): Promise<string[]> {
  const moved: string[] = [];
  for (const change of plan.changes) {
    if (change.kind !== 'profile' || !NEEDS_SECRETS.has(change.action)) continue;
    const profile = config.desired.profiles.find((p) => p.name === change.profile);
    const pinned = planFile.secrets[change.profile];
    for (const field of SECRET_FIELDS) {
      const value = profile ? secretValue(profile, field) : undefined;
      const pin = pinned?.[field];
      if (value === undefined) continue;
      const ref = profile ? secretOf(profile, field)?.ref : undefined;
      if (!pin) {
        moved.push(`${change.address}.${field}: the plan was made without it; plan again with it set`);
      } else if (pin.ref !== ref) {
        moved.push(`${change.address}.${field}: the plan file names $${pin.ref}, the config $${ref}`);
      } else if (!(await matchesFingerprint(value, pin.fingerprint))) {
        moved.push(`${change.address}.${field}: $${pin.ref} is not the value the plan was made with`);
      }
    }
  }
  return moved;
}

/**
 * Why a saved plan may not run now: what moved since it was made, and the first way
 * it differs from the plan recomputed now. The recomputed plan is what runs.
 */
async function checkPlanFile(planFile: PlanFile, prepared: PreparedPlan): Promise<string[]> {
  const { config, state, client, live, plan } = prepared;
  const problems = findStaleness(planFile, {
    configDigest: config.digest,
    lineage: state.exists ? state.state.lineage : null,
    serial: state.exists ? state.state.serial : 0,
    workspace: client.baseUrl,
    live: live.profiles,
  });
  const difference = findPlanDifference(planFile.plan, toPlanJson(plan));
  if (difference !== undefined) problems.push(`it differs from the plan made now: ${difference}`);
  problems.push(...(await findMovedSecrets(planFile, plan, config)));
  return problems;
}

async function confirm(options: ApplyOptions, io: Io): Promise<boolean> {
  if (options.autoApprove) return true;
  if (!io.stdinIsTTY) {
    throw new UsageError(
      'there is no terminal to confirm on; review the plan, then run apply with --auto-approve',
    );
  }
  try {
    const answer = await io.prompt("\nDo you want to perform these actions? Only 'yes' will be accepted: ");
    return answer.trim() === 'yes';
  } catch (error) {
    // Ctrl-C or end of input at the question is a "no", not an error.
    if ((error as Error).name === 'AbortError' || (error as NodeJS.ErrnoException).code === 'ABORT_ERR') {
      return false;
    }
    throw error;
  }
}

export async function runApply(options: ApplyOptions, io: Io): Promise<number> {
  const planFile = options.planfile ? await readPlanFile(resolve(io.cwd, options.planfile)) : undefined;
  // A saved plan names its config and state; -f/--state given explicitly win.
  const configFile = planFile && options.file === 'workato-oauth.yaml' ? planFile.config.path : options.file;
  const config = await readConfig(configFile, io);
  const controller = new AbortController();
  const client = connect(options, config.desired, io, controller.signal);
  const statePath = options.state
    ? resolve(io.cwd, options.state)
    : planFile
      ? resolve(io.cwd, planFile.state.path)
      : resolveStatePath(undefined, config, io);
  const lock = await acquireStateLock(statePath, {
    timeoutSeconds: options.lockTimeout,
    onMessage: (line) => io.err(`${line}\n`),
  });
  const onSigint = () => {
    if (!controller.signal.aborted)
      io.err('\nInterrupted: finishing the calls in flight and saving the state...\n');
    controller.abort();
  };
  try {
    const state = await loadState(statePath, client.baseUrl);
    const prepared = await planAgainst(config, client, state, {
      verifyCustomers: options.verifyCustomers !== false,
      forceUnassign: options.forceUnassign === true || planFile?.options.force_unassign === true,
      reassert: options.reassert === true || planFile?.options.reassert === true,
    });
    const live = prepared.live.profiles;
    const refusals = findRefusals(prepared.plan, state.state, {
      stage: 'apply',
      allowDelete: options.allowDelete === true,
      maxChangePercent: options.maxChangePercent,
      force: options.force === true,
      missingSecrets: findMissingSecrets(prepared.plan, config),
      ...(planFile ? { stalePlanFile: await checkPlanFile(planFile, prepared) } : {}),
    });
    const plan = withRefusals(prepared.plan, refusals);
    const json = options.format === 'json';
    let started = Date.now();
    const report = (outcomes: Outcome[]) => {
      const made = { plan, outcomes, interrupted: controller.signal.aborted, counts: client.counts() };
      const seconds = (Date.now() - started) / 1000;
      io.out(json ? renderApplyJson({ ...made, seconds }) : renderApplyText({ ...made, seconds }));
    };
    if (refusals.length > 0) {
      io.out(json ? renderJson(plan) : renderText(plan, { color: io.color }));
      throw new RefusedError(`apply refused:\n  ${refusals.map((r) => r.message).join('\n  ')}`);
    }
    if (!json) io.out(renderText(plan, { color: io.color }));

    if (plan.changes.length > 0 && !(await confirm(options, io))) {
      io.err('Apply cancelled.\n');
      return EXIT_ERROR;
    }
    const recorder = new StateRecorder(statePath, state.state);
    const bookkeeping = structuredClone(state.state);
    if (
      reconcileBookkeeping(bookkeeping, config.desired, live) &&
      (state.exists || plan.changes.length > 0)
    ) {
      await recorder.commit((s) => Object.assign(s, bookkeeping));
    }
    if (plan.changes.length === 0) {
      if (json) report([]);
      return EXIT_OK;
    }

    const desiredByName = new Map(config.desired.profiles.map((p) => [p.name, p]));
    // Steps run one after the other, so the calls left add up across buckets.
    const planned = countApiCalls(plan.changes);
    let callsLeft = planned.profiles + planned.embedded;
    const progress = createProgress(io, plan.changes.length, {
      ratePerMinute: client.ratePerMinute,
      callsLeft: () => callsLeft,
    });
    started = Date.now();
    process.on('SIGINT', onSigint);
    const outcomes = await executePlan(plan, {
      client,
      recorder,
      profileInput: (name): ProfileInput => {
        const profile = desiredByName.get(name)!;
        const token = secretValue(profile, 'token');
        return {
          name,
          provider: profile.provider,
          data: {
            client_id: profile.clientId,
            client_secret: secretValue(profile, 'client_secret') ?? '',
            ...(token === undefined ? {} : { token }),
          },
        };
      },
      fingerprints: (name) => {
        const checks = prepared.secrets.get(name);
        return {
          ...(checks?.client_secret.fingerprint ? { client_secret: checks.client_secret.fingerprint } : {}),
          ...(checks?.token.fingerprint ? { token: checks.token.fingerprint } : {}),
        };
      },
      preventDestroy: (name) => desiredByName.get(name)?.preventDestroy ?? false,
      customers: Object.fromEntries(prepared.live.customers),
      concurrency: options.concurrency,
      signal: controller.signal,
      onOutcome: (outcome) => {
        const calls = callsFor(outcome.change);
        callsLeft -= calls.profiles + calls.embedded;
        progress.update(outcome);
      },
    });
    progress.finish();
    report(outcomes);
    if (controller.signal.aborted) return EXIT_INTERRUPTED;
    return outcomes.some((o) => o.status === 'failed') ? EXIT_ERROR : EXIT_OK;
  } finally {
    process.off('SIGINT', onSigint);
    await lock.release();
    await client.close();
  }
}
