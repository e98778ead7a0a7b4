/**
 * The planner: a pure function of (desired state, state file, live profiles,
 * secret checks) to a Plan. No I/O, no clock: the same inputs give the same plan.
 */
import type { Bucket, LiveProfile } from '../api/types.js';
import { customerKey, type DesiredProfile, type DesiredState } from '../config/types.js';
import { WorkatoOauthError } from '../errors.js';
import { indexStateCustomers } from '../state/customers.js';
import type { State } from '../state/types.js';
import type { ProfileSecretChecks, SecretChecks } from './secrets.js';
import {
  type AssignmentChange,
  assignmentAddress,
  type Change,
  type Plan,
  type ProfileChange,
  type ProfileView,
  profileAddress,
  SENSITIVE,
  sortChanges,
  UNKNOWN,
  type UnmanagedProfile,
  type Warning,
} from './types.js';

export interface PlanInput {
  desired: DesiredState;
  state: State;
  live: readonly LiveProfile[];
  secrets: SecretChecks;
  ratePerMinute: number;
}

/** The live world contradicts the config in a way no plan can fix safely. */
export class PlanError extends WorkatoOauthError {
  readonly reasons: string[];
  constructor(reasons: string[]) {
    super(reasons.length === 1 ? reasons[0]! : `cannot plan:\n  ${reasons.join('\n  ')}`);
    this.reasons = reasons;
  }
}

/** API calls each action makes, per bucket (replace adds one unassign per customer it leaves). */
const CALLS: Record<Change['action'], Partial<Record<Bucket, number>>> = {
  create: { profiles: 1 },
  adopt: { profiles: 1 },
  update: { profiles: 1 },
  replace: { profiles: 2 },
  delete: { profiles: 1 },
  swap: { embedded: 2 },
  assign: { embedded: 1 },
  unassign: { embedded: 1 },
};

/** API calls one change makes, per bucket. */
export function callsFor(change: Change): Record<Bucket, number> {
  const calls: Record<Bucket, number> = { profiles: 0, embedded: 0, ...CALLS[change.action] };
  if (change.kind === 'profile' && change.unassignFrom) calls.embedded += change.unassignFrom.length;
  return calls;
}

export function countApiCalls(changes: readonly Change[]): Record<Bucket, number> {
  const calls: Record<Bucket, number> = { profiles: 0, embedded: 0 };
  for (const change of changes) {
    const one = callsFor(change);
    calls.profiles += one.profiles;
    calls.embedded += one.embedded;
  }
  return calls;
}

function secretMarker(
  checks: ProfileSecretChecks | undefined,
  field: 'client_secret' | 'token',
): string | undefined {
  const status = checks?.[field].status ?? 'absent';
  if (status === 'absent') return undefined;
  return status === 'unknown' ? UNKNOWN : SENSITIVE;
}

function desiredView(profile: DesiredProfile, checks: ProfileSecretChecks | undefined): ProfileView {
  const token = secretMarker(checks, 'token');
  return {
    name: profile.name,
    provider: profile.provider,
    client_id: profile.clientId,
    client_secret: secretMarker(checks, 'client_secret') ?? UNKNOWN,
    ...(token === undefined ? {} : { token }),
  };
}

function liveView(live: LiveProfile, hadToken: boolean): ProfileView {
  return {
    name: live.name,
    provider: live.provider,
    client_id: live.data.client_id,
    client_secret: SENSITIVE,
    ...(hadToken ? { token: SENSITIVE } : {}),
  };
}

function secretRefs(profile: DesiredProfile): ProfileChange['secretRefs'] {
  return {
    client_secret: profile.clientSecret.ref,
    ...(profile.token ? { token: profile.token.ref } : {}),
  };
}

function unknownSecrets(checks: ProfileSecretChecks | undefined): string[] {
  if (!checks) return [];
  return (['client_secret', 'token'] as const).filter((field) => checks[field].status === 'unknown');
}

