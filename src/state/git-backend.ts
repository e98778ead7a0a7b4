/**
 * The `git` backend: the state is `state.json` in the commit at a dedicated ref
 * of a git remote (`refs/workato-oauth/state` by default: not a branch, so branch
 * protection and the project's history are untouched). Version: that commit's id.
 *
 * Each write is one commit on top of the version read (blob -> tree ->
 * `commit-tree -p`), pushed with `--force-with-lease=<ref>:<old>` (an empty
 * `<old>`: the ref must not exist yet): a writer whose version is no longer the
 * remote's is refused by the remote itself, and nothing is overwritten. The lock
 * is a second ref (src/state/git-lock.ts). All of it runs in a private bare
 * repository (src/state/git.ts), with the credentials git already has.
 */
import { isAbsolute, resolve } from 'node:path';
import { StateConflictError, StateError } from '../errors.js';
import type { StateBackend, StateHistoryEntry, VersionedState } from './backend.js';
import { type GitRepo, gitEnv, gitError, openCacheRepo, runGit, scratchRef } from './git.js';
import { acquireGitLock } from './git-lock.js';
import { DEFAULT_GIT_REF, describeLocation } from './location.js';
import { parseState, serializeState } from './store.js';
import type { State } from './types.js';

const STATE_FILE = 'state.json';

export interface GitBackendSettings {
  /** A remote name of the repository `configDir` is in, a URL, or a path to a repository. */
  remote: string;
  ref: string;
  /** The config's folder: its repository's remotes and auth header are the ones used. */
  configDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  lockStaleMs?: number;
}

/** The ref that holds the lock of the state at `ref`. */
export function lockRefFor(ref: string): string {
  return ref === DEFAULT_GIT_REF ? 'refs/workato-oauth/lock' : `${ref}-lock`;
}

function isUrlOrPath(remote: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(remote) ||
    /^[^/\s]+@[^/\s:]+:/.test(remote) ||
    isAbsolute(remote) ||
    remote.startsWith('./') ||
    remote.startsWith('../')
  );
}

/** The remote's URL, and the auth headers the config's checkout carries (actions/checkout puts its token there). */
async function resolveRemote(
  settings: GitBackendSettings,
): Promise<{ url: string; extra: [string, string][] }> {
  const env = gitEnv(settings.env, []);
  const extra: [string, string][] = [];
  const headers = await runGit(
    ['config', '--get-regexp', '^http\\..*extraheader$'],
    env,
    undefined,
    settings.configDir,
  );
  if (headers.code === 0) {
    for (const line of headers.stdout.split('\n')) {
      const space = line.indexOf(' ');
      if (space > 0) extra.push([line.slice(0, space), line.slice(space + 1)]);
    }
  }
  if (isUrlOrPath(settings.remote)) {
    const url =
      /^[a-z][a-z0-9+.-]*:\/\//i.test(settings.remote) || /^[^/\s]+@/.test(settings.remote)
        ? settings.remote
        : resolve(settings.cwd, settings.remote);
    return { url, extra };
  }
  const found = await runGit(['remote', 'get-url', settings.remote], env, undefined, settings.configDir);
  if (found.code !== 0) {
    throw new StateError(
      `the git state names the remote "${settings.remote}", and the folder of the config (${settings.configDir}) is not in a git repository with that remote; name a remote that exists (git remote -v), or a URL: --state git::URL#${settings.ref}`,
    );
  }
  return { url: found.stdout.trim(), extra };
}

