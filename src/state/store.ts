import { randomUUID } from 'node:crypto';
import { access, constants, open, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StateConflictError, StateError } from '../errors.js';
import { explainWriteError, writeFileAtomic } from './atomic-write.js';
import { appendCustomerListing } from './customer-listing.js';
import { JournaledState, journalApplies } from './journal.js';
import { readJournal } from './journal-file.js';
import { checkStateSchema } from './schema.js';
import { STATE_VERSION, type State, type StateCustomer, type StateProfile } from './types.js';

export function emptyState(workspace: string): State {
  return { version: STATE_VERSION, lineage: randomUUID(), serial: 0, workspace, profiles: {}, customers: {} };
}

/** Reads the state file; undefined when there is none yet. */
export async function readState(path: string): Promise<State | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new StateError(binaryMessage(path), { cause: error });
  }
  return parseState(text, path);
}

function binaryMessage(path: string): string {
  return `state file ${path} is not a JSON state file: it holds binary data`;
}

/** Control characters JSON never has outside strings, and never raw inside them; or undecodable bytes. */
function looksBinary(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffd) return true;
  }
  return false;
}

/**
 * The state file's text, checked against schemas/state.schema.json. Every bad
 * field is one line of the error, naming the file and the field's path.
 */
export function parseState(text: string, path: string): State {
  let data: unknown;
  try {
    // An editor may have added a byte order mark; it is not part of the JSON.
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    if (looksBinary(text)) throw new StateError(binaryMessage(path), { cause: error });
    throw new StateError(`state file ${path} is not valid JSON: ${describeJsonError(error, text)}`, {
      cause: error,
    });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new StateError(`state file ${path} is not a state file: expected a JSON object`);
  }
  const version = (data as { version?: unknown }).version;
  if (version !== STATE_VERSION) {
    throw new StateError(
      `state file ${path} has version ${describeVersion(version)}; this workato-oauth reads version ${STATE_VERSION}`,
    );
  }
  const problems = checkStateSchema(data);
  if (problems.length > 0) {
    throw new StateError(problems.map((problem) => `state file ${path}: ${problem}`).join('\n'));
  }
  return data as State;
}

/** A version as found, without walking into whatever else a damaged file put there. */
function describeVersion(version: unknown): string {
  if (version === undefined) return 'none';
  if (typeof version === 'number' || typeof version === 'boolean') return String(version);
  if (typeof version === 'string') return JSON.stringify(version.slice(0, 40));
  return Array.isArray(version) ? 'a list' : version === null ? 'null' : 'an object';
}

/**
 * V8's message without the excerpt of the file it quotes (`Unexpected token 'x',
 * "..." is not valid JSON`): a torn or foreign file is not echoed to the terminal.
 */
