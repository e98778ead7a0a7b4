/**
 * docs/plan-json.md against the tool: its example is a document the schema accepts,
 * and every `least_seconds` it states is what the tool computes for those calls.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { estimateSeconds } from '../../src/plan/cost.js';

const doc = readFileSync(new URL('../../docs/plan-json.md', import.meta.url), 'utf8');
const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

function example(): Record<string, unknown> & {
  api_calls: { profiles: number; embedded: number; rate_per_minute: number; least_seconds: number };
} {
  const section = doc.slice(doc.indexOf('## Example\n'));
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('no JSON example in docs/plan-json.md');
  return JSON.parse(block);
}

describe('docs/plan-json.md', () => {
  it('its example is valid against schemas/plan.schema.json', () => {
    const plan = example();
    expect(validate(plan), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("its example's least_seconds is what the tool says for those calls", () => {
    const { profiles, embedded, rate_per_minute, least_seconds } = example().api_calls;
    expect(estimateSeconds({ apiCalls: { profiles, embedded }, ratePerMinute: rate_per_minute })).toBe(
      least_seconds,
    );
  });

  it('the worked figures in its text are what the tool computes', () => {
    // "e.g. 12 profile and 300 embedded calls at 60/min: 0 + 4 * 60 = 240"
    expect(doc).toContain('12 profile and 300 embedded calls at 60/min: 0 + 4 * 60 = 240');
    expect(estimateSeconds({ apiCalls: { profiles: 12, embedded: 300 }, ratePerMinute: 60 })).toBe(240);
    // "With 130 embedded calls instead ... (ceil(130 / 60) - 1) * 60 = 120."
    expect(doc).toContain('`least_seconds` is (ceil(130 / 60) - 1) * 60 = 120');
    const profiles = example().api_calls.profiles;
    expect(estimateSeconds({ apiCalls: { profiles, embedded: 130 }, ratePerMinute: 60 })).toBe(120);
  });
});
