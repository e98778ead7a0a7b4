/**
 * `customers_from` through the whole CLI: validate, plan and apply read the
 * customer files, problems found while planning point at their own file, and a
 * saved plan goes stale when a customer file changes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, FAST, startBench } from './harness.js';

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

/** The example config with its customers moved to customers/first.yaml and customers/second.yaml. */
async function splitExample(): Promise<Bench> {
  const b = await startBench();
  bench = b;
  const text = await readFile(b.configPath, 'utf8');
  const at = text.indexOf('\ncustomers:\n');
  const entries = text
    .slice(at + '\ncustomers:\n'.length)
    .split(/\n(?= {2}- )/)
    .map((entry) => entry.replace(/^ {2}/gm, '').trimEnd());
  await mkdir(join(b.dir, 'customers'));
  await writeFile(join(b.dir, 'customers/first.yaml'), `${entries.slice(0, 6).join('\n')}\n`);
  await writeFile(join(b.dir, 'customers/second.yaml'), `${entries.slice(6).join('\n')}\n`);
  await writeFile(b.configPath, `${text.slice(0, at)}\ncustomers_from: [customers/*.yaml]\n`);
  return b;
}

describe('customers_from through the CLI', { timeout: 120_000 }, () => {
  it('validate, plan and apply see the same 12 customers as the inline example', async () => {
    const b = await splitExample();
    const validate = await b.cli(['validate']);
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.stdout).toBe('workato-oauth.yaml: valid (4 profiles, 12 customers)\n');
    const plan = await b.cli(['plan', ...FAST]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('18 to assign');
    const apply = await b.cli(['apply', '--auto-approve', ...FAST]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(b.holdings({ externalId: 'B 17/02' })).toEqual(['Acme HubSpot OAuth app']);
    expect(b.holdings({ id: 4569 })).toEqual(['Acme Zoom app']);
  });

  it('a bad customer file: validate and plan print one line per problem at its file, exit 1, no API call', async () => {
    const b = await splitExample();
    await writeFile(
      join(b.dir, 'customers/third.yaml'),
      '- id: 7\n  profiles: [Acme Zom app]\n- id: -1\n  profiles: []\n',
    );
    const validate = await b.cli(['validate']);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toBe(
      [
        "customers/third.yaml:2:14  [0].profiles[0]  unknown profile 'Acme Zom app' (did you mean 'Acme Zoom app'?)",
        'customers/third.yaml:3:7  [1].id  expected a positive integer, got -1',
        'workato-oauth.yaml: 2 errors',
        '',
      ].join('\n'),
    );
    const mark = b.emulator.requestLog.length;
    const plan = await b.cli(['plan', ...FAST]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      "customers/third.yaml:2:14  [0].profiles[0]  unknown profile 'Acme Zom app'",
    );
    expect(plan.stderr).not.toMatch(/\n\s+at /);
    expect(b.emulator.requestLog.length).toBe(mark);
  });

  it('a customer missing from the workspace is named at its line in its own file', async () => {
    const b = await splitExample();
    const second = join(b.dir, 'customers/second.yaml');
    const lines = (await readFile(second, 'utf8')).split('\n').length;
    await writeFile(second, `${await readFile(second, 'utf8')}- id: 45670\n  profiles: [Acme Zoom app]\n`);
    const plan = await b.cli(['plan', ...FAST]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toBe(
      `error: customers/second.yaml:${lines}:3  customer id 45670 does not exist in the workspace\n`,
    );
  });

  it('a saved plan is stale once a customer file changes', async () => {
    const b = await splitExample();
    const plan = await b.cli(['plan', '--out', 'p.json', ...FAST]);
    expect(plan.code, plan.stderr).toBe(0);
    const first = join(b.dir, 'customers/first.yaml');
    await writeFile(first, (await readFile(first, 'utf8')).replace('A2300', 'A2302X'));
    const mark = b.emulator.requestLog.length;
    const apply = await b.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(apply.code, apply.output).toBe(1);
    expect(apply.stderr).toContain('customer external_id "A2302X" does not exist');
    expect(b.writes(mark)).toEqual([]);

    // Put back, the plan still holds; touch the second file only in content and it goes stale.
    await writeFile(first, (await readFile(first, 'utf8')).replace('A2302X', 'A2300'));
    const second = join(b.dir, 'customers/second.yaml');
    await writeFile(second, `# regenerated\n${await readFile(second, 'utf8')}`);
    const stale = await b.cli(['apply', 'p.json', '--auto-approve', ...FAST]);
    expect(stale.code, stale.output).toBe(3);
    expect(stale.stderr).toContain('the config workato-oauth.yaml changed');
    expect(b.writes(mark)).toEqual([]);
  });
});
