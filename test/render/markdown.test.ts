import { describe, expect, it } from 'vitest';
import { assignmentAddress, type Plan, profileAddress, SENSITIVE } from '../../src/plan/types.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { makeEmptyPlan, makeLargePlan, makeScenarioPlan } from './scenario.js';

/** Every fence closed by one at least as long, every <details> closed, outside fences. */
function expectBalanced(markdown: string): void {
  let open: string | undefined;
  let details = 0;
  for (const line of markdown.split('\n')) {
    const fence = /^(`{3,})/.exec(line)?.[1];
    if (open !== undefined) {
      if (fence !== undefined && fence.length >= open.length && line.trim() === fence) open = undefined;
      continue;
    }
    if (fence !== undefined) {
      open = fence;
      continue;
    }
    details += (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    expect(details).toBeGreaterThanOrEqual(0);
  }
  expect(open).toBeUndefined();
  expect(details).toBe(0);
}

/**
 * What could act as markup or a mention: the markdown without fences, code spans
 * (a backtick escaped by a backslash opens none) and `<code>` elements.
 */
function stripCode(markdown: string): string {
  return markdown
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
    .replace(/(?<!\\)(`+)[\s\S]+?\1/g, '')
    .replace(/<code>[\s\S]*?<\/code>/g, '');
}

/** Cells of a table row, split where GitHub splits them: at pipes not escaped by a backslash. */
function countCells(row: string): number {
  return row.replace(/\\./g, '').split('|').length - 2;
}

const HOSTILE = 'a|b <script>alert(1)</script> `x` *y* _z_ [l](http://e) @team \\| &amp;\n# h';

function makeHostilePlan(): Plan {
  return {
    ...makeEmptyPlan(),
    changes: [
      {
        kind: 'profile',
        action: 'create',
        address: profileAddress(HOSTILE),
        profile: HOSTILE,
        after: { name: HOSTILE, provider: 'hub|spot', client_id: '</details>', client_secret: SENSITIVE },
        secretRefs: { client_secret: 'S' },
      },
      {
        kind: 'profile',
        action: 'replace',
        address: profileAddress(`${HOSTILE}2`),
        profile: `${HOSTILE}2`,
        id: 4,
        before: { name: HOSTILE, provider: 'a', client_id: 'x', client_secret: SENSITIVE },
        after: { name: `${HOSTILE}2`, provider: 'b', client_id: 'x', client_secret: SENSITIVE },
        changed: ['name', 'provider'],
        secretRefs: { client_secret: 'S' },
        renamedFrom: HOSTILE,
        moves: [HOSTILE],
        unassignFrom: [HOSTILE],
        forced: [HOSTILE],
        replacementName: HOSTILE,
        preventDestroy: false,
        customerCount: { live: 2, known: 1 },
        refused: HOSTILE,
      },
      {
        kind: 'profile',
        action: 'update',
        address: profileAddress(`${HOSTILE}3`),
        profile: `${HOSTILE}3`,
        id: 5,
        before: { name: HOSTILE, provider: 'a', client_id: 'x', client_secret: SENSITIVE },
        after: { name: `${HOSTILE}3`, provider: 'a', client_id: 'x', client_secret: SENSITIVE },
        changed: ['name', 'client_secret'],
        secretRefs: { client_secret: 'S' },
        renamedFrom: HOSTILE,
        drift: HOSTILE,
      },
      {
        kind: 'assignment',
        action: 'swap',
        address: assignmentAddress(HOSTILE, `${HOSTILE}3`),
        customer: HOSTILE,
        profile: `${HOSTILE}3`,
        previous: HOSTILE,
        force: false,
        inUse: 1,
        refused: HOSTILE,
      },
      ...Array.from({ length: 12 }, (_, i) => ({
        kind: 'assignment' as const,
        action: 'assign' as const,
        address: assignmentAddress(`E:${i}|<b>`, HOSTILE),
        customer: `E:${i}|<b>`,
        profile: HOSTILE,
      })),
    ],
    unmanaged: [{ id: 3, name: HOSTILE, provider: '<img src=x onerror=alert(1)>', duplicateOf: HOSTILE }],
    warnings: [{ code: 'hostile', message: HOSTILE }],
    drift: [{ code: HOSTILE, address: HOSTILE, message: HOSTILE, repair: HOSTILE }],
    refusals: [{ code: HOSTILE, address: HOSTILE, message: HOSTILE }],
    apiCalls: { profiles: 1, embedded: 12 },
  };
}

