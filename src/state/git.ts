/**
 * The `git` CLI, run with execFile-style argument lists (never a shell) against a
 * private bare repository kept in the cache folder: the user's working tree,
 * index and branches are never touched. Objects are fetched into it and built
 * in it; refs it fetches are per-call names, removed after use, so that
 * concurrent runs on one machine never contend for a ref of their own.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import { redactUrl } from './location.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables that would point git at another repository or ask a terminal for a password. */
const DROPPED_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE'];

export class GitRepo {
  readonly dir: string;
  readonly #env: NodeJS.ProcessEnv;

  constructor(dir: string, env: NodeJS.ProcessEnv) {
    this.dir = dir;
    this.#env = env;
  }

  run(args: string[], input?: string): Promise<GitResult> {
    return runGit(['--git-dir', this.dir, '-c', 'gc.auto=0', ...args], this.#env, input);
  }

  /** Runs and returns stdout trimmed; a failure is a StateError naming what was being done. */
  async ok(args: string[], doing: string, input?: string): Promise<string> {
    const result = await this.run(args, input);
    if (result.code !== 0) throw gitError(doing, result);
    return result.stdout.trim();
  }
}

export function runGit(
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  cwd?: string,
): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { env, stdio: ['pipe', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new StateError('the git state needs the git command, and none was found on PATH', {
              cause: error,
            })
          : error,
      );
    });
    child.on('close', (code) =>
      resolvePromise({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => {}); // git may exit before reading its input
    child.stdin.end(input ?? '');
  });
}

/** git's own words, first lines only, with any credential in a URL removed. */
export function gitError(doing: string, result: GitResult): StateError {
  const said = redactUrl(`${result.stderr}\n${result.stdout}`)
    .split('\n')
    .map((line) => line.replace(/^(fatal|error): /, '').trim())
    .filter((line) => line !== '' && !line.startsWith('hint:'))
    .slice(0, 3)
    .join('; ');
  return new StateError(`git could not ${doing}: ${said || `exit code ${result.code}`}`);
}

/**
 * The environment every git call gets: no prompt (a pipeline has no terminal),
 * an identity for the commits whatever the global config says, English messages
 * to read, and `extra` config entries (the checkout's auth header) through
 * GIT_CONFIG_COUNT, so that no secret appears in a command line.
 */
export function gitEnv(base: NodeJS.ProcessEnv, extra: [string, string][]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  // An environment made for a child process may leave PATH out; git must still be found.
  env['PATH'] ??= process.env['PATH'];
  for (const name of DROPPED_ENV) delete env[name];
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'workato-oauth',
    GIT_AUTHOR_EMAIL: 'workato-oauth@localhost',
    GIT_COMMITTER_NAME: 'workato-oauth',
    GIT_COMMITTER_EMAIL: 'workato-oauth@localhost',
    LC_ALL: 'C',
  });
  let count = Number(env['GIT_CONFIG_COUNT'] ?? 0) || 0;
  for (const [key, value] of extra) {
    env[`GIT_CONFIG_KEY_${count}`] = key;
    env[`GIT_CONFIG_VALUE_${count}`] = value;
    count += 1;
  }
  if (count > 0) env['GIT_CONFIG_COUNT'] = String(count);
  return env;
}

/** `$XDG_CACHE_HOME/workato-oauth/git`, else a folder of this user's under the OS temp folder. */
function cacheRoot(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg) return join(xdg, 'workato-oauth', 'git');
  let user = 'user';
  try {
    user = String(userInfo().uid >= 0 ? userInfo().uid : userInfo().username);
  } catch {}
  return join(tmpdir(), `workato-oauth-${user}`, 'git');
}

/** The private bare repository for `url`, made on first use (complete before it takes its name). */
export async function openCacheRepo(url: string, env: NodeJS.ProcessEnv): Promise<GitRepo> {
  const root = cacheRoot(env);
  const dir = join(root, `${createHash('sha256').update(url).digest('hex').slice(0, 24)}.git`);
  const repo = new GitRepo(dir, env);
  if (existsSync(join(dir, 'HEAD'))) {
    await tidyCacheRepo(repo);
    return repo;
  }
  try {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const temp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const made = await runGit(['init', '--bare', '--quiet', temp], env);
    if (made.code !== 0) throw gitError('make its cache repository', made);
    // Another run may have made it meanwhile: theirs is as good as this one.
    await rename(temp, dir).catch(async () => rm(temp, { recursive: true, force: true }));
  } catch (error) {
    if (error instanceof StateError) throw error;
    throw new StateError(`cannot make the git state's cache folder ${root}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return repo;
}

/** Loose objects, or packs, past which the cache repository is tidied. */
export const CACHE_LOOSE_LIMIT = 1000;
const CACHE_PACK_LIMIT = 20;

/**
 * Keeps a cache repository from growing without end. Every run leaves its objects
 * unreachable (its fetched refs are removed after use; what it wrote is on the
 * remote), so a runner that keeps its cache would gather a copy of the state per
 * write. Past CACHE_LOOSE_LIMIT loose objects or CACHE_PACK_LIMIT packs (counted
 * exactly by `git count-objects`, one small process when there is nothing to do),
 * `git gc` drops what is unreachable and older than an hour: never the objects of
 * a run going on now on the same machine. A failure here never fails the run.
 */
export async function tidyCacheRepo(repo: GitRepo): Promise<void> {
  try {
    const counted = await repo.run(['count-objects', '-v']);
    const figure = (name: string) =>
      Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(counted.stdout)?.[1] ?? 0);
    if (figure('count') <= CACHE_LOOSE_LIMIT && figure('packs') <= CACHE_PACK_LIMIT) return;
    await repo.run(['-c', 'gc.pruneExpire=1.hour.ago', '-c', 'gc.autoDetach=false', 'gc', '--quiet']);
  } catch {
    // A cache that stays large is no reason to stop.
  }
}

/** A ref name of this process's own, for one fetch. */
export function scratchRef(): string {
  return `refs/workato-oauth-fetched/${process.pid}-${randomBytes(6).toString('hex')}`;
}
