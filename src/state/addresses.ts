/**
 * The state's entries by the addresses the plan uses (`profile["Acme"]`,
 * `assignment["E:A2300"]["Acme"]`), for the `state` commands: list them, parse
 * one, describe one, forget some. Pure functions on the State value.
 */

import { maxOf } from '../arrays.js';
import { assignmentAddress, profileAddress } from '../plan/types.js';
import { suggestClosest } from '../suggest.js';
import { findStateCustomerKey, forgetProfileAssignments } from './customers.js';
import type { State, StateCustomer, StateProfile } from './types.js';

export type StateAddress =
  | { kind: 'profile'; profile: string }
  | { kind: 'assignment'; customer: string; profile: string };

/** A state entry found by its address; `address` is the state's own spelling of it. */
export type StateEntry =
  | { kind: 'profile'; address: string; name: string; profile: StateProfile; customers: number }
  | {
      kind: 'assignment';
      address: string;
      key: string;
      customer: StateCustomer;
      profile: string;
      profileId: number | undefined;
    };

function byAddress(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every address the state records, as the plan sorts them: profiles first, then assignments. */
export function listStateAddresses(state: State): string[] {
  const profiles = Object.keys(state.profiles).map(profileAddress).sort(byAddress);
  const assignments = Object.entries(state.customers)
    .flatMap(([key, customer]) => customer.profiles.map((profile) => assignmentAddress(key, profile)))
    .sort(byAddress);
  return [...profiles, ...assignments];
}

const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
const PROFILE_ADDRESS = new RegExp(`^profile\\[(${QUOTED})\\]$`);
const ASSIGNMENT_ADDRESS = new RegExp(`^assignment\\[(${QUOTED})\\]\\[(${QUOTED})\\]$`);

/** `profile["NAME"]` or `assignment["CUSTOMER"]["PROFILE"]` (JSON strings); undefined otherwise. */
export function parseStateAddress(address: string): StateAddress | undefined {
  const text = address.trim();
  try {
    const profile = PROFILE_ADDRESS.exec(text);
    if (profile) return { kind: 'profile', profile: JSON.parse(profile[1]!) as string };
    const assignment = ASSIGNMENT_ADDRESS.exec(text);
    if (assignment) {
      return {
        kind: 'assignment',
        customer: JSON.parse(assignment[1]!) as string,
        profile: JSON.parse(assignment[2]!) as string,
      };
    }
  } catch {
    // A bad escape inside the quotes: not an address.
  }
  return undefined;
}

/**
 * The entry at `address`, or undefined. A customer may be named by either of its
 * ids (`assignment["101"][...]` finds the customer the state keys `E:A2300` when
 * the state knows 101 is its id).
 */
export function findStateEntry(state: State, address: StateAddress): StateEntry | undefined {
  if (address.kind === 'profile') {
    const profile = state.profiles[address.profile];
    if (profile === undefined) return undefined;
    const customers = Object.values(state.customers).filter((c) => c.profiles.includes(address.profile));
    return {
      kind: 'profile',
      address: profileAddress(address.profile),
      name: address.profile,
      profile,
      customers: customers.length,
    };
  }
  const key = findStateCustomerKey(state, address.customer);
  const customer = key === undefined ? undefined : state.customers[key];
  if (key === undefined || customer === undefined || !customer.profiles.includes(address.profile)) {
    return undefined;
  }
  return {
    kind: 'assignment',
    address: assignmentAddress(key, address.profile),
    key,
    customer,
    profile: address.profile,
    profileId: state.profiles[address.profile]?.id,
  };
}

/**
 * Why `address` names nothing, with the closest address the state has when one is
 * close. `where` names the state in the message.
 */
export function describeUnknownAddress(state: State, address: string, where = 'the state'): string {
  const suggestion = suggestStateAddress(state, address);
  const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
  if (parseStateAddress(address) === undefined) {
    return `not an address: ${address}${hint}; write profile["NAME"] or assignment["CUSTOMER"]["PROFILE"], in single quotes in a shell`;
  }
  return `${address.trim()} is not in ${where}${hint}`;
}

/**
 * Names are compared, not whole addresses: every profile address starts with
 * `profile["`, which would make any two look alike. An address the shell took
 * the quotes off (`profile[Acme]`) is read for the name inside.
 */
function suggestStateAddress(state: State, address: string): string | undefined {
  const parsed = readAddressLoosely(address);
  if (parsed === undefined) return undefined;
  if (parsed.kind === 'profile') {
    const names = Object.keys(state.profiles);
    const name = names.includes(parsed.profile) ? parsed.profile : suggestClosest(parsed.profile, names);
    return name === undefined ? undefined : profileAddress(name);
  }
  const byPair = new Map<string, string>();
  for (const [key, customer] of Object.entries(state.customers)) {
    for (const profile of customer.profiles) byPair.set(`${key} ${profile}`, assignmentAddress(key, profile));
  }
  const pair = suggestClosest(`${parsed.customer} ${parsed.profile}`, byPair.keys());
  return pair === undefined ? undefined : byPair.get(pair);
}

function readAddressLoosely(address: string): StateAddress | undefined {
  const parsed = parseStateAddress(address);
  if (parsed !== undefined) return parsed;
  // `profile[Acme HubSpot]`: what a shell leaves of profile["Acme HubSpot"].
  const bare = /^profile\[['"]?(.*?)['"]?\]$/.exec(address.trim());
  return bare ? { kind: 'profile', profile: bare[1]! } : undefined;
}

/** What `state show` prints for an entry: one `field: value` line each. Never a fingerprint. */
export function describeStateEntry(entry: StateEntry): string[] {
  const rows: [string, string][] = [];
  if (entry.kind === 'profile') {
    const p = entry.profile;
    rows.push(
      ['id', String(p.id)],
      ['provider', p.provider],
      ['client_id', p.client_id],
      ['updated_at', p.updated_at],
      ['prevent_destroy', String(p.prevent_destroy)],
      ['client_secret', fingerprintNote(p.client_secret_fingerprint)],
      ['token', fingerprintNote(p.token_fingerprint)],
    );
    if (p.rename_to !== undefined) rows.push(['rename_to', p.rename_to]);
    rows.push(['assigned to', `${entry.customers} customer${entry.customers === 1 ? '' : 's'}`]);
  } else {
    rows.push(['customer', entry.key]);
    if (entry.customer.id !== undefined) rows.push(['customer id', String(entry.customer.id)]);
    if (entry.customer.external_id !== undefined) rows.push(['external_id', entry.customer.external_id]);
    rows.push(['profile', entry.profile]);
    rows.push([
      'profile id',
      entry.profileId === undefined ? '(not a managed profile in this state)' : String(entry.profileId),
    ]);
  }
  const width =
    maxOf(
      rows.map(([field]) => field.length),
      0,
    ) + 1;
  return [entry.address, ...rows.map(([field, value]) => `  ${`${field}:`.padEnd(width)} ${value}`)];
}

function fingerprintNote(fingerprint: string | undefined): string {
  return fingerprint === undefined ? '(no fingerprint)' : '(fingerprint stored)';
}

export interface Removal {
  /** The state without the removed entries (the input is not changed). */
  state: State;
  /** Every address gone, sorted: those asked for, and the assignments of removed profiles. */
  removed: string[];
  /** Addresses asked for that the state does not have, as given. */
  missing: string[];
}

/**
 * Forgets profiles and assignments, without any API call. A profile takes its
 * assignments with it; a customer left holding nothing is dropped. Every address
 * is looked up in the state as it was, so the order they are given in does not matter.
 */
export function removeStateAddresses(state: State, addresses: readonly string[]): Removal {
  const next = structuredClone(state);
  const missing: string[] = [];
  const found: StateEntry[] = [];
  for (const address of addresses) {
    const parsed = parseStateAddress(address);
    const entry = parsed === undefined ? undefined : findStateEntry(state, parsed);
    if (entry === undefined) missing.push(address);
    else found.push(entry);
  }
  for (const entry of found) {
    if (entry.kind === 'profile') {
      delete next.profiles[entry.name];
      forgetProfileAssignments(next, entry.name);
    } else {
      const customer = next.customers[entry.key];
      if (customer === undefined) continue;
      customer.profiles = customer.profiles.filter((p) => p !== entry.profile);
      if (customer.profiles.length === 0) delete next.customers[entry.key];
    }
  }
  const remaining = new Set(listStateAddresses(next));
  const removed = listStateAddresses(state).filter((address) => !remaining.has(address));
  return { state: next, removed, missing };
}
