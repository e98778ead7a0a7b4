/**
 * The state lock: one writer per state file at a time, across processes and hosts
 * sharing a folder.
 *
 * The lock is a folder, `<state>.lock/`, holding numbered holder files (`1`, `2`,
 * ...; each `{host, pid, since, token}`), made complete in a temp file and put in
 * place with link(2), which fails when the name exists: of any number of
 * processes claiming the same number, exactly one gets it. The highest number is
 * the holder. Its holder refreshes the file's mtime every 2 s; the lock is stale
 * after 10 s without a refresh, or at once when its holder is a process of this
 * host that is gone.
 *
 * Taking over a stale or dead holder `N` means claiming `N + 1`, and the claim
 * stands only if `N` is still there, with the token that was judged (so a
 * decision made on an old listing, or on a number reused after a release,
 * never wins), and nothing above it. The winner then removes the numbers below
 * its own, lowest first, so that a number missing always means every number
 * below it is gone too. Release removes the holder's file, then the folder
 * when nothing else is in it. No step removes a file it has not judged; a lost
 * race ends in waiting, never in two holders or a raw error.
 *
 * A holder that was paused or starved past the stale period (SIGSTOP, a laptop
 * lid) finds at its next refresh that its file is gone or outranked: the lock
 * is then lost, `signal` aborts, and the apply stops sending. State writes are
 * compare-and-swap on lineage and serial (src/state/store.ts), so a writer that
 * lost the lock cannot overwrite what the new holder wrote.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RefusedError, StateError } from '../errors.js';
import { explainWriteError, isProcessAlive, removeStaleTempFiles } from './atomic-write.js';
import { keepLock } from './held-lock.js';

export interface LockHolder {
  host: string;
  pid: number;
  since: string;
  token: string;
}

export interface StateLock {
  /** Aborted, with the reason as a sentence, when another process has taken the lock. */
  readonly signal: AbortSignal;
  /** Checks now that the lock is still held (aborting `signal` if not), instead of at the next refresh. */
  verify(): Promise<void>;
  /** Never throws: it runs in `finally` blocks, where it would hide the error that got there. */
  release(): Promise<void>;
}

export const LOCK_STALE_MS = 10_000;
const REFRESH_MS = 2_000;
const POLL_MS = 250;

interface Entry {
  gen: number;
  holder: LockHolder | undefined;
  mtimeMs: number;
}

