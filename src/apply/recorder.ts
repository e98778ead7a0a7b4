/**
 * Keeps the state in memory during an apply and records every successful call
 * in the journal beside the state (src/state/journal.ts) before the call counts
 * as done, so a kill at any moment loses at most the calls in flight, and
 * recording a call costs one short fsynced append whatever the state's size.
 * Concurrent calls share appends: each waits until an append that includes its
 * own entry has landed, and no two overlap.
 *
 * The state file is rewritten from memory (a checkpoint, a compare-and-swap on
 * lineage and serial) every CHECKPOINT_ENTRIES entries or CHECKPOINT_MS, and by
 * finish() at the end of the apply, which then removes the journal.
 *
 * A remote state (git, s3) has no journal: there is nowhere durable to append
 * to cheaply. Calls are recorded in memory and the state is written through the
 * backend (a compare-and-swap on the version last read or written) every
 * REMOTE_WRITE_MS and at the end, so a killed job loses at most the records of
 * the last REMOTE_WRITE_MS; the next plan converges anyway (docs/state.md).
 */
import type { LiveProfile } from '../api/types.js';
import { StateConflictError, StateError } from '../errors.js';
import { explainWriteError } from '../state/atomic-write.js';
import type { StateBackend } from '../state/backend.js';
import { type JournalEntry, JournaledState } from '../state/journal.js';
import { JournalFile, removeJournal } from '../state/journal-file.js';
import { type StateStamp, writeState } from '../state/store.js';
import type { State } from '../state/types.js';

export interface Fingerprints {
  client_secret?: string;
  token?: string;
}

/** At most this many journal entries, or this long, between two rewrites of the state file. */
const CHECKPOINT_ENTRIES = 2000;
const CHECKPOINT_MS = 60_000;
/** How often a remote state is written during an apply: what a killed job can lose at most. */
export const REMOTE_WRITE_MS = 30_000;

const OP_WORDS: Record<JournalEntry['op'], string> = {
  profile: 'profile(s) recorded',
  rename: 'rename(s)',
  'forget-customer': 'customer(s) forgotten',
  'forget-profile': 'profile(s) forgotten',
  assign: 'assignment(s)',
  unassign: 'unassignment(s)',
};

export class StateRecorder {
  #memory: JournaledState;
  readonly #path: string;
  /** The file as this recorder last read or wrote it: every state write is a compare-and-swap against it. */
  #onDisk: StateStamp | null;
  #journal: JournalFile | undefined;
  #pending: string[] = [];
  #generation = 0;
  #written = 0;
  #writing: Promise<void> | undefined;
  /** Entries in the journal and not yet in the state file. */
  #unsaved = 0;
  #savedAt = Date.now();
  /** Set once an append failed: the journal may end torn, so nothing more is appended to it. */
  #broken: StateError | undefined;

  /** A remote backend (no journal), and the version of the state as last read or written there. */
  readonly #remote: StateBackend | undefined;
  #version: string | null = null;
  #remoteEveryMs = REMOTE_WRITE_MS;
  /** What the records since the last remote write did, for its commit message. */
  #ops = new Map<JournalEntry['op'], number>();
  readonly #operation: string;

  /**
   * `target`: the state file's path, or the backend (a local backend is its file).
   * `exists`: whether `state` was read from the file (false: a fresh state, no file
   * yet). `replayed`: journal entries already in `state` that its file lacks.
   * `version`: a remote backend's version of `state` (null: none written yet).
   */
  constructor(
    target: string | StateBackend,
    state: State,
    options: {
      exists: boolean;
      replayed?: number;
      version?: string | null;
      operation?: string;
      remoteEveryMs?: number;
    },
  ) {
    const local = typeof target === 'string' ? target : target.kind === 'local' ? target.location : undefined;
    this.#path = local ?? (target as StateBackend).location;
    this.#remote = local === undefined ? (target as StateBackend) : undefined;
    this.#version = options.version ?? null;
    this.#operation = options.operation ?? 'apply';
    if (options.remoteEveryMs !== undefined) this.#remoteEveryMs = options.remoteEveryMs;
    this.#memory = new JournaledState(structuredClone(state));
    this.#onDisk = options.exists ? { lineage: state.lineage, serial: state.serial } : null;
    this.#unsaved = options.replayed ?? 0;
  }

