/**
 * Where a state lives (issue 14): the contract every state backend keeps, so that
 * the planner and the executor never know which one they talk to.
 *
 * - `local`: a file beside the config, its lock folder and its journal (today's).
 * - `git`: a dedicated ref of a git remote (`refs/workato-oauth/state`).
 * - `s3`: an object in any S3-compatible store.
 *
 * Two promises every backend makes, whatever it is built on:
 * 1. `write` is a compare-and-swap on the version `read` (or the last `write`)
 *    returned: when anyone else wrote in between it throws StateConflictError and
 *    changes nothing.
 * 2. `lock` admits one holder at a time; a holder that has not refreshed its
 *    lock within the stale period may be taken over, and the old holder then
 *    finds out (its `signal` aborts) at its next refresh or `verify()`.
 */
import type { StateLock } from './lock.js';
import type { State } from './types.js';

export type BackendKind = 'local' | 'git' | 's3';

/** A state as read, with the version a later write must name to replace it. */
export interface VersionedState {
  state: State;
  /**
   * Opaque to callers: a local file's `lineage:serial`, a git commit id, an S3
   * ETag. Compared only by the backend that issued it. null: nothing was ever
   * written here, and `state` comes from a journal a stopped apply left (local only).
   */
  version: string | null;
  /** Records a stopped apply left (a local journal) already folded into `state`; 0 when none. */
  replayed: number;
}

export interface BackendLockOptions {
  /** Seconds to wait for a held lock before refusing (exit 3 "locked by ..."); 0: refuse at once. */
  timeoutSeconds: number;
  /** A lock not refreshed for this long may be taken over. Each backend has its default. */
  staleMs?: number;
  /** What the holder is doing, shown to whoever finds the lock held ("apply", "state rm"). */
  operation: string;
  /** Progress lines for the user (waiting, taking over a stale lock), without newline. */
  onMessage: (line: string) => void;
}

export interface StateBackend {
  readonly kind: BackendKind;
  /** What users see and type: a path, `git::REMOTE#REF`, `s3://BUCKET/KEY`. Never holds a secret. */
  readonly location: string;
  /** The state, or undefined when none was ever written here. */
  read(): Promise<VersionedState | undefined>;
  /**
   * Replaces the state only if it is still `expect` (null: only if there is
   * none). Returns the new version. `state` is stored as given, through
   * serializeState (src/state/store.ts): the caller has already set its serial
   * to one more than the state it replaces. `message` says what changed (a git
   * commit message; ignored where there is nowhere to put it). Throws
   * StateConflictError on a lost race, StateError on anything else.
   */
  write(state: State, expect: string | null, message: string): Promise<string>;
  /** Takes the lock of this state (see BackendLockOptions); throws RefusedError when it is held. */
  lock(options: BackendLockOptions): Promise<StateLock>;
  /** Earlier versions, newest first, where the backend keeps them (git); undefined where it does not. */
  history?(limit: number): Promise<StateHistoryEntry[]>;
  /**
   * How many records a stopped apply left on top of `version` that the stored
   * state lacks (local: the entries of a journal based on that version); 0 when
   * none. Reads no state: plan asks before writing one it read earlier, which
   * would orphan them. Absent where a backend leaves no such records (git, s3).
   */
  pendingRecords?(version: string | null): Promise<number>;
  /** Refuses, before any API call, a state that could not be written (local: a read-only file). */
  checkWritable?(): Promise<void>;
  /** Frees what the backend holds on this machine (git: nothing to free yet); never throws. */
  close?(): Promise<void>;
}

/** The remote lock's stale period when none is configured (config `state.lock_stale`). */
export const REMOTE_LOCK_STALE_MS = 10 * 60_000;

export interface StateHistoryEntry {
  version: string;
  time: string;
  message: string;
  serial?: number;
}
