import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, startBench } from './harness.js';

let world: Bench;
let elsewhere: string;
afterEach(async () => {
  await world.close();
  await rm(elsewhere, { recursive: true, force: true });
});

describe('a saved plan', () => {
  it('applies from another checkout of the same repository (plan and apply in different CI jobs)', async () => {
    world = await startBench();
    const plan = await world.cli(['plan', '--out', 'plan.json']);
    expect(plan.code, plan.stderr).toBe(0);
    const saved = JSON.parse(await readFile(join(world.dir, 'plan.json'), 'utf8'));
    expect(saved.config.path).toBe('workato-oauth.yaml');
    expect(saved.state.path).toBe('workato-oauth.state.json');

    elsewhere = await mkdtemp(join(tmpdir(), 'wo-checkout-'));
    await cp(world.dir, elsewhere, { recursive: true });
    const apply = await world.cli(['apply', 'plan.json', '--auto-approve'], { cwd: elsewhere });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 22 done, 0 failed, 0 skipped.');
    const state = JSON.parse(await readFile(join(elsewhere, 'workato-oauth.state.json'), 'utf8'));
    expect(Object.keys(state.profiles)).toHaveLength(4);
  });
});
