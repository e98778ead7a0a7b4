/**
 * Drift: the live workspace against what the state says was last applied, not
 * against the config. A config merged but not yet applied is not drift; a
 * profile changed in Workato by hand is. Pure: one listing of the live profiles
 * in, findings out, each with the command that repairs it.
 */
import type { LiveProfile } from '../api/types.js';
import { countStateHolders } from '../state/customers.js';
import type { State } from '../state/types.js';
import { profileAddress } from './types.js';

export type DriftKind = 'deleted' | 'renamed' | 'provider' | 'client_id' | 'edited' | 'assignments';

export interface WorkspaceDrift {
  kind: DriftKind;
  /** The profile's name in the state. */
  profile: string;
  id: number;
  /** What differs, in a sentence. */
  message: string;
  /** The command (or commands) that bring Workato and the state back together. */
  repair: string;
}

export interface DriftReport {
  findings: WorkspaceDrift[];
  /** Live profiles the state does not record: information, not drift. */
  unmanaged: { id: number; name: string; provider: string }[];
  /** Profiles the state records, all checked. */
  checked: number;
}

/** A shell-quoted state address, ready to paste after `state rm`. */
function shellAddress(name: string): string {
  return `'${profileAddress(name).replace(/'/g, `'\\''`)}'`;
}

export function findDrift(state: State, live: readonly LiveProfile[]): DriftReport {
  const byId = new Map(live.map((p) => [p.id, p]));
  const holders = countStateHolders(state);
  const findings: WorkspaceDrift[] = [];
  const names = Object.keys(state.profiles).sort();
  for (const name of names) {
    const recorded = state.profiles[name]!;
    const id = recorded.id;
    const found = (kind: DriftKind, message: string, repair: string) =>
      findings.push({ kind, profile: name, id, message, repair });
    const current = byId.get(id);
    if (current === undefined) {
      found(
        'deleted',
        `deleted outside workato-oauth (id ${id} is gone)`,
        `workato-oauth apply (makes it again from the config), or workato-oauth state rm ${shellAddress(name)} (forgets it)`,
      );
      continue;
    }
    let fieldChanged = false;
    // A replacement under its temporary name is expected to carry that name until the replace ends.
    if (current.name !== name) {
      fieldChanged = true;
      found(
        'renamed',
        `renamed in Workato to ${JSON.stringify(current.name)}`,
        'workato-oauth apply (gives it back the name in the config; to keep the new name, put it in the config with previous_names)',
      );
    }
    if (current.provider !== recorded.provider) {
      fieldChanged = true;
      found(
        'provider',
        `provider changed from ${recorded.provider} to ${current.provider}`,
        'workato-oauth apply --allow-delete (replaces it with the provider in the config)',
      );
    }
    if (current.data.client_id !== recorded.client_id) {
      fieldChanged = true;
      found(
        'client_id',
        `client_id changed from ${JSON.stringify(recorded.client_id)} to ${JSON.stringify(current.data.client_id)}`,
        'workato-oauth apply (puts back the config client_id and secrets)',
      );
    }
    if (!fieldChanged && current.updated_at !== recorded.updated_at) {
      found(
        'edited',
        `modified outside workato-oauth, possibly its secret: updated_at ${recorded.updated_at} -> ${current.updated_at}`,
        'workato-oauth apply (sends the config fields and secrets again)',
      );
    }
    const known = holders.get(name) ?? 0;
    if (current.oem_customers_count !== known) {
      found(
        'assignments',
        `Workato counts ${current.oem_customers_count} customer(s) holding it, the state records ${known}: assigned or unassigned outside workato-oauth`,
        'workato-oauth apply --reassert (assigns again every assignment the config wants)',
      );
    }
  }
  const managed = new Set(Object.values(state.profiles).map((p) => p.id));
  const unmanaged = live
    .filter((p) => !managed.has(p.id))
    .sort((a, b) => a.id - b.id)
    .map((p) => ({ id: p.id, name: p.name, provider: p.provider }));
  return { findings, unmanaged, checked: names.length };
}
