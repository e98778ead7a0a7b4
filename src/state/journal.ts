/**
 * The apply journal, `<state>.journal`: one line per finished call, appended and
 * fsynced before the call counts as recorded, so that recording a call costs the
 * same at 100 customers as at 100,000. The state file itself is rewritten from
 * memory (a checkpoint) every so often and at the end of the apply, after which
 * the journal starts again empty.
 *
 * The first line names the state file the journal builds on (its lineage and
 * serial, or none); the entries count only on top of exactly that file. A
 * checkpoint writes the state (serial + 1) before it starts a new journal, so a
 * kill between the two leaves a journal whose base is older than the state: it
 * is already in the state, and is dropped. A kill mid-append leaves a torn last
 * line, which was never acknowledged: it is dropped too. Any other damage is an
 * error naming the file and line.
 */
import { customerKey, parseCustomerKey } from '../customer-ref.js';
import { StateError } from '../errors.js';
import { isRecord } from '../json.js';
import type { State, StateCustomer, StateProfile } from './types.js';

export const JOURNAL_VERSION = 1;

export type JournalEntry =
  | { op: 'profile'; name: string; record: StateProfile }
  | { op: 'rename'; from: string; to: string }
  | { op: 'forget-profile'; name: string }
  | { op: 'forget-customer'; key: string }
  | { op: 'assign'; key: string; profile: string; id?: number; external_id?: string }
  | { op: 'unassign'; key: string; profile: string };

export interface JournalHeader {
  journal: typeof JOURNAL_VERSION;
  /** The state file the entries build on; null: there was none. */
  base: { lineage: string; serial: number } | null;
  /** The workspace's base URL, for a journal with no state file under it. */
  workspace: string;
}

export function journalPath(statePath: string): string {
  return `${statePath}.journal`;
}

/**
 * The state with entries applied in place, and an index of its customers by id
 * and external id, kept up to date, so that an entry costs the same whatever the
 * number of customers.
 */
export class JournaledState {
  readonly state: State;
  readonly #byId = new Map<number, string>();
  readonly #byExternal = new Map<string, string>();

  constructor(state: State) {
    this.state = state;
    for (const [key, customer] of Object.entries(state.customers)) this.#index(key, customer);
  }

  #index(key: string, customer: StateCustomer): void {
    if (customer.id !== undefined) this.#byId.set(customer.id, key);
    if (customer.external_id !== undefined) this.#byExternal.set(customer.external_id, key);
  }

  #unindex(key: string): void {
    const customer = this.state.customers[key];
    if (customer?.id !== undefined && this.#byId.get(customer.id) === key) this.#byId.delete(customer.id);
    if (customer?.external_id !== undefined && this.#byExternal.get(customer.external_id) === key) {
      this.#byExternal.delete(customer.external_id);
    }
    delete this.state.customers[key];
  }

  /** The state's key for a customer written either way (`E:A2300` or `101`). */
  find(key: string): string | undefined {
    if (this.state.customers[key]) return key;
    const ref = parseCustomerKey(key);
    return 'id' in ref ? this.#byId.get(ref.id) : this.#byExternal.get(ref.externalId);
  }

  apply(entry: JournalEntry): void {
    const state = this.state;
    switch (entry.op) {
      case 'profile':
        state.profiles[entry.name] = entry.record;
        return;
      case 'rename': {
        const record = state.profiles[entry.from];
        if (!record || entry.from === entry.to) return;
        delete state.profiles[entry.from];
        const { rename_to: _done, ...rest } = record;
        state.profiles[entry.to] = rest;
        for (const customer of Object.values(state.customers)) {
          if (!customer.profiles.includes(entry.from)) continue;
          customer.profiles = [
            ...new Set(customer.profiles.map((p) => (p === entry.from ? entry.to : p))),
          ].sort();
        }
        return;
      }
      case 'forget-profile':
        delete state.profiles[entry.name];
        for (const [key, customer] of Object.entries(state.customers)) {
          if (!customer.profiles.includes(entry.name)) continue;
          customer.profiles = customer.profiles.filter((p) => p !== entry.name);
          if (customer.profiles.length === 0) this.#unindex(key);
        }
        return;
      case 'forget-customer': {
        const found = this.find(entry.key);
        if (found !== undefined) this.#unindex(found);
        return;
      }
      case 'assign': {
        const found = this.find(entry.key);
        let customer = found === undefined ? undefined : state.customers[found];
        if (!customer) {
          const ref = parseCustomerKey(entry.key);
          customer = { ...('id' in ref ? { id: ref.id } : { external_id: ref.externalId }), profiles: [] };
          state.customers[customerKey(ref)] = customer;
        }
        if (entry.id !== undefined) customer.id = entry.id;
        if (entry.external_id !== undefined) customer.external_id = entry.external_id;
        this.#index(found ?? customerKey(parseCustomerKey(entry.key)), customer);
        if (!customer.profiles.includes(entry.profile))
          customer.profiles = [...customer.profiles, entry.profile].sort();
        return;
      }
      case 'unassign': {
        const found = this.find(entry.key);
        const customer = found === undefined ? undefined : state.customers[found];
        if (!customer || found === undefined) return;
        customer.profiles = customer.profiles.filter((p) => p !== entry.profile);
        if (customer.profiles.length === 0) this.#unindex(found);
        return;
      }
    }
  }
}

