import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateRecorder } from '../../src/apply/recorder.js';
import { RefusedError, StateConflictError } from '../../src/errors.js';
import type { StateBackend } from '../../src/state/backend.js';
import { CACHE_LOOSE_LIMIT } from '../../src/state/git.js';
import { createGitBackend, lockRefFor } from '../../src/state/git-backend.js';
import { DEFAULT_GIT_REF } from '../../src/state/location.js';
import { emptyState } from '../../src/state/store.js';

const URL = 'https://www.workato.com';
let dir: string;
let remote: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { encoding: 'utf8' }).trim();
}

function open(options: { lockStaleMs?: number; ref?: string } = {}): Promise<StateBackend> {
  return createGitBackend({
    remote,
    ref: options.ref ?? DEFAULT_GIT_REF,
    configDir: dir,
    cwd: dir,
    env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') },
    ...(options.lockStaleMs === undefined ? {} : { lockStaleMs: options.lockStaleMs }),
  });
}

const quiet = { timeoutSeconds: 0, operation: 'test', onMessage: () => {} };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-git-'));
  remote = join(dir, 'remote.git');
  git('init', '--bare', '--quiet', remote);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('git state backend', () => {
  it('reads nothing at first, then what was written, as one commit on the state ref', async () => {
    const backend = await open();
    expect(await backend.read()).toBeUndefined();
    const state = { ...emptyState(URL), serial: 1 };
    const version = await backend.write(state, null, 'apply: first');
    expect(git('--git-dir', remote, 'rev-parse', DEFAULT_GIT_REF)).toBe(version);
    // Not a branch: the remote's branches are untouched.
    expect(git('--git-dir', remote, 'for-each-ref', '--format=%(refname)')).toBe(DEFAULT_GIT_REF);
    const read = await (await open()).read();
    expect(read?.version).toBe(version);
    expect(read?.state).toEqual(state);
  });

  it('refuses a write on a version that is no longer the remote one, and keeps what is there', async () => {
    const a = await open();
    const b = await open();
    const first = await a.write({ ...emptyState(URL), serial: 1 }, null, 'one');
    const seenByB = (await b.read())!;
    const byA = await a.write({ ...seenByB.state, serial: 2, profiles: {} }, first, 'two');
    const lost = b.write({ ...seenByB.state, serial: 2 }, seenByB.version, 'stale');
    await expect(lost).rejects.toThrow(StateConflictError);
    await expect(lost).rejects.toThrow(/nothing it wrote was overwritten/);
    expect(git('--git-dir', remote, 'rev-parse', DEFAULT_GIT_REF)).toBe(byA);
    // A create on a ref that exists is a lost race too.
    await expect(b.write(emptyState(URL), null, 'again')).rejects.toThrow(StateConflictError);
  });

  it('lists the history newest first, with serials and messages', async () => {
    const backend = await open();
    let version: string | null = null;
    let state = emptyState(URL);
    for (const message of ['apply: one', 'apply: two', 'apply: three']) {
      state = { ...state, serial: state.serial + 1 };
      version = await backend.write(state, version, message);
    }
    const history = await backend.history!(10);
    expect(history.map((h) => [h.serial, h.message])).toEqual([
      [3, 'apply: three'],
      [2, 'apply: two'],
      [1, 'apply: one'],
    ]);
    expect(history[0]!.version).toBe(version);
  });

  it('admits one lock holder; the other is refused, naming the holder and what it does', async () => {
    const first = await (await open()).lock({ ...quiet, operation: 'apply' });
    const second = (await open()).lock(quiet);
    await expect(second).rejects.toThrow(RefusedError);
    await expect(second).rejects.toThrow(/is locked by .*pid \d+ on .*apply since/);
    await first.release();
    expect(git('--git-dir', remote, 'for-each-ref', lockRefFor(DEFAULT_GIT_REF))).toBe('');
    const third = await (await open()).lock(quiet);
    await third.release();
  });

  it('keeps a lock its holder refreshes past the stale period', async () => {
    const holder = await (await open({ lockStaleMs: 4000 })).lock(quiet);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    await expect((await open({ lockStaleMs: 4000 })).lock(quiet)).rejects.toThrow(RefusedError);
    expect(holder.signal.aborted).toBe(false);
    await holder.release();
  });

  it('takes over a lock its holder stopped refreshing (killed) once stale, not before', async () => {
    const lockRef = lockRefFor(DEFAULT_GIT_REF);
    const plant = (minutesAgo: number) => {
      const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const holder = {
        holder: 'ci@runner',
        pid: 4242,
        host: 'runner',
        since: at,
        refreshed: at,
        operation: 'apply',
        token: 't',
      };
      const blob = execFileSync('git', ['--git-dir', remote, 'hash-object', '-w', '--stdin'], {
        input: JSON.stringify(holder),
      })
        .toString()
        .trim();
      const tree = execFileSync('git', ['--git-dir', remote, 'mktree'], {
        input: `100644 blob ${blob}\tlock.json\n`,
      })
        .toString()
        .trim();
      const commit = execFileSync('git', ['--git-dir', remote, 'commit-tree', tree, '-m', 'lock'], {
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      })
        .toString()
        .trim();
      git('--git-dir', remote, 'update-ref', lockRef, commit);
      return commit;
    };
    plant(9);
    await expect((await open()).lock(quiet)).rejects.toThrow(
      /locked by ci@runner \(pid 4242 on runner, apply since .*last refreshed 5\d\d s ago\)/,
    );
    const dead = plant(11);
    const messages: string[] = [];
    const taker = await (await open()).lock({ ...quiet, onMessage: (m) => messages.push(m) });
    expect(messages).toEqual([
      expect.stringMatching(/^Taking over a stale state lock, not refreshed for over 10 min: ci@runner/),
    ]);
    expect(git('--git-dir', remote, 'rev-parse', lockRef)).not.toBe(dead);
    await taker.release();
    expect(git('--git-dir', remote, 'for-each-ref', lockRef)).toBe('');
  });

  it('a holder whose lock was taken over finds out at its next refresh, and leaves the new lock alone', async () => {
    const lockRef = lockRefFor(DEFAULT_GIT_REF);
    // Refreshed every 2 s: a taker judging it stale has time to win its compare-and-swap.
    const old = await (await open({ lockStaleMs: 20_000 })).lock(quiet);
    // Judged with a stale period of 1 ms, any lock is stale (as a holder paused past the period would be).
    await (await open({ lockStaleMs: 1 })).lock(quiet);
    const taken = git('--git-dir', remote, 'rev-parse', lockRef);
    // The old holder's next refresh is refused by its lease.
    for (let waited = 0; !old.signal.aborted && waited < 20_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(old.signal.aborted).toBe(true);
    expect((old.signal.reason as Error).message).toMatch(/taken over by .* while this process held it/);
    await old.release();
    expect(git('--git-dir', remote, 'rev-parse', lockRef)).toBe(taken);
  }, 60_000);

  it('an apply whose state was written by another run is refused at its next write, and overwrites nothing', async () => {
    const backend = await open();
    const start = { ...emptyState(URL), serial: 1 };
    const v1 = await backend.write(start, null, 'one');
    // remoteEveryMs 0: every record is written at once, as one every 30 s would be.
    const recorder = new StateRecorder(backend, start, { exists: true, version: v1, remoteEveryMs: 0 });
    await recorder.recordAssignment('E:A1', 'P', { id: 1, external_id: 'A1' });
    const afterFirst = git('--git-dir', remote, 'rev-parse', DEFAULT_GIT_REF);
    expect(git('--git-dir', remote, 'log', '-1', '--format=%s', afterFirst)).toBe(
      'workato-oauth apply: 1 assignment(s)',
    );
    // Another run (one that took the lock over) writes.
    const other = (await (await open()).read())!;
    const theirs = await backend.write(
      { ...other.state, serial: other.state.serial + 1, customers: {} },
      other.version,
      'theirs',
    );
    await expect(recorder.recordAssignment('E:A2', 'P', { id: 2, external_id: 'A2' })).rejects.toThrow(
      StateConflictError,
    );
    await expect(recorder.finish()).rejects.toThrow(/nothing it wrote was overwritten/);
    expect(git('--git-dir', remote, 'rev-parse', DEFAULT_GIT_REF)).toBe(theirs);
    expect((await backend.read())!.state.customers).toEqual({});
  });

  it('an apply writes a remote state once per interval and at the end, not per call', async () => {
    const backend = await open();
    const start = { ...emptyState(URL), serial: 1 };
    const v1 = await backend.write(start, null, 'one');
    const recorder = new StateRecorder(backend, start, { exists: true, version: v1, remoteEveryMs: 1500 });
    const commits = () => Number(git('--git-dir', remote, 'rev-list', '--count', DEFAULT_GIT_REF));
    await recorder.recordAssignment('E:A1', 'P', { id: 1, external_id: 'A1' });
    await recorder.recordAssignment('E:A2', 'P', { id: 2, external_id: 'A2' });
    expect(commits()).toBe(1); // within the interval: in memory only
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await recorder.recordAssignment('E:A3', 'P', { id: 3, external_id: 'A3' });
    expect(commits()).toBe(2); // the interval passed: everything so far, in one commit
    expect(Object.keys((await backend.read())!.state.customers).sort()).toEqual(['E:A1', 'E:A2', 'E:A3']);
    await recorder.recordUnassignment('E:A3', 'P');
    await recorder.finish();
    expect(commits()).toBe(3); // and at the end
    expect(git('--git-dir', remote, 'log', '-1', '--format=%s', DEFAULT_GIT_REF)).toBe(
      'workato-oauth apply: 1 unassignment(s)',
    );
    expect((await backend.read())!.state.serial).toBe(3);
  });
});

describe('the cache repository', () => {
  /** The one bare repository under the cache folder. */
  function cacheRepo(): string {
    const root = join(dir, 'cache', 'workato-oauth', 'git');
    const found = readdirSync(root).filter((name) => name.endsWith('.git'));
    expect(found).toHaveLength(1);
    return join(root, found[0]!);
  }

  function looseObjects(repo: string): number {
    return Number(/^count: (\d+)$/m.exec(git('--git-dir', repo, 'count-objects', '-v'))?.[1]);
  }

  /** Objects a run leaves behind: unreachable, `ageMs` old. */
  async function leaveObjects(repo: string, count: number, ageMs: number): Promise<void> {
    const files = join(dir, 'blobs');
    await mkdir(files);
    const paths = Array.from({ length: count }, (_, i) => join(files, String(i)));
    await Promise.all(paths.map((path, i) => writeFile(path, `state ${i}\n`)));
    execFileSync('git', ['--git-dir', repo, 'hash-object', '-w', '--stdin-paths'], {
      input: paths.join('\n'),
    });
    const then = new Date(Date.now() - ageMs);
    for (const folder of readdirSync(join(repo, 'objects')).filter((name) => /^[0-9a-f]{2}$/.test(name))) {
      for (const file of readdirSync(join(repo, 'objects', folder))) {
        await utimes(join(repo, 'objects', folder, file), then, then);
      }
    }
  }

  it(`drops unreachable objects older than an hour once it holds over ${CACHE_LOOSE_LIMIT} loose ones`, async () => {
    await (await open()).write({ ...emptyState(URL), serial: 1 }, null, 'one');
    const repo = cacheRepo();
    await leaveObjects(repo, CACHE_LOOSE_LIMIT + 100, 2 * 3600_000);
    expect(looseObjects(repo)).toBeGreaterThan(CACHE_LOOSE_LIMIT);
    // The next run tidies it as it opens it; the state lives on the remote, untouched.
    const next = await open();
    expect(looseObjects(repo)).toBe(0);
    expect((await next.read())?.state.serial).toBe(1);
  });

  it('keeps objects younger than an hour: another run on this machine may be about to push them', async () => {
    await (await open()).write({ ...emptyState(URL), serial: 1 }, null, 'one');
    const repo = cacheRepo();
    await leaveObjects(repo, CACHE_LOOSE_LIMIT + 100, 10 * 60_000);
    await open();
    expect(looseObjects(repo)).toBeGreaterThan(CACHE_LOOSE_LIMIT);
  });
});
