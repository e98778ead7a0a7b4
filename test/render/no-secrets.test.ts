/**
 * The plan never holds a secret value, only markers. These tests put one there anyway,
 * as a planner bug would, and check that no renderer prints it.
 */
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/types.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { makeScenarioPlan } from './scenario.js';

const VALUE = 'hunter2-not-a-marker';

function makeLeakyPlan(): Plan {
  const plan = makeScenarioPlan();
  for (const change of plan.changes) {
    if (change.kind !== 'profile') continue;
    for (const view of [change.before, change.after]) {
      if (view?.client_secret !== undefined) view.client_secret = VALUE;
      if (view?.token !== undefined) view.token = VALUE;
    }
  }
  return plan;
}

const renderers = {
  text: (plan: Plan) => renderText(plan, { color: false }),
  markdown: (plan: Plan) => renderMarkdown(plan),
  json: renderJson,
};

describe.each(Object.entries(renderers))('the %s renderer', (_name, render) => {
  it('never prints a value found in a secret field', () => {
    expect(render(makeLeakyPlan())).not.toContain(VALUE);
  });

  it('shows a secret variable only as a name', () => {
    const output = render(makeScenarioPlan());
    for (const line of output.split('\n').filter((l) => l.includes('SLACK_CLIENT_SECRET'))) {
      expect(line).toMatch(/\$SLACK_CLIENT_SECRET\b|"SLACK_CLIENT_SECRET"/);
    }
  });
});
