/**
 * The `local` backend: today's state file, its lock folder and its journal,
 * behind the StateBackend contract. Version: the file's `lineage:serial`. The
 * journal (src/state/journal.ts) stays a durability layer of this backend only:
 * `read` folds a journal a stopped apply left, and a successful `write` (of a
 * state read with it folded in) removes it.
 */
import type { StateBackend, VersionedState } from './backend.js';
import { journalApplies } from './journal.js';
import { readJournal, removeJournal } from './journal-file.js';
import { acquireStateLock, type StateLock } from './lock.js';
import { checkStateWritable, readStateWithJournal, type StateStamp, writeStateExact } from './store.js';
import type { State } from './types.js';

export function localVersion(state: Pick<State, 'lineage' | 'serial'>): string {
  return `${state.lineage}:${state.serial}`;
}

function parseVersion(version: string | null): StateStamp | null {
  if (version === null) return null;
  const colon = version.lastIndexOf(':');
  return { lineage: version.slice(0, colon), serial: Number(version.slice(colon + 1)) };
}

export function createLocalBackend(path: string): StateBackend & { readonly path: string } {
  return {
    kind: 'local',
    location: path,
    path,
    async read(): Promise<VersionedState | undefined> {
      const found = await readStateWithJournal(path);
      if (found === undefined) return undefined;
      // The file's own stamp: folding a journal changes no serial.
      return {
        state: found.state,
        version: found.exists ? localVersion(found.state) : null,
        replayed: found.replayed,
      };
    },
    async write(state: State, expect: string | null): Promise<string> {
      await writeStateExact(path, state, parseVersion(expect));
      await removeJournal(path);
      return localVersion(state);
    },
    lock(options): Promise<StateLock> {
      // The local lock keeps its own stale period (10 s, refreshed every 2 s): see lock.ts.
      return acquireStateLock(path, { timeoutSeconds: options.timeoutSeconds, onMessage: options.onMessage });
    },
    async pendingRecords(version: string | null): Promise<number> {
      const journal = await readJournal(path);
      if (journal === undefined) return 0;
      const file = parseVersion(version) ?? undefined;
      return journalApplies(journal.header.base, file) ? journal.entries.length : 0;
    },
    checkWritable: () => checkStateWritable(path),
  };
}
