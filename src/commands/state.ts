/**
 * `workato-oauth state list | show | rm`: read the state file, or forget entries
 * no plan can fix, without any API call. The config file need not exist: only
 * its folder is used, to find the state beside it.
 */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT_OK, StateError } from '../errors.js';
import type { Io } from '../io.js';
import {
  describeStateEntry,
  describeUnknownAddress,
  findStateEntry,
  listStateAddresses,
  parseStateAddress,
  removeStateAddresses,
} from '../state/addresses.js';
import { removeJournal } from '../state/journal-file.js';
import { acquireStateLock } from '../state/lock.js';
import { defaultStatePath, readStateWithJournal, writeState } from '../state/store.js';
import type { State } from '../state/types.js';

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

function resolveStateFile(options: StateFileOptions, io: Io): string {
  return options.state ? resolve(io.cwd, options.state) : defaultStatePath(resolve(io.cwd, options.file));
}

/** The state as apply would see it: with what a stopped apply left in the journal beside it. */
async function readExistingState(path: string): Promise<State> {
  const found = await readStateWithJournal(path);
  if (found === undefined) throw new StateError(`no state file at ${path}`);
  return found.state;
}

export async function runStateList(options: StateFileOptions, io: Io): Promise<number> {
  const path = resolveStateFile(options, io);
  const found = await readStateWithJournal(path);
  if (found === undefined) {
    io.err(`no state file at ${path}\n`);
    return EXIT_OK;
  }
  for (const address of listStateAddresses(found.state)) io.out(`${address}\n`);
  return EXIT_OK;
}

export async function runStateShow(address: string, options: StateFileOptions, io: Io): Promise<number> {
  const path = resolveStateFile(options, io);
  const state = await readExistingState(path);
  const parsed = parseStateAddress(address);
  const entry = parsed === undefined ? undefined : findStateEntry(state, parsed);
  if (entry === undefined)
    throw new StateError(describeUnknownAddress(state, address, `the state file ${path}`));
  io.out(`${describeStateEntry(entry).join('\n')}\n`);
  return EXIT_OK;
}

export async function runStateRm(addresses: string[], options: StateRmOptions, io: Io): Promise<number> {
  const path = resolveStateFile(options, io);
  if (options.dryRun) {
    const removal = removeOrThrow(await readExistingState(path), addresses, path);
    for (const address of removal.removed) io.out(`Would remove ${address}\n`);
    io.out(`Would remove ${countEntries(removal.removed.length)}; nothing written (--dry-run).\n`);
    return EXIT_OK;
  }
  // Before locking: the lock is a folder beside the state, and needs that folder to exist.
  await access(path).catch(() => {
    throw new StateError(`no state file at ${path}`);
  });
  const lock = await acquireStateLock(path, {
    timeoutSeconds: options.lockTimeout,
    onMessage: (line) => io.err(`${line}\n`),
  });
  try {
    const current = await readExistingState(path);
    const removal = removeOrThrow(current, addresses, path);
    const written = await writeState(path, removal.state, {
      lineage: current.lineage,
      serial: current.serial,
    });
    // The journal's entries are in what was just written.
    await removeJournal(path);
    for (const address of removal.removed) io.out(`Removed ${address}\n`);
    io.out(
      `Removed ${countEntries(removal.removed.length)} from the state (serial ${written.serial}); nothing was changed in Workato.\n`,
    );
    return EXIT_OK;
  } finally {
    await lock.release();
  }
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
