/** The journal on disk (see src/state/journal.ts): read at start, appended and fsynced during an apply. */
import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StateError } from '../errors.js';
import { syncFolder, writeFileAtomic } from './atomic-write.js';
import {
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalHeader,
  journalPath,
  parseJournal,
} from './journal.js';

/** The journal beside `statePath`; undefined when there is none. */
export async function readJournal(
  statePath: string,
): Promise<{ header: JournalHeader; entries: JournalEntry[] } | undefined> {
  const path = journalPath(statePath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read journal file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseJournal(text, path);
}

export async function removeJournal(statePath: string): Promise<void> {
  await rm(journalPath(statePath), { force: true });
  await syncFolder(dirname(statePath)).catch(() => {});
}

/** A journal being written: its header in place first (atomically), then one fsynced append per batch. */
export class JournalFile {
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  static async start(
    statePath: string,
    base: JournalHeader['base'],
    workspace: string,
  ): Promise<JournalFile> {
    const path = journalPath(statePath);
    const header: JournalHeader = { journal: JOURNAL_VERSION, base, workspace };
    await writeFileAtomic(path, `${JSON.stringify(header)}\n`);
    return new JournalFile(await open(path, 'a'));
  }

  /** Resolves once `lines` (each ending in "\n") are on disk. */
  async append(lines: string): Promise<void> {
    await this.#handle.write(lines);
    await this.#handle.datasync();
  }

  async close(): Promise<void> {
    await this.#handle.close().catch(() => {});
  }
}
