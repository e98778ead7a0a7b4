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
      ...Array.from({ length: 12 }, (_, i) => ({
        kind: 'assignment' as const,
        action: 'assign' as const,
        address: assignmentAddress(`E:${i}|<b>`, HOSTILE),
        customer: `E:${i}|<b>`,
        profile: HOSTILE,
      })),
    ],
    unmanaged: [{ id: 3, name: HOSTILE, provider: '<img src=x onerror=alert(1)>' }],
    warnings: [{ code: 'hostile', message: HOSTILE }],
    apiCalls: { profiles: 1, embedded: 12 },
  };
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
    expect(group).toContain('! swap     "E:A2300" (replaces "HubSpot US", same provider; force=false)');
    expect(group).toContain('+ assign   "E:A2301"');
  });

  it('shows field changes as a diff, secrets only as phrases', () => {
    const markdown = renderMarkdown(makeScenarioPlan());
    expect(markdown).toContain('- client_id     = "us-old"\n');
    expect(markdown).toContain('+ client_id     = "us-new"\n');
    expect(markdown).toContain('+ client_secret = (sensitive value changed)\n');
    expect(markdown).toContain('**Refused:** prevent_destroy is set');
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
    expect(countCells(unmanagedRow!)).toBe(3);
    for (const row of lines.filter((line) => line.startsWith('| ') && !line.startsWith('| Id'))) {
      expect([2, 3]).toContain(countCells(row));
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
