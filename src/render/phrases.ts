/**
 * Sentences the text and the markdown renderers both say, so the two formats say the
 * same thing. They hold no user value: each format quotes or escapes its own.
 */
import type { AssignmentChange, Plan, Refusal } from '../plan/types.js';
import { formatCount, pluralize } from './numbers.js';

/** `in use by 2 connections; will likely fail without force`, when the planner saw connections. */
export function describeInUse(change: AssignmentChange): string | undefined {
  if (change.action === 'assign' || change.inUse === undefined || change.inUse <= 0) return undefined;
  return `in use by ${pluralize(change.inUse, 'connection')}; will likely fail without force`;
}

/** An assign sent by `apply --reassert` although the state has it already. */
export function describeReassert(change: AssignmentChange): string | undefined {
  return change.action === 'assign' && change.reassert === true
    ? 'assigned per the state; sent again to confirm'
    : undefined;
}

/** The first line of a plan without changes: it claims a match only when there is one. */
export function describeNoChanges(plan: Pick<Plan, 'drift' | 'refusals' | 'stateOnly'>): string {
  const drift = plan.drift.length;
  const stateOnly = plan.stateOnly.length;
  if (drift > 0) {
    return (
      `No changes to apply, but the workspace has drifted: ${pluralize(drift, 'change')} made outside ` +
      `workato-oauth, listed below with ${drift === 1 ? 'its repair' : 'their repairs'}.`
    );
  }
  if (plan.refusals.length > 0) return 'No changes to apply, but apply is refused (see below).';
  if (stateOnly > 0) {
    return `No changes in Workato; apply records ${pluralize(stateOnly, 'state-only change')} in the state file, listed below (no API call).`;
  }
  return 'No changes. The workspace matches the configuration.';
}

/** `Workato counts 5 customers on it; the state knows 4 of them`, when customers were assigned outside the tool. */
export function describeCustomerCount(
  count: { live: number; known: number } | undefined,
): string | undefined {
  if (count === undefined || count.live <= count.known) return undefined;
  return `Workato counts ${pluralize(count.live, 'customer')} on it; the state knows ${formatCount(count.known)} of them`;
}

/**
 * The address to put before a refusal's message: none for a refusal about the whole
 * plan, nor when the message names the address already (so it is not said twice).
 */
export function refusalAddress(refusal: Refusal): string | undefined {
  if (refusal.address === null || refusal.message.includes(refusal.address)) return undefined;
  return refusal.address;
}
