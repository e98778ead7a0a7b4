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
  /**
   * update/replace: the name the state records the profile under, when it differs from
   * the config's (a rename by `previous_names`, or the end of an interrupted replace).
   */
  renamedFrom?: string;
  /**
   * update: why the profile is re-sent when the config did not change it, e.g. it was
   * modified outside the tool (its `updated_at` moved since the last apply).
   */
  drift?: string;
  /**
   * replace: customers moved from the old profile to the new one, one at a time:
   * the new one is assigned, then the old one unassigned (two providers are two
   * applications, so for a moment the customer holds both).
   */
  moves?: string[];
  /**
   * replace: customers the old profile is unassigned from without a move: the config no
   * longer gives them the profile, they hold the new one already (an interrupted apply),
   * or they hold another profile of the new provider, which a swap replaces afterwards.
   */
  unassignFrom?: string[];
  /** replace: of moves and unassignFrom, the customers whose unassign of the old profile uses force=true. */
  forced?: string[];
  /**
   * replace: the name the new profile is created under while the old one still
   * holds the config's name; renamed to the config's name once the old one is deleted.
   */
  replacementName?: string;
  /** replace: the new profile already exists (an earlier apply was interrupted): its id. */
  replacementId?: number;
  /** delete/replace: the profile has prevent_destroy (in the state or the config); refused when true. */
  preventDestroy?: boolean;
  /** delete/replace: customers Workato counts on the live profile, and how many of them the state knows. */
  customerCount?: { live: number; known: number };
  /** Set by the safety check (src/plan/safety.ts): why this change will not be applied. */
  refused?: string;
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
  /** unassign/swap: whether force=true will be sent (the customer's force_unassign, or --force-unassign). */
  force?: boolean;
  /**
   * unassign/swap without force: connections use the profile leaving (its live
   * `shared_accounts_count`), so Workato will likely refuse the unassign.
   */
  inUse?: number;
  /** assign: the state says it is assigned already; --reassert sends it again to confirm. */
  reassert?: boolean;
  /** assign/swap: the assignment rule that gives the customer this profile (not its own entry). */
  rule?: string;
  /** Set by the safety check (src/plan/safety.ts): why this change will not be applied. */
  refused?: string;
}

export type Change = ProfileChange | AssignmentChange;

/** What became of a change when apply ran it: a value, never an exception. */
export type Outcome =
  /** note: something to know about how it was done, e.g. the customer no longer exists in Workato. */
  | { status: 'done'; change: Change; note?: string }
  | { status: 'failed'; change: Change; reason: string }
  | { status: 'skipped'; change: Change; reason: string };

export interface Warning {
  /** Stable machine-readable code, e.g. `assignment-count-drift`. */
  code: string;
  message: string;
}

export interface UnmanagedProfile {
  id: number;
  name: string;
  provider: string;
  /** Set when it has the name of a managed profile: another profile of that name, left alone. */
  duplicateOf?: string;
}

/**
 * Something changed outside the tool that apply does not repair by itself (a change
 * does that where it can): shown, counted as drift, and named with its repair.
 */
export interface DriftFinding {
  /** Stable machine-readable code, e.g. `assignment-count-drift`. */
  code: string;
  /** The profile or assignment it is about. */
  address: string;
  message: string;
  /** The command that repairs it, e.g. `workato-oauth apply --reassert`. */
  repair: string;
}

/**
 * Why the plan may not be applied (src/plan/safety.ts decides them all). `address`
 * is the change it is about, or null for one about the whole plan.
 */
export interface Refusal {
  /** Stable machine-readable code, e.g. `prevent-destroy`. */
  code: string;
  address: string | null;
  message: string;
}

/**
 * A field only the state file holds, which apply rewrites without any API call
 * (today `prevent_destroy`): shown apart from the changes, so a plan never says
 * "No changes" while apply writes the state.
 */
export interface StateOnlyChange {
  /** `profile["<name>"]` */
  address: string;
  profile: string;
  field: 'prevent_destroy';
  before: boolean;
  after: boolean;
}

/** How plan read the customer list that rules are resolved against: a cost of planning, not of apply. */
export interface CustomerListing {
  /** `tail`: only the pages after the customers the last listing saw, proved in order; `full`: every page. */
  mode: 'full' | 'tail';
  /** Listing pages read (GET /api/managed_users, 100 customers each), the failed tail attempt included. */
  pages: number;
  /** Customers in the workspace. */
  customers: number;
  /** Whether the listing came in ascending id order, which the tail listing relies on. */
  order: 'id' | 'unordered';
  /** `full` after a tail attempt failed its check: why. */
  fellBack?: string;
  /** `full` because `--refresh-customers` asked for every page (no tail was tried). */
  asked?: boolean;
}

export interface Plan {
  /** Sorted by sortChanges: apply order first, then address. */
  changes: Change[];
  /** State-only edits, sorted by address; no API call, apply records them first. */
  stateOnly: StateOnlyChange[];
  unmanaged: UnmanagedProfile[];
  warnings: Warning[];
  /** Changes made outside the tool that no change of this plan repairs. */
  drift: DriftFinding[];
  /** Empty until the safety check has run; any refusal means exit 3 and no API call. */
  refusals: Refusal[];
  /**
   * Managed profiles the state records, and how many of their ids are live: none of
   * them live means another workspace's state, or everything deleted by hand.
   */
  managedFound: { recorded: number; live: number };
  /** Calls `apply` will make, per bucket (not counting its own staleness check). */
  apiCalls: Record<Bucket, number>;
  /** Pacing limit per bucket used for the time estimate. */
  ratePerMinute: number;
  /** The least time the rate limit imposes on apply, in whole seconds (src/plan/cost.ts). */
  leastSeconds: number;
  /** Set when the config has rules: the customer listing they were resolved against. */
  customerListing?: CustomerListing;
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
