/**
 * The assignment half of the planner: what each customer holds (as the state
 * records it, read through the profile pass's `holdsAs`) against what the config
 * gives it. Also fills in each replace's moves. Pure.
 */
import type { DesiredCustomer, DesiredState } from '../config/types.js';
import { customerKey } from '../customer-ref.js';
import { indexStateCustomers } from '../state/customers.js';
import type { State } from '../state/types.js';
import type { ProfilePass } from './pass.js';
import { type AssignmentChange, assignmentAddress } from './types.js';

export interface AssignmentOptions {
  /** --force-unassign: every unassign sends force=true. */
  forceUnassign: boolean;
  /** --reassert: every assignment the state already records is sent again. */
  reassert: boolean;
}

export function planAssignments(
  desired: DesiredState,
  state: State,
  pass: ProfilePass,
  options: AssignmentOptions,
): AssignmentChange[] {
  const resolveStateKey = indexStateCustomers(state);
  const changes: AssignmentChange[] = [];
  const { holdsAs, providerOf, connections } = pass;

  const desiredByStateKey = new Map<string, DesiredCustomer>();
  for (const customer of desired.customers) {
    const stateKey = resolveStateKey(customer.ref);
    // Two entries for one customer are refused before planning (findDuplicateCustomers).
    if (stateKey !== undefined && !desiredByStateKey.has(stateKey)) desiredByStateKey.set(stateKey, customer);
  }
  const forceFor = (customer: DesiredCustomer | undefined) =>
    options.forceUnassign || customer?.forceUnassign === true;

  /** Config names a customer holds per the state, read through holdsAs. */
  const heldBy = (stateKey: string | undefined): string[] => {
    if (stateKey === undefined) return [];
    const held = new Set<string>();
    for (const name of state.customers[stateKey]?.profiles ?? []) {
      const as = holdsAs.get(name);
      if (as !== undefined) held.add(as);
    }
    return [...held];
  };

  // Customers a replace moves hold the new profile once it has run.
  const movedIn = new Map<string, Set<string>>();
  for (const replace of pass.replaces) {
    const { change, want, oldName, replacementStateName } = replace;
    for (const stateKey of Object.keys(state.customers).sort()) {
      const recorded = state.customers[stateKey]!;
      if (!recorded.profiles.includes(oldName)) continue;
      const customer = desiredByStateKey.get(stateKey);
      const key = customer ? customerKey(customer.ref) : stateKey;
      const wants = customer?.profiles.includes(want.name) === true;
      const hasNew = replacementStateName !== undefined && recorded.profiles.includes(replacementStateName);
      // Another profile of the new provider that the config takes away: a swap replaces it
      // once the new profile has its name, since a customer holds one profile per provider.
      const blocked =
        wants &&
        heldBy(stateKey).some(
          (p) => p !== want.name && providerOf.get(p) === want.provider && !customer?.profiles.includes(p),
        );
      if (wants && !hasNew && !blocked) {
        change.moves!.push(key);
        const set = movedIn.get(stateKey) ?? new Set<string>();
        set.add(want.name);
        movedIn.set(stateKey, set);
      } else {
        change.unassignFrom!.push(key);
      }
      if (forceFor(customer)) change.forced!.push(key);
    }
  }

  /** The base of a change; one that takes `leaving` away says whether connections use it. */
  const change = (
    action: AssignmentChange['action'],
    key: string,
    profile: string,
    leaving?: { profile: string; force: boolean },
  ): AssignmentChange => {
    const inUse = leaving === undefined ? 0 : (connections.get(leaving.profile) ?? 0);
    return {
      kind: 'assignment',
      action,
      address: assignmentAddress(key, profile),
      customer: key,
      profile,
      ...(leaving === undefined ? {} : { force: leaving.force }),
      ...(leaving !== undefined && !leaving.force && inUse > 0 ? { inUse } : {}),
    };
  };
  const unassign = (key: string, profile: string, force: boolean): AssignmentChange =>
    change('unassign', key, profile, { profile, force });

  const seen = new Set<string>();
  for (const customer of desired.customers) {
    const key = customerKey(customer.ref);
    const stateKey = resolveStateKey(customer.ref);
    if (stateKey !== undefined) {
      if (seen.has(stateKey)) continue;
      seen.add(stateKey);
    }
    const moved = (stateKey === undefined ? undefined : movedIn.get(stateKey)) ?? new Set<string>();
    const held = [...heldBy(stateKey), ...moved];
    const wanted = new Set(customer.profiles);
    const leaving = new Set(held.filter((p) => !wanted.has(p)));
    const force = forceFor(customer);

    for (const profile of [...wanted].sort()) {
      const rule = customer.ruleOf?.get(profile);
      const by = rule === undefined ? {} : { rule };
      if (held.includes(profile)) {
        if (options.reassert && !moved.has(profile))
          changes.push({ ...change('assign', key, profile), reassert: true, ...by });
        continue;
      }
      const provider = providerOf.get(profile);
      const previous = [...leaving].sort().find((p) => providerOf.get(p) === provider);
      if (previous !== undefined) {
        leaving.delete(previous);
        changes.push({ ...change('swap', key, profile, { profile: previous, force }), previous, ...by });
      } else {
        changes.push({ ...change('assign', key, profile), ...by });
      }
    }
    for (const profile of [...leaving].sort()) changes.push(unassign(key, profile, force));
  }

  // Customers gone from the config lose everything the tool assigned them.
  for (const stateKey of Object.keys(state.customers).sort()) {
    if (seen.has(stateKey)) continue;
    for (const profile of heldBy(stateKey).sort()) {
      changes.push(unassign(stateKey, profile, options.forceUnassign));
    }
  }
  return changes;
}
