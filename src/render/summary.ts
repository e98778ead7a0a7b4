/** Counts shared by every format, so the text, markdown and JSON summaries agree. */
import type { Action, Change, Plan } from '../plan/types.js';
import { formatCount } from './numbers.js';

/** Changes per action (in apply's step order), plus how many deletes prevent_destroy refuses. */
export type PlanSummary = Record<Action, number> & { refused: number };

/** A delete that prevent_destroy forbids: in the plan so the operator sees it, never applied. */
export function isRefused(change: Change): boolean {
  return change.kind === 'profile' && change.action === 'delete' && change.preventDestroy === true;
}

export function summarizePlan(plan: Pick<Plan, 'changes'>): PlanSummary {
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
  };
  for (const change of plan.changes) {
    summary[change.action] += 1;
    if (isRefused(change)) summary.refused += 1;
  }
  return summary;
}

/**
 * `1 to create, 0 to adopt, 2 to update, 1 to replace, 1 to delete; 14 to assign, 2 to unassign, 1 to swap.`
 * Every count is shown, zeros too, so lines from two plans compare at a glance.
 */
export function formatSummary(summary: PlanSummary): string {
  const n = formatCount;
  const deletes =
    summary.refused > 0
      ? `${n(summary.delete)} to delete (${n(summary.refused)} refused)`
      : `${n(summary.delete)} to delete`;
  return (
    `${n(summary.create)} to create, ${n(summary.adopt)} to adopt, ${n(summary.update)} to update, ` +
    `${n(summary.replace)} to replace, ${deletes}; ` +
    `${n(summary.assign)} to assign, ${n(summary.unassign)} to unassign, ${n(summary.swap)} to swap.`
  );
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
