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
 */
import type { LiveProfile } from '../api/types.js';
import { StateError } from '../errors.js';
import { explainWriteError } from '../state/atomic-write.js';
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

  /**
   * `exists`: whether `state` was read from the file (false: a fresh state, no file
   * yet). `replayed`: journal entries already in `state` that its file lacks.
   */
  constructor(path: string, state: State, options: { exists: boolean; replayed?: number }) {
    this.#path = path;
    this.#memory = new JournaledState(structuredClone(state));
    this.#onDisk = options.exists ? { lineage: state.lineage, serial: state.serial } : null;
    this.#unsaved = options.replayed ?? 0;
  }

  get state(): State {
    return this.#memory.state;
  }

  /** Applies `mutate` to the state and writes the state file now (for corrections made before any call). */
  async commit(mutate: (state: State) => void): Promise<void> {
    await this.#settle();
    mutate(this.#memory.state);
    this.#memory = new JournaledState(this.#memory.state);
    await this.#checkpoint();
  }

  /**
   * Writes the state file if it lacks anything recorded, then removes the journal.
   * Throws (one line) when the state cannot be written; the journal then stays,
   * and the next run replays it.
   */
  async finish(): Promise<void> {
    await this.#settle();
    if (this.#unsaved > 0 || this.#journal) await this.#checkpoint();
  }

  async #settle(): Promise<void> {
    while (this.#writing) await this.#writing.catch(() => {});
  }

  async #record(entry: JournalEntry): Promise<void> {
    if (this.#broken) throw this.#broken;
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

  /** The state file from memory, then a fresh start for the journal. */
  async #checkpoint(): Promise<void> {
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
