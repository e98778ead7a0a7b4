/**
 * The state lock: one apply per state file at a time. proper-lockfile does the
 * atomic part (mkdir of `<state>.lock`, mtime refreshed while held, stale after
 * 10 s without refresh). On top of it we record who holds the lock, so a waiting
 * apply can name the holder, and so a lock left by a killed process on this host
 * is taken over at once instead of after the stale period.
 */
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { RefusedError, StateError } from '../errors.js';
import { explainWriteError, isProcessAlive, removeStaleTempFiles } from './atomic-write.js';

export interface LockHolder {
  host: string;
  pid: number;
  since: string;
}

export interface StateLock {
  release(): Promise<void>;
}

const STALE_MS = 10_000;
const POLL_MS = 250;

function lockDir(statePath: string): string {
  return `${statePath}.lock`;
}

async function readHolder(statePath: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(join(lockDir(statePath), 'holder.json'), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}` : 'an unknown process';
}

export async function acquireStateLock(
  statePath: string,
  options: { timeoutSeconds: number; onMessage: (line: string) => void; now?: () => Date },
): Promise<StateLock> {
  const now = options.now ?? (() => new Date());
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let announced = false;
  for (;;) {
    try {
      const release = await lockfile.lock(statePath, {
        realpath: false,
        lockfilePath: lockDir(statePath),
        stale: STALE_MS,
        onCompromised: (error) =>
          options.onMessage(`warning: the state lock was compromised: ${error.message}`),
      });
      const holder: LockHolder = { host: hostname(), pid: process.pid, since: now().toISOString() };
      const holderFile = join(lockDir(statePath), 'holder.json');
      // Never throws: it runs in `finally` blocks, where it would hide the error
      // that got there. What it cannot remove (a folder made read-only meanwhile)
      // names this pid, and the next apply on this host takes it over.
      const releaseLock = async () => {
        // The lock is a directory: empty it first, or proper-lockfile cannot remove it.
        await rm(holderFile, { force: true }).catch(() => {});
        await release().catch(() => {});
      };
      try {
        // proper-lockfile refreshes the directory's mtime every 5 s and gives the lock
        // up as compromised when it finds an mtime it did not set; adding a file moves
        // it, so put back the one proper-lockfile set.
        const { mtime } = await stat(lockDir(statePath));
        await writeFile(holderFile, `${JSON.stringify(holder)}\n`);
        await utimes(lockDir(statePath), mtime, mtime);
      } catch (error) {
        // A holder.json cut short by a full disk names nobody, and would keep the
        // lock from being taken over: give the lock back instead of keeping it so.
        await releaseLock();
        throw lockError(statePath, error);
      }
      await removeStaleTempFiles(statePath);
      return { release: releaseLock };
    } catch (error) {
      if (error instanceof StateError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTEMPTY: proper-lockfile found the lock stale (not refreshed for STALE_MS)
      // but cannot remove a directory that holds holder.json.
      if (code === 'ENOTEMPTY') {
        const holder = await readHolder(statePath);
        options.onMessage(
          `Taking over a stale state lock, not refreshed for ${STALE_MS / 1000} s (${describeHolder(holder)}).`,
        );
        await rm(lockDir(statePath), { recursive: true, force: true });
        continue;
      }
      if (code !== 'ELOCKED') throw lockError(statePath, error);
      const holder = await readHolder(statePath);
      if (holder && holder.host === hostname() && !isProcessAlive(holder.pid)) {
        options.onMessage(
          `Taking over the state lock left by a process that is gone (${describeHolder(holder)}).`,
        );
        await rm(lockDir(statePath), { recursive: true, force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new RefusedError(
          `the state ${statePath} is locked by ${describeHolder(holder)}; another apply is running (wait, or raise --lock-timeout)`,
        );
      }
      if (!announced) {
        options.onMessage(`Waiting for the state lock held by ${describeHolder(holder)}...`);
        announced = true;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
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
