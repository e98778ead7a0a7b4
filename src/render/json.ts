/**
 * The plan as JSON for other programs (policy checks, dashboards). A stable interface:
 * schemas/plan.schema.json describes it and docs/plan-json.md says what may change
 * without a new `format_version`. Keys are snake_case and always present; a key that
 * does not apply to a change is null, so consumers need one shape per kind.
 */
import { BUCKETS, type Bucket } from '../api/types.js';
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
import { countCalls, estimateSeconds } from './cost.js';
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
  /** The live id; null for create. */
  id: number | null;
  before: ProfileViewJson | null;
  after: ProfileViewJson | null;
  /** adopt/update/replace: the fields that change; null for create and delete. */
  changed: string[] | null;
  /** Secret fields whose variable is unset at plan time. */
  unknown: string[];
  /** Names of the environment variables the secrets come from (never the values). */
  secret_refs: { client_secret: string; token: string | null } | null;
  /** replace: customers the old profile is unassigned from first; null otherwise. */
  unassign_from: string[] | null;
  /** delete: true when prevent_destroy refuses it; null otherwise. */
  prevent_destroy: boolean | null;
}

export interface AssignmentChangeJson {
  kind: 'assignment';
  action: AssignmentAction;
  address: string;
  customer: string;
  profile: string;
  /** swap: the profile of the same provider unassigned first; null otherwise. */
  previous: string | null;
  /** unassign/swap: whether force=true is used; null for assign. */
  force: boolean | null;
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
  unmanaged: { id: number; name: string; provider: string }[];
  warnings: { code: string; message: string }[];
  api_calls: ApiCallsJson;
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
    };
  }
  const comparing = change.action === 'adopt' || change.action === 'update' || change.action === 'replace';
  const refs = change.secretRefs;
  return {
    kind: 'profile',
    action: change.action,
    address: change.address,
    profile: change.profile,
    id: change.id ?? null,
    before: toViewJson(change.before),
    after: toViewJson(change.after),
    changed: comparing ? [...(change.changed ?? [])] : null,
    unknown: [...(change.unknown ?? [])],
    secret_refs: refs ? { client_secret: refs.client_secret, token: refs.token ?? null } : null,
    unassign_from: change.action === 'replace' ? [...(change.unassignFrom ?? [])] : null,
    prevent_destroy: change.action === 'delete' ? change.preventDestroy === true : null,
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
    unmanaged: plan.unmanaged.map((profile) => ({
      id: profile.id,
      name: profile.name,
      provider: profile.provider,
    })),
    warnings: plan.warnings.map((warning) => ({ code: warning.code, message: warning.message })),
    api_calls: {
      ...calls,
      total: countCalls(plan.apiCalls),
      rate_per_minute: plan.ratePerMinute,
      least_seconds: estimateSeconds(plan),
    },
  };
}

export function renderJson(plan: Plan): string {
  return `${JSON.stringify(toPlanJson(plan), null, 2)}\n`;
}
