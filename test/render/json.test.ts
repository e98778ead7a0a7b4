import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { assignmentAddress, type Plan } from '../../src/plan/types.js';
import { type ProfileChangeJson, renderJson, toPlanJson } from '../../src/render/json.js';
import { makeEmptyPlan, makeLargePlan, makeScenarioPlan } from './scenario.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

describe('renderJson', () => {
  it.each([
    ['scenario', makeScenarioPlan],
    ['empty', makeEmptyPlan],
    ['large', () => makeLargePlan(50, 3)],
  ])('gives JSON that the schema accepts (%s plan)', (_name, makePlan) => {
    const json = JSON.parse(renderJson(makePlan()));
    expect(validate(json), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is the plan JSON, indented, with a final newline', () => {
    const plan = makeScenarioPlan();
    expect(renderJson(plan)).toBe(`${JSON.stringify(toPlanJson(plan), null, 2)}\n`);
  });

  it('counts every action, zeros included', () => {
    expect(toPlanJson(makeEmptyPlan()).summary).toEqual({
      create: 0,
      adopt: 0,
      update: 0,
      replace: 0,
      swap: 0,
      assign: 0,
      unassign: 0,
      delete: 0,
      refused: 0,
      refusals: 0,
      drift: 0,
      state_only: 0,
    });
  });

  it('says the cost per bucket and the least time', () => {
    expect(toPlanJson(makeLargePlan(10_000, 2)).api_calls).toEqual({
      profiles: 2,
      embedded: 10_000,
      total: 10_002,
      rate_per_minute: 60,
      least_seconds: 166 * 60,
    });
  });

  it('gives force only where an unassign happens, exactly as the change sends it', () => {
    const plan = makeScenarioPlan();
    const changes = toPlanJson(plan).changes;
    const force = Object.fromEntries(
      changes.flatMap((c) => (c.kind === 'assignment' ? [[c.address, c.force]] : [])),
    );
    expect(force).toEqual({
      'assignment["E:A2300"]["HubSpot EU"]': true,
      'assignment["7788"]["Salesforce"]': null,
      'assignment["E:A103"]["Salesforce Sandbox"]': null,
      'assignment["E:A2301"]["HubSpot EU"]': null,
      'assignment["E:A2302"]["HubSpot US"]': null,
      'assignment["E:A2400"]["HubSpot US"]': true,
      'assignment["E:A2401"]["Old HubSpot"]': false,
    });
    for (const change of plan.changes) {
      if (change.kind !== 'assignment' || change.action === 'assign') continue;
      expect(force[change.address], change.address).toBe(change.force === true);
    }
  });

  it('gives every change its refusal, counts them, and lists every reason', () => {
    const plan = makeScenarioPlan();
    const json = toPlanJson(plan);
    expect(json.changes.map((c) => c.refused)).toEqual(plan.changes.map((c) => c.refused ?? null));
    expect(json.summary.refused).toBe(2);
    expect(json.summary.refusals).toBe(3);
    expect(json.refusals).toEqual([
      {
        code: 'customer-count',
        address: 'profile["Salesforce Sandbox"]',
        message: expect.stringContaining('the state does not know every customer'),
      },
      {
        code: 'prevent-destroy',
        address: 'profile["Production Slack"]',
        message: expect.stringContaining('has prevent_destroy'),
      },
      { code: 'delete-not-allowed', address: null, message: expect.stringContaining('--allow-delete') },
    ]);
  });

  it('says why an update is made, and counts and lists the drift findings', () => {
    const json = toPlanJson(makeScenarioPlan());
    const update = profileJson(json.changes, 'profile["Slack Support"]');
    expect(update.drift).toMatch(/^modified outside workato-oauth: updated_at /);
    expect(update.changed).toEqual(['client_secret', 'token']);
    expect(profileJson(json.changes, 'profile["Slack"]').drift).toBeNull();
    expect(json.summary.drift).toBe(1);
    expect(json.drift).toEqual([
      {
        code: 'assignment-count-drift',
        address: 'profile["HubSpot US"]',
        message: expect.stringContaining('Workato counts 14 customer(s)'),
        repair: 'workato-oauth apply --reassert',
      },
    ]);
  });

  it('shows a rename as an update with renamed_from', () => {
    const json = toPlanJson(makeScenarioPlan());
    const rename = profileJson(json.changes, 'profile["HubSpot Partners"]');
    expect(rename).toMatchObject({ action: 'update', renamed_from: 'HubSpot Partner', changed: ['name'] });
    expect(json.changes.filter((c) => c.profile.startsWith('HubSpot Partner'))).toHaveLength(1);
  });

  it('says how a replace runs, and prevent_destroy and the customer count for delete and replace', () => {
    const json = toPlanJson(makeScenarioPlan());
    expect(profileJson(json.changes, 'profile["Salesforce Sandbox"]')).toMatchObject({
      moves: ['4242', 'E:A100', 'E:A101'],
      unassign_from: ['E:A102'],
      forced: ['E:A101', 'E:A102'],
      replacement_name: 'Salesforce Sandbox (replacing id 103)',
      replacement_id: null,
      prevent_destroy: false,
      customer_count: { live: 5, known: 4 },
    });
    expect(profileJson(json.changes, 'profile["Zoom"]')).toMatchObject({ replacement_id: 777, forced: [] });
    expect(profileJson(json.changes, 'profile["Production Slack"]')).toMatchObject({
      prevent_destroy: true,
      customer_count: { live: 0, known: 0 },
      moves: null,
    });
    const update = profileJson(json.changes, 'profile["HubSpot US"]');
    expect(update).toMatchObject({ moves: null, forced: null, prevent_destroy: null, customer_count: null });
  });

  it('gives connections in use, reasserts and duplicates', () => {
    const json = toPlanJson(makeScenarioPlan());
    const byAddress = Object.fromEntries(
      json.changes.flatMap((c) => (c.kind === 'assignment' ? [[c.address, [c.in_use, c.reassert]]] : [])),
    );
    expect(byAddress['assignment["E:A2401"]["Old HubSpot"]']).toEqual([3, null]);
    expect(byAddress['assignment["E:A2400"]["HubSpot US"]']).toEqual([null, null]);
    expect(byAddress['assignment["E:A2302"]["HubSpot US"]']).toEqual([null, true]);
    expect(byAddress['assignment["7788"]["Salesforce"]']).toEqual([null, false]);
    expect(json.unmanaged.map((p) => p.duplicate_of)).toEqual([null, null, 'HubSpot US']);
  });

  it('gives JSON that the schema accepts for a refused assignment and an empty plan with drift and refusals', () => {
    const plan: Plan = {
      ...makeEmptyPlan(),
      changes: [
        {
          kind: 'assignment',
          action: 'swap',
          address: assignmentAddress('E:1', 'New'),
          customer: 'E:1',
          profile: 'New',
          previous: 'Old',
          force: false,
          inUse: 2,
          refused: 'too many removals',
        },
      ],
      refusals: [{ code: 'max-change-percent', address: null, message: 'too many removals' }],
      drift: makeScenarioPlan().drift,
    };
    expect(validate(JSON.parse(renderJson(plan))), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(
      validate(JSON.parse(renderJson({ ...makeEmptyPlan(), drift: plan.drift }))),
      JSON.stringify(validate.errors),
    ).toBe(true);
  });

  it('is refused by the schema when a key appears on a change it does not belong to', () => {
    const json = JSON.parse(renderJson(makeScenarioPlan()));
    const update = json.changes.find((c: { address: string }) => c.address === 'profile["HubSpot US"]');
    update.moves = ['E:1'];
    expect(validate(json)).toBe(false);
    const again = JSON.parse(renderJson(makeScenarioPlan()));
    const assign = again.changes.find(
      (c: { address: string }) => c.address === 'assignment["7788"]["Salesforce"]',
    );
    assign.in_use = 2;
    expect(validate(again)).toBe(false);
  });

  it('is refused by the schema if a secret value ever appeared', () => {
    const json = toPlanJson(makeScenarioPlan());
    const create = json.changes[0];
    if (create?.kind !== 'profile' || !create.after) throw new Error('scenario starts with a create');
    (create.after as { client_secret: string }).client_secret = 'hunter2';
    expect(validate(JSON.parse(JSON.stringify(json)))).toBe(false);
  });
});

function profileJson(changes: ReturnType<typeof toPlanJson>['changes'], address: string): ProfileChangeJson {
  const change = changes.find((c) => c.address === address);
  if (change?.kind !== 'profile') throw new Error(`no profile change ${address}`);
  return change;
}
