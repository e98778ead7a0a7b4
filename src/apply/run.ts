/**
 * The apply sequence: lock the state, plan again (or check a saved plan against the
 * plan made now), judge it, show it, ask, record the bookkeeping, execute with
 * progress, release. Showing and reporting are the caller's (src/commands/apply.ts),
 * through the hooks, so this module prints only progress and its own questions.
 */
import { resolve } from 'node:path';
import type { ProfileInput, RequestCounts } from '../api/types.js';
import { StateError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { callsFor, countApiCalls } from '../plan/cost.js';
import { findRefusals, withRefusals } from '../plan/safety.js';
import type { Plan } from '../plan/types.js';
import type { StateBackend } from '../state/backend.js';
import type { StateLock } from '../state/lock.js';
import { type ConnectionFlags, connect, planAgainst, readConfig } from '../workflow/plan.js';
import { readPlanFile } from '../workflow/plan-file.js';
import { rememberCustomerListing } from '../workflow/rule-resolution.js';
import { loadState, openStateBackend } from '../workflow/state-backend.js';
import { rememberVerifiedCustomers } from '../workflow/verified-customers.js';
import { reconcileBookkeeping } from './bookkeeping.js';
import { checkPlanFile, findMissingSecrets, secretValue } from './checks.js';
import { executePlan, type Outcome } from './execute.js';
import { createProgress } from './progress.js';
import { StateRecorder } from './recorder.js';

export interface ApplyOptions extends ConnectionFlags {
  planfile?: string;
  file: string;
  /** Whether -f was given on the command line (a saved plan names its own config otherwise). */
  fileGiven?: boolean;
  state?: string;
  autoApprove?: boolean;
  allowDelete?: boolean;
  forceUnassign?: boolean;
  /** Send the assign again for every assignment the config wants, to rebuild what the state knows. */
  reassert?: boolean;
  concurrency: number;
  maxChangePercent: number;
  force?: boolean;
  lockTimeout: number;
  verifyCustomers?: boolean;
  /** --refresh-customers: see PlanningOptions. */
  refreshCustomers?: boolean;
}

export interface ApplyHooks {
  /** The plan, each refusal marked on it, before anything is asked or sent. */
  showPlan(plan: Plan): void;
}

export type ApplyResult =
  | { kind: 'refused'; plan: Plan }
  | { kind: 'cancelled'; plan: Plan }
  | {
      kind: 'applied';
      plan: Plan;
      outcomes: Outcome[];
      interrupted: boolean;
      counts: RequestCounts;
      seconds: number;
      /** Why the apply stopped early because another process took the state lock. */
      lockLost?: string;
      /** Why the state file could not be written at the end (the journal beside it keeps every change). */
      saveError?: string;
    };

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
    if ((error as Error).name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR') {
      return false;
    }
    throw error;
  }
}

