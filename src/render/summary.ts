/** Counts shared by every format, so the text, markdown and JSON summaries agree. */
import { type Action, type Change, type Plan, STEP_ORDER } from '../plan/types.js';
import { formatCount } from './numbers.js';

/**
 * Changes per action (in apply's step order); of them, how many are refused; how many
 * reasons refuse the plan (refused changes' and the plan's own); how many drift findings.
 */
export type PlanSummary = Record<Action, number> & {
  refused: number;
  refusals: number;
  drift: number;
  /** State-only edits (no API call). */
  state_only: number;
};

/** A change the safety check refuses: in the plan so the operator sees it and why, never applied. */
export function isRefused(change: Change): boolean {
  return change.refused !== undefined;
}

export function summarizePlan(plan: Pick<Plan, 'changes' | 'drift' | 'refusals' | 'stateOnly'>): PlanSummary {
  const summary: PlanSummary = {
    create: 0,
    adopt: 0,
    update: 0,
    replace: 0,
    swap: 0,
    assign: 0,
    unassign: 0,
    delete: 0,
    refused: 0,
    refusals: plan.refusals.length,
    drift: plan.drift.length,
    state_only: plan.stateOnly.length,
  };
  for (const change of plan.changes) {
    summary[change.action] += 1;
    if (isRefused(change)) summary.refused += 1;
  }
  return summary;
}

/**
 * `1 to create, 0 to adopt, 2 to update, 1 to replace, 1 to delete (1 refused); 14 to assign, 2 to unassign, 1 to swap.`
 * Every count is shown, zeros too, so lines from two plans compare at a glance; an
 * action with refused changes says how many of them are refused.
 */
export function formatSummary(plan: Pick<Plan, 'changes'>): string {
  const counts = Object.fromEntries(STEP_ORDER.map((action) => [action, { all: 0, refused: 0 }])) as Record<
    Action,
    { all: number; refused: number }
  >;
  for (const change of plan.changes) {
    counts[change.action].all += 1;
    if (isRefused(change)) counts[change.action].refused += 1;
  }
  const part = (action: Action) => {
    const { all, refused } = counts[action];
    return `${formatCount(all)} to ${action}${refused > 0 ? ` (${formatCount(refused)} refused)` : ''}`;
  };
  const profiles = (['create', 'adopt', 'update', 'replace', 'delete'] as const).map(part).join(', ');
  const assignments = (['assign', 'unassign', 'swap'] as const).map(part).join(', ');
  return `${profiles}; ${assignments}.`;
}

/** Names of the secret variables that are unset now but that apply will need, sorted. */
export function listUnsetVariables(plan: Pick<Plan, 'changes'>): string[] {
  const names = new Set<string>();
  for (const change of plan.changes) {
    if (change.kind !== 'profile') continue;
    for (const field of change.unknown ?? []) {
      const ref = field === 'client_secret' || field === 'token' ? change.secretRefs?.[field] : undefined;
      if (ref !== undefined) names.add(ref);
    }
  }
  return [...names].sort();
}
