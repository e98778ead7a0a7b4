/**
 * The mistakes a new user makes on the first day: each gets one clear line, exit 1,
 * no API call, and nothing on disk changes (issue 12).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bench, FAST, runCli, startBench } from './harness.js';

let bench: Bench;
beforeEach(async () => {
  bench = await startBench();
});
afterEach(async () => {
  await bench.close();
});

/** The run ended with exit 1, one `error:` line on stderr and no request to the workspace. */
function expectCleanError(run: { code: number; stderr: string }, from: number, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
  expect(errors, run.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/ENOENT|EISDIR|\.tmp\b|at .*\.js:\d+/);
  expect(bench.emulator.requestLog.length).toBe(from);
}

describe('plan --out refuses to overwrite what is not a plan file', () => {
  it('refuses the config, the state, its lock and journal, and any other file, before any call', async () => {
    const applied = await bench.cli(['apply', '--auto-approve', ...FAST]);
    expect(applied.code, applied.stderr).toBe(0);
    const config = await readFile(bench.configPath, 'utf8');
    const state = await readFile(bench.statePath, 'utf8');
    await writeFile(join(bench.dir, 'notes.txt'), 'my notes\n');
    const from = bench.emulator.requestLog.length;
    const cases: [string, RegExp][] = [
      ['workato-oauth.yaml', /--out workato-oauth\.yaml: is the config file/],
      ['./sub/../workato-oauth.state.json', /is the state file;/],
      ['workato-oauth.state.json.lock', /is the state file's lock/],
      ['workato-oauth.state.json.journal', /is the state file's journal/],
      ['notes.txt', /exists and is not a workato-oauth plan file; refusing to overwrite it/],
    ];
    for (const [out, message] of cases) {
      expectCleanError(await bench.cli(['plan', '--out', out, ...FAST]), from, message);
    }
    expect(await readFile(bench.configPath, 'utf8')).toBe(config);
    expect(await readFile(bench.statePath, 'utf8')).toBe(state);
    expect(await readFile(join(bench.dir, 'notes.txt'), 'utf8')).toBe('my notes\n');
  });

  it('refuses a --state given elsewhere, and overwrites a plan file of its own', async () => {
    const from = bench.emulator.requestLog.length;
    const refused = await bench.cli(['plan', '--state', 'states/prod.json', '--out', 'states/prod.json']);
    expectCleanError(refused, from, /is the state file/);
    const first = await bench.cli(['plan', '--out', 'plan.json', ...FAST]);
    expect(first.code, first.stderr).toBe(0);
    const again = await bench.cli(['plan', '--out', 'plan.json', ...FAST]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(bench.dir, 'plan.json'), 'utf8')).plan_file_version).toBe(2);
  });

  it('says what is wrong with a missing folder or a folder given as the file, in words', async () => {
    await mkdir(join(bench.dir, 'plans'));
    const from = bench.emulator.requestLog.length;
    const missing = await bench.cli(['plan', '--out', '/nonexistent/dir/p.json', ...FAST]);
    expectCleanError(
      missing,
      from,
      /--out \/nonexistent\/dir\/p\.json: the folder \/nonexistent\/dir does not exist/,
    );
    const folder = await bench.cli(['plan', '--out', 'plans', ...FAST]);
    expectCleanError(folder, from, /--out plans: is a folder; give the path of a file/);
  });
});

describe('apply PLANFILE', () => {
  it('says that a config given as the plan file is a config, and to use -f', async () => {
    const run = await bench.cli(['apply', 'workato-oauth.yaml', ...FAST]);
    expectCleanError(
      run,
      0,
      /workato-oauth\.yaml is a config file, not a plan file: to apply a config, use -f/,
    );
    expect(run.stderr).not.toContain('JSON');
  });

  it('names a missing plan file, and never echoes the bytes of a binary one', async () => {
    expectCleanError(
      await bench.cli(['apply', '/nonexistent.json']),
      0,
      /plan file \/nonexistent\.json does not exist/,
    );
    await writeFile(
      join(bench.dir, 'bin.json'),
      Buffer.from([0x00, 0x01, 0xff, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]),
    );
    const binary = await bench.cli(['apply', 'bin.json']);
    expectCleanError(binary, 0, /bin\.json is not a workato-oauth plan file: it holds binary data/);
    expect(binary.stderr).not.toContain('secret');
    await writeFile(join(bench.dir, 'old.json'), '{"plan_file_version": 1}');
    expectCleanError(
      await bench.cli(['apply', 'old.json']),
      0,
      /old\.json is a plan file of version 1; this workato-oauth reads version 2: plan again/,
    );
    await writeFile(join(bench.dir, 'other.json'), '{"name": "a package"}');
    expectCleanError(
      await bench.cli(['apply', 'other.json']),
      0,
      /is not a workato-oauth plan file \(it has no plan_file_version\)/,
    );
  });

  it('refuses -f or --state beside a plan file: one plan is for one config and state', async () => {
    const saved = await bench.cli(['plan', '--out', 'p.json', ...FAST]);
    expect(saved.code, saved.stderr).toBe(0);
    const from = bench.emulator.requestLog.length;
    for (const extra of [
      ['-f', 'workato-oauth.yaml'],
      ['--state', 'other.state.json'],
    ]) {
      const run = await bench.cli(['apply', 'p.json', ...extra, '--auto-approve', ...FAST]);
      expectCleanError(run, from, new RegExp(`${extra[0]} cannot be given with a plan file`));
    }
    expect(bench.writes()).toEqual([]);
  });

  it('applied from another folder, says the paths came from the plan file and where plan ran', async () => {
    const saved = await bench.cli(['plan', '--out', 'p.json', ...FAST]);
    expect(saved.code, saved.stderr).toBe(0);
    const elsewhere = await mkdtemp(join(tmpdir(), 'wo-elsewhere-'));
    try {
      const from = bench.emulator.requestLog.length;
      const run = await bench.cli(['apply', join(bench.dir, 'p.json'), '--auto-approve', ...FAST], {
        cwd: elsewhere,
      });
      expectCleanError(
        run,
        from,
        /the config workato-oauth\.yaml named by the plan file .*p\.json is not in .*: the plan file's paths are relative to the folder plan ran in \(.*wo-cmd-/,
      );
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('usage errors', () => {
  it('print the one error line and where the help is, not the whole help', async () => {
    const run = await runCli(['plan', '--nope'], { env: {}, cwd: bench.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: unknown option '--nope'\n(see 'workato-oauth plan --help')\n");
    const top = await runCli(['--nope'], { env: {}, cwd: bench.dir });
    expect(top.stderr).toBe("error: unknown option '--nope'\n(see 'workato-oauth --help')\n");
  });

  it('refuse a port out of range before listening', async () => {
    const run = await runCli(['emulator', '--port', '99999'], { env: {}, cwd: bench.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("argument '99999' is invalid. expected a port from 0 to 65535");
    expect(run.stderr).not.toContain('Usage:');
  });
});
