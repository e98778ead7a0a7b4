/** Plain-value builders for planner tests: no I/O, no API. */
import type { LiveProfile } from '../../src/api/types.js';
import type { DesiredCustomer, DesiredProfile, DesiredState } from '../../src/config/types.js';
import type { CustomerRef } from '../../src/customer-ref.js';
import type { ProfileSecretChecks, SecretChecks, SecretStatus } from '../../src/plan/secrets.js';
import type { State, StateProfile } from '../../src/state/types.js';

export function profile(name: string, provider: string, extra: Partial<DesiredProfile> = {}): DesiredProfile {
  return {
    name,
    provider,
    clientId: `${provider}-client`,
    clientSecret: { known: true, ref: `${provider.toUpperCase()}_SECRET`, value: 'not-a-real-secret' },
    preventDestroy: false,
    previousNames: [],
    ...extra,
  };
}

export function customer(ref: CustomerRef, profiles: string[], forceUnassign = false): DesiredCustomer {
  return { ref, profiles, forceUnassign };
}

export function desired(profiles: DesiredProfile[], customers: DesiredCustomer[]): DesiredState {
  return { workspace: {}, profiles, customers };
}

export function live(
  id: number,
  name: string,
  provider: string,
  extra: Partial<LiveProfile> = {},
): LiveProfile {
  return {
    id,
    user_id: 1,
    name,
    provider,
    data: { client_id: `${provider}-client` },
    shared_accounts_count: 0,
    oem_customers_count: 0,
    created_at: '2026-01-01T00:00:00.000+00:00',
    updated_at: '2026-01-01T00:00:00.000+00:00',
    ...extra,
  };
}

export function stateProfile(id: number, provider: string, extra: Partial<StateProfile> = {}): StateProfile {
  return {
    id,
    provider,
    client_id: `${provider}-client`,
    updated_at: '2026-01-01T00:00:00.000+00:00',
    client_secret_fingerprint: 'scrypt$fp',
    prevent_destroy: false,
    ...extra,
  };
}

export function state(profiles: State['profiles'] = {}, customers: State['customers'] = {}): State {
  return {
    version: 1,
    lineage: '00000000-0000-4000-8000-000000000000',
    serial: 1,
    workspace: 'http://127.0.0.1:1',
    profiles,
    customers,
  };
}

/** Secret checks for every profile of `d`: `same` unless named otherwise. */
export function secrets(
  d: DesiredState,
  overrides: Record<string, Partial<Record<'client_secret' | 'token', SecretStatus>>> = {},
): SecretChecks {
  return new Map(
    d.profiles.map((p): [string, ProfileSecretChecks] => [
      p.name,
      {
        client_secret: { status: overrides[p.name]?.client_secret ?? 'same' },
        token: { status: overrides[p.name]?.token ?? (p.token ? 'same' : 'absent') },
      },
    ]),
  );
}