export function lockDir(statePath: string): string {
  return `${statePath}.lock`;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The holder numbers in the folder, lowest first; none when there is no folder. */
async function listGens(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return names
    .filter((name) => /^[1-9]\d{0,14}$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

async function readEntry(dir: string, gen: number): Promise<Entry | undefined> {
  const file = join(dir, String(gen));
  try {
    const { mtimeMs } = await stat(file);
    return { gen, holder: parseHolder(await readFile(file, 'utf8')), mtimeMs };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.token !== 'string' || typeof value.pid !== 'number') return undefined;
    return {
      host: String(value.host),
      pid: value.pid,
      since: String(value.since),
      token: value.token,
    };
  } catch {
    return undefined;
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}` : 'an unknown process';
}

type Verdict = 'live' | 'gone' | 'stale';

function judge(entry: Entry, nowMs: number): Verdict {
  const holder = entry.holder;
  if (holder && holder.host === hostname() && !isProcessAlive(holder.pid)) return 'gone';
  return nowMs - entry.mtimeMs > LOCK_STALE_MS ? 'stale' : 'live';
}

function sameEntry(a: Entry | undefined, b: Entry): boolean {
  return a !== undefined && a.holder?.token === b.holder?.token;
}

export async function acquireStateLock(
  statePath: string,
  options: {
    timeoutSeconds: number;
    onMessage: (line: string) => void;
    now?: () => Date;
    /** How often the holder refreshes its file and looks for a takeover; tests shorten it. */
    refreshMs?: number;
  },
): Promise<StateLock> {
  const now = options.now ?? (() => new Date());
  const dir = lockDir(statePath);
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const announced = new Set<string>();
  let waiting = false;
  for (;;) {
    const top = (await guard(statePath, () => listGens(dir))).at(-1);
    let predecessor: Entry | undefined;
    if (top !== undefined) {
      const entry = await guard(statePath, () => readEntry(dir, top));
      if (entry === undefined) continue; // released or taken meanwhile: look again
      const verdict = judge(entry, Date.now());
      if (verdict === 'live') {
        if (Date.now() >= deadline) {
          throw new RefusedError(
            `the state ${statePath} is locked by ${describeHolder(entry.holder)}; another apply is running (wait, or raise --lock-timeout)`,
          );
        }
        if (!waiting) {
          options.onMessage(`Waiting for the state lock held by ${describeHolder(entry.holder)}...`);
          waiting = true;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
      const key = `${entry.gen}:${entry.holder?.token}`;
      if (!announced.has(key)) {
        announced.add(key);
        options.onMessage(
          verdict === 'gone'
            ? `Taking over the state lock left by a process that is gone (${describeHolder(entry.holder)}).`
            : `Taking over a stale state lock, not refreshed for ${LOCK_STALE_MS / 1000} s (${describeHolder(entry.holder)}).`,
        );
      }
      predecessor = entry;
    }
    const gen = (top ?? 0) + 1;
    const holder: LockHolder = {
      host: hostname(),
      pid: process.pid,
      since: now().toISOString(),
      token: randomBytes(12).toString('hex'),
    };
    if (!(await guard(statePath, () => claim(dir, gen, holder)))) continue;
    const won = await guard(statePath, async () => {
      if (predecessor && !sameEntry(await readEntry(dir, predecessor.gen), predecessor)) return false;
      return !(await listGens(dir)).some((other) => other > gen);
    });
    if (!won) {
      await removeIfMine(dir, gen, holder.token);
      continue;
    }
    // Lowest first: a missing number then always means every one below it is gone.
    for (const other of await listGens(dir).catch(() => [])) {
      if (other < gen) await rm(join(dir, String(other)), { force: true }).catch(() => {});
    }
    await removeStaleTempFiles(statePath);
    return holdLock(statePath, gen, holder, options.refreshMs ?? REFRESH_MS);
  }
}

/** Puts holder file `gen` in place, complete, unless that number is taken. */
async function claim(dir: string, gen: number, holder: LockHolder): Promise<boolean> {
  // Not recursive: a state whose folder is missing is an error, not a folder to make.
  await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const temp = join(dir, `.${gen}.${process.pid}.${holder.token.slice(0, 8)}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(holder)}\n`);
    await link(temp, join(dir, String(gen)));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EEXIST: another process claimed the number first. ENOENT: the folder went
    // away with a release between mkdir and link. Either way, look again.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    // A full disk or a folder this user may not write: leave no empty lock folder behind.
    await rm(temp, { force: true }).catch(() => {});
    await rmdir(dir).catch(() => {});
    throw error;
  } finally {
    await rm(temp, { force: true }).catch(() => {});
  }
}

async function removeIfMine(dir: string, gen: number, token: string): Promise<void> {
  const entry = await readEntry(dir, gen).catch(() => undefined);
  if (entry?.holder?.token === token) await rm(join(dir, String(gen)), { force: true }).catch(() => {});
}

function holdLock(statePath: string, gen: number, holder: LockHolder, refreshMs: number): StateLock {
  const dir = lockDir(statePath);
  const file = join(dir, String(gen));
  return keepLock(
    {
      async refresh(lose) {
        try {
          const mine = await readEntry(dir, gen);
          const gens = await listGens(dir);
          const top = gens.at(-1);
          if (mine?.holder?.token !== holder.token || (top !== undefined && top > gen)) {
            const taker = top === undefined ? undefined : await readEntry(dir, top).catch(() => undefined);
            const by =
              taker?.holder && taker.holder.token !== holder.token
                ? ` by ${describeHolder(taker.holder)}`
                : '';
            lose(
              `the state lock was taken over${by} while this process held it (paused or stalled past ${LOCK_STALE_MS / 1000} s without a refresh)`,
            );
            return;
          }
          const at = new Date();
          await utimes(file, at, at);
        } catch (error) {
          if (isMissing(error)) lose('the state lock was removed while this process held it');
          // Anything else (a folder gone read-only for a moment): try again at the next refresh.
        }
      },
      async remove() {
        await removeIfMine(dir, gen, holder.token);
        // Only when empty: another process may be claiming the next number right now.
        await rmdir(dir).catch(() => {});
      },
    },
    refreshMs,
  );
}

/** Runs a step of taking the lock; a full disk or a permission error becomes one line naming the file. */
async function guard<T>(statePath: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StateError || error instanceof RefusedError) throw error;
    throw lockError(statePath, error);
  }
}

/** One line for a lock that could not be made: a full disk, permissions, or the error as it came. */
function lockError(statePath: string, error: unknown): StateError {
  const explained = explainWriteError(error);
  const reason = explained ? `${explained.reason}; ${explained.remedy}` : (error as Error).message;
  return new StateError(`cannot lock state file ${statePath} (at ${lockDir(statePath)}): ${reason}`, {
    cause: error,
  });
}
