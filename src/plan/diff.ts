/**
 * The planner: a pure function of (desired state, state file, live profiles,
 * secret checks) to a Plan. No I/O, no clock: the same inputs give the same plan.
 */
import type { LiveProfile } from '../api/types.js';
import type { DesiredState } from '../config/types.js';
import { WorkatoOauthError } from '../errors.js';
import type { State } from '../state/types.js';
import { type AssignmentOptions, planAssignments } from './assignments.js';
import { planCost } from './cost.js';
import { findDuplicateCustomers, type VerifiedCustomer } from './customers.js';
import { planProfiles } from './profiles.js';
import type { SecretChecks } from './secrets.js';
import { planStateOnly } from './state-only.js';
import { type Change, type Plan, sortChanges } from './types.js';

export interface PlanInput {
  desired: DesiredState;
  state: State;
  live: readonly LiveProfile[];
  secrets: SecretChecks;
  ratePerMinute: number;
  /** Customers found in the workspace while planning, keyed by customerKey of the config's reference. */
  verified?: ReadonlyMap<string, VerifiedCustomer>;
  options?: Partial<AssignmentOptions>;
}

/** The live world contradicts the config in a way no plan can fix safely. */
export class PlanError extends WorkatoOauthError {
  readonly reasons: string[];
  constructor(reasons: string[]) {
    super(reasons.length === 1 ? reasons[0]! : `cannot plan:\n  ${reasons.join('\n  ')}`);
    this.reasons = reasons;
  }
}

export function computePlan(input: PlanInput): Plan {
  const { desired, state, live, secrets } = input;
  const options = { forceUnassign: false, reassert: false, ...input.options };
  const duplicates = findDuplicateCustomers(desired, state, input.verified);
  const pass = planProfiles(desired, state, live, secrets);
  const reasons = [...duplicates, ...pass.reasons];
  if (reasons.length > 0) throw new PlanError(reasons);

  const assignments = planAssignments(desired, state, pass, options);
  const changes: Change[] = [...pass.changes];
  for (const change of assignments) changes.push(change);
  const sorted = sortChanges(changes);
  return {
    changes: sorted,
    stateOnly: planStateOnly(desired, state, live),
    unmanaged: pass.unmanaged,
    warnings: pass.warnings,
    drift: pass.drift,
    refusals: [],
    managedFound: pass.managedFound,
    ...planCost(sorted, input.ratePerMinute),
  };
}
