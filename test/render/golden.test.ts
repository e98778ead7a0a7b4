/**
 * Golden files: the rendered scenario, reviewed by eye. `UPDATE_GOLDEN=1 npx vitest
 * run test/render` rewrites them; otherwise they are read and compared byte for byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { makeEmptyPlan, makeScenarioPlan } from './scenario.js';

function expectGolden(name: string, actual: string): void {
  const file = new URL(`./golden/${name}`, import.meta.url);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe.each([
  ['scenario', makeScenarioPlan],
  ['empty', makeEmptyPlan],
])('the %s plan', (name, makePlan) => {
  it('renders as text like its golden file', () => {
    expectGolden(`${name}.txt`, renderText(makePlan(), { color: false }));
  });

  it('renders as markdown like its golden file', () => {
    expectGolden(`${name}.md`, renderMarkdown(makePlan()));
  });

  it('renders as JSON like its golden file', () => {
    expectGolden(`${name}.json`, renderJson(makePlan()));
  });

  it('renders byte-identically twice', () => {
    for (const render of [
      (plan: ReturnType<typeof makePlan>) => renderText(plan, { color: true }),
      (plan: ReturnType<typeof makePlan>) => renderMarkdown(plan),
      renderJson,
    ]) {
      expect(render(makePlan())).toBe(render(makePlan()));
    }
  });
});
