/** How a profile change shows a profile: the desired and live views, secrets as markers only. */
import type { LiveProfile } from '../api/types.js';
import type { DesiredProfile } from '../config/types.js';
import type { ProfileSecretChecks } from './secrets.js';
import { type ProfileChange, type ProfileView, SENSITIVE, UNKNOWN } from './types.js';

function secretMarker(
  checks: ProfileSecretChecks | undefined,
  field: 'client_secret' | 'token',
): string | undefined {
  const status = checks?.[field].status ?? 'absent';
  if (status === 'absent') return undefined;
  return status === 'unknown' ? UNKNOWN : SENSITIVE;
}

export function desiredView(profile: DesiredProfile, checks: ProfileSecretChecks | undefined): ProfileView {
  const token = secretMarker(checks, 'token');
  return {
    name: profile.name,
    provider: profile.provider,
    client_id: profile.clientId,
    client_secret: secretMarker(checks, 'client_secret') ?? UNKNOWN,
    ...(token === undefined ? {} : { token }),
  };
}

export function liveView(live: LiveProfile, hadToken: boolean): ProfileView {
  return {
    name: live.name,
    provider: live.provider,
    client_id: live.data.client_id,
    client_secret: SENSITIVE,
    ...(hadToken ? { token: SENSITIVE } : {}),
  };
}

export function secretRefs(profile: DesiredProfile): ProfileChange['secretRefs'] {
  return {
    client_secret: profile.clientSecret.ref,
    ...(profile.token ? { token: profile.token.ref } : {}),
  };
}

export function unknownSecrets(checks: ProfileSecretChecks | undefined): string[] {
  if (!checks) return [];
  return (['client_secret', 'token'] as const).filter((field) => checks[field].status === 'unknown');
}

/** Field order of `changed`. */
const FIELD_ORDER = ['name', 'provider', 'client_id', 'client_secret', 'token'];

export function inFieldOrder(fields: Iterable<string>): string[] {
  return [...new Set(fields)].sort((a, b) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b));
}
