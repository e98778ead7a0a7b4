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
import { RefusedError } from '../errors.js';

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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
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
      // proper-lockfile refreshes the directory's mtime every 5 s and gives the lock
      // up as compromised when it finds an mtime it did not set; adding a file moves
      // it, so put back the one proper-lockfile set.
      const { mtime } = await stat(lockDir(statePath));
      await writeFile(holderFile, `${JSON.stringify(holder)}\n`);
      await utimes(lockDir(statePath), mtime, mtime);
      return {
        // The lock is a directory: empty it first, or proper-lockfile cannot remove it.
        release: async () => {
          await rm(holderFile, { force: true });
          await release().catch(() => {});
        },
      };
    } catch (error) {
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
      if (code !== 'ELOCKED') throw error;
      const holder = await readHolder(statePath);
      if (holder && holder.host === hostname() && !isAlive(holder.pid)) {
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
