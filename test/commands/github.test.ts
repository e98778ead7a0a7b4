/**
 * Under GitHub Actions: plan, apply and drift append their markdown report to the
 * file GITHUB_STEP_SUMMARY names (stdout is unchanged), and validate prints its
 * problems as workflow-command annotations, escaped.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, FAST, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  await world.expectNoLeaks(['summary.md']);
  await world.close();
});

async function summaryFile(): Promise<string> {
  const path = join(world.dir, 'summary.md');
  await writeFile(path, '');
  return path;
}

describe('GITHUB_STEP_SUMMARY', () => {
  it('gets the markdown plan whatever --format prints, appended run after run', async () => {
    world = await startBench();
    const summary = await summaryFile();
    const env = { GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: 'true' };
    const text = await world.cli(['plan', ...FAST], { env });
    expect(text.code, text.output).toBe(0);
    // stdout is the text plan, as without the variable.
    expect(text.stdout).not.toContain('| ');
    const first = await readFile(summary, 'utf8');
    expect(first).toContain('Acme HubSpot OAuth app');
    expect(first).toMatch(/^#+ /m);

    const markdown = await world.cli(['plan', '--format', 'markdown', ...FAST], { env });
    expect(markdown.code).toBe(0);
    // The summary holds the very markdown plan stdout shows, after the first one.
    expect(await readFile(summary, 'utf8')).toBe(`${first}${markdown.stdout}\n`);
  });

  it('gets apply counts and each failure with its reason', async () => {
    world = await startBench();
    const summary = await summaryFile();
    world.emulator.setFaults({
      script: [
        {
          method: 'POST',
          path: '/api/custom_oauth_profiles',
          status: 400,
          body: { errors: { 'data.client_id': ['is not a valid HubSpot client id'] } },
        },
      ],
    });
    const applied = await world.cli(['apply', '--auto-approve', '--concurrency', '1', ...FAST], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(applied.code).toBe(1);
    const report = await readFile(summary, 'utf8');
    expect(report).toContain('**Apply finished with failures:** 15 done, 1 failed, 6 skipped.');
    const rows = report.split('\n').filter((line) => /^\| (failed|skipped) \|/.test(line));
    expect(rows).toHaveLength(7);
    expect(rows[0]).toMatch(
      /^\| failed \| profile\\\["Acme HubSpot OAuth app"\\\] \| create \| .*is not a valid HubSpot client id/,
    );
  });

  it('gets the refused plan with its reasons when apply refuses (exit 3)', async () => {
    world = await startBench();
    expect((await world.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    await world.editConfig((doc) => {
      delete doc.profiles['Acme Zoom app'];
      for (const customer of doc.customers) {
        customer.profiles = customer.profiles.filter((name: string) => name !== 'Acme Zoom app');
      }
    });
    const summary = await summaryFile();
    const refused = await world.cli(['apply', '--auto-approve', ...FAST], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(refused.code, refused.output).toBe(3);
    const report = await readFile(summary, 'utf8');
    expect(report).toContain('### Apply is refused');
    expect(report).toContain('Acme Zoom app');
  });

  it('gets the drift report, and a summary that cannot be written does not change the exit code', async () => {
    world = await startBench();
    expect((await world.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    // Someone changes the client_id in the Workato console.
    const live = world.emulator.world.toData().profiles.find((p) => p.name === 'Acme Slack app')!;
    const edited = world.emulator.world.updateProfile(live.id, {
      name: live.name,
      provider: live.provider,
      data: { client_id: 'changed-by-hand', client_secret: 'hand-typed-secret' },
    });
    expect(edited.ok).toBe(true);
    const summary = await summaryFile();
    const drift = await world.cli(['drift', ...FAST], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(drift.code, drift.output).toBe(2);
    const report = await readFile(summary, 'utf8');
    expect(report).toContain('### workato-oauth drift');
    expect(report).toContain('Acme Slack app');
    expect(report).not.toContain('hand-typed-secret');

    const unwritable = await world.cli(['drift', ...FAST], {
      env: { GITHUB_STEP_SUMMARY: join(world.dir, 'no-such-folder', 'summary.md') },
    });
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/^warning: could not append to GITHUB_STEP_SUMMARY \(/m);
  });

  it('is left alone when the variable is not set', async () => {
    world = await startBench();
    const summary = await summaryFile();
    expect((await world.cli(['plan', ...FAST], { env: { GITHUB_STEP_SUMMARY: undefined } })).code).toBe(0);
    expect(await readFile(summary, 'utf8')).toBe('');
  });
});

describe('GITHUB_ACTIONS annotations', () => {
  it('escape the file name and the message per the workflow-command rules', async () => {
    world = await startBench();
    const file = join(world.dir, 'a,b:c.yaml');
    await writeFile(file, 'workspace:\n  data_center: usa\nprofiles: {}\ncustomers: []\n');
    const run = await world.cli(['validate', '-f', 'a,b:c.yaml'], {
      env: { GITHUB_ACTIONS: 'true' },
      cwd: world.dir,
    });
    expect(run.code).toBe(1);
    const annotations = run.stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations.length).toBeGreaterThan(0);
    expect(annotations.find((line) => line.includes('data_center'))).toMatch(
      /^::error file=a%2Cb%3Ac\.yaml,line=2,col=16,title=workspace\.data_center::/,
    );
    const without = await world.cli(['validate', '-f', 'a,b:c.yaml'], {
      env: { GITHUB_ACTIONS: undefined },
      cwd: world.dir,
    });
    expect(without.stdout).not.toContain('::error');
  });
});