/**
 * Whether a journal is on top of the state file stamped `file` (undefined: no file):
 * one started with no file, or on exactly that lineage and serial. Any other
 * journal is stale, left by an apply whose checkpoint already holds it.
 */
export function journalApplies(
  base: JournalHeader['base'],
  file: { lineage: string; serial: number } | undefined,
): boolean {
  return file === undefined
    ? base === null
    : base !== null && base.lineage === file.lineage && base.serial === file.serial;
}

/** A journal's text as header and entries; the torn last line a kill can leave is dropped. */
export function parseJournal(text: string, path: string): { header: JournalHeader; entries: JournalEntry[] } {
  const lines = text.split('\n');
  // Every complete line ends with "\n": what follows the last one was cut short.
  lines.pop();
  const where = (n: number) => `journal file ${path} line ${n}`;
  const header = parseLine(lines[0], where(1));
  if (
    !isRecord(header) ||
    header.journal !== JOURNAL_VERSION ||
    !(header.base === null || isStamp(header.base)) ||
    !isString(header.workspace)
  ) {
    throw new StateError(`${where(1)}: not a workato-oauth journal header (version ${JOURNAL_VERSION})`);
  }
  const entries = lines.slice(1).map((line, i) => checkEntry(parseLine(line, where(i + 2)), where(i + 2)));
  return { header: header as unknown as JournalHeader, entries };
}

function parseLine(line: string | undefined, where: string): unknown {
  if (line === undefined) throw new StateError(`${where}: missing`);
  try {
    return JSON.parse(line);
  } catch {
    throw new StateError(`${where}: not valid JSON`);
  }
}

function isStamp(value: unknown): boolean {
  return isRecord(value) && typeof value.lineage === 'string' && Number.isSafeInteger(value.serial);
}

const isString = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 1000;

function checkEntry(value: unknown, where: string): JournalEntry {
  const fail = (what: string): never => {
    throw new StateError(`${where}: ${what}`);
  };
  if (!isRecord(value)) return fail('expected an object');
  const need = (...fields: string[]) => {
    for (const field of fields) if (!isString(value[field])) fail(`"${field}" must be a non-empty string`);
  };
  switch (value.op) {
    case 'profile': {
      need('name');
      const r = value.record;
      if (
        !isRecord(r) ||
        !Number.isSafeInteger(r.id) ||
        !isString(r.provider) ||
        typeof r.client_id !== 'string' ||
        typeof r.updated_at !== 'string' ||
        typeof r.prevent_destroy !== 'boolean'
      ) {
        fail('"record" is not a profile record');
      }
      break;
    }
    case 'rename':
      need('from', 'to');
      break;
    case 'forget-profile':
      need('name');
      break;
    case 'forget-customer':
      need('key');
      break;
    case 'assign':
      need('key', 'profile');
      if (value.id !== undefined && !Number.isSafeInteger(value.id)) fail('"id" must be an integer');
      if (value.external_id !== undefined) need('external_id');
      break;
    case 'unassign':
      need('key', 'profile');
      break;
    default:
      fail(`unknown op ${JSON.stringify(String(value.op).slice(0, 40))}`);
  }
  if ('key' in value) {
    const key = value.key as string;
    const valid = key.startsWith('E:') ? key.length > 2 : /^[1-9]\d{0,14}$/.test(key);
    if (!valid) fail(`"key" ${JSON.stringify(key.slice(0, 60))} is not a customer key`);
  }
  return value as unknown as JournalEntry;
}
