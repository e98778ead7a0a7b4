import { afterEach, describe, expect, it } from 'vitest';
import { leakedSecrets } from '../e2e/world.js';
import { type Bench, startBench } from './harness.js';

let world: Bench;
afterEach(async () => {
  await world.close();
});

describe('apply --format json', () => {
  it('prints one report object: the plan, each change and its outcome, the calls made', async () => {
    world = await startBench();
    const first = await world.cli(['apply', '--auto-approve', '--format', 'json']);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.format_version).toBe('1');
    expect(report.result).toBe('complete');
    expect(report.summary).toEqual({ done: 22, failed: 0, skipped: 0 });
    expect(report.outcomes).toHaveLength(22);
    expect(report.outcomes[0]).toEqual({
      address: 'profile["Acme HubSpot OAuth app"]',
      action: 'create',
      status: 'done',
      reason: null,
      note: null,
    });
    expect(report.plan.summary.assign).toBe(18);
    // 2 reads to plan, 4 creates, 18 assigns.
    expect(report.api_calls.requests).toEqual({ profiles: 5, embedded: 19 });
    expect(leakedSecrets(first.stdout, first.stderr)).toEqual([]);

    const second = await world.cli(['apply', '--auto-approve', '--format', 'json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ result: 'no-changes', outcomes: [] });
  });
});
