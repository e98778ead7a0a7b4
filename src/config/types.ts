/**
 * The desired state: what the config file says, normalised and with `${VAR}`
 * references resolved. This is the contract between src/config (which makes it)
 * and src/plan (which diffs it against the live state).
 */
import type { CustomerRef } from '../customer-ref.js';

/** A secret field (client_secret, token). Always a single `${NAME}` reference in the file. */
export type SecretValue =
  /** The variable is set: its value is known. Never print `value`. */
  | { readonly known: true; readonly ref: string; readonly value: string }
  /** The variable is unset (e.g. a pull request from a fork): `plan` still works, `apply` refuses. */
  | { readonly known: false; readonly ref: string };

/** Where a value stands in the config file, for messages. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface DesiredProfile {
  readonly source?: SourcePosition;
  /** The profile's name in Workato; unique, the key in the config's `profiles` map. */
  readonly name: string;
  readonly provider: string;
  readonly clientId: string;
  readonly clientSecret: SecretValue;
  readonly token?: SecretValue;
  readonly preventDestroy: boolean;
  /**
   * Names the profile had before (`previous_names`), `[]` when none: a managed or
   * live profile found under one of them is renamed in place instead of being
   * deleted and created anew. Validated to be distinct from every profile's name
   * and listed by one profile only.
   */
  readonly previousNames: readonly string[];
}

export type SecretField = 'client_secret' | 'token';
export const SECRET_FIELDS: readonly SecretField[] = ['client_secret', 'token'];

/** The profile's secret of that field, if the config sets one. */
export function secretOf(profile: DesiredProfile, field: SecretField): SecretValue | undefined {
  return field === 'client_secret' ? profile.clientSecret : profile.token;
}

export interface DesiredCustomer {
  readonly source?: SourcePosition;
  readonly ref: CustomerRef;
  /** Profile names, as written (validated to exist in `profiles`). */
  readonly profiles: readonly string[];
  readonly forceUnassign: boolean;
  /** `exclude_rules: true`: no rule gives this customer anything; absent means false. */
  readonly excludeRules?: boolean;
  /**
   * Set on the customers rules were resolved into (src/plan/assignment-rules.ts): for
   * each profile a rule gave, the first rule (in file order) that gave it.
   */
  readonly ruleOf?: ReadonlyMap<string, string>;
}

/** Which customers a rule (or its `exclude`) picks; a rule has exactly one, an exclude any. */
export interface CustomerSelector {
  readonly all?: true;
  /** Regular expression sources, as written: src/config/selectors.ts anchors and compiles them. */
  readonly externalIdMatches?: string;
  readonly nameMatches?: string;
  readonly ids?: readonly number[];
  readonly externalIds?: readonly string[];
}

/** A `rules:` entry: profiles every customer its selector picks gets, unless `exclude` picks it. */
export interface DesiredRule {
  readonly source?: SourcePosition;
  /** Unique in the file; plans group the changes it makes under it. */
  readonly name: string;
  readonly profiles: readonly string[];
  readonly select: CustomerSelector;
  readonly exclude?: CustomerSelector;
}

export interface WorkspaceSettings {
  /** One of the keys of DATA_CENTERS (src/api/data-centers.ts). */
  readonly dataCenter?: string;
  readonly apiUrl?: string;
}

export interface DesiredState {
  readonly workspace: WorkspaceSettings;
  /** In file order. */
  readonly profiles: readonly DesiredProfile[];
  /** In file order. */
  readonly customers: readonly DesiredCustomer[];
  /** In file order; absent or empty when the config has no `rules`. */
  readonly rules?: readonly DesiredRule[];
}