export function computePlan(input: PlanInput): Plan {
  const { desired, state, live, secrets } = input;
  const reasons: string[] = [];
  const warnings: Warning[] = [];
  const changes: Change[] = [];

  const liveById = new Map(live.map((p) => [p.id, p]));
  const liveByName = new Map<string, LiveProfile[]>();
  for (const p of live) liveByName.set(p.name, [...(liveByName.get(p.name) ?? []), p]);

  const desiredByName = new Map(desired.profiles.map((p) => [p.name, p]));
  const managedNames = [
    ...new Set([...desired.profiles.map((p) => p.name), ...Object.keys(state.profiles)]),
  ].sort();
  const matchedLiveIds = new Set<number>();

  /** Profiles whose current assignments vanish or are handled by their own change. */
  const assignmentsReset = new Set<string>();
  /** Provider of every managed profile after the apply (for swaps) and before it (for unassigns). */
  const providerOf = new Map<string, string>();
  // Counted once for all profiles: per profile, it cost profiles × customers on every plan.
  const holders = countStateHolders(state);

  for (const name of managedNames) {
    const want = desiredByName.get(name);
    const recorded = state.profiles[name];
    const sameName = liveByName.get(name) ?? [];
    const current = recorded ? (liveById.get(recorded.id) ?? sameName[0]) : sameName[0];
    const duplicates = sameName.filter((p) => p.id !== current?.id);
    if (current && duplicates.length > 0) {
      const ids = [current, ...duplicates].map((p) => p.id).join(', ');
      reasons.push(
        `Workato has ${duplicates.length + 1} profiles named "${name}" (ids ${ids}); rename or delete all but one in Workato, then plan again`,
      );
      continue;
    }
    if (current) matchedLiveIds.add(current.id);
    providerOf.set(name, want?.provider ?? recorded?.provider ?? current?.provider ?? '');
    const address = profileAddress(name);
    const checks = secrets.get(name);

    if (!want) {
      if (!current) {
        warnings.push({
          code: 'profile-gone',
          message: `profile "${name}" (id ${recorded?.id}) is in the state but no longer in Workato; apply will forget it`,
        });
        assignmentsReset.add(name);
        continue;
      }
      changes.push({
        kind: 'profile',
        action: 'delete',
        address,
        profile: name,
        id: current.id,
        before: liveView(current, recorded?.token_fingerprint !== undefined),
        ...(recorded?.prevent_destroy ? { preventDestroy: true } : {}),
      });
      continue;
    }

    const after = desiredView(want, checks);
    const unknown = unknownSecrets(checks);
    const withUnknown = unknown.length > 0 ? { unknown } : {};

    if (!current) {
      if (recorded) {
        warnings.push({
          code: 'profile-gone',
          message: `profile "${name}" (id ${recorded.id}) is in the state but no longer in Workato; it will be created again and assigned anew`,
        });
        assignmentsReset.add(name);
      }
      changes.push({
        kind: 'profile',
        action: 'create',
        address,
        profile: name,
        after,
        ...withUnknown,
        secretRefs: secretRefs(want),
      });
      continue;
    }

    if (!recorded) {
      if (current.provider !== want.provider) {
        reasons.push(
          `Workato already has a profile named "${name}" (id ${current.id}) for provider ${current.provider}, but the config says ${want.provider}; rename one of them`,
        );
        continue;
      }
      // The API never shows a secret, so adopting puts the config's secrets once.
      const changed = ['client_secret', ...(want.token ? ['token'] : [])];
      if (current.data.client_id !== want.clientId) changed.unshift('client_id');
      changes.push({
        kind: 'profile',
        action: 'adopt',
        address,
        profile: name,
        id: current.id,
        before: { name: current.name, provider: current.provider, client_id: current.data.client_id },
        after,
        changed,
        ...withUnknown,
        secretRefs: secretRefs(want),
      });
      assignmentsReset.add(name);
      if (current.oem_customers_count > 0) {
        warnings.push({
          code: 'adopt-assigned',
          message: `profile "${name}" (id ${current.id}) is already assigned to ${current.oem_customers_count} customer(s) that the state does not know; the tool will assign it per the config and leave those alone`,
        });
      }
      continue;
    }

    const before = liveView(current, recorded.token_fingerprint !== undefined);
    if (current.provider !== want.provider) {
      const holders = Object.entries(state.customers)
        .filter(([, customer]) => customer.profiles.includes(name))
        .map(([key]) => key)
        .sort();
      changes.push({
        kind: 'profile',
        action: 'replace',
        address,
        profile: name,
        id: current.id,
        before,
        after,
        changed: ['provider'],
        ...withUnknown,
        secretRefs: secretRefs(want),
        unassignFrom: holders,
        // A replace deletes the live profile: guarded like a delete, by the flag in the state or the config.
        ...(recorded.prevent_destroy || want.preventDestroy ? { preventDestroy: true } : {}),
      });
      assignmentsReset.add(name);
      continue;
    }

    checkAssignmentCount(name, current, holders, warnings);
    const changed: string[] = [];
    if (current.name !== want.name) changed.push('name');
    if (current.data.client_id !== want.clientId) changed.push('client_id');
    if (checks?.client_secret.status === 'changed') changed.push('client_secret');
    const token = checks?.token.status;
    if (token === 'changed' || (token === 'absent' && recorded.token_fingerprint !== undefined))
      changed.push('token');
    if (changed.length === 0) {
      if (unknown.length > 0) {
        warnings.push({
          code: 'secret-unknown',
          message: `profile "${name}": ${unknown.map((f) => `$${f === 'token' ? want.token?.ref : want.clientSecret.ref}`).join(', ')} not set, so the secret cannot be compared`,
        });
      }
      continue;
    }
    changes.push({
      kind: 'profile',
      action: 'update',
      address,
      profile: name,
      id: current.id,
      before,
      after,
      changed,
      ...withUnknown,
      secretRefs: secretRefs(want),
    });
  }

  if (reasons.length > 0) throw new PlanError(reasons);

  changes.push(...planAssignments(desired, state, providerOf, assignmentsReset));

  const unmanaged: UnmanagedProfile[] = live
    .filter((p) => !matchedLiveIds.has(p.id) && !managedNames.includes(p.name))
    .map((p) => ({ id: p.id, name: p.name, provider: p.provider }))
    .sort((a, b) => a.id - b.id);

  const sorted = sortChanges(changes);
  return {
    changes: sorted,
    unmanaged,
    warnings,
    apiCalls: countApiCalls(sorted),
    ratePerMinute: input.ratePerMinute,
  };
}

