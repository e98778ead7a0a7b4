/**
 * Every safety rule in one place. Runs after the plan is computed and before it is
 * rendered, so every format shows what is refused and why; any refusal means exit 3
 * and no API call. The facts that need I/O (a stale plan file, secrets missing from
 * the environment) are gathered by the caller and judged here.
 */
import type { State } from '../state/types.js';
import type { Change, Plan, Refusal } from './types.js';

export interface SafetyPolicy {
  /** plan: only the rules that hold whatever apply's flags are (prevent_destroy, unknown holders, workspace). */
  stage: 'plan' | 'apply';
  allowDelete?: boolean;
  maxChangePercent?: number;
  /** --force: allow a large removal, and recreating every profile of a state whose profiles are all gone. */
  force?: boolean;
  /** apply: secrets the plan sends whose variable is unset now, by change address. */
  missingSecrets?: readonly { address: string; variable: string; field: string }[];
  /** apply PLANFILE: what moved since the plan was saved, or how the saved plan differs. */
  stalePlanFile?: readonly string[];
}

/** Below this many managed items a percentage says little; the rule does not apply. */
const MIN_ITEMS_FOR_PERCENT_RULE = 10;
const DEFAULT_MAX_CHANGE_PERCENT = 30;

function managedAssignments(state: State): number {
  let n = 0;
  for (const customer of Object.values(state.customers)) n += customer.profiles.length;
  return n;
}

/** Customers a change takes a profile away from (a replace's moves keep theirs). */
function removalsOf(change: Change): number {
  if (change.action === 'unassign' || change.action === 'swap') return 1;
  if (change.kind === 'profile' && change.action === 'replace') return change.unassignFrom?.length ?? 0;
  return 0;
}

function changeRefusals(plan: Plan): Refusal[] {
  const refusals: Refusal[] = [];
  for (const change of plan.changes) {
    if (change.kind !== 'profile') continue;
    const replacing = change.action === 'replace';
    if (change.action !== 'delete' && !replacing) continue;
    if (change.preventDestroy) {
      refusals.push({
        code: 'prevent-destroy',
        address: change.address,
        message: replacing
          ? `${change.address} has prevent_destroy, and a new provider replaces it (the old profile is deleted); to allow it, first apply it with prevent_destroy: false`
          : `${change.address} has prevent_destroy; to delete it, first apply it with prevent_destroy: false, then remove it`,
      });
    }
    const count = change.customerCount;
    if (count && count.live > count.known) {
      refusals.push({
        code: 'unknown-holders',
        address: change.address,
        message: `${change.address} is assigned to ${count.live} customer(s) in Workato, but the state knows ${count.known}; ${replacing ? 'replacing' : 'deleting'} it would fail or strand the others. List those customers in the config and run \`workato-oauth apply --reassert\`, or unassign them in Workato, then plan again`,
      });
    }
  }
  return refusals;
}

export function findRefusals(plan: Plan, state: State, policy: SafetyPolicy): Refusal[] {
  const refusals = changeRefusals(plan);
  const { recorded, live } = plan.managedFound;
  if (recorded > 0 && live === 0 && !policy.force) {
    refusals.push({
      code: 'workspace-mismatch',
      address: null,
      message: `none of the ${recorded} profile(s) the state manages exists in this workspace: this state belongs to another workspace, or every managed profile was deleted; pass --force to recreate them`,
    });
  }
  if (policy.stage === 'plan') return refusals;

  for (const moved of policy.stalePlanFile ?? []) {
    refusals.push({
      code: 'stale-plan-file',
      address: null,
      message: `the plan file no longer holds (plan again): ${moved}`,
    });
  }
  for (const missing of policy.missingSecrets ?? []) {
    refusals.push({
      code: 'secret-missing',
      address: missing.address,
      message: `${missing.address}.${missing.field} needs $${missing.variable}, which is not set`,
    });
  }

  const deleting = plan.changes.filter(
    (c) => c.kind === 'profile' && (c.action === 'delete' || c.action === 'replace'),
  );
  if (deleting.length > 0 && !policy.allowDelete) {
    for (const change of deleting) {
      refusals.push({
        code: 'delete-not-allowed',
        address: change.address,
        message:
          change.action === 'replace'
            ? `${change.address} would be replaced for a new provider, which deletes the old profile; pass --allow-delete to allow it`
            : `${change.address} would be deleted; pass --allow-delete to allow it`,
      });
    }
  }

  if (!policy.force) {
    const limit = policy.maxChangePercent ?? DEFAULT_MAX_CHANGE_PERCENT;
    const check = (what: string, removed: number, managed: number) => {
      if (managed < MIN_ITEMS_FOR_PERCENT_RULE || removed === 0) return;
      const percent = (removed / managed) * 100;
      if (percent > limit) {
        refusals.push({
          code: 'too-many-removals',
          address: null,
          message: `the plan removes ${removed} of ${managed} managed ${what} (${percent.toFixed(1)}%, more than --max-change-percent ${limit}); pass --force if that is intended`,
        });
      }
    };
    let removals = 0;
    for (const change of plan.changes) removals += removalsOf(change);
    check('assignments', removals, managedAssignments(state));
    check(
      'profiles',
      plan.changes.filter((c) => c.action === 'delete').length,
      Object.keys(state.profiles).length,
    );
  }
  return refusals;
}

/**
 * The plan with its refusals: each change refused is marked with its reason (the
 * first one, when several hold), so every renderer shows it on the change itself.
 */
export function withRefusals(plan: Plan, refusals: readonly Refusal[]): Plan {
  if (refusals.length === 0) return plan;
  const reasonOf = new Map<string, string>();
  for (const refusal of refusals) {
    if (refusal.address !== null && !reasonOf.has(refusal.address)) {
      reasonOf.set(refusal.address, refusal.message);
    }
  }
  return {
    ...plan,
    changes: plan.changes.map((change) => {
      const refused = reasonOf.get(change.address);
      return refused === undefined ? change : { ...change, refused };
    }),
    refusals: [...refusals],
  };
}
