/**
 * The benchmark's worlds, generated: a config of N customers holding 3 profiles
 * each (of 12 profiles, 2 per provider, Slack's with a token), the emulator world
 * before and after onboarding, and the state an onboarding leaves, with real
 * fingerprints so that a steady plan compares secrets as it would in use.
 */
import { fingerprintSecret } from '../../dist/state/fingerprint.js';

const PROVIDERS = ['hubspot', 'salesforce', 'slack', 'zoom', 'outlook'];
export const TOKEN = 'bench-api-token';
export const STAMP = '2024-01-01T00:00:00.000+00:00';
const FIRST_CUSTOMER_ID = 1_000_000;
const FIRST_PROFILE_ID = 5_000;

/**
 * 6 profiles: one per provider, and a second HubSpot app that the "1% change"
 * scenario moves customers to. Each secret costs a plan one scrypt comparison
 * (about 40 ms of CPU), so the number of profiles is part of every plan figure.
 */
export const PROFILES = [...PROVIDERS.map((provider) => [provider, 0]), ['hubspot', 1]].map(
  ([provider, variant], i) => ({
    id: FIRST_PROFILE_ID + i,
    name: `${provider} app ${variant}`,
    provider,
    clientId: `${provider}-client-${variant}`,
    secretVar: `${provider.toUpperCase()}_${variant}_SECRET`,
    tokenVar: provider === 'slack' ? `SLACK_${variant}_TOKEN` : undefined,
  }),
);
const HUBSPOT_1 = PROFILES[5];

/** Every secret the configs reference, as the environment gives them. */
export const SECRET_ENV = Object.fromEntries(
  PROFILES.flatMap((p) => [
    [p.secretVar, `secret-of-${p.name}`],
    ...(p.tokenVar ? [[p.tokenVar, `token-of-${p.name}`]] : []),
  ]),
);

/** The 3 profiles customer `i` holds, of 3 different providers; `swapped`: HubSpot app 1 instead of app 0. */
export function heldBy(i, { swapped = false } = {}) {
  const held = [0, 1, 2].map((k) => PROFILES[(i + k) % PROVIDERS.length]);
  return held.map((p) => (swapped && p === PROFILES[0] ? HUBSPOT_1 : p));
}

/** A fourth profile, of a provider customer `i` does not hold. */
export function extraFor(i) {
  return PROFILES[(i + 3) % PROVIDERS.length];
}

export const externalId = (i) => `C${String(i).padStart(6, '0')}`;
const customerId = (i) => FIRST_CUSTOMER_ID + i;

/**
 * Config text for `count` customers. `swapped`: customers whose first profile is
 * the provider's other variant (a swap each). `extra`: customers that also hold a
 * fourth profile, of a provider they do not hold yet (one assign each).
 */
export function configText(count, { swapped = new Set(), extra = new Set() } = {}) {
  const lines = ['version: 1', 'profiles:'];
  for (const p of PROFILES) {
    lines.push(`  ${p.name}:`, `    provider: ${p.provider}`, `    client_id: ${p.clientId}`);
    lines.push(`    client_secret: \${${p.secretVar}}`);
    if (p.tokenVar) lines.push(`    token: \${${p.tokenVar}}`);
  }
  lines.push('customers:');
  for (let i = 0; i < count; i++) {
    const held = heldBy(i, { swapped: swapped.has(i) });
    if (extra.has(i)) held.push(extraFor(i));
    lines.push(`  - external_id: ${externalId(i)}`);
    lines.push(`    profiles: [${held.map((p) => p.name).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** The workspace: `workspace` customers; the first `onboarded` hold their 3 profiles, and the profiles exist. */
export function worldData(workspace, onboarded = 0) {
  const customers = [];
  for (let i = 0; i < workspace; i++) {
    customers.push({
      id: customerId(i),
      external_id: externalId(i),
      name: `Customer ${i}`,
      ...(i < onboarded ? { profiles: heldBy(i).map((p) => p.id) } : {}),
    });
  }
  const profiles =
    onboarded === 0
      ? []
      : PROFILES.map((p) => ({
          id: p.id,
          name: p.name,
          provider: p.provider,
          client_id: p.clientId,
          client_secret: SECRET_ENV[p.secretVar],
          ...(p.tokenVar ? { token: SECRET_ENV[p.tokenVar] } : {}),
          created_at: STAMP,
          updated_at: STAMP,
        }));
  return { customers, profiles };
}

let fingerprints;
/** One fingerprint per secret, made once per benchmark run (scrypt is slow on purpose). */
async function secretFingerprints() {
  fingerprints ??= Object.fromEntries(
    await Promise.all(
      Object.entries(SECRET_ENV).map(async ([name, value]) => [name, await fingerprintSecret(value)]),
    ),
  );
  return fingerprints;
}

/** The state file an onboarding of `count` customers leaves against `workspaceUrl`, as text. */
export async function stateText(count, workspaceUrl) {
  const prints = await secretFingerprints();
  const profiles = {};
  for (const p of PROFILES) {
    profiles[p.name] = {
      id: p.id,
      provider: p.provider,
      client_id: p.clientId,
      updated_at: STAMP,
      client_secret_fingerprint: prints[p.secretVar],
      ...(p.tokenVar ? { token_fingerprint: prints[p.tokenVar] } : {}),
      prevent_destroy: false,
    };
  }
  const customers = {};
  for (let i = 0; i < count; i++) {
    customers[`E:${externalId(i)}`] = {
      id: customerId(i),
      external_id: externalId(i),
      profiles: heldBy(i)
        .map((p) => p.name)
        .sort(),
    };
  }
  const state = {
    version: 1,
    lineage: '6f1c1d52-3a8e-4d55-9a43-0d1f4f1f6b00',
    serial: 1,
    workspace: workspaceUrl,
    profiles,
    customers,
  };
  return `${JSON.stringify(state, null, 2)}\n`;
}
