/**
 * Compares the config's secrets with the fingerprints in the state. Kept out of the
 * planner: hashing is slow and salts are random, and the planner stays a pure,
 * deterministic function of its inputs.
 */
import type { DesiredState, SecretValue } from '../config/types.js';
import type { ProfileSecretChecks, SecretCheck, SecretChecks } from '../plan/secrets.js';
import { fingerprintSecret, matchesFingerprint } from '../state/fingerprint.js';
import type { State } from '../state/types.js';

async function checkSecret(value: SecretValue | undefined, stored: string | undefined): Promise<SecretCheck> {
  if (value === undefined) return { status: 'absent' };
  if (!value.known) return { status: 'unknown' };
  if (stored !== undefined && (await matchesFingerprint(value.value, stored))) {
    return { status: 'same', fingerprint: stored };
  }
  return { status: 'changed', fingerprint: await fingerprintSecret(value.value) };
}

/**
 * Compares every secret of the config with the fingerprints in the state. Kept out
 * of the planner: hashing is slow and salts are random, and the planner stays a pure,
 * deterministic function of its inputs.
 */
export async function checkSecrets(desired: DesiredState, state: State): Promise<SecretChecks> {
  const entries = await Promise.all(
    desired.profiles.map(async (profile): Promise<[string, ProfileSecretChecks]> => {
      const stored = state.profiles[profile.name];
      const [clientSecret, token] = await Promise.all([
        checkSecret(profile.clientSecret, stored?.client_secret_fingerprint),
        checkSecret(profile.token, stored?.token_fingerprint),
      ]);
      return [profile.name, { client_secret: clientSecret, token }];
    }),
  );
  return new Map(entries);
}
