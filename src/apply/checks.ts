/**
 * What apply checks that the plan alone cannot: the secrets it will send are set,
 * and a saved plan still holds. These gather facts; src/plan/safety.ts judges them.
 */

import type { LoadedConfig } from '../config/load.js';
import { type DesiredProfile, SECRET_FIELDS, type SecretField, secretOf } from '../config/types.js';
import type { SafetyPolicy } from '../plan/safety.js';
import type { Change, Plan } from '../plan/types.js';
import { matchesFingerprint } from '../state/fingerprint.js';
import type { PreparedPlan } from '../workflow/plan.js';
import { findSavedPlanDifference, findStaleness, type PlanFile } from '../workflow/plan-file.js';

const NEEDS_SECRETS = new Set<Change['action']>(['create', 'adopt', 'update', 'replace']);

export function secretValue(profile: DesiredProfile, field: SecretField): string | undefined {
  const secret = secretOf(profile, field);
  return secret?.known ? secret.value : undefined;
}

/** Secrets the plan will put whose variable is unset now (a plan made in a fork's pull request may lack them). */
export function findMissingSecrets(
  plan: Plan,
  config: LoadedConfig,
): NonNullable<SafetyPolicy['missingSecrets']> {
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
export async function checkPlanFile(planFile: PlanFile, prepared: PreparedPlan): Promise<string[]> {
  const { config, state, client, live, plan } = prepared;
  const problems = findStaleness(planFile, {
    configDigest: config.digest,
    lineage: state.exists ? state.state.lineage : null,
    serial: state.exists ? state.state.serial : 0,
    workspace: client.baseUrl,
    live: live.profiles,
  });
  const difference = findSavedPlanDifference(planFile, plan);
  if (difference !== undefined) problems.push(`it differs from the plan made now: ${difference}`);
  for (const problem of await findMovedSecrets(planFile, plan, config)) problems.push(problem);
  return problems;
}