function describeJsonError(error: unknown, text: string): string {
  const message = (error as Error).message;
  const position = /at position (\d+)/.exec(message);
  // Only the words before V8 starts quoting the file: `Unexpected token 'x'`, `Unexpected end of JSON input`.
  const reason = (message.split(/, (?:"|\.\.\.)|\n| in JSON at position /)[0] ?? message).trim();
  if (position === null) return reason;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return `${reason} at line ${line}, column ${col}`;
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
    ...(p.rename_to === undefined ? {} : { rename_to: p.rename_to }),
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
  return appendCustomerListing(`${JSON.stringify(ordered, null, 2)}\n`, state.customer_listing);
}

/** What a state write compares before it replaces the file: the state as last read or written. */
export interface StateStamp {
  lineage: string;
  serial: number;
}

/**
 * The lineage and serial of the state file on disk; undefined when there is no
 * file. Reads only the head when it can: this tool writes both fields first.
 */
export async function readStateStamp(path: string): Promise<StateStamp | undefined> {
  let head: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(512);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const lineage =
    /^\{\s*"version":\s*\d+,\s*"lineage":\s*"([0-9a-f-]{1,64})",\s*"serial":\s*(\d{1,15}),/.exec(head);
  if (lineage) return { lineage: lineage[1] as string, serial: Number(lineage[2]) };
  // Written by hand or by another tool: read it all.
  const state = await readState(path);
  return state && { lineage: state.lineage, serial: state.serial };
}

/**
 * Bumps the serial and writes atomically. Returns the state as written.
 *
 * A compare-and-swap: `expect` is the file as this process last read or wrote it
 * (null: no file), and the write is refused when the file on disk is another
 * (another process wrote it, e.g. one that took over a lock this process held
 * while paused), so nothing another writer recorded is overwritten. Re-read,
 * compare and rename are separate steps; the lock makes the gap between them
 * matter only to a process that was paused inside it.
 *
 * A file made read-only is refused, not replaced (a rename would replace it); a
 * full disk or a permission error is one line naming the file; the file on disk
 * is then the one before this write.
 */
export async function writeState(path: string, state: State, expect: StateStamp | null): Promise<State> {
  // One more than the file it replaces, whatever serial the caller's copy carries.
  const next = { ...state, serial: (expect?.serial ?? state.serial) + 1 };
  await writeStateExact(path, next, expect);
  return next;
}

/** writeState's compare-and-swap, writing `state` with the serial it carries (the backends' write). */
export async function writeStateExact(path: string, state: State, expect: StateStamp | null): Promise<void> {
  await checkStateWritable(path);
  const found = await readStateStamp(path);
  if (!sameStamp(found, expect)) {
    throw new StateConflictError(
      `state file ${path} was not updated: ${describeStamp(found)} on disk, not ${describeStamp(expect ?? undefined)} as this process last read or wrote it; another process changed it, and nothing it wrote was overwritten. Run plan to see where things stand`,
    );
  }
  try {
    await writeFileAtomic(path, serializeState(state));
  } catch (error) {
    const explained = explainWriteError(error);
    if (explained === undefined) throw error;
    throw new StateError(
      `state file ${path} was not updated (${explained.reason}; it still holds the state before this write): ${explained.remedy} and run again`,
      { cause: error },
    );
  }
}

function sameStamp(a: StateStamp | undefined, b: StateStamp | null): boolean {
  if (a === undefined || b === null) return a === undefined && b === null;
  return a.lineage === b.lineage && a.serial === b.serial;
}

function describeStamp(stamp: StateStamp | undefined): string {
  return stamp ? `serial ${stamp.serial} of lineage ${stamp.lineage}` : 'no file';
}

/**
 * Refuses a state file that apply could not update, before any API call: one
 * made read-only (which writing would silently replace, since a rename does not
 * ask the file), one this user may not write, or a folder where no file can be
 * made. A missing file is fine when its folder is writable.
 */
export async function checkStateWritable(path: string): Promise<void> {
  let mode: number | undefined;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StateError(`cannot read state file ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  // Root may write anything, so the mode bits say "read-only", not access().
  if (mode !== undefined && (mode & 0o222) === 0) {
    throw new StateError(
      `state file ${path} is read-only; make it writable (chmod u+w ${path}) to apply, or pass --state with another file`,
    );
  }
  if (mode !== undefined) await checkWriteAccess(path, path, 'it is');
  await checkWriteAccess(path, dirname(path), `its folder ${dirname(path)} is`);
}

async function checkWriteAccess(path: string, target: string, subject: string): Promise<void> {
  try {
    await access(target, constants.W_OK);
  } catch (error) {
    const problem =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not writable by this user';
    throw new StateError(
      `cannot write state file ${path}: ${subject} ${problem}; fix that or pass --state with another file`,
      { cause: error },
    );
  }
}

/**
 * The state file beside a config, named after it, so that two configs in one
 * folder keep two states: `staging.yaml` -> `staging.state.json`,
 * `workato-oauth.yaml` -> `workato-oauth.state.json`. Only `.yaml` and `.yml`
 * are dropped: `prod.v2` keeps its dot (`prod.v2.state.json`), it is not `prod`'s.
 */
export function defaultStatePath(configPath: string): string {
  const name = basename(configPath).replace(/\.ya?ml$/i, '');
  return join(dirname(configPath), `${name === '' ? basename(configPath) : name}.state.json`);
}

export interface LoadedState {
  path: string;
  state: State;
  /** False when no state file exists yet (the state is a fresh, empty one). */
  exists: boolean;
  /**
   * Entries of a journal left beside the state by an apply that stopped before
   * saving (killed, or its disk full), already applied to `state`; 0 when none.
   */
  replayed: number;
}

/**
 * The state file with the journal a stopped apply left beside it applied on
 * top, when the journal builds on exactly this file; undefined when there is
 * neither. A journal built on an older file is already in it, and is ignored.
 */
export async function readStateWithJournal(
  path: string,
  baseUrl?: string,
): Promise<{ state: State; exists: boolean; replayed: number } | undefined> {
  const found = await readState(path);
  if (found && baseUrl !== undefined) checkStateWorkspace(found, baseUrl, path);
  const journal = await readJournal(path);
  const applies = journal !== undefined && journalApplies(journal.header.base, found);
  if (!applies || journal.entries.length === 0) {
    return found && { state: found, exists: true, replayed: 0 };
  }
  const workspace = journal.header.workspace;
  if (found === undefined && baseUrl !== undefined && workspace !== baseUrl) {
    throw new StateError(
      `journal file ${path}.journal belongs to workspace ${workspace}, not ${baseUrl}; use --state to pick the right one`,
    );
  }
  const memory = new JournaledState(found ?? emptyState(workspace));
  for (const entry of journal.entries) memory.apply(entry);
  return { state: memory.state, exists: found !== undefined, replayed: journal.entries.length };
}

/**
 * The state at `path` for the workspace at `baseUrl`; a fresh one when there is
 * no file yet. `forWriting` (apply): also refuse a file apply could not update,
 * before any API call (see checkStateWritable).
 */
export async function loadStateFile(
  path: string,
  baseUrl: string,
  options: { forWriting?: boolean } = {},
): Promise<LoadedState> {
  const found = await readStateWithJournal(path, baseUrl);
  if (options.forWriting) await checkStateWritable(path);
  if (!found) return { path, state: emptyState(baseUrl), exists: false, replayed: 0 };
  return { path, ...found };
}
