/**
 * `workato-oauth state migrate --to LOCATION`: copies the state, as it is (same
 * lineage and serial), from where the config (or --state) puts it to another
 * backend, under both locks, then says what to change in the config. The source
 * is left as it was. A target that holds a state of another lineage, or a newer
 * one of the same lineage, is refused (exit 3) unless --force.
 */
import { dirname, relative, resolve } from 'node:path';
import { EXIT_OK, RefusedError, StateError } from '../errors.js';
import type { Io } from '../io.js';
import { describeSettingsBlock, type StateLocation } from '../state/location.js';
import type { StateLock } from '../state/lock.js';
import { serializeState } from '../state/store.js';
import {
  describeNoState,
  openBackend,
  parseStateFlag,
  resolveStateLocation,
} from '../workflow/state-backend.js';
import { openStateOf, type StateFileOptions } from './state.js';

export interface StateMigrateOptions extends StateFileOptions {
  to: string;
  force?: boolean;
  lockTimeout: number;
}

export async function runStateMigrate(options: StateMigrateOptions, io: Io): Promise<number> {
  const configPath = resolve(io.cwd, options.file);
  const source = await openStateOf(options, io);
  const parsed = parseStateFlag(options.to);
  const to: StateLocation =
    parsed.kind === 'local' ? { kind: 'local', path: resolve(io.cwd, parsed.path) } : parsed;
  // The config's lock_stale applies to the target too.
  const { lockStaleMs } = await resolveStateLocation(undefined, configPath, io, options.file);
  const target = await openBackend(
    { location: to, ...(lockStaleMs === undefined ? {} : { lockStaleMs }) },
    { configDir: dirname(configPath), cwd: io.cwd, env: io.env },
  );
  if (target.location === source.location) {
    throw new StateError(`state migrate: the state is already at ${source.location}`);
  }
  const lockOptions = {
    timeoutSeconds: options.lockTimeout,
    operation: 'state migrate',
    onMessage: (line: string) => io.err(`${line}\n`),
  };
  const locks: StateLock[] = [];
  try {
    locks.push(await source.lock(lockOptions));
    locks.push(await target.lock(lockOptions));
    const found = await source.read();
    if (found === undefined) throw new StateError(`${describeNoState(source)}: nothing to migrate`);
    const state = found.state;
    const there = await target.read();
    if (there && !options.force) {
      if (there.state.lineage !== state.lineage) {
        throw new RefusedError(
          `state migrate: ${target.location} already holds a state of another lineage (${there.state.lineage}, serial ${there.state.serial}; this one is ${state.lineage}); nothing was copied. Pass --force to replace it`,
        );
      }
      if (there.state.serial > state.serial) {
        throw new RefusedError(
          `state migrate: ${target.location} holds a newer serial (${there.state.serial}) of this state than ${source.location} (${state.serial}); nothing was copied. Pass --force to replace it`,
        );
      }
    }
    const same = there !== undefined && serializeState(there.state) === serializeState(state);
    if (!same) {
      await target.write(
        state,
        there?.version ?? null,
        `workato-oauth state migrate: copied from ${source.location} (serial ${state.serial})`,
      );
    }
    const shown = relative(io.cwd, configPath) || configPath;
    const lines = [
      same
        ? `${target.location} already holds this state (lineage ${state.lineage}, serial ${state.serial}); nothing was copied.`
        : `Copied the state (lineage ${state.lineage}, serial ${state.serial}) from ${source.location} to ${target.location}.`,
      `${source.location} is left as it was: remove it once nothing uses it.`,
      '',
      `To use the new location, set this in ${shown} (or pass --state ${options.to} to every command):`,
      '',
      ...describeSettingsBlock(
        to.kind === 'local' ? { kind: 'local', path: relative(dirname(configPath), to.path) || to.path } : to,
      ).map((line) => `  ${line}`),
    ];
    io.out(`${lines.join('\n')}\n`);
    return EXIT_OK;
  } finally {
    for (const lock of locks.reverse()) await lock.release();
    await source.close?.();
    await target.close?.();
  }
}