export async function createGitBackend(settings: GitBackendSettings): Promise<StateBackend> {
  const { url, extra } = await resolveRemote(settings);
  const env = gitEnv(settings.env, extra);
  const repo = await openCacheRepo(url, env);
  // As configured (a remote's name stays a name): a plan file made in one job names the
  // state the same way in the next, whose checkout may have other URLs or credentials.
  const shown = isUrlOrPath(settings.remote) ? url : settings.remote;
  const location = describeLocation({ kind: 'git', remote: shown, ref: settings.ref });
  const remote = new GitRemote(repo, url, location);
  const ref = settings.ref;
  return {
    kind: 'git',
    location,
    async read(): Promise<VersionedState | undefined> {
      const commit = await remote.fetch(ref);
      if (commit === undefined) return undefined;
      const text = await repo.ok(
        ['cat-file', 'blob', `${commit}:${STATE_FILE}`],
        `read the state in ${location}`,
      );
      return { state: parseState(text, location), version: commit, replayed: 0 };
    },
    async write(state: State, expect: string | null, message: string): Promise<string> {
      const commit = await remote.commitFile(STATE_FILE, serializeState(state), expect, message);
      const pushed = await remote.push(commit, ref, expect);
      if (pushed === 'conflict') {
        throw new StateConflictError(
          `the state at ${location} was not updated: another run wrote it since this one read it (serial ${state.serial - 1} here), and nothing it wrote was overwritten. Run plan to see where things stand`,
        );
      }
      return commit;
    },
    lock(options) {
      return acquireGitLock(remote, lockRefFor(ref), {
        ...options,
        staleMs: options.staleMs ?? settings.lockStaleMs,
        env: settings.env,
      });
    },
    async history(limit: number): Promise<StateHistoryEntry[]> {
      const head = await remote.fetch(ref);
      if (head === undefined) return [];
      const log = await repo.ok(
        ['log', '--format=%H%x1f%cI%x1f%s', '-n', String(limit), head],
        `list the history of ${location}`,
      );
      const entries: StateHistoryEntry[] = [];
      for (const line of log.split('\n')) {
        if (line === '') continue;
        const [version = '', time = '', message = ''] = line.split('\x1f');
        const blob = await repo.run(['cat-file', 'blob', `${version}:${STATE_FILE}`]);
        const serial = /"serial":\s*(\d+)/.exec(blob.stdout)?.[1];
        entries.push({ version, time, message, ...(serial === undefined ? {} : { serial: Number(serial) }) });
      }
      return entries;
    },
  };
}

/** Fetch, build and push against one remote; shared by the state and its lock. */
export class GitRemote {
  readonly repo: GitRepo;
  readonly url: string;
  readonly location: string;

  constructor(repo: GitRepo, url: string, location: string) {
    this.repo = repo;
    this.url = url;
    this.location = location;
  }

  /** The commit `ref` points at on the remote, its objects fetched; undefined when the ref does not exist. */
  async fetch(ref: string): Promise<string | undefined> {
    const scratch = scratchRef();
    const result = await this.repo.run([
      'fetch',
      '--no-tags',
      '--no-write-fetch-head',
      '--quiet',
      this.url,
      `+${ref}:${scratch}`,
    ]);
    if (result.code !== 0) {
      if (/couldn't find remote ref/i.test(result.stderr)) return undefined;
      throw gitError(`fetch ${ref} from ${this.location}`, result);
    }
    try {
      return await this.repo.ok(
        ['rev-parse', '--verify', `${scratch}^{commit}`],
        `read ${ref} of ${this.location}`,
      );
    } finally {
      await this.repo.run(['update-ref', '-d', scratch]);
    }
  }

  /** A commit whose tree is one file, on top of `parent` (none: a root commit). */
  async commitFile(name: string, text: string, parent: string | null, message: string): Promise<string> {
    const blob = await this.repo.ok(['hash-object', '-w', '--stdin'], 'store the state', text);
    const tree = await this.repo.ok(['mktree'], 'store the state', `100644 blob ${blob}\t${name}\n`);
    const parents = parent === null ? [] : ['-p', parent];
    return this.repo.ok(
      ['commit-tree', tree, ...parents, '-F', '-'],
      'make the state commit',
      `${message}\n`,
    );
  }

  /**
   * Points `ref` at `commit` (null: deletes it) if it still is `expect` (null: if
   * it does not exist). 'conflict' when the remote refused because it was not.
   */
  async push(commit: string | null, ref: string, expect: string | null): Promise<'ok' | 'conflict'> {
    const result = await this.repo.run([
      'push',
      '--porcelain',
      `--force-with-lease=${ref}:${expect ?? ''}`,
      this.url,
      `${commit ?? ''}:${ref}`,
    ]);
    if (result.code === 0) return 'ok';
    // The lease failed before sending ("[rejected] (stale info)"), or the remote's own
    // compare-and-swap did ("cannot lock ref ... is at X but expected Y"): another writer won.
    const said = result.stdout + result.stderr;
    if (/\t\[rejected\]|\(stale info\)|cannot lock ref|failed to update ref/.test(said)) return 'conflict';
    throw gitError(`push ${ref} to ${this.location}`, result);
  }
}
