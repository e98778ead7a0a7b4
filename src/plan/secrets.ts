/** What the planner knows of each secret: compared by fingerprint outside it (src/state/secret-checks.ts). */

/**
 * same: the fingerprint in the state matches; changed: it does not, or there is none;
 * unknown: the variable is unset, so nothing can be said; absent: the config sets no such secret.
 */
export type SecretStatus = 'same' | 'changed' | 'unknown' | 'absent';

export interface SecretCheck {
  status: SecretStatus;
  /** The fingerprint of the value seen now (reused from the state when unchanged). */
  fingerprint?: string;
}

export interface ProfileSecretChecks {
  client_secret: SecretCheck;
  token: SecretCheck;
}

/** Keyed by profile name. */
export type SecretChecks = ReadonlyMap<string, ProfileSecretChecks>;
