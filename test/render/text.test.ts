import { describe, expect, it } from 'vitest';
import { type Plan, profileAddress, SENSITIVE } from '../../src/plan/types.js';
import { renderText } from '../../src/render/text.js';
import { makeEmptyPlan, makeScenarioPlan } from './scenario.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

describe('renderText', () => {
  it('colours only when asked to, and colour changes nothing else', () => {
    const plain = renderText(makeScenarioPlan(), { color: false });
    const coloured = renderText(makeScenarioPlan(), { color: true });
    expect(plain).not.toContain('\u001b');
    expect(coloured).toContain('\u001b[32m+\u001b[0m');
    expect(coloured).toContain('\u001b[31m-\u001b[0m/\u001b[32m+\u001b[0m');
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });

  it('says there is nothing to do for an empty plan', () => {
    expect(renderText(makeEmptyPlan(), { color: true })).toBe(
      'No changes. The workspace matches the configuration.\n',
    );
  });

  it('lists unmanaged profiles and warnings even when nothing changes', () => {
    const plan: Plan = {
      ...makeEmptyPlan(),
      unmanaged: [{ id: 7, name: 'Legacy', provider: 'hubspot' }],
      warnings: [{ code: 'profile-gone', message: 'profile "X" is gone' }],
    };
    const text = renderText(plan, { color: false });
    expect(text).toContain('No changes.');
    expect(text).toContain('Not managed, left alone: 1 profile');
    expect(text).toContain('id 7 "Legacy" (provider "hubspot")');
    expect(text).toContain('Warning (profile-gone): profile "X" is gone');
    expect(text).not.toContain('API calls');
  });

  it('ends the changes with the totals and the cost', () => {
    const text = renderText(makeScenarioPlan(), { color: false });
    expect(text).toContain(
      'Plan: 1 to create, 1 to adopt, 2 to update, 1 to replace, 2 to delete (1 refused); 3 to assign, 2 to unassign, 1 to swap.\n' +
        'API calls: 18 (profiles 8, embedded 10), within the rate limit of 60/min per bucket.\n',
    );
  });

  it('shows what each change does to a reviewer', () => {
    const text = renderText(makeScenarioPlan(), { color: false });
    expect(text).toContain('      ~ client_id     = "us-old" -> "us-new"\n');
    expect(text).toContain('      ~ client_secret = (sensitive value changed)\n');
    expect(text).toContain('(known after apply: $SLACK_CLIENT_SECRET is not set)');
    expect(text).toContain(' <= profile["Salesforce"] {');
    expect(text).toContain(
      '-/+ assignment["E:A2300"]["HubSpot EU"] (replaces "HubSpot US", same provider; force=false)',
    );
    expect(text).toContain('  - assignment["E:A2400"]["HubSpot US"] (force=true)');
    expect(text).toContain('  - assignment["E:A2401"]["Old HubSpot"] (force=false)');
    expect(text).toContain('unassigns it from 3 customers first');
    expect(text).toContain('  ! profile["Production Slack"] (id 500)');
    expect(text).toContain('will NOT be deleted: prevent_destroy is set');
  });

  it('shows a hostile name with its escapes visible instead of letting the terminal act on them', () => {
    const name = 'evil\u001b[2J\u202ename\u009b';
    const plan: Plan = {
      ...makeEmptyPlan(),
      changes: [
        {
          kind: 'profile',
          action: 'create',
          address: profileAddress(name),
          profile: name,
          after: { name, provider: 'hubspot', client_id: 'x', client_secret: SENSITIVE },
          secretRefs: { client_secret: 'S' },
        },
      ],
      apiCalls: { profiles: 1, embedded: 0 },
    };
    const text = renderText(plan, { color: false });
    for (const hidden of ['\u001b', '\u202e', '\u009b']) expect(text).not.toContain(hidden);
    expect(text).toContain('profile["evil\\u001b[2J\\u202ename\\u009b"]');
  });
});
