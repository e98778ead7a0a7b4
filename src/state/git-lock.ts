/**
 * The git backend's lock: a ref of its own (`refs/workato-oauth/lock`) pointing
 * at a commit whose `lock.json` says who holds it: `{holder, pid, host, since,
 * refreshed, operation, token}`.
 *
 * - Taking it: a push with `--force-with-lease=<lock>:` (the ref must not exist),
 *   so of any number of runs exactly one creates it.
 * - Holding it: a fresh commit pushed every REFRESH (a tenth of the stale
 *   period, at most 60 s) with a lease on the holder's own last commit. A refresh
 *   the remote refuses means another run took the lock over: `signal` aborts.
 * - Taking over: a lock whose `refreshed` is older than the stale period (10 min
 *   by default) is replaced by a push leased on the commit that was judged, so of
 *   two runs taking it over one wins and the other waits. Liveness of the
 *   holder's pid is never used: two CI runners may share a host name.
 * - Releasing: deleting the ref, leased on the holder's own commit.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { RefusedError } from '../errors.js';
import { type BackendLockOptions, REMOTE_LOCK_STALE_MS } from './backend.js';
import type { GitRemote } from './git-backend.js';
import { keepLock } from './held-lock.js';
import type { StateLock } from './lock.js';

const LOCK_FILE = 'lock.json';
const POLL_MS = 1000;

export interface GitLockHolder {
  holder: string;
  pid: number;
  host: string;
  since: string;
  refreshed: string;
  operation: string;
  token: string;
}

function whoAmI(env: NodeJS.ProcessEnv): string {
  let user = 'someone';
  try {
    user = userInfo().username;
  } catch {}
  const run = env['GITHUB_RUN_ID'] ? ` (GitHub Actions run ${env['GITHUB_RUN_ID']})` : '';
  return `${user}@${hostname()}${run}`;
}

export function describeGitHolder(found: GitLockHolder | undefined, nowMs: number): string {
  if (found === undefined) return 'an unknown run';
  const age = Math.max(0, Math.round((nowMs - Date.parse(found.refreshed)) / 1000));
  return `${found.holder} (pid ${found.pid} on ${found.host}, ${found.operation} since ${found.since}, last refreshed ${age} s ago)`;
}

async function readHolder(
  remote: GitRemote,
  ref: string,
): Promise<{ commit: string; holder: GitLockHolder | undefined } | undefined> {
  const commit = await remote.fetch(ref);
  if (commit === undefined) return undefined;
  const text = await remote.repo.run(['cat-file', 'blob', `${commit}:${LOCK_FILE}`]);
  try {
    const value = JSON.parse(text.stdout) as GitLockHolder;
    return { commit, holder: typeof value.refreshed === 'string' ? value : undefined };
  } catch {
    return { commit, holder: undefined };
  }
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

export async function acquireGitLock(
  remote: GitRemote,
  ref: string,
  options: BackendLockOptions & { refreshMs?: number; env?: NodeJS.ProcessEnv },
): Promise<StateLock> {
  const staleMs = options.staleMs ?? REMOTE_LOCK_STALE_MS;
  const refreshMs = options.refreshMs ?? Math.min(60_000, Math.max(200, Math.floor(staleMs / 10)));
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const me: GitLockHolder = {
    holder: whoAmI(options.env ?? process.env),
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    refreshed: new Date().toISOString(),
    operation: options.operation,
    token: randomBytes(12).toString('hex'),
  };
  const announced = new Set<string>();
  let waiting = false;
  for (;;) {
    me.refreshed = new Date().toISOString();
    const mine = await lockCommit(remote, me);
    if ((await remote.push(mine, ref, null)) === 'ok')
      return holdGitLock(remote, ref, me, mine, staleMs, refreshMs);
    const current = await readHolder(remote, ref);
    if (current === undefined) continue; // released meanwhile: try again
    const refreshedMs = current.holder ? Date.parse(current.holder.refreshed) : Number.NaN;
    // A lock nobody can read the time of is judged by the stale period from now on.
    const stale = Number.isFinite(refreshedMs) && Date.now() - refreshedMs > staleMs;
    if (stale) {
      if (!announced.has(current.commit)) {
        announced.add(current.commit);
        options.onMessage(
          `Taking over a stale state lock, not refreshed for over ${seconds(staleMs)}: ${describeGitHolder(current.holder, Date.now())}.`,
        );
      }
      me.refreshed = new Date().toISOString();
      const taking = await lockCommit(remote, me);
      if ((await remote.push(taking, ref, current.commit)) === 'ok') {
        return holdGitLock(remote, ref, me, taking, staleMs, refreshMs);
      }
      continue; // another run took it first, or its holder refreshed: judge again
    }
    if (Date.now() >= deadline) {
      throw new RefusedError(
        `the state ${remote.location} is locked by ${describeGitHolder(current.holder, Date.now())}; another run is using it (wait, or raise --lock-timeout; a lock not refreshed for ${seconds(staleMs)} is taken over)`,
      );
    }
    if (!waiting) {
      options.onMessage(
        `Waiting for the state lock held by ${describeGitHolder(current.holder, Date.now())}...`,
      );
      waiting = true;
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()) + 10)),
    );
  }
}

function lockCommit(remote: GitRemote, holder: GitLockHolder): Promise<string> {
  return remote.commitFile(
    LOCK_FILE,
    `${JSON.stringify(holder, null, 2)}\n`,
    null,
    `lock: ${holder.operation} by ${holder.holder}`,
  );
}

function holdGitLock(
  remote: GitRemote,
  ref: string,
  me: GitLockHolder,
  first: string,
  staleMs: number,
  refreshMs: number,
): StateLock {
  let current = first;
  let confirmedAt = Date.now();
  return keepLock(
    {
      async refresh(lose) {
        // Past the stale period without a refresh, another run may already hold it: stop, whatever the remote says.
        if (Date.now() - confirmedAt > staleMs) {
          lose(
            `the state lock went unrefreshed for over ${seconds(staleMs)} (this process was paused, or could not reach the remote), so another run may have taken it over`,
          );
          return;
        }
        try {
          me.refreshed = new Date().toISOString();
          const next = await lockCommit(remote, me);
          if ((await remote.push(next, ref, current)) === 'ok') {
            current = next;
            confirmedAt = Date.now();
            return;
          }
          const taker = await readHolder(remote, ref).catch(() => undefined);
          const by =
            taker?.holder && taker.holder.token !== me.token
              ? ` by ${describeGitHolder(taker.holder, Date.now())}`
              : '';
          lose(
            `the state lock was taken over${by} while this process held it (not refreshed for over ${seconds(staleMs)})`,
          );
        } catch {
          // The remote out of reach for a moment: try again at the next refresh.
        }
      },
      // A push per API call would be slow: confirm again only once half a refresh period has passed.
      confirmedRecently: () => Date.now() - confirmedAt < refreshMs / 2,
      async remove(lost) {
        if (lost) return; // not ours any more: leave the new holder's lock alone
        await remote.push(null, ref, current).catch(() => {});
      },
    },
    refreshMs,
  );
}
