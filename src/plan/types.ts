/**
 * The plan: a plain value in the middle of the pipeline. Planning produces it;
 * renderers (src/render) and the executor (src/apply) consume it and never
 * recompute it. `sortChanges` is the one place that orders changes.
 */
import type { Bucket } from '../api/types.js';

export const PLAN_FORMAT_VERSION = '1';

/** Marker for a secret whose value is known; the value itself never enters a plan. */
export const SENSITIVE = '(sensitive)';
/** Marker for a secret whose environment variable is unset at plan time. */
export const UNKNOWN = '(unknown)';

export type ProfileAction = 'create' | 'adopt' | 'update' | 'replace' | 'delete';
export type AssignmentAction = 'swap' | 'assign' | 'unassign';
export type Action = ProfileAction | AssignmentAction;

/** What a renderer shows of a profile. Secrets are SENSITIVE or UNKNOWN markers. */
export interface ProfileView {
  name: string;
  provider: string;
  client_id: string;
  client_secret?: string;
  token?: string;
}

/** Environment variable names the secrets come from (never the values). */
export interface SecretRefs {
  client_secret: string;
  token?: string;
}

export interface ProfileChange {
  kind: 'profile';
  action: ProfileAction;
  /** `profile["<name>"]` */
  address: string;
  /** The profile's name (the config key). */
  profile: string;
  /** The live id, for every action but create. */
  id?: number;
  before?: ProfileView;
  after?: ProfileView;
  /**
   * update/adopt/replace: the fields that change, in a fixed order
   * (name, provider, client_id, client_secret, token).
   * A secret is listed when its fingerprint differs (shown as "(sensitive value changed)").
   */
  changed?: string[];
  /** Secret fields whose variable is unset at plan time. */
  unknown?: string[];
  /** create/adopt/update/replace: where apply reads the secrets from. */
  secretRefs?: SecretRefs;
  /** replace: customers (keys) the old profile is unassigned from before it is deleted. */
  unassignFrom?: string[];
  /** delete/replace: the profile has prevent_destroy (in the state or the config); refused when true. */
  preventDestroy?: boolean;
}

export interface AssignmentChange {
  kind: 'assignment';
  action: AssignmentAction;
  /** `assignment["<customer key>"]["<profile>"]` */
  address: string;
  /** customerKey(): `E:<external id>` or the numeric id. */
  customer: string;
  /** assign/swap: the profile assigned; unassign: the profile removed. */
  profile: string;
  /** swap: the profile of the same provider that is unassigned first. */
  previous?: string;
  /** unassign/swap: whether force=true will be used (the customer's force_unassign). */
  force?: boolean;
}

export type Change = ProfileChange | AssignmentChange;

export interface Warning {
  /** Stable machine-readable code, e.g. `assignment-count-drift`. */
  code: string;
  message: string;
}

export interface UnmanagedProfile {
  id: number;
  name: string;
  provider: string;
}

export interface Plan {
  /** Sorted by sortChanges: apply order first, then address. */
  changes: Change[];
  unmanaged: UnmanagedProfile[];
  warnings: Warning[];
  /** Calls `apply` will make, per bucket (not counting its own staleness check). */
  apiCalls: Record<Bucket, number>;
  /** Pacing limit per bucket used for the time estimate. */
  ratePerMinute: number;
}

/**
 * Apply runs changes in these steps, in this order (the design's contract): create
 * profiles, then update/replace them, then swaps, assigns, unassigns, deletes last.
 * Changes within a step do not depend on each other.
 */
export const STEPS: readonly (readonly Action[])[] = [
  ['create', 'adopt'],
  ['update', 'replace'],
  ['swap'],
  ['assign'],
  ['unassign'],
  ['delete'],
];

/** The actions in step order: the order plans are sorted and shown in. */
export const STEP_ORDER: readonly Action[] = STEPS.flat();

export function profileAddress(name: string): string {
  return `profile[${JSON.stringify(name)}]`;
}

export function assignmentAddress(customer: string, profile: string): string {
  return `assignment[${JSON.stringify(customer)}][${JSON.stringify(profile)}]`;
}

export function sortChanges(changes: Change[]): Change[] {
  return [...changes].sort(
    (a, b) =>
      STEP_ORDER.indexOf(a.action) - STEP_ORDER.indexOf(b.action) ||
      (a.address < b.address ? -1 : a.address > b.address ? 1 : 0),
  );
}
