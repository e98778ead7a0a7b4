/**
 * The git state backend end to end: the built CLI (spawned where a kill or a race
 * needs a process of its own, in-process otherwise) against the emulator, with a
 * bare repository in a temp folder as the remote and the real `git`.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { State } from '../../src/state/types.js';
import { type Bench, startBench } from '../commands/harness.js';
import { leakedSecrets, spawnCli } from './world.js';

const REF = 'refs/workato-oauth/state';
const APPLY = ['apply', '--auto-approve', '--allow-delete', '--force', '--quiet'];

let bench: Bench;
let remote: string;

function git(...args: string[]): string {
  return execFileSync('git', ['--git-dir', remote, ...args], { encoding: 'utf8' }).trim();
}

function remoteState(): State {
  return JSON.parse(git('cat-file', 'blob', `${REF}:state.json`)) as State;
}

async function useGitState(lockStale: string): Promise<void> {
  await appendFile(
    bench.configPath,
    `state:\n  backend: git\n  remote: ${remote}\n  lock_stale: ${lockStale}\n`,
  );
}

function spawnApply(extra: string[] = []) {
  return spawnCli([...APPLY, ...extra], { cwd: bench.dir, env: bench.env });
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

beforeEach(async () => {
  // Each call takes a while, so that an apply is still running when the second starts.
  bench = await startBench({ emulator: { faults: { latencyMs: [40, 80], seed: 7 } } });
  remote = join(bench.dir, 'remote.git');
  execFileSync('git', ['init', '--bare', '--quiet', remote]);
  bench.env['XDG_CACHE_HOME'] = join(bench.dir, 'cache');
});
afterEach(async () => {
  await bench.close();
});

describe('git state backend, end to end', () => {
  it('applies into the state ref, with no file beside the config and no branch on the remote', async () => {
    await useGitState('10m');
    const applied = await bench.cli(APPLY);
    expect(applied.code, applied.stderr).toBe(0);
    expect(git('for-each-ref', '--format=%(refname)')).toBe(REF);
    const state = remoteState();
    expect(Object.keys(state.profiles).sort()).toEqual([
      'Acme HubSpot OAuth app',
      'Acme Salesforce app',
      'Acme Slack app',
      'Acme Zoom app',
    ]);
    expect(git('log', '-1', '--format=%s', REF)).toMatch(
      /^workato-oauth apply: 4 profile\(s\) recorded, 18 assignment\(s\)/,
    );
    const plan = await bench.cli(['plan', '--detailed-exitcode']);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
    await bench.expectNoLeaks();
    expect(leakedSecrets(git('cat-file', 'blob', `${REF}:state.json`))).toEqual([]);
  });

  it('two applies at once: one applies, the other is refused with exit 3 naming the holder', async () => {
    await useGitState('10m');
    const first = spawnApply();
    // The first holds the lock once it has sent its first request.
    const before = bench.emulator.requestLog.length;
    await waitFor(() => bench.emulator.requestLog.length > before);
    const second = await spawnApply().done;
    const firstDone = await first.done;
    expect(firstDone.code, firstDone.stderr).toBe(0);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(
      /the state git::.*remote\.git#refs\/workato-oauth\/state is locked by .*\(pid \d+ on .*, apply since/,
    );
    expect(git('for-each-ref', 'refs/workato-oauth/lock')).toBe(''); // released at the end
    expect(leakedSecrets(firstDone.stdout, firstDone.stderr, second.stdout, second.stderr)).toEqual([]);
  });

  it('a killed apply: its lock holds until stale, then is taken over, and the next apply converges', async () => {
    await useGitState('12s');
    const { child, done } = spawnApply();
    const before = bench.emulator.requestLog.length;
    await waitFor(() => bench.emulator.requestLog.length - before >= 8); // profiles made, assigns under way
    child.kill('SIGKILL');
    await done;
    // Killed within its first 30 s: no call it made reached the remote state (only the
    // customers it checked, written before any call), and its lock is left behind.
    expect(Object.keys(remoteState().profiles)).toEqual([]);
    expect(git('for-each-ref', '--format=%(refname)', 'refs/workato-oauth/lock')).toBe(
      'refs/workato-oauth/lock',
    );
    const refused = await bench.cli(APPLY);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/is locked by .*last refreshed \d+ s ago/);

    const resumed = await bench.cli([...APPLY, '--lock-timeout', '60']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Taking over a stale state lock, not refreshed for over 12 s/);
    // Converged: the creates the killed apply made were adopted by name, no duplicate.
    const names = bench.emulator.world
      .toData()
      .profiles.map((p) => p.name)
      .sort();
    expect(names).toEqual([
      'Acme HubSpot OAuth app',
      'Acme Salesforce app',
      'Acme Slack app',
      'Acme Zoom app',
      'Legacy Zoom app',
    ]);
    const recorded = Object.values(remoteState().customers).reduce((n, c) => n + c.profiles.length, 0);
    expect(recorded).toBe(18);
    const plan = await bench.cli(['plan', '--detailed-exitcode']);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it('state history lists the commits of three applies, newest first', async () => {
    await useGitState('10m');
    expect((await bench.cli(APPLY)).code).toBe(0);
    await bench.editConfig((doc) => {
      doc.customers = doc.customers.filter((c) => c.external_id !== 'A2302');
    });
    expect((await bench.cli(APPLY)).code).toBe(0);
    await bench.editConfig((doc) => {
      doc.customers[0]!.profiles = ['Acme HubSpot OAuth app'];
    });
    expect((await bench.cli(APPLY)).code).toBe(0);
    const history = await bench.cli(['state', 'history']);
    expect(history.code, history.stderr).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines.length).toBe(Number(git('rev-list', '--count', REF)));
    const applies = lines.filter((line) => line.includes('workato-oauth apply:'));
    expect(applies.length).toBeGreaterThanOrEqual(3);
    const serials = lines.map((line) => Number(/^serial (\d+)/.exec(line)?.[1]));
    expect(serials).toEqual([...serials].sort((a, b) => b - a));
    expect(serials[0]).toBe(remoteState().serial);
    expect(applies[0]).toMatch(/unassignment\(s\)/);
  });

  it('state history on a local state: one line saying it keeps none, exit 1', async () => {
    const result = await bench.cli(['state', 'history']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^state history: the local backend keeps no history of the state .*\n$/);
  });

  it('state migrate local -> git -> local round-trips to an identical state, and refuses another lineage', async () => {
    expect((await bench.cli(APPLY)).code).toBe(0);
    const original = await readFile(bench.statePath, 'utf8');
    const toGit = await bench.cli(['state', 'migrate', '--to', `git::${remote}#${REF}`]);
    expect(toGit.code, toGit.stderr).toBe(0);
    expect(toGit.stdout).toContain('  state:\n    backend: git\n');
    expect(git('cat-file', 'blob', `${REF}:state.json`)).toBe(original.trim());
    const back = await bench.cli([
      'state',
      'migrate',
      '--state',
      `git::${remote}#${REF}`,
      '--to',
      'copy.state.json',
    ]);
    expect(back.code, back.stderr).toBe(0);
    expect(await readFile(join(bench.dir, 'copy.state.json'), 'utf8')).toBe(original);

    // Another lineage at the target: refused, nothing copied.
    const other = JSON.parse(original) as State;
    other.lineage = '00000000-0000-4000-8000-000000000000';
    await bench.writeState(other);
    const refused = await bench.cli(['state', 'migrate', '--to', `git::${remote}#${REF}`]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /already holds a state of another lineage .*nothing was copied\. Pass --force/,
    );
    expect(git('cat-file', 'blob', `${REF}:state.json`)).toBe(original.trim());
  });

  it('a saved plan names the git state by location; applying it again after the state moved is refused', async () => {
    // The config's folder is a git repository whose origin is the remote: the default remote.
    execFileSync('git', ['init', '--quiet', bench.dir]);
    execFileSync('git', ['-C', bench.dir, 'remote', 'add', 'origin', remote]);
    await appendFile(bench.configPath, 'state:\n  backend: git\n');
    const planned = await bench.cli(['plan', '--out', 'p.json']);
    expect(planned.code, planned.stderr).toBe(0);
    const saved = JSON.parse(await readFile(join(bench.dir, 'p.json'), 'utf8')) as {
      state: { path?: string; location?: string; version?: string; serial: number };
    };
    expect(saved.state.path).toBeUndefined();
    expect(saved.state.location).toBe(`git::origin#${REF}`);
    expect(saved.state.version).toBe(git('rev-parse', REF));
    const applied = await bench.cli(['apply', 'p.json', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(remoteState().serial).toBeGreaterThan(saved.state.serial);
    const again = await bench.cli(['apply', 'p.json', '--auto-approve']);
    expect(again.code).toBe(3);
    expect(again.stdout + again.stderr).toContain(
      `the state was written since (serial ${saved.state.serial} ->`,
    );
    // The checkout's own branches and working tree are untouched.
    expect(execFileSync('git', ['-C', bench.dir, 'for-each-ref'], { encoding: 'utf8' })).toBe('');
  });

  it('a bad --state or state block is one line, exit 1, before any API call', async () => {
    const bad = await bench.cli(['plan', '--state', 'git::origin#refs/heads/main']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/must not be a branch or a tag/);
    // A remote that cannot be reached: git's error, without the URL's credentials.
    const unreachable = await bench.cli([
      'plan',
      '--state',
      'git::https://ci:hunter2-token@127.0.0.1:9/r.git',
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /git could not fetch refs\/workato-oauth\/state from git::https:\/\/127\.0\.0\.1:9\/r\.git/,
    );
    expect(unreachable.stdout + unreachable.stderr).not.toContain('hunter2');
    // An s3 store that cannot be reached: one line, no stack, no credential.
    const s3 = await bench.cli(['plan', '--state', 's3://bucket/key.json'], {
      env: {
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: 'AKIDTESTUNREACHABLE',
        AWS_SECRET_ACCESS_KEY: 'secret-s3-key-never-shown',
        AWS_REGION: 'us-east-1',
      },
    });
    expect(s3.code).toBe(1);
    expect(s3.stderr).toContain('s3://bucket/key.json');
    expect(s3.stderr).not.toMatch(/\n\s+at /);
    expect(s3.stdout + s3.stderr).not.toContain('secret-s3-key-never-shown');
    await appendFile(bench.configPath, 'state:\n  backend: git\n  bucket: nope\n');
    const block = await bench.cli(['plan']);
    expect(block.code).toBe(1);
    expect(block.stderr).toMatch(
      /workato-oauth\.yaml:\d+:\d+ +state\.bucket +bucket is a setting of backend s3/,
    );
    expect(bench.emulator.requestLog.length).toBe(0);
  });
});