  get state(): State {
    return this.#memory.state;
  }

  /** Applies `mutate` to the state and writes the state file now (for corrections made before any call). */
  async commit(mutate: (state: State) => void, message = 'bookkeeping'): Promise<void> {
    await this.#settle();
    mutate(this.#memory.state);
    this.#memory = new JournaledState(this.#memory.state);
    await this.#checkpoint(message);
  }

  /**
   * Writes the state file if it lacks anything recorded, then removes the journal.
   * Throws (one line) when the state cannot be written; the journal then stays,
   * and the next run replays it.
   */
  async finish(): Promise<void> {
    await this.#settle();
    // A remote write refused (another writer won): writing again would be refused too.
    if (this.#remote && this.#broken) throw this.#broken;
    if (this.#unsaved > 0 || this.#journal) await this.#checkpoint();
  }

  async #settle(): Promise<void> {
    while (this.#writing) await this.#writing.catch(() => {});
  }

  async #record(entry: JournalEntry): Promise<void> {
    if (this.#broken) throw this.#broken;
    if (this.#remote) return this.#recordRemote(entry);
    this.#memory.apply(entry);
    this.#pending.push(`${JSON.stringify(entry)}\n`);
    this.#generation += 1;
    const target = this.#generation;
    while (this.#written < target) {
      if (!this.#writing) {
        this.#writing = this.#appendBatch().finally(() => {
          this.#writing = undefined;
        });
      }
      await this.#writing;
    }
  }

  async #appendBatch(): Promise<void> {
    if (this.#broken) throw this.#broken;
    const generation = this.#generation;
    const lines = this.#pending.splice(0);
    try {
      this.#journal ??= await JournalFile.start(this.#path, this.#onDisk, this.#memory.state.workspace);
      await this.#journal.append(lines.join(''));
    } catch (error) {
      const explained = explainWriteError(error);
      const reason = explained ? `${explained.reason}; ${explained.remedy}` : (error as Error).message;
      this.#broken = new StateError(
        `cannot record in the journal beside ${this.#path} (${reason}); what was recorded before is kept, and the next apply reads it`,
        { cause: error },
      );
      throw this.#broken;
    }
    this.#written = generation;
    this.#unsaved += lines.length;
    if (this.#unsaved >= CHECKPOINT_ENTRIES || Date.now() - this.#savedAt >= CHECKPOINT_MS) {
      await this.#checkpoint();
    }
  }

  /** In memory now; written through the backend once REMOTE_WRITE_MS have passed since the last write. */
  async #recordRemote(entry: JournalEntry): Promise<void> {
    this.#memory.apply(entry);
    this.#ops.set(entry.op, (this.#ops.get(entry.op) ?? 0) + 1);
    this.#unsaved += 1;
    if (this.#writing || Date.now() - this.#savedAt < this.#remoteEveryMs) return;
    this.#writing = this.#checkpoint().finally(() => {
      this.#writing = undefined;
    });
    try {
      await this.#writing;
    } catch (error) {
      // Another writer won: this apply no longer owns the state, and must stop recording.
      if (error instanceof StateConflictError) {
        this.#broken = error;
        throw error;
      }
      // The remote out of reach for a moment: written at the next interval, or at the end.
    }
  }

  /** What the records since the last write did, as a commit message says it. */
  #describe(message: string | undefined): string {
    if (message !== undefined) return `workato-oauth ${this.#operation}: ${message}`;
    const parts: string[] = [];
    for (const [op, words] of Object.entries(OP_WORDS)) {
      const n = this.#ops.get(op as JournalEntry['op']);
      if (n) parts.push(`${n} ${words}`);
    }
    return `workato-oauth ${this.#operation}: ${parts.length > 0 ? parts.join(', ') : 'state saved'}`;
  }

  /** The remote state from memory, one more serial, against the version last read or written. */
  async #writeRemote(remote: StateBackend, message: string | undefined): Promise<void> {
    const next = structuredClone(this.#memory.state);
    next.serial += 1;
    const counted = this.#unsaved;
    const described = this.#describe(message);
    const ops = this.#ops;
    this.#ops = new Map();
    try {
      this.#version = await remote.write(next, this.#version, described);
    } catch (error) {
      for (const [op, n] of ops) this.#ops.set(op, (this.#ops.get(op) ?? 0) + n);
      if (error instanceof StateConflictError) throw error;
      // Not saved, and no journal to keep it: the next plan finds what was done (creates are
      // adopted by name, a repeated assign or unassign is a success), so nothing is done twice.
      const reason =
        error instanceof StateError
          ? error.message
          : `cannot write the state to ${remote.location}: ${(error as Error).message}`;
      throw new StateError(
        `${reason}; what this apply did since the last write is not in the state: run plan, which finds it in Workato, and apply again`,
        { cause: error },
      );
    }
    this.#memory.state.serial = next.serial;
    this.#unsaved -= counted;
    this.#savedAt = Date.now();
  }

  /** The state file from memory, then a fresh start for the journal. */
  async #checkpoint(message?: string): Promise<void> {
    if (this.#remote) return this.#writeRemote(this.#remote, message);
    let written: State;
    try {
      written = await writeState(this.#path, this.#memory.state, this.#onDisk);
    } catch (error) {
      // writeState already says what went wrong, in one line.
      if (error instanceof StateError) throw error;
      throw new StateError(`cannot write the state file ${this.#path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#memory.state.serial = written.serial;
    this.#onDisk = { lineage: written.lineage, serial: written.serial };
    this.#unsaved = 0;
    this.#savedAt = Date.now();
    // The journal's base is now older than the state: were it left, it would be dropped as stale.
    await this.#journal?.close();
    this.#journal = undefined;
    await removeJournal(this.#path);
  }

  /** `renameTo`: a replacement under a temporary name, and the name it takes when the replace ends. */
  recordProfile(
    name: string,
    live: LiveProfile,
    fingerprints: Fingerprints,
    options: { preventDestroy: boolean; renameTo?: string },
  ): Promise<void> {
    return this.#record({
      op: 'profile',
      name,
      record: {
        id: live.id,
        provider: live.provider,
        client_id: live.data.client_id,
        updated_at: live.updated_at,
        ...(fingerprints.client_secret ? { client_secret_fingerprint: fingerprints.client_secret } : {}),
        ...(fingerprints.token ? { token_fingerprint: fingerprints.token } : {}),
        prevent_destroy: options.preventDestroy,
        ...(options.renameTo === undefined ? {} : { rename_to: options.renameTo }),
      },
    });
  }

  /** The profile now has another name in Workato: its record and every customer's holding follow. */
  renameProfile(from: string, to: string): Promise<void> {
    return this.#record({ op: 'rename', from, to });
  }

  /** The customer no longer exists in Workato: nothing it held is held any more. */
  forgetCustomer(key: string): Promise<void> {
    return this.#record({ op: 'forget-customer', key });
  }

  forgetProfile(name: string): Promise<void> {
    return this.#record({ op: 'forget-profile', name });
  }

  recordAssignment(
    key: string,
    profile: string,
    known?: { id: number; external_id: string | null },
  ): Promise<void> {
    return this.#record({
      op: 'assign',
      key,
      profile,
      ...(known ? { id: known.id } : {}),
      ...(known && known.external_id !== null ? { external_id: known.external_id } : {}),
    });
  }

  recordUnassignment(key: string, profile: string): Promise<void> {
    return this.#record({ op: 'unassign', key, profile });
  }
}
