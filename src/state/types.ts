/**
 * The state file: what the tool has applied. Workato has no endpoint listing which
 * customers hold a profile and never returns secrets, so the tool remembers both.
 * Never holds a secret: only salted slow-hash fingerprints of them.
 */
export const STATE_VERSION = 1;

export interface StateProfile {
  id: number;
  provider: string;
  client_id: string;
  /** `updated_at` of the live profile as last seen. */
  updated_at: string;
  /** See src/state/fingerprint.ts; absent when never set by this tool. */
  client_secret_fingerprint?: string;
  token_fingerprint?: string;
  /** Remembered so that removing a profile from the config cannot silently drop its guard. */
  prevent_destroy: boolean;
  /**
   * A replacement created under a temporary name while the profile it replaces still
   * holds the config's name: the name it takes once the replace finishes.
   */
  rename_to?: string;
}

/**
 * A customer the tool knows to exist. Empty `profiles`: checked to exist, nothing
 * assigned yet (so not checked again; see src/workflow/verified-customers.ts).
 * State files from before this meaning have no such entries and read unchanged,
 * so the format version stays 1.
 */
export interface StateCustomer {
  id?: number;
  external_id?: string;
  /** Names of the profiles this tool assigned to the customer, sorted. */
  profiles: string[];
}

export interface State {
  version: typeof STATE_VERSION;
  /** A UUID made once, when the state is first written. */
  lineage: string;
  /** Bumped on every write. */
  serial: number;
  /** Base URL of the workspace; a state is refused against another one. */
  workspace: string;
  /** Keyed by profile name. */
  profiles: Record<string, StateProfile>;
  /** Keyed by customerKey(): `E:<external id>` or the numeric id. */
  customers: Record<string, StateCustomer>;
  /** Written when the config has assignment rules: the customer list they were last resolved against. */
  customer_listing?: CustomerListingRecord;
}

/** See src/state/customer-listing.ts. */
export interface CustomerListingRecord {
  order: 'id' | 'unordered';
  /** `[id, external_id, name]`, in the order the listing gave them. */
  customers: [number, string | null, string][];
}
