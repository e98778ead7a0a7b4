/**
 * Which backend a command uses, and the state read through it: `--state` wins,
 * then the config's `state:` block, then the file beside the config. Only here
 * does a command learn which backends exist; the s3 backend (and the AWS SDK
 * behind it) is loaded only when an s3 state is configured.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { StateBackend } from '../state/backend.js';
import { createGitBackend } from '../state/git-backend.js';
import { createLocalBackend } from '../state/local-backend.js';
import { LocationError, parseStateOption, type StateLocation } from '../state/location.js';
import { checkStateWorkspace, defaultStatePath, emptyState, type LoadedState } from '../state/store.js';
import { readStateSettings } from './state-settings.js';

/** What every config's default state file was called before it was named after the config. */
const LEGACY_STATE_NAME = 'workato-oauth.state.json';

export interface ResolvedLocation {
  location: StateLocation;
  /** The config's `state.lock_stale`, when set. */
  lockStaleMs?: number;
}

/** `--state` as a location; a malformed one is a usage error. */
export function parseStateFlag(text: string): StateLocation {
  try {
    return parseStateOption(text);
  } catch (error) {
    if (error instanceof LocationError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * `--state`, else the config's `state:` block, else the file named after the
 * config. Before 0.2 every config's default was `workato-oauth.state.json`: a
 * config that finds only that file beside it would start from an empty state
 * and adopt everything anew, so it is refused, with the fix.
 */
export async function resolveStateLocation(
  option: string | undefined,
  configPath: string,
  io: Pick<Io, 'cwd' | 'env'>,
  label?: string,
): Promise<ResolvedLocation> {
  const settings = await readStateSettings(configPath, io.env, label);
  const stale = settings.lockStaleMs === undefined ? {} : { lockStaleMs: settings.lockStaleMs };
  if (option) {
    const location = parseStateFlag(option);
    if (location.kind === 'local') {
      return { location: { kind: 'local', path: resolve(io.cwd, location.path) }, ...stale };
    }
    // s3://BUCKET/KEY names no region or endpoint (nor does a plan file): the config's block may.
    const configured = settings.location;
    if (location.kind === 's3' && configured?.kind === 's3') {
      const { region, endpoint } = configured;
      return {
        location: { ...location, ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) },
        ...stale,
      };
    }
    return { location, ...stale };
  }
  if (settings.location) return { location: settings.location, ...stale };
  const path = defaultStatePath(configPath);
  const legacy = join(dirname(configPath), LEGACY_STATE_NAME);
  if (path !== legacy && !existsSync(path) && existsSync(legacy)) {
    throw new UsageError(
      `no state file at ${path}, but there is ${legacy}: the default state file is now named after the config; rename it (mv ${legacy} ${path}) or pass --state ${legacy}`,
    );
  }
  return { location: { kind: 'local', path }, ...stale };
}

export async function openBackend(
  resolved: ResolvedLocation,
  context: { configDir: string; cwd: string; env: Io['env'] },
): Promise<StateBackend> {
  const { location } = resolved;
  switch (location.kind) {
    case 'local':
      return createLocalBackend(resolve(context.cwd, location.path));
    case 'git':
      return createGitBackend({
        remote: location.remote,
        ref: location.ref,
        configDir: context.configDir,
        cwd: context.cwd,
        env: context.env as NodeJS.ProcessEnv,
        ...(resolved.lockStaleMs === undefined ? {} : { lockStaleMs: resolved.lockStaleMs }),
      });
    case 's3': {
      // Loaded only here, so that no other command pays for the AWS SDK (about 0.6 s).
      const { createS3Backend } = await import('../state/s3-backend.js');
      return createS3Backend({
        bucket: location.bucket,
        key: location.key,
        ...(location.region === undefined ? {} : { region: location.region }),
        ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
        ...(resolved.lockStaleMs === undefined ? {} : { lockStaleMs: resolved.lockStaleMs }),
      });
    }
  }
}

/** The backend of the config at `configPath` (absolute), with `--state` applied. */
export async function openStateBackend(
  option: string | undefined,
  configPath: string,
  io: Pick<Io, 'cwd' | 'env'>,
  label?: string,
): Promise<StateBackend> {
  const resolved = await resolveStateLocation(option, configPath, io, label);
  return openBackend(resolved, { configDir: dirname(configPath), cwd: io.cwd, env: io.env });
}

/** A state read through its backend, with the version a write must name. */
export interface BackendState extends LoadedState {
  backend: StateBackend;
  /** null: nothing written at this location yet. */
  version: string | null;
}

/**
 * The state for the workspace at `baseUrl`; a fresh one when none was written
 * yet. `forWriting` (apply): also refuse, before any API call, a state the
 * backend could not write (a read-only local file).
 */
export async function loadState(
  backend: StateBackend,
  baseUrl: string,
  options: { forWriting?: boolean } = {},
): Promise<BackendState> {
  const found = await backend.read();
  if (options.forWriting) await backend.checkWritable?.();
  if (found === undefined) {
    return {
      path: backend.location,
      backend,
      state: emptyState(baseUrl),
      exists: false,
      replayed: 0,
      version: null,
    };
  }
  checkStateWorkspace(found.state, baseUrl, backend.location);
  return {
    path: backend.location,
    backend,
    state: found.state,
    exists: found.version !== null,
    replayed: found.replayed,
    version: found.version,
  };
}

/** "no state file at PATH" (local), "no state at LOCATION" (remote). */
export function describeNoState(backend: StateBackend): string {
  return backend.kind === 'local'
    ? `no state file at ${backend.location}`
    : `no state at ${backend.location}`;
}
