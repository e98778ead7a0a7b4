import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { renderJson, toPlanJson } from '../../src/render/json.js';
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

  it('gives force only where an unassign happens', () => {
    const changes = toPlanJson(makeScenarioPlan()).changes;
    const force = Object.fromEntries(
      changes.flatMap((c) => (c.kind === 'assignment' ? [[c.address, c.force]] : [])),
    );
    expect(force).toEqual({
      'assignment["E:A2300"]["HubSpot EU"]': false,
      'assignment["7788"]["Salesforce"]': null,
      'assignment["E:A100"]["Salesforce Sandbox"]': null,
      'assignment["E:A2301"]["HubSpot EU"]': null,
      'assignment["E:A2400"]["HubSpot US"]': true,
      'assignment["E:A2401"]["Old HubSpot"]': false,
    });
  });

  it('is refused by the schema if a secret value ever appeared', () => {
    const json = toPlanJson(makeScenarioPlan());
    const create = json.changes[0];
    if (create?.kind !== 'profile' || !create.after) throw new Error('scenario starts with a create');
    (create.after as { client_secret: string }).client_secret = 'hunter2';
    expect(validate(JSON.parse(JSON.stringify(json)))).toBe(false);
  });
});
