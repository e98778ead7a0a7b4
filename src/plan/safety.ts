/**
 * Every safety rule in one place. Run after the plan is rendered, so the operator
 * sees what is refused and why; any refusal means exit 3 and no API call.
 */
import type { State } from '../state/types.js';
import type { Plan } from './types.js';

export interface SafetyPolicy {
  /** plan: only the rules that hold whatever the flags (prevent_destroy). */
  stage: 'plan' | 'apply';
  allowDelete?: boolean;
  maxChangePercent?: number;
  force?: boolean;
}

/** Below this many managed items a percentage says little; the rule does not apply. */
const MIN_ITEMS_FOR_PERCENT_RULE = 10;

function managedAssignments(state: State): number {
  return Object.values(state.customers).reduce((n, c) => n + c.profiles.length, 0);
}

export function findRefusals(plan: Plan, state: State, policy: SafetyPolicy): string[] {
  const refusals: string[] = [];
  const deletes = plan.changes.filter((c) => c.kind === 'profile' && c.action === 'delete');

  // A new provider replaces the profile: the live one is deleted too, so the same guards hold.
  const replaces = plan.changes.filter((c) => c.kind === 'profile' && c.action === 'replace');

  for (const change of deletes) {
    if (change.kind === 'profile' && change.preventDestroy) {
      refusals.push(
        `${change.address} has prevent_destroy; to delete it, first apply it with prevent_destroy: false, then remove it`,
      );
    }
  }
  for (const change of replaces) {
    if (
      (change.kind === 'profile' && change.preventDestroy) ||
      state.profiles[change.profile]?.prevent_destroy
    ) {
      refusals.push(
        `${change.address} has prevent_destroy, and a new provider replaces it (delete, then create); to allow it, first apply it with prevent_destroy: false`,
      );
    }
  }
  if (policy.stage === 'plan') return refusals;

  const deleted = deletes.length + replaces.length;
  if (deleted > 0 && !policy.allowDelete) {
    const replacing =
      replaces.length > 0 ? ` (${replaces.length} of them to recreate for a new provider)` : '';
    refusals.push(`the plan deletes ${deleted} profile(s)${replacing}; pass --allow-delete to allow it`);
  }

  if (!policy.force) {
    const limit = policy.maxChangePercent ?? 30;
    const removals = plan.changes.reduce((n, c) => {
      if (c.action === 'unassign' || c.action === 'swap') return n + 1;
      if (c.kind === 'profile' && c.action === 'replace') return n + (c.unassignFrom?.length ?? 0);
      return n;
    }, 0);
    const assignments = managedAssignments(state);
    const profiles = Object.keys(state.profiles).length;
    const check = (what: string, removed: number, managed: number) => {
      if (managed < MIN_ITEMS_FOR_PERCENT_RULE || removed === 0) return;
      const percent = (removed / managed) * 100;
      if (percent > limit) {
        refusals.push(
          `the plan removes ${removed} of ${managed} managed ${what} (${percent.toFixed(1)}%, more than --max-change-percent ${limit}); pass --force if that is intended`,
        );
      }
    };
    check('assignments', removals, assignments);
    check('profiles', deletes.length, profiles);
  }
  return refusals;
}
