import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/apply/execute.js';
import { type ApplyReport, renderApplyJson, renderApplyText } from '../../src/render/apply-report.js';
import { makeScenarioPlan } from './scenario.js';

function makeReport(): ApplyReport {
  const plan = { ...makeScenarioPlan(), refusals: [] };
  const [create, adopt] = plan.changes;
  const unassign = plan.changes.find((c) => c.address === 'assignment["E:A2400"]["HubSpot US"]');
  if (!create || !adopt || !unassign) throw new Error('the scenario has these changes');
  const outcomes: Outcome[] = [
    { status: 'done', change: create },
    { status: 'failed', change: adopt, reason: '422 client_id is invalid' },
    { status: 'done', change: unassign, note: 'customer E:A2400 no longer exists in Workato; forgotten' },
  ];
  return {
    plan,
    outcomes,
    interrupted: false,
    counts: { requests: { profiles: 2, embedded: 1 }, retries: { profiles: 0, embedded: 0 } },
    seconds: 1.23,
  };
}

describe('renderApplyText', () => {
  it('lists the changes done with a note beside those not done, in apply order', () => {
    expect(renderApplyText(makeReport())).toBe(
      '\nApply finished with failures: 2 done, 1 failed, 0 skipped.\n' +
        '  failed   profile["Salesforce"]                adopt: 422 client_id is invalid\n' +
        '  note     assignment["E:A2400"]["HubSpot US"]  unassign: customer E:A2400 no longer exists in Workato; forgotten\n' +
        'API calls: 3 (profiles 2, embedded 1; 0 retries) in 1.2 s.\n',
    );
  });
});

describe('renderApplyJson', () => {
  it('gives every outcome its note, null when there is none', () => {
    const report = JSON.parse(renderApplyJson(makeReport()));
    expect(report.outcomes).toEqual([
      { address: 'profile["HubSpot EU"]', action: 'create', status: 'done', reason: null, note: null },
      {
        address: 'profile["Salesforce"]',
        action: 'adopt',
        status: 'failed',
        reason: '422 client_id is invalid',
        note: null,
      },
      {
        address: 'assignment["E:A2400"]["HubSpot US"]',
        action: 'unassign',
        status: 'done',
        reason: null,
        note: 'customer E:A2400 no longer exists in Workato; forgotten',
      },
    ]);
  });

  it('embeds the plan with its refusals and drift', () => {
    const report = makeReport();
    const refused = { ...report, plan: makeScenarioPlan(), outcomes: [] };
    const json = JSON.parse(renderApplyJson(refused));
    expect(json.result).toBe('no-changes');
    expect(json.plan.refusals).toHaveLength(3);
    expect(json.plan.drift).toHaveLength(1);
    expect(json.plan.summary.refusals).toBe(3);
  });
});
