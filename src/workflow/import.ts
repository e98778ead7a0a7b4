// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax.
/**
 * `import`: hand-made profiles taken under management. What it writes is decided
 * here, from one listing of the live profiles and the state (if any): which
 * profiles are taken, the config that describes them, the state entries that
 * record them. No API write; secrets are never known, only named.
 */
import { Document } from 'yaml';
import { DATA_CENTERS } from '../api/data-centers.js';
import type { LiveProfile } from '../api/types.js';
import type { State, StateProfile } from '../state/types.js';

export interface ImportSelection {
  /** Taken, in name order. */
  taken: LiveProfile[];
  /** Not taken, each with the reason. */
  skipped: { profile: LiveProfile; reason: string }[];
}

/** Live profiles matching `names`, less those the state already has; of two with one name, the earliest id. */
export function selectProfiles(
  live: readonly LiveProfile[],
  state: State,
  names: RegExp | undefined,
): ImportSelection {
  const managedIds = new Set(Object.values(state.profiles).map((p) => p.id));
  const taken = new Map<string, LiveProfile>();
  const skipped: ImportSelection['skipped'] = [];
  for (const profile of [...live].sort((a, b) => a.id - b.id)) {
    if (names && !names.test(profile.name)) continue;
    if (managedIds.has(profile.id)) {
      skipped.push({ profile, reason: 'already in the state' });
    } else if (state.profiles[profile.name]) {
      skipped.push({ profile, reason: 'the state already has a profile of that name (another id)' });
    } else if (taken.has(profile.name)) {
      skipped.push({ profile, reason: `a duplicate of id ${taken.get(profile.name)!.id}, which is taken` });
    } else {
      taken.set(profile.name, profile);
    }
  }
  return { taken: [...taken.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), skipped };
}

/** `Acme HubSpot app` -> `ACME_HUBSPOT_APP_CLIENT_SECRET`, unique among `used`. */
export function secretVariable(profileName: string, used: Set<string>): string {
  let stem = profileName
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (stem === '' || /^[0-9]/.test(stem)) stem = `PROFILE_${stem}`.replace(/_$/, '');
  let name = `${stem}_CLIENT_SECRET`;
  for (let n = 2; used.has(name); n++) name = `${stem}_${n}_CLIENT_SECRET`;
  used.add(name);
  return name;
}

/** The workspace setting for a base URL: its data center when it is one, else the URL. */
function workspaceSetting(baseUrl: string): Record<string, string> {
  const center = Object.entries(DATA_CENTERS).find(([, url]) => url === baseUrl)?.[0];
  return center ? { data_center: center } : { api_url: baseUrl };
}

/** The config for the taken profiles, with comments saying what is left to do, and the variables it names. */
export function importedConfig(
  taken: readonly LiveProfile[],
  baseUrl: string,
  when: Date,
): { text: string; variables: string[] } {
  const used = new Set<string>();
  const profiles: Record<string, Record<string, string>> = {};
  for (const p of taken) {
    profiles[p.name] = {
      provider: p.provider,
      client_id: p.data.client_id,
      client_secret: `\${${secretVariable(p.name, used)}}`,
    };
  }
  const doc = new Document({ version: 1, workspace: workspaceSetting(baseUrl), profiles, customers: [] });
  doc.commentBefore = [
    ` Written by \`workato-oauth import\` from ${baseUrl} on ${when.toISOString().slice(0, 10)}.`,
    ' Secrets are not readable through the API: each client_secret names an environment',
    ' variable to export before apply. A profile with a token (Slack, ...) needs a',
    ' `token: ${VAR}` line added by hand. Which customers hold which profile cannot be',
    ' listed either: add them under customers, then run `workato-oauth apply --reassert`.',
  ].join('\n');
  return { text: doc.toString({ lineWidth: 0 }), variables: [...used] };
}

/** State records for the taken profiles, as an apply that had made them would have left them. */
export function importedRecords(taken: readonly LiveProfile[]): Record<string, StateProfile> {
  const records: Record<string, StateProfile> = {};
  for (const p of taken) {
    records[p.name] = {
      id: p.id,
      provider: p.provider,
      client_id: p.data.client_id,
      updated_at: p.updated_at,
      prevent_destroy: false,
    };
  }
  return records;
}
