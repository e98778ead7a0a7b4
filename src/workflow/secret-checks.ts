/**
 * Compares the config's secrets with the fingerprints in the state. Kept out of the
 * planner: hashing is slow and salts are random, and the planner stays a pure,
 * deterministic function of its inputs.
 */
import type { DesiredState, SecretValue } from '../config/types.js';
import type { ProfileSecretChecks, SecretCheck, SecretChecks } from '../plan/secrets.js';
import { fingerprintSecret, matchesFingerprint } from '../state/fingerprint.js';
import type { State } from '../state/types.js';

async function checkSecret(
  value: SecretValue | undefined,
  stored: string | undefined,
  fingerprintChanged: boolean,
): Promise<SecretCheck> {
  if (value === undefined) return { status: 'absent' };
  if (!value.known) return { status: 'unknown' };
  if (stored !== undefined && (await matchesFingerprint(value.value, stored))) {
    return { status: 'same', fingerprint: stored };
  }
  if (!fingerprintChanged) return { status: 'changed' };
  return { status: 'changed', fingerprint: await fingerprintSecret(value.value) };
}

/**
 * Compares every secret of the config with the fingerprints in the state. Kept out
 * of the planner: hashing is slow and salts are random, and the planner stays a pure,
 * deterministic function of its inputs.
 *
 * Each scrypt costs about 40 ms of CPU, so a secret is hashed only where its result
 * is used: a secret with a fingerprint in the state is always compared (that is how
 * a changed secret is seen); a changed or new one gets a fingerprint of its own only
 * with `fingerprintChanged`, which apply (to record it) and `plan --out` (to pin it)
 * ask for. A plain plan of a new config hashes nothing.
 */
export async function checkSecrets(
  desired: DesiredState,
  state: State,
  { fingerprintChanged = false }: { fingerprintChanged?: boolean } = {},
): Promise<SecretChecks> {
  const entries = await Promise.all(
    desired.profiles.map(async (profile): Promise<[string, ProfileSecretChecks]> => {
      const stored = state.profiles[profile.name];
      const [clientSecret, token] = await Promise.all([
        checkSecret(profile.clientSecret, stored?.client_secret_fingerprint, fingerprintChanged),
        checkSecret(profile.token, stored?.token_fingerprint, fingerprintChanged),
      ]);
      return [profile.name, { client_secret: clientSecret, token }];
    }),
  );
  return new Map(entries);
}
