/**
 * `workato-oauth state list | show | rm | history`: read the state, or forget
 * entries no plan can fix, without any API call. The config file need not
 * exist: only its folder (and its `state:` block when it has one) is used, to
 * find the state. `state migrate` is in state-migrate.ts.
 */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT_ERROR, EXIT_OK, StateError } from '../errors.js';
import type { Io } from '../io.js';
import {
  describeStateEntry,
  describeUnknownAddress,
  findStateEntry,
  listStateAddresses,
  parseStateAddress,
  removeStateAddresses,
} from '../state/addresses.js';
import type { StateBackend } from '../state/backend.js';
import type { State } from '../state/types.js';
import { describeNoState, openStateBackend } from '../workflow/state-backend.js';

export interface StateFileOptions {
  /** Config file; the default state lives beside it. */
  file: string;
  state?: string;
}

export interface StateRmOptions extends StateFileOptions {
  dryRun?: boolean;
  /** Seconds to wait for the state lock. */
  lockTimeout: number;
}

export function openStateOf(options: StateFileOptions, io: Io): Promise<StateBackend> {
  return openStateBackend(options.state, resolve(io.cwd, options.file), io, options.file);
}

/** The state as apply would see it: with what a stopped apply left in the journal beside it. */
async function readExistingState(backend: StateBackend): Promise<{ state: State; version: string | null }> {
  const found = await backend.read();
  if (found === undefined) throw new StateError(describeNoState(backend));
  return found;
}

export async function runStateList(options: StateFileOptions, io: Io): Promise<number> {
  const backend = await openStateOf(options, io);
  const found = await backend.read();
  if (found === undefined) {
    io.err(`${describeNoState(backend)}\n`);
    return EXIT_OK;
  }
  for (const address of listStateAddresses(found.state)) io.out(`${address}\n`);
  return EXIT_OK;
}

export async function runStateShow(address: string, options: StateFileOptions, io: Io): Promise<number> {
  const backend = await openStateOf(options, io);
  const { state } = await readExistingState(backend);
  const parsed = parseStateAddress(address);
  const entry = parsed === undefined ? undefined : findStateEntry(state, parsed);
  if (entry === undefined)
    throw new StateError(describeUnknownAddress(state, address, `the state file ${backend.location}`));
  io.out(`${describeStateEntry(entry).join('\n')}\n`);
  return EXIT_OK;
}

export async function runStateRm(addresses: string[], options: StateRmOptions, io: Io): Promise<number> {
  const backend = await openStateOf(options, io);
  const path = backend.location;
  if (options.dryRun) {
    const removal = removeOrThrow((await readExistingState(backend)).state, addresses, path);
    for (const address of removal.removed) io.out(`Would remove ${address}\n`);
    io.out(`Would remove ${countEntries(removal.removed.length)}; nothing written (--dry-run).\n`);
    return EXIT_OK;
  }
  // Before locking: a local lock is a folder beside the state, and needs that folder to exist.
  if (backend.kind === 'local') {
    await access(path).catch(() => {
      throw new StateError(`no state file at ${path}`);
    });
  }
  const lock = await backend.lock({
    timeoutSeconds: options.lockTimeout,
    operation: 'state rm',
    onMessage: (line) => io.err(`${line}\n`),
  });
  try {
    const current = await readExistingState(backend);
    const removal = removeOrThrow(current.state, addresses, path);
    const written = { ...removal.state, serial: current.state.serial + 1 };
    // Local: the journal's entries are in what is written, and the write removes it.
    await backend.write(written, current.version, `workato-oauth state rm: ${removal.removed.join(', ')}`);
    for (const address of removal.removed) io.out(`Removed ${address}\n`);
    io.out(
      `Removed ${countEntries(removal.removed.length)} from the state (serial ${written.serial}); nothing was changed in Workato.\n`,
    );
    return EXIT_OK;
  } finally {
    await lock.release();
  }
}

export interface StateHistoryOptions extends StateFileOptions {
  limit: number;
}

/** The versions a backend keeps (git: the commits of the state ref), newest first. */
export async function runStateHistory(options: StateHistoryOptions, io: Io): Promise<number> {
  const backend = await openStateOf(options, io);
  if (!backend.history) {
    io.err(
      `state history: the ${backend.kind} backend keeps no history of the state ${backend.location} (the git backend does: docs/state.md)\n`,
    );
    return EXIT_ERROR;
  }
  const entries = await backend.history(options.limit);
  if (entries.length === 0) {
    io.err(`${describeNoState(backend)}\n`);
    return EXIT_OK;
  }
  for (const entry of entries) {
    const serial = entry.serial === undefined ? '?' : String(entry.serial);
    io.out(`serial ${serial.padEnd(6)} ${entry.time}  ${entry.version.slice(0, 12)}  ${entry.message}\n`);
  }
  return EXIT_OK;
}

/** Every address must exist: otherwise nothing is removed, and each missing one is named. */
function removeOrThrow(state: State, addresses: string[], path: string) {
  const removal = removeStateAddresses(state, addresses);
  if (removal.missing.length > 0) {
    const lines = removal.missing.map((address) => `  ${describeUnknownAddress(state, address)}`);
    throw new StateError(`nothing removed from the state file ${path}:\n${lines.join('\n')}`);
  }
  return removal;
}

function countEntries(n: number): string {
  return `${n} ${n === 1 ? 'entry' : 'entries'}`;
}
