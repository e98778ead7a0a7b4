/**
 * The built CLI (bin/ -> dist/cli.js) turns each outcome into the process's exit
 * code: one scenario per code. What each command prints is tested in-process in
 * test/commands; 130 (Ctrl-C) is in apply-interrupt.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, startBench } from '../commands/harness.js';
import { leakedSecrets, root, spawnCli } from './world.js';

/** The built CLI in the repository's root with a clean environment. */
function run(args: string[]) {
  return spawnCli(args, { cwd: root, env: { NO_COLOR: '1' } }).done;
}

const readme = () => readFile(join(root, 'README.md'), 'utf8');

/** The meaning column of the README's exit-code table for `code`. */
function exitCodeRow(text: string, code: number): string {
  const row = text.split('\n').find((line) => line.startsWith(`| ${code} `));
  if (row === undefined) throw new Error(`no row for exit code ${code} in the README`);
  return row;
}

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

describe('exit codes of the built CLI', () => {
  it('0: a valid config', async () => {
    const result = await run(['validate', '-f', 'examples/workato-oauth.yaml']);
    expect(result).toMatchObject({
      code: 0,
      stdout: 'examples/workato-oauth.yaml: valid (4 profiles, 12 customers)\n',
      stderr: '',
    });
  });

  it('0: --version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const result = await run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('1: an invalid config', async () => {
    const result = await run(['validate', '-f', 'examples/invalid.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('examples/invalid.yaml: 11 errors, 2 warnings\n');
  });

  it('1: an unknown option, one line and where the help is', async () => {
    const result = await run(['plan', '--no-such-option']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: unknown option '--no-such-option'\n(see 'workato-oauth plan --help')\n",
    );
  });

  it('1: apply with no terminal to confirm on and no --auto-approve, before any change', async () => {
    bench = await startBench();
    const result = await spawnCli(['apply'], { cwd: bench.dir, env: bench.env }).done;
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain(
      'error: there is no terminal to confirm on; review the plan, then run apply with --auto-approve\n',
    );
    expect(bench.writes()).toEqual([]);
    // The README says the same, in its table and in its prose.
    expect(exitCodeRow(await readme(), 1)).toContain('no terminal to confirm on without `--auto-approve`');
    expect(await readme()).toContain('(without either it stops with exit 1');
    expect(exitCodeRow(await readme(), 3)).not.toContain('terminal');
  });

  it('2: plan --detailed-exitcode with changes to make', async () => {
    bench = await startBench();
    const result = await spawnCli(['plan', '--detailed-exitcode'], { cwd: bench.dir, env: bench.env }).done;
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toContain('Plan: 4 to create');
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
  });

  it('3: apply refused (a secret it needs is not set), before any change', async () => {
    bench = await startBench();
    const env = { ...bench.env, HUBSPOT_CLIENT_SECRET: undefined };
    const result = await spawnCli(['apply', '--auto-approve'], { cwd: bench.dir, env }).done;
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(result.stderr).toContain(
      'profile["Acme HubSpot OAuth app"].client_secret needs $HUBSPOT_CLIENT_SECRET, which is not set',
    );
    expect(bench.writes()).toEqual([]);
    expect(exitCodeRow(await readme(), 3)).toContain('a secret apply must send that is unset');
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
  });

  it('0 when the reader of stdout goes away (`| head`): no EPIPE crash, no stack', async () => {
    const started = spawnCli(['validate', '-f', 'examples/workato-oauth.yaml'], {
      cwd: root,
      env: { NO_COLOR: '1' },
    });
    // Closed before the CLI has loaded: its first write finds no reader.
    started.child.stdout?.destroy();
    const result = await started.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });
});