export async function applyPlan(options: ApplyOptions, io: Io, hooks: ApplyHooks): Promise<ApplyResult> {
  const planFile = options.planfile ? await readPlanFile(resolve(io.cwd, options.planfile)) : undefined;
  // A saved plan names its config and state; -f/--state given explicitly win.
  const configFile = planFile && !options.fileGiven ? planFile.config.path : options.file;
  const config = await readConfig(configFile, io);
  const controller = new AbortController();
  let lock: StateLock | undefined;
  // Before each request: is the state lock still this apply's? (It may have sat paused in a wait.)
  const client = connect(
    options,
    config.desired.workspace,
    io,
    controller.signal,
    () => lock?.verify() ?? Promise.resolve(),
  );
  let stopListening = () => {};
  let lockLost: string | undefined;
  let recorder: StateRecorder | undefined;
  let backend: StateBackend | undefined;
  try {
    // --state, else the plan file's state, else the config's.
    const planned = planFile ? (planFile.state.location ?? resolve(io.cwd, planFile.state.path!)) : undefined;
    backend = await openStateBackend(options.state ?? planned, config.path, io, configFile);
    const statePath = backend.location;
    lock = await backend.lock({
      timeoutSeconds: options.lockTimeout,
      operation: 'apply',
      onMessage: (line) => io.err(`${line}\n`),
    });
    // A lock taken over (this process was paused or starved past the stale period)
    // means another apply may be working: send nothing more. Calls in flight finish,
    // and are recorded only if the state on disk is still the one this apply wrote.
    const lockSignal = lock.signal;
    lockSignal.addEventListener('abort', () => {
      lockLost = (lockSignal.reason as Error).message;
      io.err(`\nStopping: ${lockLost}. Finishing the calls in flight...\n`);
      controller.abort();
    });
    // Refused before any call: a read-only state would be lost after the first change.
    const state = await loadState(backend, client.baseUrl, { forWriting: true });
    recorder = new StateRecorder(backend, state.state, {
      exists: state.exists,
      replayed: state.replayed,
      version: state.version,
      operation: 'apply',
    });
    if (state.replayed > 0) {
      // Before anything else: what a stopped apply did is in the state from now on.
      io.err(
        `Recovered ${state.replayed} change(s) from ${statePath}.journal, recorded by an apply that stopped before saving the state.\n`,
      );
      await recorder.finish();
    }
    const prepared = await planAgainst(config, client, state, {
      verifyCustomers: options.verifyCustomers !== false,
      refreshCustomers: options.refreshCustomers === true,
      forceUnassign: options.forceUnassign === true || planFile?.options.force_unassign === true,
      reassert: options.reassert === true || planFile?.options.reassert === true,
      fingerprintChanged: true,
    });
    const refusals = findRefusals(prepared.plan, state.state, {
      stage: 'apply',
      allowDelete: options.allowDelete === true,
      maxChangePercent: options.maxChangePercent,
      force: options.force === true,
      missingSecrets: findMissingSecrets(prepared.plan, config),
      ...(planFile ? { stalePlanFile: await checkPlanFile(planFile, prepared) } : {}),
    });
    const plan = withRefusals(prepared.plan, refusals);
    hooks.showPlan(plan);
    if (refusals.length > 0) return { kind: 'refused', plan };
    if (plan.changes.length > 0 && !(await confirm(options, io))) return { kind: 'cancelled', plan };

    // The recorder was made before planning (to fold a journal first): give it the
    // customers planning found to exist, and the state-only corrections.
    const bookkeeping = structuredClone(recorder.state);
    const listed = rememberCustomerListing(bookkeeping, prepared.live.listing);
    const remembered = rememberVerifiedCustomers(bookkeeping, prepared.live.customers) > 0 || listed;
    const corrected = reconcileBookkeeping(bookkeeping, prepared.config.desired, prepared.live.profiles);
    if ((remembered || corrected) && (state.exists || plan.changes.length > 0)) {
      await recorder.commit(
        (s) => Object.assign(s, bookkeeping, { serial: s.serial }),
        'recorded customers found to exist, and state-only corrections',
      );
    }
    const started = Date.now();
    const finish = async (outcomes: Outcome[]): Promise<ApplyResult> => ({
      kind: 'applied',
      plan,
      outcomes,
      interrupted: controller.signal.aborted && !lockLost,
      counts: client.counts(),
      seconds: (Date.now() - started) / 1000,
      ...(lockLost ? { lockLost } : {}),
      ...(await saveState()),
    });
    // The state file from what the journal holds; a failure is reported after what was done.
    const saveState = async () => {
      try {
        await recorder?.finish();
        return {};
      } catch (error) {
        return { saveError: (error as Error).message };
      }
    };
    if (plan.changes.length === 0) return await finish([]);

    const desiredByName = new Map(config.desired.profiles.map((p) => [p.name, p]));
    const callsLeft = countApiCalls(plan.changes);
    const progress = createProgress(io, plan, { callsLeft: () => callsLeft });
    stopListening = io.onInterrupt(() => {
      if (!controller.signal.aborted)
        io.err('\nInterrupted: finishing the calls in flight and saving the state...\n');
      controller.abort();
    });
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
      stopReason: () => (lockLost ? 'not started: the state lock was taken over' : undefined),
      onOutcome: (outcome) => {
        const calls = callsFor(outcome.change);
        callsLeft.profiles -= calls.profiles;
        callsLeft.embedded -= calls.embedded;
        progress.update(outcome);
      },
    });
    progress.finish();
    return await finish(outcomes);
  } catch (error) {
    // Planning stopped because the lock was lost: say that, not what the aborted call said.
    if (lockLost) throw new StateError(`${lockLost}; this apply stopped before sending any change`);
    throw error;
  } finally {
    stopListening();
    // After an error: save what was recorded if possible; else the journal keeps it for the next run.
    await recorder?.finish().catch(() => {});
    await lock?.release();
    await backend?.close?.();
    await client.close();
  }
}
