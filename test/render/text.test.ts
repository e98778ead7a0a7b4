import { describe, expect, it } from 'vitest';
import {
  type AssignmentChange,
  assignmentAddress,
  type Plan,
  type ProfileChange,
  profileAddress,
  SENSITIVE,
} from '../../src/plan/types.js';
import { renderText, renderTextTo } from '../../src/render/text.js';
import { makeEmptyPlan, makeScenarioPlan } from './scenario.js';

const plain = (plan: Plan) => renderText(plan, { color: false });

function findChange<K extends 'profile' | 'assignment'>(
  plan: Plan,
  kind: K,
  address: string,
): K extends 'profile' ? ProfileChange : AssignmentChange {
  const change = plan.changes.find((c) => c.kind === kind && c.address === address);
  if (!change) throw new Error(`the scenario has no ${address}`);
  return change as K extends 'profile' ? ProfileChange : AssignmentChange;
}

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

  it('ends the changes with the totals, saying per action how many are refused, and the cost', () => {
    const text = renderText(makeScenarioPlan(), { color: false });
    expect(text).toContain(
      'Plan: 1 to create, 1 to adopt, 4 to update, 2 to replace (1 refused), 2 to delete (1 refused); 4 to assign, 2 to unassign, 1 to swap.\n' +
        'API calls: 30 (profiles 11, embedded 19), within the rate limit of 60/min per bucket.\n',
    );
  });

  it('shows what each change does to a reviewer', () => {
    const text = renderText(makeScenarioPlan(), { color: false });
    expect(text).toContain('      ~ client_id     = "us-old" -> "us-new"\n');
    expect(text).toContain('      ~ client_secret = (sensitive value changed)\n');
    expect(text).toContain('(known after apply: $SLACK_CLIENT_SECRET is not set)');
    expect(text).toContain(' <= profile["Salesforce"] {');
    expect(text).toContain(
      '-/+ assignment["E:A2300"]["HubSpot EU"] (replaces "HubSpot US", same provider; force)',
    );
    expect(text).toContain('  - assignment["E:A2400"]["HubSpot US"] (force)\n');
    expect(text).toContain('  ! profile["Production Slack"] {');
    expect(text).toContain('  # profile["Production Slack"] would be deleted (prevent_destroy is set)\n');
  });

  describe('refusals', () => {
    it('marks a refused change with ! and its reason, and counts it', () => {
      const plan = makeScenarioPlan();
      const text = plain(plan);
      const replace = findChange(plan, 'profile', 'profile["Salesforce Sandbox"]');
      expect(text).toContain('  # profile["Salesforce Sandbox"] would be replaced\n');
      expect(text).toContain(`  # refused: ${replace.refused}\n`);
      expect(text).toContain('  ! profile["Salesforce Sandbox"] {');
      expect(text).not.toContain('-/+ profile["Salesforce Sandbox"]');
      expect(text).toContain('2 to replace (1 refused), 2 to delete (1 refused)');
      expect(text).toContain('  ! refused: apply will not run while this change is refused');
    });

    it('marks a refused assignment with ! and names its action', () => {
      const reason = 'the plan removes 12 of 30 managed assignments; pass --force if that is intended';
      const plan: Plan = {
        ...makeEmptyPlan(),
        changes: [
          {
            kind: 'assignment',
            action: 'unassign',
            address: assignmentAddress('E:1', 'P'),
            customer: 'E:1',
            profile: 'P',
            force: true,
            refused: reason,
          },
        ],
        apiCalls: { profiles: 0, embedded: 1 },
      };
      const text = plain(plan);
      expect(text).toContain(`  ! assignment["E:1"]["P"] (unassign; force) # refused: ${reason}\n`);
      expect(text).toContain('0 to assign, 1 to unassign (1 refused), 0 to swap.');
    });

    it('lists every reason last under "Apply is refused:", with its address where there is one', () => {
      const plan = makeScenarioPlan();
      const text = plain(plan);
      const block = text.slice(text.indexOf('\nApply is refused:\n'));
      expect(block.trimEnd().split('\n')).toEqual([
        '',
        'Apply is refused:',
        '  profile["Salesforce Sandbox"]: the state does not know every customer Workato counts on it, and the replace would leave those without the profile; run `workato-oauth apply --reassert` first (customer-count)',
        // The message names its address already: it is not said twice.
        '  profile["Production Slack"] has prevent_destroy; to delete it, first apply it with prevent_destroy: false, then remove it (prevent-destroy)',
        '  the plan deletes 4 profiles (2 of them to recreate for a new provider); pass --allow-delete to allow it (delete-not-allowed)',
      ]);
      expect(text.endsWith(`${block}`)).toBe(true);
    });

    it('prints nothing about refusals when there are none', () => {
      const plan: Plan = {
        ...makeScenarioPlan(),
        refusals: [],
        changes: makeScenarioPlan().changes.map(({ refused: _refused, ...change }) => change),
      };
      const text = plain(plan);
      expect(text).not.toMatch(/refused/i);
      expect(text).not.toContain(' ! ');
    });

    it('says apply is refused, not that the workspace matches, when a plan without changes is refused', () => {
      const plan: Plan = {
        ...makeEmptyPlan(),
        refusals: [{ code: 'workspace', address: null, message: 'this state belongs to another workspace' }],
      };
      const text = plain(plan);
      expect(text).not.toContain('matches');
      expect(text).toContain('Apply is refused:\n  this state belongs to another workspace (workspace)\n');
    });
  });

  describe('drift', () => {
    it('gives an update made because of drift its reason, and shows its secrets as re-sent', () => {
      const plan = makeScenarioPlan();
      const text = plain(plan);
      const update = findChange(plan, 'profile', 'profile["Slack Support"]');
      expect(text).toContain(`  # profile["Slack Support"] will be updated in place\n  # ${update.drift}\n`);
      expect(text).toContain('      ~ client_secret = (sensitive value, re-sent)\n');
      expect(text).toContain(
        '      ~ token         = (unknown until apply: $SLACK_SUPPORT_TOKEN is not set; re-sent)\n',
      );
    });

    it('lists the findings with their repair', () => {
      const plan = makeScenarioPlan();
      const text = plain(plan);
      const [finding] = plan.drift;
      expect(text).toContain(
        'Drift: 1 change made outside workato-oauth that this plan does not repair:\n' +
          `  ${finding!.address}: ${finding!.message} (${finding!.code})\n` +
          `      repair: ${finding!.repair}\n`,
      );
    });

    it('does not say the workspace matches when only drift was found', () => {
      const plan: Plan = { ...makeEmptyPlan(), drift: makeScenarioPlan().drift };
      const text = plain(plan);
      expect(text).not.toContain('matches');
      expect(text).toMatch(
        /^No changes to apply, but the workspace has drifted: 1 change made outside workato-oauth/,
      );
      expect(text).toContain('repair: workato-oauth apply --reassert');
    });
  });

  it('shows a rename as an update in place, never as a delete and a create', () => {
    const text = plain(makeScenarioPlan());
    expect(text).toContain(
      '  # profile["HubSpot Partners"] will be renamed in place from "HubSpot Partner"\n',
    );
    expect(text).toContain('  ~ profile["HubSpot Partners"] {');
    expect(text).toContain('      ~ name     = "HubSpot Partner" -> "HubSpot Partners" # renamed in place\n');
    expect(text).not.toMatch(/^ *(\+|-|-\/\+) profile\["HubSpot Partners?"\]/m);
  });

  describe('a replace', () => {
    it('says how it runs: the new profile, the moves, the unassigns, the delete and the rename', () => {
      const text = plain(makeScenarioPlan());
      expect(text).toContain(
        [
          '  # the replace would run in this order, so that no customer is left without a profile:',
          '  #   1. create the new profile as "Salesforce Sandbox (replacing id 103)"',
          '  #   2. move 3 customers to it (assign the new one, then unassign the old one):',
          '  #        "4242", "E:A100", "E:A101"',
          '  #   3. unassign the old profile from 1 customer not moved:',
          '  #        "E:A102"',
          '  #   4. delete the old profile (id 103), then rename the new one "Salesforce Sandbox"',
          "  #   the old profile's unassign sends force=true for 2 customers:",
          '  #        "E:A101", "E:A102"',
        ].join('\n'),
      );
      expect(text).not.toContain('delete, then create');
    });

    it('re-uses the new profile an interrupted apply made', () => {
      const text = plain(makeScenarioPlan());
      expect(text).toContain(
        '  #   1. re-use the new profile (id 777), made as "Zoom (replacing id 106)" by an interrupted apply\n',
      );
      expect(text).toContain('      ~ id       = 106 -> 777\n');
    });

    it('names customers Workato counts beyond those the state knows, and only then', () => {
      const text = plain(makeScenarioPlan());
      expect(text).toContain('  # Workato counts 5 customers on it; the state knows 4 of them\n');
      // Zoom: 1 live, 1 known; Production Slack: 0 and 0.
      expect(text.match(/Workato counts \d+ customers? on it/g)).toHaveLength(1);
    });

    it('lists every customer it moves, wrapped', () => {
      const plan = makeScenarioPlan();
      const replace = findChange(plan, 'profile', 'profile["Salesforce Sandbox"]');
      replace.moves = Array.from({ length: 40 }, (_, i) => `E:customer-${i}`);
      const text = plain(plan);
      for (const customer of replace.moves) expect(text).toContain(`"${customer}"`);
      for (const line of text.split('\n').filter((l) => l.includes('"E:customer-'))) {
        expect(line.startsWith('  #        ')).toBe(true);
        expect(line.length).toBeLessThanOrEqual(100);
      }
    });
  });

  describe('assignments', () => {
    it('shows (force) exactly where the change sends force=true', () => {
      const plan = makeScenarioPlan();
      const text = plain(plan);
      const lines = text.split('\n');
      for (const change of plan.changes) {
        if (change.kind !== 'assignment') continue;
        const line = lines.find((l) => l.includes(`${change.address} `) || l.endsWith(change.address));
        expect(line, change.address).toBeDefined();
        expect(/[(;] ?force\)/.test(line!), line).toBe(change.force === true);
      }
    });

    it('flags an unassign that connections still use', () => {
      expect(plain(makeScenarioPlan())).toContain(
        '  - assignment["E:A2401"]["Old HubSpot"] # in use by 3 connections; will likely fail without force\n',
      );
    });

    it('marks an assign sent again to confirm the state', () => {
      expect(plain(makeScenarioPlan())).toContain(
        '  + assignment["E:A2302"]["HubSpot US"] # assigned per the state; sent again to confirm\n',
      );
    });
  });

  it("names an unmanaged profile that shares a managed profile's name", () => {
    const text = plain(makeScenarioPlan());
    expect(text).toContain(
      '    id 902 "HubSpot US" (provider "hubspot"): another profile named "HubSpot US"; left alone\n',
    );
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

  it('shows hidden characters in reasons, names and customers visibly', () => {
    const hostile = 'x\u001b[2Jy\u202e';
    const plan = makeScenarioPlan();
    const replace = findChange(plan, 'profile', 'profile["Salesforce Sandbox"]');
    replace.refused = hostile;
    replace.replacementName = hostile;
    replace.moves = [hostile];
    findChange(plan, 'profile', 'profile["Slack Support"]').drift = hostile;
    plan.drift = [{ code: hostile, address: hostile, message: hostile, repair: hostile }];
    plan.refusals = [{ code: hostile, address: hostile, message: hostile }];
    plan.unmanaged = [{ id: 1, name: 'n', provider: 'p', duplicateOf: hostile }];
    const text = plain(plan);
    for (const hidden of ['\u001b', '\u202e']) expect(text).not.toContain(hidden);
    expect(text.match(/x\\u001b\[2Jy\\u202e/g)?.length).toBeGreaterThanOrEqual(10);
  });
});

describe('a plan of many changes', () => {
  it('is written in pieces that read as one plan: every assignment on its own line, in order, no gap at a seam', () => {
    const base = makeScenarioPlan();
    const assignment = base.changes.find((c): c is AssignmentChange => c.kind === 'assignment')!;
    const many: AssignmentChange[] = Array.from({ length: 10_000 }, (_, i) => ({
      ...assignment,
      address: assignmentAddress(`E:C${i}`, 'Acme HubSpot OAuth app'),
    }));
    const plan: Plan = { ...base, changes: many };
    const chunks: string[] = [];
    renderTextTo(plan, { color: false }, (chunk) => chunks.push(chunk));
    expect(chunks.length).toBeGreaterThan(1);
    const text = chunks.join('');
    expect(text).toBe(plain(plan));
    const lines = text.split('\n');
    const first = lines.findIndex((line) => line.includes('E:C0"'));
    const shown = lines.slice(first, first + many.length);
    expect(shown.map((line) => /E:C(\d+)"/.exec(line)?.[1])).toEqual(many.map((_, i) => String(i)));
    expect(lines[first + many.length]).toBe('');
  });
});
