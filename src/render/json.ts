/**
 * The plan as JSON for other programs (policy checks, dashboards). A stable interface:
 * schemas/plan.schema.json describes it and docs/plan-json.md says what may change
 * without a new `format_version`. Keys are snake_case and always present; a key that
 * does not apply to a change is null, so consumers need one shape per kind.
 */
import { BUCKETS, type Bucket } from '../api/types.js';
import { countCalls } from '../plan/cost.js';
import {
  type AssignmentAction,
  type Change,
  PLAN_FORMAT_VERSION,
  type Plan,
  type ProfileAction,
  type ProfileView,
  SENSITIVE,
  UNKNOWN,
} from '../plan/types.js';
import { type PlanSummary, summarizePlan } from './summary.js';

/** A secret is only ever one of these markers. */
export type SecretMarkerJson = typeof SENSITIVE | typeof UNKNOWN;

export interface ProfileViewJson {
  name: string;
  provider: string;
  client_id: string;
  client_secret: SecretMarkerJson | null;
  token: SecretMarkerJson | null;
}

export interface ProfileChangeJson {
  kind: 'profile';
  action: ProfileAction;
  address: string;
  profile: string;
  /** The live id; null for create. For replace, the old profile's (the one deleted). */
  id: number | null;
  /** update/replace: the name the state records the profile under, when it differs from the config's; else null. */
  renamed_from: string | null;
  /** update: why it is re-sent although the config did not change it (modified outside the tool); else null. */
  drift: string | null;
  before: ProfileViewJson | null;
  after: ProfileViewJson | null;
  /** adopt/update/replace: the fields that change; null for create and delete. */
  changed: string[] | null;
  /** Secret fields whose variable is unset at plan time. */
  unknown: string[];
  /** Names of the environment variables the secrets come from (never the values). */
  secret_refs: { client_secret: string; token: string | null } | null;
  /** replace: customers moved to the new profile (assign the new, then unassign the old); null otherwise. */
  moves: string[] | null;
  /** replace: customers the old profile is unassigned from without a move; null otherwise. */
  unassign_from: string[] | null;
  /** replace: of moves and unassign_from, the customers whose unassign of the old profile uses force=true; null otherwise. */
  forced: string[] | null;
  /** replace: the name the new profile is created under until the old one is deleted; null otherwise. */
  replacement_name: string | null;
  /** replace: the id of a new profile an interrupted apply already created; null otherwise. */
  replacement_id: number | null;
  /** delete/replace: whether the profile has prevent_destroy; null otherwise. */
  prevent_destroy: boolean | null;
  /** delete/replace: customers Workato counts on the live profile, and how many the state knows; null otherwise. */
  customer_count: { live: number; known: number } | null;
  /** Why the safety check refuses this change; null when it is not refused. */
  refused: string | null;
}

export interface AssignmentChangeJson {
  kind: 'assignment';
  action: AssignmentAction;
  address: string;
  customer: string;
  profile: string;
  /** swap: the profile of the same provider unassigned first; null otherwise. */
  previous: string | null;
  /** unassign/swap: whether force=true is sent (exactly what apply sends); null for assign. */
  force: boolean | null;
  /** unassign/swap without force: connections using the profile that leaves (the unassign will likely fail); else null. */
  in_use: number | null;
  /** assign: true when sent again to confirm what the state records (`apply --reassert`); null otherwise. */
  reassert: boolean | null;
  /** assign/swap: the assignment rule that gives the profile; null when the customer's entry does, and for unassign. */
  rule: string | null;
  /** Why the safety check refuses this change; null when it is not refused. */
  refused: string | null;
}

export type ChangeJson = ProfileChangeJson | AssignmentChangeJson;

export type ApiCallsJson = Record<Bucket, number> & {
  total: number;
  rate_per_minute: number;
  least_seconds: number;
};

export interface PlanJson {
  format_version: typeof PLAN_FORMAT_VERSION;
  summary: PlanSummary;
  changes: ChangeJson[];
  /** State-only edits: no API call; apply records them in the state file. */
  state_only: { address: string; profile: string; field: string; before: boolean; after: boolean }[];
  unmanaged: { id: number; name: string; provider: string; duplicate_of: string | null }[];
  warnings: { code: string; message: string }[];
  drift: { code: string; address: string; message: string; repair: string }[];
  refusals: { code: string; address: string | null; message: string }[];
  api_calls: ApiCallsJson;
  /** With rules: how plan read the customer list; null otherwise. */
  customer_listing: {
    mode: 'full' | 'tail';
    pages: number;
    customers: number;
    order: 'id' | 'unordered';
    fell_back: string | null;
  } | null;
}

