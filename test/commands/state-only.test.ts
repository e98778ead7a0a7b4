/**
 * Flipping only `prevent_destroy` needs no API call but does change the state: the
 * plan shows it as "state only" in every format and counts it, apply writes it
 * with no call, and a saved plan promises it like any change.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Bench, FAST, startBench } from './harness.js';

let bench: Bench;
beforeEach(async () => {
  bench = await startBench();
  const applied = await bench.cli(['apply', '--auto-approve', ...FAST]);
  expect(applied.code, applied.stderr).toBe(0);
  await bench.editConfig((doc) => {
    (doc.profiles['Acme Zoom app'] as unknown as Record<string, unknown>)['prevent_destroy'] = true;
  });
});
afterEach(async () => {
  await bench.expectNoLeaks(['p.json']);
  await bench.close();
});

it('shows a prevent_destroy flip as state only in text, markdown and json, and counts it', async () => {
  const text = await bench.cli(['plan', '--detailed-exitcode', ...FAST]);
  expect(text.code, text.stderr).toBe(2);
  expect(text.stdout).not.toContain('The workspace matches the configuration');
  expect(text.stdout).toContain('No changes in Workato; apply records 1 state-only change in the state file');
  expect(text.stdout).toContain('  ~ profile["Acme Zoom app"]  prevent_destroy: false -> true');

  const markdown = await bench.cli(['plan', '--format', 'markdown', ...FAST]);
  expect(markdown.stdout).toContain('### State only (no API call)');
  expect(markdown.stdout).toContain('- `profile["Acme Zoom app"]`: `prevent_destroy` false → true');

  const json = JSON.parse((await bench.cli(['plan', '--format', 'json', ...FAST])).stdout);
  expect(json.summary.state_only).toBe(1);
  expect(json.changes).toEqual([]);
  expect(json.state_only).toEqual([
    {
      address: 'profile["Acme Zoom app"]',
      profile: 'Acme Zoom app',
      field: 'prevent_destroy',
      before: false,
      after: true,
    },
  ]);
});

it('apply writes it without an API call, says so, and the next plan has nothing left', async () => {
  const from = bench.emulator.requestLog.length;
  const applied = await bench.cli(['apply', '--auto-approve', ...FAST]);
  expect(applied.code, applied.stderr).toBe(0);
  expect(applied.stdout).toContain(
    'Apply complete: 1 state-only change recorded in the state file, no API call.',
  );
  expect(bench.writes(from)).toEqual([]);
  expect((await bench.readState()).profiles['Acme Zoom app']?.prevent_destroy).toBe(true);

  const again = await bench.cli(['plan', '--detailed-exitcode', ...FAST]);
  expect(again.code, again.stdout).toBe(0);
  expect(again.stdout).toContain('No changes. The workspace matches the configuration.');
});

it('a saved plan records it, and apply PLANFILE does exactly that', async () => {
  const saved = await bench.cli(['plan', '--out', 'p.json', ...FAST]);
  expect(saved.code, saved.stderr).toBe(0);
  const planFile = JSON.parse(await readFile(join(bench.dir, 'p.json'), 'utf8'));
  expect(planFile.plan.state_only).toHaveLength(1);
  const applied = await bench.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
  expect(applied.code, applied.stderr).toBe(0);
  expect((await bench.readState()).profiles['Acme Zoom app']?.prevent_destroy).toBe(true);
});