/** How many customers the state records holding each profile, by profile name. */
function countStateHolders(state: State): Map<string, number> {
  const counts = new Map<string, number>();
  for (const customer of Object.values(state.customers)) {
    for (const profile of new Set(customer.profiles)) counts.set(profile, (counts.get(profile) ?? 0) + 1);
  }
  return counts;
}

/** Someone assigned or unassigned outside the tool when Workato's count differs from the state's. */
function checkAssignmentCount(
  name: string,
  current: LiveProfile,
  holders: ReadonlyMap<string, number>,
  warnings: Warning[],
): void {
  const recorded = holders.get(name) ?? 0;
  if (recorded !== current.oem_customers_count) {
    warnings.push({
      code: 'assignment-count-drift',
      message: `profile "${name}" (id ${current.id}): Workato counts ${current.oem_customers_count} customer(s), the state records ${recorded}; assigned or unassigned outside workato-oauth?`,
    });
  }
}

function planAssignments(
  desired: DesiredState,
  state: State,
  providerOf: ReadonlyMap<string, string>,
  assignmentsReset: ReadonlySet<string>,
): AssignmentChange[] {
  const resolveStateKey = indexStateCustomers(state);
  const changes: AssignmentChange[] = [];
  const seen = new Set<string>();

  const heldBy = (stateKey: string | undefined): string[] =>
    stateKey === undefined
      ? []
      : (state.customers[stateKey]?.profiles ?? []).filter(
          (p) => !assignmentsReset.has(p) && providerOf.has(p),
        );

  for (const customer of desired.customers) {
    const key = customerKey(customer.ref);
    const stateKey = resolveStateKey(customer.ref);
    if (stateKey !== undefined) seen.add(stateKey);
    const held = heldBy(stateKey);
    const wanted = new Set(customer.profiles);
    const leaving = new Set(held.filter((p) => !wanted.has(p)));
    const force = customer.forceUnassign;

    for (const profile of [...wanted].sort()) {
      if (held.includes(profile)) continue;
      const provider = providerOf.get(profile);
      const previous = [...leaving].find((p) => providerOf.get(p) === provider);
      if (previous !== undefined) {
        leaving.delete(previous);
        changes.push({
          kind: 'assignment',
          action: 'swap',
          address: assignmentAddress(key, profile),
          customer: key,
          profile,
          previous,
          force,
        });
      } else {
        changes.push({
          kind: 'assignment',
          action: 'assign',
          address: assignmentAddress(key, profile),
          customer: key,
          profile,
        });
      }
    }
    for (const profile of [...leaving].sort()) {
      changes.push({
        kind: 'assignment',
        action: 'unassign',
        address: assignmentAddress(key, profile),
        customer: key,
        profile,
        force,
      });
    }
  }

  // Customers gone from the config: everything the tool assigned them is removed.
  for (const stateKey of Object.keys(state.customers).sort()) {
    if (seen.has(stateKey)) continue;
    for (const profile of heldBy(stateKey).sort()) {
      changes.push({
        kind: 'assignment',
        action: 'unassign',
        address: assignmentAddress(stateKey, profile),
        customer: stateKey,
        profile,
        force: false,
      });
    }
  }
  return changes;
}
