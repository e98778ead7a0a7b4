import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StateError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { STATE_VERSION, type State, type StateCustomer, type StateProfile } from './types.js';

export function emptyState(workspace: string): State {
  return { version: STATE_VERSION, lineage: randomUUID(), serial: 0, workspace, profiles: {}, customers: {} };
}

/** Reads the state file; undefined when there is none yet. */
export async function readState(path: string): Promise<State | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseState(text, path);
}

export function parseState(text: string, path: string): State {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new StateError(`state file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const state = data as Partial<State> | null;
  if (!state || typeof state !== 'object' || state.version !== STATE_VERSION) {
    throw new StateError(
      `state file ${path} has version ${JSON.stringify(state?.version)}; this workato-oauth reads version ${STATE_VERSION}`,
    );
  }
  for (const key of ['lineage', 'workspace'] as const) {
    if (typeof state[key] !== 'string') throw new StateError(`state file ${path}: "${key}" is missing`);
  }
  if (typeof state.serial !== 'number') throw new StateError(`state file ${path}: "serial" is missing`);
  if (!state.profiles || typeof state.profiles !== 'object')
    throw new StateError(`state file ${path}: "profiles" is missing`);
  if (!state.customers || typeof state.customers !== 'object') {
    throw new StateError(`state file ${path}: "customers" is missing`);
  }
  return state as State;
}

/** A state made for one workspace is never used against another. */
export function checkStateWorkspace(state: State, baseUrl: string, path: string): void {
  if (state.workspace !== baseUrl) {
    throw new StateError(
      `state file ${path} belongs to workspace ${state.workspace}, not ${baseUrl}; use --state to pick the right one`,
    );
  }
}

function sortedRecord<T>(record: Record<string, T>, map: (value: T) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = map(record[key] as T);
  return out;
}

function orderProfile(p: StateProfile): StateProfile {
  return {
    id: p.id,
    provider: p.provider,
    client_id: p.client_id,
    updated_at: p.updated_at,
    ...(p.client_secret_fingerprint === undefined
      ? {}
      : { client_secret_fingerprint: p.client_secret_fingerprint }),
    ...(p.token_fingerprint === undefined ? {} : { token_fingerprint: p.token_fingerprint }),
    prevent_destroy: p.prevent_destroy,
  };
}

function orderCustomer(c: StateCustomer): StateCustomer {
  return {
    ...(c.id === undefined ? {} : { id: c.id }),
    ...(c.external_id === undefined ? {} : { external_id: c.external_id }),
    profiles: [...c.profiles].sort(),
  };
}

/** Pretty JSON with a stable key order: the state is reviewed in git diffs. */
export function serializeState(state: State): string {
  const ordered: State = {
    version: state.version,
    lineage: state.lineage,
    serial: state.serial,
    workspace: state.workspace,
    profiles: sortedRecord(state.profiles, orderProfile),
    customers: sortedRecord(state.customers, orderCustomer),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Bumps the serial and writes atomically. Returns the state as written. */
export async function writeState(path: string, state: State): Promise<State> {
  const next = { ...state, serial: state.serial + 1 };
  await writeFileAtomic(path, serializeState(next));
  return next;
}