/** A profile's group: from its heading to the next group's, or to the next section. */
function groupOf(markdown: string, profile: string): string {
  const starts = [`**\`${profile}\`** —`, `<strong><code>${profile}</code></strong> —`];
  const start = Math.max(...starts.map((s) => markdown.indexOf(s)));
  if (start < 0) throw new Error(`no group for ${profile}`);
  const rest = markdown.slice(start + 1);
  const ends = [/\n\*\*`/, /\n<details>/, /\n### /].map((re) => rest.search(re)).filter((i) => i >= 0);
  return markdown.slice(start, start + 1 + Math.min(...ends, rest.length));
}

describe('renderMarkdown', () => {
  it('says there is nothing to do for an empty plan', () => {
    expect(renderMarkdown(makeEmptyPlan())).toBe(
      '## workato-oauth plan\n\nNo changes. The workspace matches the configuration.\n',
    );
  });

  it('lists warnings and unmanaged profiles even when nothing changes', () => {
    const markdown = renderMarkdown({
      ...makeEmptyPlan(),
      unmanaged: [{ id: 7, name: 'Legacy', provider: 'hubspot' }],
      warnings: [{ code: 'profile-gone', message: 'profile "X" is gone' }],
    });
    expect(markdown).toContain('No changes.');
    expect(markdown).toContain('- `profile-gone`: profile "X" is gone');
    expect(markdown).toContain('| 7 | Legacy | hubspot |');
    expect(markdown).not.toContain('API calls');
  });

  it('groups changes by profile: its own change first, then its assignments', () => {
    const markdown = renderMarkdown(makeScenarioPlan());
    const hubspotEu = markdown.indexOf('**`HubSpot EU`** — will be created; 1 to assign, 1 to swap');
    expect(hubspotEu).toBeGreaterThan(-1);
    const group = markdown.slice(hubspotEu, markdown.indexOf('**`Salesforce`**'));
    expect(group).toContain('+ client_id     = "eu-7f3a"');
    expect(group).toContain('! swap     "E:A2300" (replaces "HubSpot US", same provider; force)');
    expect(group).toContain('+ assign   "E:A2301"');
  });

  it('shows a swap under both profiles: the one the customer joins and the one it leaves', () => {
    const markdown = renderMarkdown(makeScenarioPlan());
    const joins = groupOf(markdown, 'HubSpot EU');
    const leaves = groupOf(markdown, 'HubSpot US');
    expect(joins).toContain('! swap     "E:A2300" (replaces "HubSpot US", same provider; force)');
    expect(leaves).toContain('— will be updated (id 101); 1 to assign, 1 to swap out, 1 to unassign');
    expect(leaves).toContain('! swap out "E:A2300" (to "HubSpot EU", same provider; force)');
  });

  it('shows a swap under the profile it leaves even when that profile does not change', () => {
    const swap = {
      kind: 'assignment' as const,
      action: 'swap' as const,
      address: assignmentAddress('E:1', 'New'),
      customer: 'E:1',
      profile: 'New',
      previous: 'Old',
      force: false,
    };
    const markdown = renderMarkdown({
      ...makeEmptyPlan(),
      changes: [swap],
      apiCalls: { profiles: 0, embedded: 2 },
    });
    expect(markdown).toContain('**`New`** — 1 to swap\n');
    expect(markdown).toContain('**`Old`** — 1 to swap out\n');
    expect(markdown).toContain('! swap out "E:1" (to "New", same provider)\n');
  });

  it('shows field changes as a diff, secrets only as phrases', () => {
    const markdown = renderMarkdown(makeScenarioPlan());
    expect(markdown).toContain('- client_id     = "us-old"\n');
    expect(markdown).toContain('+ client_id     = "us-new"\n');
    expect(markdown).toContain('+ client_secret = (sensitive value changed)\n');
  });

  describe('refusals', () => {
    it('counts refused changes and gives each its reason in its group', () => {
      const plan = makeScenarioPlan();
      const markdown = renderMarkdown(plan);
      expect(markdown).toContain('2 to replace (1 refused), 2 to delete (1 refused)');
      expect(markdown).toContain('| refused | 2 |');
      expect(groupOf(markdown, 'Production Slack')).toContain(
        '— delete refused (id 500)\n\n**Refused:** profile\\["Production Slack"\\] has prevent\\_destroy; to delete it',
      );
      expect(groupOf(markdown, 'Production Slack')).toContain('`prevent_destroy` is set.');
      expect(groupOf(markdown, 'Salesforce Sandbox')).toContain('— replace refused (id 103); 1 to assign');
    });

    it('says so at the top and lists every reason last, with its address', () => {
      const markdown = renderMarkdown(makeScenarioPlan());
      expect(markdown).toContain('**Apply is refused:** 3 reasons, listed at the end.');
      const section = markdown.slice(markdown.indexOf('### Apply is refused'));
      expect(markdown.endsWith(section)).toBe(true);
      expect(section).toContain(
        '- `profile["Salesforce Sandbox"]`: the state does not know every customer Workato counts on it, and the replace would leave those without the profile; run \\`workato-oauth apply --reassert\\` first (`customer-count`)\n',
      );
      // The message names its address already: it is not said twice.
      expect(section).toContain(
        '- profile\\["Production Slack"\\] has prevent\\_destroy; to delete it, first apply it with prevent\\_destroy: false, then remove it (`prevent-destroy`)\n',
      );
      expect(section).toContain(
        '- the plan deletes 4 profiles (2 of them to recreate for a new provider); pass --allow-delete to allow it (`delete-not-allowed`)\n',
      );
    });

    it('keeps the reasons when the comment is cut to its limit', () => {
      const plan: Plan = { ...makeLargePlan(5_000, 1), refusals: makeScenarioPlan().refusals };
      const markdown = renderMarkdown(plan, { maxChars: 10_000 });
      expect(markdown.length).toBeLessThanOrEqual(10_000);
      expect(markdown).toMatch(
        /not shown; run `workato-oauth plan` for the full plan\._\n\n### Apply is refused\n/,
      );
      expect(markdown).toContain('(`delete-not-allowed`)\n');
      expectBalanced(markdown);
    });

    it('prints nothing about refusals when there are none', () => {
      const plan: Plan = {
        ...makeScenarioPlan(),
        refusals: [],
        changes: makeScenarioPlan().changes.map(({ refused: _refused, ...change }) => change),
      };
      expect(renderMarkdown(plan)).not.toMatch(/refused/i);
    });
  });

  describe('drift', () => {
    it('gives an update made because of drift its reason and shows its secrets as re-sent', () => {
      const group = groupOf(renderMarkdown(makeScenarioPlan()), 'Slack Support');
      expect(group).toContain(
        "**Drift:** modified outside workato-oauth: updated\\_at 2025-03-01T09:00:00Z -\\> 2025-03-04T16:20:11Z — the configuration's fields and secrets are sent again.",
      );
      expect(group).toContain('+ client_secret = (sensitive value, re-sent)\n');
      expect(group).toContain(
        '+ token         = (unknown until apply: $SLACK_SUPPORT_TOKEN is not set; re-sent)\n',
      );
    });

    it('lists the findings with their repair', () => {
      const markdown = renderMarkdown(makeScenarioPlan());
      expect(markdown).toContain(
        '### Drift\n\n1 change made outside workato-oauth that this plan does not repair:\n\n' +
          '- `profile["HubSpot US"]` (`assignment-count-drift`): profile "HubSpot US" (id 101): Workato counts 14 customer(s), the state records 12; assigned or unassigned outside workato-oauth — repair: `workato-oauth apply --reassert`\n',
      );
    });

    it('does not say the workspace matches when only drift was found', () => {
      const markdown = renderMarkdown({ ...makeEmptyPlan(), drift: makeScenarioPlan().drift });
      expect(markdown).not.toContain('matches');
      expect(markdown).toContain('No changes to apply, but the workspace has drifted');
      expect(markdown).toContain('### Drift');
    });
  });

  it('shows a rename as an update in place', () => {
    const group = groupOf(renderMarkdown(makeScenarioPlan()), 'HubSpot Partners');
    expect(group).toContain('— will be renamed (id 105)');
    expect(group).toContain('Renamed in place from `HubSpot Partner`');
    expect(group).toContain(
      '- name          = "HubSpot Partner"\n+ name          = "HubSpot Partners" # renamed in place\n',
    );
    expect(renderMarkdown(makeScenarioPlan())).not.toContain('`HubSpot Partner`** —');
  });

  describe('a replace', () => {
    it('says how it runs, which unassigns are forced, and the customers the state does not know', () => {
      const group = groupOf(renderMarkdown(makeScenarioPlan()), 'Salesforce Sandbox');
      expect(group).toContain(
        '1. Create the new profile as `Salesforce Sandbox (replacing id 103)`.\n' +
          '2. Move 3 customers to it (assign the new one, then unassign the old one): `4242`, `E:A100`, `E:A101`.\n' +
          '3. Unassign the old profile from 1 customer not moved: `E:A102`.\n' +
          '4. Delete the old profile (id 103), then rename the new one `Salesforce Sandbox`.',
      );
      expect(group).toContain(
        "The old profile's unassign uses force=true for 2 customers: `E:A101`, `E:A102`.",
      );
      expect(group).toContain('Workato counts 5 customers on it; the state knows 4 of them.');
      expect(groupOf(renderMarkdown(makeScenarioPlan()), 'Zoom')).not.toContain('Workato counts');
    });

    it('lists 20 customers and counts the rest', () => {
      const plan = makeScenarioPlan();
      const replace = plan.changes.find((c) => c.address === 'profile["Salesforce Sandbox"]');
      if (replace?.kind !== 'profile') throw new Error('the scenario has the replace');
      replace.moves = Array.from({ length: 25 }, (_, i) => `E:c${String(i).padStart(2, '0')}`);
      const group = groupOf(renderMarkdown(plan), 'Salesforce Sandbox');
      expect(group).toContain('`E:c19` and 5 more.');
      expect(group).not.toContain('`E:c20`');
    });
  });

  it('shows force exactly where it is sent, connections in use, and a reassert', () => {
    const markdown = renderMarkdown(makeScenarioPlan());
    expect(markdown).toContain('- unassign "E:A2400" (force)\n');
    expect(markdown).toContain(
      '- unassign "E:A2401" # in use by 3 connections; will likely fail without force\n',
    );
    expect(markdown).toContain('+ assign   "E:A2302" # assigned per the state; sent again to confirm\n');
    const forced = markdown.split('\n').filter((line) => /[(;] ?force\)/.test(line));
    expect(forced).toEqual([
      '! swap     "E:A2300" (replaces "HubSpot US", same provider; force)',
      '! swap out "E:A2300" (to "HubSpot EU", same provider; force)',
      '- unassign "E:A2400" (force)',
    ]);
  });

  it("notes an unmanaged profile that shares a managed profile's name", () => {
    const markdown = renderMarkdown(makeScenarioPlan());
    expect(markdown).toContain('| Id | Name | Provider | Note |');
    expect(markdown).toContain(
      '| 902 | HubSpot US | hubspot | another profile named "HubSpot US"; left alone |',
    );
    expect(markdown).toContain('| 900 | Legacy Zendesk | zendesk |  |');
  });

  it('collapses a group longer than ten lines', () => {
    const markdown = renderMarkdown(makeLargePlan(12, 1));
    expect(markdown).toContain(
      '<details><summary><strong><code>Profile 000</code></strong> — will be created; 12 to assign</summary>',
    );
    expectBalanced(markdown);
  });

  it('escapes hostile values: the tables keep their columns and no HTML gets through', () => {
    const markdown = renderMarkdown(makeHostilePlan());
    expectBalanced(markdown);
    const outsideCode = stripCode(markdown);
    // A `<` escaped by a backslash is text; only our own tags may stay.
    expect(outsideCode).not.toMatch(/(?<!\\)<(?!\/?(details|summary|strong|code)>)/);
    expect(outsideCode).not.toMatch(/@team/);
    const lines = markdown.split('\n');
    expect(lines.filter((line) => /^# /.test(line))).toEqual([]);
    const unmanagedRow = lines.find((line) => line.startsWith('| 3 |'));
    expect(unmanagedRow).toBeDefined();
    expect(countCells(unmanagedRow!)).toBe(4);
    for (const row of lines.filter((line) => line.startsWith('| ') && !line.startsWith('| Id'))) {
      expect([2, 4]).toContain(countCells(row));
    }
    expect(markdown).toContain('<code>a|b &lt;script&gt;alert(1)&lt;/script&gt; `x` *y* _z_');
    expect(markdown).toContain('\\n# h');
  });

  describe('with 5,000 assignments', () => {
    it.each([
      ['spread over 40 profiles', 40],
      ['all to one profile', 1],
    ])('stays under the limit and says what it cut (%s)', (_name, profiles) => {
      const markdown = renderMarkdown(makeLargePlan(5_000, profiles));
      expect(markdown.length).toBeLessThan(65_000);
      expect(markdown.length).toBeGreaterThan(60_000);
      expect(markdown).toMatch(
        /_… [\d,]+ more changes and the unmanaged profiles not shown; run `workato-oauth plan` for the full plan\._\n$/,
      );
      expectBalanced(markdown);
    });

    it('counts the cut changes exactly', () => {
      const plan = makeLargePlan(5_000, 40);
      const markdown = renderMarkdown(plan);
      const shownInGroups = (markdown.match(/^\+ assign {3}/gm) ?? []).length;
      const createdShown = (markdown.match(/^\+ name {10}=/gm) ?? []).length;
      const cutInGroups = [...markdown.matchAll(/_… ([\d,]+) more assignment changes? of this profile/g)];
      const cut = Number(/_… ([\d,]+) more changes/.exec(markdown)?.[1]?.replaceAll(',', ''));
      expect(shownInGroups + createdShown + cut).toBe(plan.changes.length);
      expect(cutInGroups.length).toBeLessThanOrEqual(1);
    });

    it('honours a smaller limit', () => {
      const markdown = renderMarkdown(makeLargePlan(5_000, 1), { maxChars: 10_000 });
      expect(markdown.length).toBeLessThanOrEqual(10_000);
      expectBalanced(markdown);
    });
  });
});