/** Any secret field value becomes a marker: a value put there by a bug must not leak. */
function toMarker(value: string | undefined): SecretMarkerJson | null {
  if (value === undefined) return null;
  return value === UNKNOWN ? UNKNOWN : SENSITIVE;
}

function toViewJson(view: ProfileView | undefined): ProfileViewJson | null {
  if (!view) return null;
  return {
    name: view.name,
    provider: view.provider,
    client_id: view.client_id,
    client_secret: toMarker(view.client_secret),
    token: toMarker(view.token),
  };
}

function toChangeJson(change: Change): ChangeJson {
  if (change.kind === 'assignment') {
    const unassigns = change.action !== 'assign';
    return {
      kind: 'assignment',
      action: change.action,
      address: change.address,
      customer: change.customer,
      profile: change.profile,
      previous: change.action === 'swap' ? (change.previous ?? null) : null,
      force: unassigns ? change.force === true : null,
      in_use: unassigns ? (change.inUse ?? null) : null,
      reassert: unassigns ? null : change.reassert === true,
      rule: change.rule ?? null,
      refused: change.refused ?? null,
    };
  }
  const replacing = change.action === 'replace';
  const destroying = replacing || change.action === 'delete';
  const comparing = change.action === 'adopt' || change.action === 'update' || change.action === 'replace';
  const refs = change.secretRefs;
  return {
    kind: 'profile',
    action: change.action,
    address: change.address,
    profile: change.profile,
    id: change.id ?? null,
    renamed_from: change.renamedFrom ?? null,
    drift: change.drift ?? null,
    before: toViewJson(change.before),
    after: toViewJson(change.after),
    changed: comparing ? [...(change.changed ?? [])] : null,
    unknown: [...(change.unknown ?? [])],
    secret_refs: refs ? { client_secret: refs.client_secret, token: refs.token ?? null } : null,
    moves: replacing ? [...(change.moves ?? [])] : null,
    unassign_from: replacing ? [...(change.unassignFrom ?? [])] : null,
    forced: replacing ? [...(change.forced ?? [])] : null,
    replacement_name: replacing ? (change.replacementName ?? null) : null,
    replacement_id: replacing ? (change.replacementId ?? null) : null,
    prevent_destroy: destroying ? change.preventDestroy === true : null,
    customer_count:
      destroying && change.customerCount
        ? { live: change.customerCount.live, known: change.customerCount.known }
        : null,
    refused: change.refused ?? null,
  };
}

export function toPlanJson(plan: Plan): PlanJson {
  const calls = Object.fromEntries(BUCKETS.map((bucket) => [bucket, plan.apiCalls[bucket]])) as Record<
    Bucket,
    number
  >;
  return {
    format_version: PLAN_FORMAT_VERSION,
    summary: summarizePlan(plan),
    changes: plan.changes.map(toChangeJson),
    state_only: plan.stateOnly.map((edit) => ({
      address: edit.address,
      profile: edit.profile,
      field: edit.field,
      before: edit.before,
      after: edit.after,
    })),
    unmanaged: plan.unmanaged.map((profile) => ({
      id: profile.id,
      name: profile.name,
      provider: profile.provider,
      duplicate_of: profile.duplicateOf ?? null,
    })),
    warnings: plan.warnings.map((warning) => ({ code: warning.code, message: warning.message })),
    drift: plan.drift.map((finding) => ({
      code: finding.code,
      address: finding.address,
      message: finding.message,
      repair: finding.repair,
    })),
    refusals: plan.refusals.map((refusal) => ({
      code: refusal.code,
      address: refusal.address,
      message: refusal.message,
    })),
    api_calls: {
      ...calls,
      total: countCalls(plan.apiCalls),
      rate_per_minute: plan.ratePerMinute,
      least_seconds: plan.leastSeconds,
    },
    customer_listing: plan.customerListing
      ? {
          mode: plan.customerListing.mode,
          pages: plan.customerListing.pages,
          customers: plan.customerListing.customers,
          order: plan.customerListing.order,
          fell_back: plan.customerListing.fellBack ?? null,
        }
      : null,
  };
}

export function renderJson(plan: Plan): string {
  return `${JSON.stringify(toPlanJson(plan), null, 2)}\n`;
}
