/**
 * apply PLANFILE reads the config and state the plan file names: -f or --state
 * beside it are refused (see first-day-mistakes.test.ts), so one saved plan is
 * never applied to another config or state.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Bench, FAST, startBench } from './harness.js';

let bench: Bench;
beforeEach(async () => {
  bench = await startBench();
});
afterEach(async () => {
  await bench.close();
});

it('a plan made with -f and --state is applied to that config and state, whatever the default files hold', async () => {
  await copyFile(bench.configPath, join(bench.dir, 'other.yaml'));
  const saved = await bench.cli([
    'plan',
    '-f',
    'other.yaml',
    '--state',
    'workato-oauth.state.json',
    '--out',
    'p.json',
    ...FAST,
  ]);
  expect(saved.code, saved.stderr).toBe(0);
  // workato-oauth.yaml now differs from the config the plan was made with: it is not read.
  await bench.editConfig((doc) => {
    doc.customers = doc.customers.slice(1);
  });

  const explicit = await bench.cli([
    'apply',
    'p.json',
    '-f',
    'workato-oauth.yaml',
    '--auto-approve',
    ...FAST,
  ]);
  expect(explicit.code).toBe(1);
  expect(explicit.stderr).toContain('-f cannot be given with a plan file');

  const fromFile = await bench.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
  expect(fromFile.code, fromFile.stderr).toBe(0);
});

it('a config named other than workato-oauth.yaml gets its own state file, and is refused when only the old shared name exists', async () => {
  const applied = await bench.cli(['apply', '--auto-approve', ...FAST]);
  expect(applied.code, applied.stderr).toBe(0);
  await copyFile(bench.configPath, join(bench.dir, 'staging.yaml'));
  const from = bench.emulator.requestLog.length;
  const refused = await bench.cli(['plan', '-f', 'staging.yaml', ...FAST]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('staging.state.json');
  expect(refused.stderr).toContain('workato-oauth.state.json');
  expect(bench.emulator.requestLog.length).toBe(from);

  const explicit = await bench.cli([
    'plan',
    '-f',
    'staging.yaml',
    '--state',
    'workato-oauth.state.json',
    '--detailed-exitcode',
    ...FAST,
  ]);
  expect(explicit.code, explicit.stdout + explicit.stderr).toBe(0);
});
